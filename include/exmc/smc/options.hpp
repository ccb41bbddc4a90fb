#pragma once
// Options and result of exmc::smc (sequential Monte Carlo with likelihood tempering).
// See docs/variational-smc.md.
#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../core/draws.hpp"

namespace exmc {

// How particles move between reweighting stages; both leave prior * likelihood^beta invariant.
enum class smc_kernel {
  hmc,  // a few leapfrog steps; diagonal mass from the particle variance, step size adapted
  mh,   // random walk; Gaussian proposal with the particles' covariance, scale adapted
};

inline const char* to_string(smc_kernel k) { return k == smc_kernel::hmc ? "hmc" : "mh"; }

struct smc_options {
  int particles = 2000;
  std::uint64_t seed = 0;             // same seed, bit-identical result whatever `threads`
  int threads = 0;                    // 0: std::thread::hardware_concurrency()
  smc_kernel kernel = smc_kernel::hmc;
  double ess_target = 0.5;            // next temperature keeps the weights' ESS at this fraction
  double move_probability = 0.99;     // mutation steps: enough for a particle to move with this probability
  int min_steps = 2;                  // mutation steps per stage, adapted within [min_steps, max_steps]
  int max_steps = 25;
  int leapfrog_steps = 10;            // hmc: leapfrog steps per move (step size jittered by +-20%)
  double step_size = 0.5;             // hmc: first step size, in units of the particle sd
  double target_accept = 0.0;         // 0: 0.65 for hmc, 0.234 for mh
  int max_stages = 1000;              // error when tempering has not reached beta = 1 by then
  int init_tries = 100;               // prior draws per particle until prior and likelihood are finite
};

struct smc_fit {
  draws posterior;                 // the final particles in constrained space, as one chain
  Eigen::MatrixXd unconstrained;   // the final particles, particles x dim()
  Eigen::VectorXd log_likelihood;  // log likelihood of each final particle
  double log_evidence = 0.0;       // log marginal likelihood estimate: sum of log mean incremental weights
  int stages = 0;                  // reweighting stages (temperatures after 0)
  // Per stage s = 0..stages-1 (after the reweighting to temperatures[s + 1]):
  std::vector<double> temperatures;  // beta_0 = 0 < ... < beta_stages = 1 (stages + 1 entries)
  std::vector<double> acceptance;    // mean acceptance probability of the mutation moves
  std::vector<int> mutation_steps;   // moves made by each particle
  std::vector<double> step_size;     // hmc: step size (particle-sd units) at the stage's end; mh: proposal scale
  std::size_t grad_evals = 0;        // prior and likelihood evaluations (pairs), prior draws included
  std::size_t faults = 0;            // evaluations that threw or were non-finite (rejected moves)
  std::string last_fault;
};

}  // namespace exmc
