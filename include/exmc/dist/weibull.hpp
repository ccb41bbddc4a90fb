#pragma once
#include <array>
#include <cmath>

#include "../core/random.hpp"
#include "../math/log1m_exp.hpp"
#include "dist.hpp"
#include "view_adaptors.hpp"

namespace exmc {

// weibull(alpha, sigma): shape alpha, scale sigma;
// (alpha / sigma) (x / sigma)^(alpha-1) exp(-(x / sigma)^alpha) on x > 0 (Stan's
// parameterisation). Stan: weibull; PyMC: Weibull(alpha, beta) with beta = sigma.
// In terms of w = (x / sigma)^alpha the survival function is exp(-w), so the log CCDF is -w and
// the log CDF log(1 - exp(-w)).
struct weibull_fn {
  static constexpr const char* name = "weibull";
  static constexpr std::array<const char*, 2> arg_names{"alpha", "sigma"};
  static constexpr std::array<domain, 2> domains{domain::positive, domain::positive};
  static constexpr support_kind support = support_kind::positive;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = false;
  static bool in_support(double x) { return std::isfinite(x) && x > 0; }

  template <class X, class A, class S>
  static double lpdf(index_t n, X& x, A& alpha, S& sigma) {
    using T = decltype(sigma.val(0));
    if (!all_positive(n, x) || !all_positive(n, alpha) || !all_positive(n, sigma)) return -math::inf<double>;
    const double dn = static_cast<double>(n);
    return with_log<T>(n, x, [&](const auto& ly) {
      const auto xa = x.arr(n);
      if constexpr (!A::is_vec && !S::is_vec) {
        // Scalar shape and scale: logs hoisted; log(x / sigma) and w are recomputed by each
        // vectorised pass rather than stored (no allocation).
        const T a = alpha.val(0);
        const T ls = sigma.log_val();
        const auto l = ly - ls;
        const auto w = (a * l).exp();
        const double sum_w = sum_as_double(w);
        const double sum_ly = sum_as_double(ly);
        if constexpr (X::grad) x.add_arr((a - T(1) - a * w) / xa);
        if constexpr (A::grad)
          alpha.add_total(static_cast<T>(dn / static_cast<double>(a) + sum_ly - dn * static_cast<double>(ls) -
                                         sum_as_double(l * w)));
        if constexpr (S::grad) sigma.add_total(static_cast<T>(static_cast<double>(a) * (sum_w - dn) / static_cast<double>(sigma.val(0))));
        return dn * static_cast<double>(std::log(a) - a * ls) + static_cast<double>(a - T(1)) * sum_ly - sum_w;
      } else {
        const auto aa = alpha.arr(n);
        const auto sa = sigma.arr(n);
        const auto l = ly - sa.log();
        const auto w = (aa * l).exp();
        if constexpr (X::grad) x.add_arr((aa - T(1) - aa * w) / xa);
        add_sum(alpha, aa.inverse() + l * (T(1) - w));
        add_sum(sigma, aa * (w - T(1)) / sa);
        return sum_log(n, alpha) + sum_as_double((aa - T(1)) * ly - aa * sa.log() - w);
      }
    });
  }

  // log(1 - exp(-w)) (Lower) or -w summed, w = (x / sigma)^alpha.
  template <bool Lower, class X, class A, class S>
  static double cdf_sum(index_t n, const X& x, A& alpha, S& sigma) {
    using T = decltype(sigma.val(0));
    double total = 0;
    for (index_t i = 0; i < n; ++i) {
      const double a = static_cast<double>(alpha.val(i)), s = static_cast<double>(sigma.val(i));
      if (!(a > 0 && s > 0 && std::isfinite(a) && std::isfinite(s))) return -math::inf<double>;
      const double y = static_cast<double>(x.val(i));
      if (!(y > 0)) {  // the CDF is 0 at and below 0
        if constexpr (Lower) return -math::inf<double>;
        continue;
      }
      const double l = std::log(y / s);
      const double w = std::exp(a * l);
      // d value / d w: -1 for the log CCDF; e^-w / (1 - e^-w) = 1 / expm1(w) for the log CDF.
      const double dw = Lower ? 1 / std::expm1(w) : -1.0;
      total += Lower ? math::log1m_exp(-w) : -w;
      alpha.add(i, static_cast<T>(dw * w * l));
      sigma.add(i, static_cast<T>(-dw * w * a / s));
    }
    return total;
  }
  template <class X, class A, class S>
  static double lcdf(index_t n, const X& x, A& alpha, S& sigma) {
    return cdf_sum<true>(n, x, alpha, sigma);
  }
  template <class X, class A, class S>
  static double lccdf(index_t n, const X& x, A& alpha, S& sigma) {
    return cdf_sum<false>(n, x, alpha, sigma);
  }

  // Inversion: sigma * E^(1 / alpha) with E standard exponential.
  static double generate(rng& g, double alpha, double sigma) { return sigma * std::pow(g.exponential(), 1 / alpha); }
};

template <class A, class S>
auto weibull(A&& alpha, S&& sigma) {
  return make_dist<weibull_fn>(std::forward<A>(alpha), std::forward<S>(sigma));
}

}  // namespace exmc
