#pragma once
// Monte Carlo standard errors: how far an estimate from these draws may be from the exact
// posterior value because the number of draws is finite. Formulas as in posterior 1.4.
#include <Eigen/Core>
#include <algorithm>
#include <boost/math/special_functions/beta.hpp>
#include <cmath>
#include <vector>

#include "../math/special.hpp"
#include "convergence.hpp"

namespace exmc {

namespace detail {

template <class = void> inline double sd_all(const Eigen::MatrixXd& x) {
  const Eigen::Map<const Eigen::VectorXd> v(x.data(), x.size());
  return std::sqrt(sample_variance(v));
}

}  // namespace detail

// MCSE of the posterior mean: sd / sqrt(ESS of the mean).
template <class = void> inline double mcse_mean(const Eigen::MatrixXd& x) {
  detail::require_draws(x, "mcse_mean");
  return detail::sd_all(x) / std::sqrt(ess_mean(x));
}

// MCSE of the posterior sd. The variance of the variance estimate is (E[d^4] - E[d^2]^2)/ESS
// (Kenney and Keeping 1951; no normality assumed), with d the centred draws and the ESS of
// d^2; a first-order Taylor expansion carries it to the sd.
template <class = void> inline double mcse_sd(const Eigen::MatrixXd& x) {
  detail::require_draws(x, "mcse_sd");
  const Eigen::ArrayXXd centred = x.array() - x.mean();
  const double ess = ess_mean(centred.square().matrix());
  const double e_var = centred.square().mean();
  const double var_var = (centred.square().square().mean() - e_var * e_var) / ess;
  return std::sqrt(var_var / e_var / 4.0);
}

// MCSE of the p-quantile: the indicator I(x <= q_p) has a Beta(ESS p + 1, ESS (1 - p) + 1)
// posterior for its mean; map its central 68% interval (+-1 sd for a normal) back through
// the empirical quantile function and take half the width.
template <class = void> inline double mcse_quantile(const Eigen::MatrixXd& x, double p) {
  detail::require_draws(x, "mcse_quantile");
  const double ess = ess_quantile(x, p);
  if (std::isnan(ess)) return detail::not_available;
  // pnorm(-1) and pnorm(1) rounded as in posterior.
  constexpr double lower_p = 0.1586553;
  constexpr double upper_p = 0.8413447;
  const double a = ess * p + 1.0;
  const double b = ess * (1.0 - p) + 1.0;
  const double lower = boost::math::ibeta_inv(a, b, lower_p, math::quiet_policy{});
  const double upper = boost::math::ibeta_inv(a, b, upper_p, math::quiet_policy{});
  const std::vector<double> v = detail::sorted_values(x);
  const auto s = static_cast<Eigen::Index>(v.size());
  // 1-based order statistics clamped to 1..S, as posterior indexes them.
  const Eigen::Index i1 = std::max<Eigen::Index>(static_cast<Eigen::Index>(std::floor(lower * static_cast<double>(s))), 1);
  const Eigen::Index i2 = std::min<Eigen::Index>(static_cast<Eigen::Index>(std::ceil(upper * static_cast<double>(s))), s);
  return (v[static_cast<std::size_t>(i2 - 1)] - v[static_cast<std::size_t>(i1 - 1)]) / 2.0;
}

}  // namespace exmc
