#pragma once
#include <array>

#include "../core/random.hpp"
#include "../math/normal_cdf.hpp"
#include "dist.hpp"

namespace exmc {

// half_normal(sigma): 2 N(x | 0, sigma) on x >= 0.
struct half_normal_fn {
  static constexpr const char* name = "half_normal";
  static constexpr std::array<const char*, 1> arg_names{"sigma"};
  static constexpr std::array<domain, 1> domains{domain::positive};
  static constexpr support_kind support = support_kind::positive;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = false;
  static bool in_support(double x) { return std::isfinite(x) && x >= 0; }

  template <class X, class S>
  static double lpdf(index_t n, X& x, S& sigma) {
    using T = decltype(sigma.val(0));
    using std::log;
    const double dn = static_cast<double>(n);
    const auto xa = x.arr(n);
    if (!(xa >= T(0)).all()) return -math::inf<double>;
    if constexpr (!S::is_vec) {
      const T s = sigma.val(0);
      if (!(s > T(0))) return -math::inf<double>;
      const T inv_var = T(1) / (s * s);
      const double quad = sum_as_double(xa.square()) * static_cast<double>(inv_var);
      if constexpr (X::grad) x.add_arr(-xa * inv_var);
      if constexpr (S::grad) sigma.add_total(static_cast<T>((quad - dn) / static_cast<double>(s)));
      return dn * (math::log_two - math::log_sqrt_two_pi - static_cast<double>(sigma.log_val())) - 0.5 * quad;
    } else {
      const auto sa = sigma.arr(n);
      if (!sigma.all_positive(n)) return -math::inf<double>;
      const auto inv_s = sa.inverse();
      const auto z = xa * inv_s;
      if constexpr (X::grad) x.add_arr(-z * inv_s);
      if constexpr (S::grad) sigma.add_arr((z.square() - T(1)) * inv_s);
      return dn * (math::log_two - math::log_sqrt_two_pi) - 0.5 * sum_as_double(z.square()) - sigma.sum_log(n);
    }
  }

  // CDF erf(u) and CCDF erfc(u) with u = x / (sigma sqrt 2); the CCDF is 2 Phi(-x / sigma), whose
  // log stays exact in the far upper tail through log_Phi. Each log is taken of whichever of erf
  // and erfc is the small one, so neither loses digits near 0 or near 1.
  template <bool Lower, class X, class S>
  static double cdf_sum(index_t n, const X& x, S& sigma) {
    using T = decltype(sigma.val(0));
    constexpr double two_over_sqrt_pi = 1.1283791670955126;
    double total = 0;
    for (index_t i = 0; i < n; ++i) {
      const double s = static_cast<double>(sigma.val(i));
      if (!(s > 0) || !std::isfinite(s)) return -math::inf<double>;
      const double y = static_cast<double>(x.val(i));
      if (!(y > 0)) {
        if constexpr (Lower) return -math::inf<double>;
        continue;
      }
      const double z = y / s;
      const double u = z * math::detail::inv_sqrt_two;
      if constexpr (Lower) {
        // erf(u) near 1 is better read as 1 - erfc(u).
        const double cdf = u < 0.5 ? std::erf(u) : -std::erfc(u);
        total += u < 0.5 ? std::log(cdf) : std::log1p(cdf);
        const double c = u < 0.5 ? cdf : 1 + cdf;
        sigma.add(i, static_cast<T>(-two_over_sqrt_pi * std::exp(-u * u) * u / (s * c)));
      } else if (u < 0.5) {  // erfc(u) near 1: its log is -erf(u) to first order
        total += std::log1p(-std::erf(u));
        sigma.add(i, static_cast<T>(two_over_sqrt_pi * std::exp(-u * u) * u / (s * std::erfc(u))));
      } else {
        total += math::log_two + math::log_Phi(-z);
        sigma.add(i, static_cast<T>(math::inv_mills(-z) * z / s));
      }
    }
    return total;
  }
  template <class X, class S>
  static double lcdf(index_t n, const X& x, S& sigma) {
    return cdf_sum<true>(n, x, sigma);
  }
  template <class X, class S>
  static double lccdf(index_t n, const X& x, S& sigma) {
    return cdf_sum<false>(n, x, sigma);
  }

  static double generate(rng& g, double sigma) { return sigma * std::abs(g.normal()); }

};

template <class S>
auto half_normal(S&& sigma) {
  return make_dist<half_normal_fn>(std::forward<S>(sigma));
}

}  // namespace exmc
