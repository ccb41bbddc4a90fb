#pragma once
// The standard normal CDF in log space, and its logarithmic derivative (the inverse Mills ratio
// phi(t) / Phi(t)), accurate from the far lower tail (where Phi underflows) to the upper tail
// (where log Phi is a tiny negative number). Every censored or skewed Gaussian density needs
// both; evaluated in double whatever the model's scalar type, as lgamma is.
#include <cmath>

#include "functions.hpp"

namespace exmc::math {

namespace detail {
inline constexpr double inv_sqrt_two = 0.70710678118654752440;
inline constexpr double inv_sqrt_pi = 0.56418958354775628695;
inline constexpr double sqrt_two_over_pi = 0.79788456080286535588;

// erfc(u) exp(u^2) for u >= 25 by its asymptotic series; eight terms reach double precision
// there (the k-th term is (2k-1)!! / (2u^2)^k <= 3e-17 at k = 7). Below 25 erfc itself is still
// a normal double and is used directly.
inline double erfcx_large(double u) {
  const double r = 1.0 / (2.0 * u * u);
  double term = 1.0, sum = 1.0;
  for (int k = 1; k <= 8; ++k) {
    term *= -(2.0 * k - 1.0) * r;
    sum += term;
  }
  return inv_sqrt_pi / u * sum;
}
inline constexpr double erfcx_switch = 25.0;
}  // namespace detail

// log Phi(t).
inline double log_Phi(double t) {
  using std::erfc, std::log, std::log1p;
  if (std::isnan(t)) return t;
  if (t > 0) return log1p(-0.5 * erfc(t * detail::inv_sqrt_two));  // Phi near 1: keep the small complement
  const double u = -t * detail::inv_sqrt_two;
  if (u < detail::erfcx_switch) return log(0.5 * erfc(u));
  return -log_two - u * u + log(detail::erfcx_large(u));
}

// d/dt log Phi(t) = phi(t) / Phi(t): about -t in the lower tail, vanishing in the upper.
inline double inv_mills(double t) {
  using std::erfc, std::exp;
  if (std::isnan(t)) return t;
  const double u = -t * detail::inv_sqrt_two;
  if (u < detail::erfcx_switch) return exp(-0.5 * t * t - log_sqrt_two_pi) / (0.5 * erfc(u));
  return detail::sqrt_two_over_pi / detail::erfcx_large(u);
}

// log phi(t), the standard normal log density.
inline double log_phi(double t) { return -0.5 * t * t - log_sqrt_two_pi; }

}  // namespace exmc::math
