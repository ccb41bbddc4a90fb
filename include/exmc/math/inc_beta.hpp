#pragma once
// The regularised incomplete beta function I_x(a, b) in log space, with the partials of its
// logarithm in a and b. The CDFs of beta and student_t are this function; a sampler needs their
// logs where I underflows and the shape partials, which have no closed form.
//
// Values come from Boost.Math (ibeta, ibetac) wherever they are normal doubles. The partials come
// from the hypergeometric series (DLMF 8.17.8 with 15.8.1)
//   I_x(a, b) = x^a y^b / (a B(a, b)) * S,  S = sum_k (a + b)_k / (a + 1)_k x^k,  y = 1 - x,
// differentiated term by term: every term is positive, so neither S nor its a and b derivatives
// suffer cancellation (the textbook series in (1 - b)_k alternates and cancels badly for large b).
// Its term ratio x (a + b + k) / (a + 1 + k) is below 1 from the first term on when
// x <= (a + 1) / (a + b + 2); above that point the same series gives 1 - I = I_y(b, a).
// Near the mode of large shapes it needs O(sqrt(a + b)) terms; elsewhere tens.
// x and y = 1 - x are taken as logarithms so that neither loses digits near 0 or 1 and the far
// tails (x below the smallest double, as in student_t at |z| = 1e200) keep their exact logs.
// The functions are `template <class = void>` so that only a translation unit that calls them
// instantiates Boost's beta and ibeta (D72).
#include <boost/math/special_functions/beta.hpp>
#include <algorithm>
#include <cmath>
#include <limits>

#include "special.hpp"

namespace exmc::math {

// log I or log(1 - I) and the partials of that log.
struct log_inc_beta {
  double value;
  double d_a;  // d value / d a
  double d_b;  // d value / d b
};

// log B(a, b): Boost's beta where it is a normal double (lgamma differences cancel for large
// shapes), the lgamma sum where it underflows.
// Where it underflows and the larger shape l is large, lgamma(l) and lgamma(l + s) cancel
// (lgamma(1e13) is 3e14, an ulp 0.06): their difference comes from Stirling's series instead,
//   lgamma(l + s) - lgamma(l) = (l + s - 1/2) log1p(s / l) + s log l - s + c(l + s) - c(l),
// c the series' correction, whose first omitted term is below 1e-16 for l >= 16.
template <class = void> inline double log_beta(double a, double b) {
  const double v = boost::math::beta(a, b, quiet_policy{});
  if (v > 1e-290 && std::isfinite(v)) return std::log(v);
  const double l = std::max(a, b), s = std::min(a, b);
  if (!(l >= 16) || !std::isfinite(l)) return lgamma(a) + lgamma(b) - lgamma(a + b);
  auto correction = [](double x) {  // lgamma(x) - [(x - 1/2) log x - x + log sqrt(2 pi)]
    const double r = 1 / x, r2 = r * r;
    return r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 * (1.0 / 1680 - r2 / 1188))));
  };
  const double ratio = (l + s - 0.5) * std::log1p(s / l) + s * std::log(l) - s + correction(l + s) - correction(l);
  return lgamma(s) - ratio;
}

namespace detail {

inline constexpr double inc_beta_eps = 1e-17;
inline constexpr int inc_beta_max_terms = 10000000;

// I_x(a, b) from Boost, passing the smaller of x and y so that the other is never formed as 1 - x.
template <class = void> inline double boost_ibeta(double a, double b, double x, double y) {
  return x <= y ? boost::math::ibeta(a, b, x, quiet_policy{}) : boost::math::ibetac(b, a, y, quiet_policy{});
}

// The series of the header comment: log I_x(a, b) and its partials, for x <= (a + 1) / (a + b + 2).
template <class = void> inline log_inc_beta ibeta_series(double a, double b, double x, double log_x, double log_y) {
  double term = 1, s = 1, s_a = 0, s_b = 0;
  double slope_a = 0, slope_b = 0;  // d log term_k / da, d log term_k / db
  for (int k = 0; k < inc_beta_max_terms; ++k) {
    const double ab = a + b + k, a1 = a + 1 + k;
    const double r = x * ab / a1;
    slope_a += (1 - b) / (ab * a1);  // 1 / (a + b + k) - 1 / (a + 1 + k) without the cancellation
    slope_b += 1 / ab;
    term *= r;
    s += term;
    s_a += term * slope_a;
    s_b += term * slope_b;
    // The remaining terms shrink at least by the ratio r, so they sum to at most term r / (1 - r).
    if (term * (1 + std::abs(slope_a) + slope_b) <= inc_beta_eps * s * (1 - r)) break;
  }
  const double psi_ab = digamma(a + b);
  return {a * log_x + b * log_y - std::log(a) - log_beta(a, b) + std::log(s),
          log_x - 1 / a - digamma(a) + psi_ab + s_a / s,
          log_y - digamma(b) + psi_ab + s_b / s};
}

}  // namespace detail

// log I_x(a, b) with x = exp(log_x), 1 - x = exp(log_y); a, b > 0.
template <class = void> inline log_inc_beta log_ibeta(double a, double b, double log_x, double log_y) {
  if (std::isnan(a) || std::isnan(b) || std::isnan(log_x) || std::isnan(log_y)) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    return {nan, nan, nan};
  }
  if (log_y == -inf<double>) return {0, 0, 0};
  if (log_x == -inf<double>) return {-inf<double>, 0, 0};
  const double x = std::exp(log_x), y = std::exp(log_y);
  if (x <= (a + 1) / (a + b + 2)) {
    log_inc_beta r = detail::ibeta_series(a, b, x, log_x, log_y);
    const double v = detail::boost_ibeta(a, b, x, y);
    if (v > 0.5)
      r.value = std::log1p(-detail::boost_ibeta(b, a, y, x));
    else if (v > 1e-290)
      r.value = std::log(v);
    return r;
  }
  // Past the mean: the series gives the complement Q = I_y(b, a), and log I = log(1 - Q).
  const log_inc_beta q = detail::ibeta_series(b, a, y, log_y, log_x);
  const double qv = std::exp(q.value);
  const double qb = detail::boost_ibeta(b, a, y, x);
  const double qq = qb > 1e-290 ? qb : qv;
  const double f = -qv / (1 - qv);  // d log(1 - Q) = -Q / (1 - Q) d log Q
  return {std::log1p(-qq), f * q.d_b, f * q.d_a};
}

// log(1 - I_x(a, b)) = log I_y(b, a), partials in a and b.
template <class = void> inline log_inc_beta log_ibetac(double a, double b, double log_x, double log_y) {
  const log_inc_beta r = log_ibeta(b, a, log_y, log_x);
  return {r.value, r.d_b, r.d_a};
}

}  // namespace exmc::math
