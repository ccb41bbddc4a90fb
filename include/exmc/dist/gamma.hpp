#pragma once
#include <array>
#include <cmath>
#include <limits>

#include "../core/random.hpp"
#include "../math/inc_gamma.hpp"
#include "dist.hpp"
#include "view_adaptors.hpp"
#include "../math/special.hpp"

namespace exmc {

// One draw from gamma(a, 1) by Marsaglia and Tsang (2000): a transformed normal accepted by a
// squeeze or the exact log test. Shapes below 1 use gamma(a + 1) * U^(1/a), combined in logs so
// the factor U^(1/a) of a tiny shape does not underflow before the product is formed.
// inv_gamma, chi_square, inv_chi_square and half_student_t draw through it too.
inline double draw_gamma(rng& g, double a) {
  if (!(a > 0) || !std::isfinite(a)) return std::numeric_limits<double>::quiet_NaN();
  if (a < 1) return std::exp(std::log(draw_gamma(g, a + 1)) + std::log(g.uniform_pos()) / a);
  const double d = a - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double z, v;
    do {
      z = g.normal();
      v = 1.0 + c * z;
    } while (v <= 0);
    v = v * v * v;
    const double u = g.uniform_pos();
    const double z2 = z * z;
    if (u < 1.0 - 0.0331 * z2 * z2) return d * v;
    if (std::log(u) < 0.5 * z2 + d * (1.0 - v + std::log(v))) return d * v;
  }
}

// gamma(alpha, beta): shape alpha, rate beta; beta^alpha / Gamma(alpha) x^(alpha-1) e^(-beta x)
// on x > 0 (Stan's parameterisation). Stan: gamma; PyMC: Gamma(alpha, beta).
// The CDF is P(alpha, beta x), the regularised lower incomplete gamma function.
struct gamma_fn {
  static constexpr const char* name = "gamma";
  static constexpr std::array<const char*, 2> arg_names{"alpha", "beta"};
  static constexpr std::array<domain, 2> domains{domain::positive, domain::positive};
  static constexpr support_kind support = support_kind::positive;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = false;
  // x = 0 is excluded: the density there is 0, finite or infinite depending on alpha, and log x
  // appears in every term.
  static bool in_support(double x) { return std::isfinite(x) && x > 0; }

  template <class X, class A, class B>
  static double lpdf(index_t n, X& x, A& alpha, B& beta) {
    if (!all_positive(n, x) || !all_positive(n, beta)) return -math::inf<double>;
    if constexpr (A::is_vec)
      return lpdf_loop(n, x, alpha, beta);
    else
      return lpdf_scalar_shape(n, x, alpha, beta);
  }

  // Scalar shape: lgamma and digamma once, log x summed once (cached for data), one pass for
  // the sum of beta x.
  template <class X, class A, class B>
  static double lpdf_scalar_shape(index_t n, X& x, A& alpha, B& beta) {
    using T = decltype(beta.val(0));
    const T a = alpha.val(0);
    if (!(a > T(0)) || !std::isfinite(a)) return -math::inf<double>;
    const double ad = static_cast<double>(a), dn = static_cast<double>(n);
    const double slx = sum_log(n, x), slb = sum_log(n, beta);
    const auto xa = x.arr(n);
    const auto ba = beta.arr(n);
    double bx;
    if constexpr (B::is_vec)
      bx = sum_as_double(ba * xa);
    else
      bx = static_cast<double>(beta.val(0)) * sum_as_double(xa);
    if constexpr (X::grad) x.add_arr((a - T(1)) / xa - ba);
    if constexpr (A::grad) alpha.add_total(static_cast<T>(slb + slx - dn * math::digamma(ad)));
    if constexpr (B::grad) add_sum(beta, a / ba - xa);
    return ad * slb - dn * math::lgamma(ad) + (ad - 1) * slx - bx;
  }

  template <class X, class A, class B>
  static double lpdf_loop(index_t n, X& x, A& alpha, B& beta) {
    using T = decltype(beta.val(0));
    using std::log;
    double lp = 0;
    bool ok = true;
    for (index_t i = 0; i < n; ++i) {
      const T a = alpha.val(i), b = beta.val(i), y = static_cast<T>(x.val(i));
      ok &= a > T(0);
      const T ly = log(y), lb = log(b);
      lp += static_cast<double>(a * lb + (a - T(1)) * ly - b * y) - math::lgamma(static_cast<double>(a));
      x.add(i, (a - T(1)) / y - b);
      alpha.add(i, lb + ly - math::digamma(a));
      beta.add(i, a / b - y);
    }
    return ok ? lp : -math::inf<double>;
  }

  // log P(alpha, beta x) (Lower) or log Q(alpha, beta x), summed.
  template <bool Lower, class X, class A, class B>
  static double cdf_sum(index_t n, const X& x, A& alpha, B& beta) {
    using T = decltype(beta.val(0));
    double total = 0;
    for (index_t i = 0; i < n; ++i) {
      const double a = static_cast<double>(alpha.val(i)), b = static_cast<double>(beta.val(i));
      if (!(a > 0 && b > 0 && std::isfinite(a) && std::isfinite(b))) return -math::inf<double>;
      const double y = std::max(static_cast<double>(x.val(i)), 0.0);
      const math::log_inc_gamma r = Lower ? math::log_gamma_p(a, b * y) : math::log_gamma_q(a, b * y);
      total += r.value;
      alpha.add(i, static_cast<T>(r.d_a));
      beta.add(i, static_cast<T>(r.d_x * y));
    }
    return total;
  }
  template <class X, class A, class B>
  static double lcdf(index_t n, const X& x, A& alpha, B& beta) {
    return cdf_sum<true>(n, x, alpha, beta);
  }
  template <class X, class A, class B>
  static double lccdf(index_t n, const X& x, A& alpha, B& beta) {
    return cdf_sum<false>(n, x, alpha, beta);
  }

  static double generate(rng& g, double alpha, double beta) { return draw_gamma(g, alpha) / beta; }
};

template <class A, class B>
auto gamma(A&& alpha, B&& beta) {
  return make_dist<gamma_fn>(std::forward<A>(alpha), std::forward<B>(beta));
}

}  // namespace exmc
