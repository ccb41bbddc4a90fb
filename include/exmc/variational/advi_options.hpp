#pragma once
// Options and result of exmc::advi (automatic differentiation variational inference, as in
// Stan's ADVI). See docs/variational-smc.md.
#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "../core/draws.hpp"
#include "../core/log_density.hpp"

namespace exmc {

// The Gaussian family fitted in unconstrained space.
enum class advi_family {
  meanfield,  // independent normals: a mean and a log standard deviation per coordinate
  fullrank,   // one multivariate normal: a mean and a lower-triangular Cholesky factor
};

inline const char* to_string(advi_family f) { return f == advi_family::meanfield ? "meanfield" : "fullrank"; }

struct advi_options {
  advi_family family = advi_family::meanfield;
  std::uint64_t seed = 0;            // same seed, bit-identical result
  int grad_samples = 1;              // Monte Carlo draws per ELBO gradient
  int elbo_samples = 100;            // Monte Carlo draws per ELBO estimate
  int eval_elbo = 100;               // estimate the ELBO (and test convergence) every eval_elbo iterations
  int max_iterations = 10000;
  double tol_rel_obj = 0.01;         // converged when the mean or median relative ELBO change is below
  bool adapt = true;                 // choose eta by a short trial of 100, 10, 1, 0.1, 0.01
  int adapt_iterations = 50;         // iterations per trial step size
  double eta = 1.0;                  // step-size scale when adapt is false
  int output_draws = 1000;           // approximate posterior draws returned in `posterior`
  double init_radius = 2.0;          // initial mean uniform in (-r, r), unconstrained; 0: zeros
  named_values init;                 // or constrained initial values by name (UnconstrainableLogDensity)
  Eigen::VectorXd init_unconstrained;  // or a full unconstrained initial mean (dim() entries)
  int init_tries = 100;              // random initial means tried before giving up
  int max_redraws = 10;              // fresh draws for one failed Monte Carlo draw before an error
};

struct advi_fit {
  advi_family family = advi_family::meanfield;
  // The fitted Gaussian on the unconstrained scale: mean + cholesky * N(0, I).
  Eigen::VectorXd mean;
  Eigen::VectorXd log_sd;    // meanfield: log standard deviations (omega); fullrank: empty
  Eigen::MatrixXd cholesky;  // fullrank: L (lower triangular); meanfield: diag(exp(log_sd))
  Eigen::MatrixXd covariance() const { return cholesky * cholesky.transpose(); }

  double eta = 1.0;                   // step-size scale used (adapted or given)
  std::vector<int> elbo_iterations;   // iteration of each ELBO estimate (0: the initial approximation)
  std::vector<double> elbo;           // the ELBO trace
  std::vector<double> rel_change;     // |relative change| of each estimate from the previous one
  int iterations = 0;                 // stochastic gradient iterations run (after adaptation)
  bool converged = false;
  std::string message;                // "mean ELBO converged", "median ELBO converged" or why not

  // output_draws draws of the approximation in constrained space, as one chain, so summary(),
  // the writers and the predictive code take them like NUTS draws.
  draws posterior;
  // Per output draw: log density of the model (unnormalised, Jacobian included; -inf where it
  // failed) and of the approximation, in unconstrained space. log_p - log_q are importance
  // ratios, e.g. for psis() as a check of the approximation (Yao et al. 2018).
  Eigen::VectorXd log_p, log_q;
  // How well the Gaussian fits (approximation_pareto_k of log_p and log_q, Yao et al. 2018):
  // above 0.7 the approximation is poor and its means and intervals should not be trusted;
  // -inf: exact. NaN with fewer than 25 output draws.
  double pareto_k = std::numeric_limits<double>::quiet_NaN();

  std::size_t grad_evals = 0;  // density evaluations, adaptation included
  std::size_t redraws = 0;     // Monte Carlo draws replaced because the density failed there
  std::string last_fault;      // message of the last failure (exception or non-finite value)
};

}  // namespace exmc
