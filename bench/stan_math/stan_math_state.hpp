#pragma once
// Stan Math versions of the recurrences in bench/custom/state_models.hpp (ARMA(1,1) and
// GARCH(1,1)), as stanc would generate the Stan user guide's programs: the recurrence a loop over
// reverse-mode scalars, then one vectorised `~` statement (propto). Same parameter order and
// coordinates as the exmc models; C++17 like stan_math_densities.cpp, built with it.
#include "stan_math_densities.hpp"

namespace exmc::stan_math {

// mu ~ normal(0, 10); phi, theta ~ normal(0, 2); sigma ~ cauchy(0, 5) (lower = 0);
// nu[1] = mu + phi * mu; nu[t] = mu + phi * y[t-1] + theta * err[t-1]; err ~ normal(0, sigma).
density arma11(const Eigen::VectorXd& y);
// mu ~ normal(0, 10); alpha0 ~ normal(0, 1) (lower = 0); alpha1, beta1 uniform on (0, 1);
// sigma[1] = 1, sigma[t] = sqrt(alpha0 + alpha1 * square(r[t-1] - mu) + beta1 * square(sigma[t-1]));
// r ~ normal(mu, sigma).
density garch11(const Eigen::VectorXd& r);

}  // namespace exmc::stan_math
