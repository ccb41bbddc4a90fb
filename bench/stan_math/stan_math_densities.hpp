#pragma once
// The benchmark densities written against Stan Math's reverse mode (stan::math::gradient), as
// Stan's sampler evaluates them: unconstrained coordinates with the log-Jacobian of every lower
// bound, `~` statements with constants dropped (propto). The parameter order is the exmc model's
// (bench/models/models.hpp), so a position vector means the same point to all implementations;
// log densities agree with exmc's up to an additive constant.
//
// This header is plain C++17 with Eigen only: the definitions are compiled as C++17 in their own
// translation unit (Stan Math 3.0 does not build as C++20), and the C++20 benchmarks see nothing
// of Stan. Built only with -DEXMC_BENCH_STAN_MATH=ON.
#include <Eigen/Core>
#include <functional>
#include <string>

namespace exmc::stan_math {

// A LogDensity in the sense of exmc/core/log_density.hpp (scalar double), type-erased.
struct density {
  using scalar = double;
  Eigen::Index dimension = 0;
  std::function<double(const Eigen::VectorXd&, Eigen::VectorXd&)> fn;

  Eigen::Index dim() const { return dimension; }
  double logp_grad(const Eigen::VectorXd& q, Eigen::VectorXd& grad) const { return fn(q, grad); }
};

// Recurrences (bench/custom/state_models.hpp), as stanc generates the Stan user guide's programs:
// the recurrence a loop over reverse-mode scalars, then one vectorised `~` statement.
// ARMA(1,1): mu ~ normal(0, 10); phi, theta ~ normal(0, 2); sigma ~ cauchy(0, 5) (lower = 0);
// nu[1] = mu + phi * mu; nu[t] = mu + phi * y[t-1] + theta * err[t-1]; err ~ normal(0, sigma).
density arma11(const Eigen::VectorXd& y);
// GARCH(1,1): mu ~ normal(0, 10); alpha0 ~ normal(0, 1) (lower = 0); alpha1, beta1 uniform on
// (0, 1); sigma[1] = 1, sigma[t] = sqrt(alpha0 + alpha1 * square(r[t-1] - mu) + beta1 *
// square(sigma[t-1])); r ~ normal(mu, sigma).
density garch11(const Eigen::VectorXd& r);

// Group indices are 0-based here, as in the exmc models.
density simple(const Eigen::VectorXd& y);
density medium(const Eigen::VectorXd& y, const Eigen::VectorXi& group, int groups);
density stress(const Eigen::VectorXd& y, const Eigen::VectorXi& group, int groups);
density eight_schools(const Eigen::VectorXd& y, const Eigen::VectorXd& sigma);
density funnel();
density logistic(const Eigen::MatrixXd& x, const Eigen::VectorXi& y);
density sv(const Eigen::VectorXd& r);

// Gaussian processes (bench/gp/), q = (log rho, log alpha, then log sigma or eta), priors
// rho ~ inv_gamma(5, 5), alpha ~ normal+(0, 1):
//   gp_regression  sigma ~ normal+(0, 1); y ~ multi_normal_cholesky(0, cholesky_decompose(
//                  add_diag(gp_exp_quad_cov(x, alpha, rho), square(sigma))))
//   gp_poisson     eta ~ std_normal(); y ~ poisson_log(cholesky_decompose(add_diag(
//                  gp_exp_quad_cov(x, alpha, rho), 1e-6)) * eta), the non-centred latent GP (a jitter
//                  of 1e-6: on 100 inputs 0.2 apart, 1e-9 leaves K too ill-conditioned to compare)
density gp_regression(const Eigen::VectorXd& x, const Eigen::VectorXd& y);
density gp_poisson(const Eigen::VectorXd& x, const Eigen::VectorXi& y);

// Stan Math's version string, for benchmark context output.
std::string version();

}  // namespace exmc::stan_math
