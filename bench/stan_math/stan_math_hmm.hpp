#pragma once
// The Gaussian-emission hidden Markov model of bench/hmm/ against Stan Math's reverse mode (see
// stan_math_densities.hpp for the conventions: same unconstrained coordinates as the exmc
// model, log densities equal up to a constant). Stan Math 3.0 (StanHeaders 2.21) predates
// hmm_marginal (Stan Math 3.2, Stan 2.24), so the marginal is the forward algorithm in log space
// with log_sum_exp, as Stan's user's guide wrote it before then. Built with
// -DEXMC_BENCH_STAN_MATH=ON (bench/hmm/CMakeLists.txt adds the source to the Stan Math library).
#include <Eigen/Core>

#include "stan_math_densities.hpp"

namespace exmc::stan_math {

// y[t] ~ normal(mu[z_t], sigma[z_t]) with K states; priors as bench/hmm/hmm_models.hpp states.
density gaussian_hmm(const Eigen::VectorXd& y, int K);

}  // namespace exmc::stan_math
