#pragma once
#include <array>
#include <cmath>

#include "gamma.hpp"
#include "../math/special.hpp"

namespace exmc {

// inv_gamma(alpha, beta): shape alpha, scale beta; beta^alpha / Gamma(alpha) x^(-alpha-1)
// e^(-beta / x) on x > 0, the law of 1 / X for X ~ gamma(alpha, beta) (Stan's
// parameterisation). Stan: inv_gamma; PyMC: InverseGamma(alpha, beta).
// The CDF is Q(alpha, beta / x), the regularised upper incomplete gamma function.
struct inv_gamma_fn {
  static constexpr const char* name = "inv_gamma";
  static constexpr std::array<const char*, 2> arg_names{"alpha", "beta"};
  static constexpr std::array<domain, 2> domains{domain::positive, domain::positive};
  static constexpr support_kind support = support_kind::positive;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = false;
  static bool in_support(double x) { return std::isfinite(x) && x > 0; }

  template <class X, class A, class B>
  static double lpdf(index_t n, X& x, A& alpha, B& beta) {
    if (!all_positive(n, x) || !all_positive(n, beta)) return -math::inf<double>;
    if constexpr (A::is_vec)
      return lpdf_loop(n, x, alpha, beta);
    else
      return lpdf_scalar_shape(n, x, alpha, beta);
  }

  template <class X, class A, class B>
  static double lpdf_scalar_shape(index_t n, X& x, A& alpha, B& beta) {
    using T = decltype(beta.val(0));
    const T a = alpha.val(0);
    if (!(a > T(0)) || !std::isfinite(a)) return -math::inf<double>;
    const double ad = static_cast<double>(a), dn = static_cast<double>(n);
    const double slx = sum_log(n, x), slb = sum_log(n, beta);
    const auto xa = x.arr(n);
    const auto ba = beta.arr(n);
    double b_over_x;
    if constexpr (B::is_vec)
      b_over_x = sum_as_double(ba / xa);
    else
      b_over_x = static_cast<double>(beta.val(0)) * sum_as_double(xa.inverse());
    if constexpr (X::grad) x.add_arr((ba / xa - (a + T(1))) / xa);
    if constexpr (A::grad) alpha.add_total(static_cast<T>(slb - slx - dn * math::digamma(ad)));
    if constexpr (B::grad) add_sum(beta, a / ba - xa.inverse());
    return ad * slb - dn * math::lgamma(ad) - (ad + 1) * slx - b_over_x;
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
      const T ly = log(y), lb = log(b), inv_y = T(1) / y;
      lp += static_cast<double>(a * lb - (a + T(1)) * ly - b * inv_y) - math::lgamma(static_cast<double>(a));
      x.add(i, (b * inv_y - (a + T(1))) * inv_y);
      alpha.add(i, lb - ly - math::digamma(a));
      beta.add(i, a / b - inv_y);
    }
    return ok ? lp : -math::inf<double>;
  }

  // The CDF at x is Q(alpha, beta / x): Lower (the CDF) takes Q, the complement P.
  template <bool Lower, class X, class A, class B>
  static double cdf_sum(index_t n, const X& x, A& alpha, B& beta) {
    using T = decltype(beta.val(0));
    double total = 0;
    for (index_t i = 0; i < n; ++i) {
      const double a = static_cast<double>(alpha.val(i)), b = static_cast<double>(beta.val(i));
      if (!(a > 0 && b > 0 && std::isfinite(a) && std::isfinite(b))) return -math::inf<double>;
      const double y = static_cast<double>(x.val(i));
      const double inv_y = y > 0 ? 1 / y : math::inf<double>;
      const math::log_inc_gamma r = Lower ? math::log_gamma_q(a, b * inv_y) : math::log_gamma_p(a, b * inv_y);
      total += r.value;
      alpha.add(i, static_cast<T>(r.d_a));
      beta.add(i, static_cast<T>(std::isfinite(inv_y) ? r.d_x * inv_y : 0.0));
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

  static double generate(rng& g, double alpha, double beta) { return beta / draw_gamma(g, alpha); }
};

template <class A, class B>
auto inv_gamma(A&& alpha, B&& beta) {
  return make_dist<inv_gamma_fn>(std::forward<A>(alpha), std::forward<B>(beta));
}

}  // namespace exmc
