#pragma once
// The regularised incomplete gamma functions P(a, x) and Q(a, x) = 1 - P(a, x) in log space,
// with the partials of their logarithms in the shape a and in x. The CDFs of gamma, inv_gamma,
// chi_square, inv_chi_square (and Poisson, through Q(k + 1, lambda)) are these functions, and a
// sampler needs their logs accurate where P or Q underflows and their shape derivative, which
// has no closed form.
//
// Values come from Boost.Math (gamma_p, gamma_q) wherever they are normal doubles. The shape
// derivative comes from one of two expansions, both differentiated term by term in a:
//   x < a + 1:  P = x^a e^-x / Gamma(a + 1) * S,  S = sum_k x^k / ((a + 1) ... (a + k))
//               (DLMF 8.7.1); every term is positive, so S and dS/da have no cancellation;
//   x >= a + 1: Q = x^a e^-x / Gamma(a) * h,  h = 1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - ...))
//               (Legendre's continued fraction, DLMF 8.9.2), evaluated by the modified Lentz
//               method with the derivative of every convergent carried along (forward mode).
// The same sums give the log values where Boost's P or Q underflows (the far tails) and the x
// partials exactly (d log P / dx = a / (x S), d log Q / dx = -1 / (x h)), with no prefix to
// over- or underflow. Both expansions need O(sqrt(a)) terms near x = a, so very large shapes
// (a > 1e8) near the mode are slow; every other region converges in tens of terms.
// The functions are `template <class = void>` so that only a translation unit that calls them
// instantiates Boost's gamma_p and gamma_q (D72).
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <limits>

#include "special.hpp"

namespace exmc::math {

// log P or log Q at (a, x) and the partials of that log.
struct log_inc_gamma {
  double value;
  double d_a;  // d value / d a
  double d_x;  // d value / d x
};

template <class = void> inline double gamma_p(double a, double x) { return boost::math::gamma_p(a, x, quiet_policy{}); }
template <class = void> inline double gamma_q(double a, double x) { return boost::math::gamma_q(a, x, quiet_policy{}); }

namespace detail {

inline constexpr double inc_gamma_eps = 1e-16;
inline constexpr int inc_gamma_max_terms = 1000000;
// Below this a value from Boost has lost precision (subnormal) or underflowed: use the sums.
inline constexpr double inc_gamma_tiny = 1e-290;

// log S and d log S / da for the series of P (see the header comment).
struct log_sum_and_slope {
  double log_s;
  double d_log_s;
};
template <class = void> inline log_sum_and_slope lower_series(double a, double x) {
  double term = 1, slope = 0;  // term_k and d log term_k / da
  double s = 1, ds = 0;
  for (int k = 1; k < inc_gamma_max_terms; ++k) {
    const double ak = a + k;
    term *= x / ak;
    slope -= 1 / ak;
    s += term;
    ds += term * slope;
    if (term < inc_gamma_eps * s && std::abs(term * slope) < inc_gamma_eps * std::abs(ds)) break;
  }
  return {std::log(s), ds / s};
}

// log h and d log h / da for Legendre's continued fraction of Q, by modified Lentz with forward
// derivatives: every quantity q has its derivative dq in a alongside.
template <class = void> inline log_sum_and_slope upper_fraction(double a, double x) {
  constexpr double tiny = 1e-300;
  double b = x + 1 - a;
  const double db = -1;
  double c = 1 / tiny, dc = 0;
  double d = 1 / b, dd = -db * d * d;
  double h = d, dh = dd;
  for (int i = 1; i < inc_gamma_max_terms; ++i) {
    const double an = -i * (i - a), dan = i;
    b += 2;
    double dn = an * d + b, ddn = dan * d + an * dd + db;
    if (std::abs(dn) < tiny) dn = tiny, ddn = 0;
    double cn = b + an / c, dcn = db + (dan * c - an * dc) / (c * c);
    if (std::abs(cn) < tiny) cn = tiny, dcn = 0;
    d = 1 / dn;
    dd = -ddn * d * d;
    c = cn;
    dc = dcn;
    const double del = d * c, ddel = dd * c + d * dc;
    dh = dh * del + h * ddel;
    h *= del;
    if (std::abs(del - 1) < inc_gamma_eps && std::abs(ddel) < inc_gamma_eps * (1 + std::abs(dh / h))) break;
  }
  return {std::log(h), dh / h};
}

template <class = void> inline log_inc_gamma nan_result() {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  return {nan, nan, nan};
}

// log P (Lower) or log Q at (a, x), from whichever expansion converges there.
template <bool Lower>
log_inc_gamma log_inc_gamma_at(double a, double x) {
  if (!(a > 0) || std::isnan(x) || x < 0 || a == inf<double>) return nan_result();
  if (x == 0) return Lower ? log_inc_gamma{-inf<double>, 0, 0} : log_inc_gamma{0, 0, 0};
  if (x == inf<double>) return Lower ? log_inc_gamma{0, 0, 0} : log_inc_gamma{-inf<double>, 0, 0};
  const double log_x = std::log(x);
  if (x < a + 1) {
    const log_sum_and_slope s = lower_series(a, x);
    const double p = gamma_p(a, x);
    log_inc_gamma lp{};
    lp.value = p > inc_gamma_tiny ? std::log(p) : a * log_x - x - lgamma(a + 1) + s.log_s;
    lp.d_a = log_x - digamma(a + 1) + s.d_log_s;
    lp.d_x = a / (x * std::exp(s.log_s));
    if constexpr (Lower) return lp;
    // Q = 1 - P is not small here (x < a + 1 keeps it above ~ a E1(a + 1)); where it is near 1
    // its log is -P to first order, which log1p(-P) keeps exact.
    const double q = gamma_q(a, x);
    const double pq = p / q;
    return {p < 0.5 ? std::log1p(-p) : std::log(q), -pq * lp.d_a, -pq * lp.d_x};
  }
  const log_sum_and_slope f = upper_fraction(a, x);
  const double q = gamma_q(a, x);
  log_inc_gamma lq{};
  lq.value = q > inc_gamma_tiny ? std::log(q) : a * log_x - x - lgamma(a) + f.log_s;
  lq.d_a = log_x - digamma(a) + f.d_log_s;
  lq.d_x = -1 / (x * std::exp(f.log_s));
  if constexpr (!Lower) return lq;
  // P is the bulk of the mass here (x >= a + 1): log1p(-Q) keeps its small complement exact.
  const double qp = q / (1 - q);
  return {std::log1p(-q), -qp * lq.d_a, -qp * lq.d_x};
}

}  // namespace detail

// log P(a, x) (the lower regularised incomplete gamma function) and its partials. a must be
// positive and finite and x non-negative (NaN otherwise); P(a, 0) = 0 gives -inf.
template <class = void> inline log_inc_gamma log_gamma_p(double a, double x) { return detail::log_inc_gamma_at<true>(a, x); }

// log Q(a, x) = log(1 - P(a, x)) and its partials; Q(a, inf) = 0 gives -inf.
template <class = void> inline log_inc_gamma log_gamma_q(double a, double x) { return detail::log_inc_gamma_at<false>(a, x); }

// dP(a, x) / da, the shape derivative itself.
template <class = void> inline double gamma_p_da(double a, double x) {
  const log_inc_gamma r = log_gamma_p(a, x);
  return r.value == -inf<double> ? 0.0 : std::exp(r.value) * r.d_a;
}

}  // namespace exmc::math
