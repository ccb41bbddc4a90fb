#pragma once
#include <array>

#include "dist.hpp"

namespace exmc {

// normal(mu, sigma): log N(x | mu, sigma) with all constants.
struct normal_fn {
  static constexpr const char* name = "normal";
  static constexpr std::array<const char*, 2> arg_names{"mu", "sigma"};
  static constexpr std::array<domain, 2> domains{domain::real, domain::positive};
  static constexpr support_kind support = support_kind::real;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = false;
  static bool in_support(double x) { return std::isfinite(x); }

  template <class X, class M, class S>
  static double lpdf(index_t n, X& x, M& mu, S& sigma) {
    using T = decltype(sigma.val(0));
    using std::log;
    double lp = -math::log_sqrt_two_pi * static_cast<double>(n);
    if constexpr (!S::is_vec) {
      const T s = sigma.val(0);
      if (!(s > T(0))) return -math::inf<double>;
      const T inv_s = T(1) / s;
      double quad = 0;
      for (index_t i = 0; i < n; ++i) {
        const T z = (x.val(i) - mu.val(i)) * inv_s;
        quad += static_cast<double>(z * z);
        x.add(i, -z * inv_s);
        mu.add(i, z * inv_s);
        sigma.add(i, (z * z - T(1)) * inv_s);
      }
      return lp - 0.5 * quad - static_cast<double>(n) * static_cast<double>(log(s));
    } else {
      bool ok = true;
      for (index_t i = 0; i < n; ++i) {
        const T s = sigma.val(i);
        ok &= s > T(0);
        const T inv_s = T(1) / s;
        const T z = (x.val(i) - mu.val(i)) * inv_s;
        lp -= static_cast<double>(T(0.5) * z * z + log(s));
        x.add(i, -z * inv_s);
        mu.add(i, z * inv_s);
        sigma.add(i, (z * z - T(1)) * inv_s);
      }
      return ok ? lp : -math::inf<double>;
    }
  }
};

template <class M, class S>
auto normal(M&& mu, S&& sigma) {
  return make_dist<normal_fn>(std::forward<M>(mu), std::forward<S>(sigma));
}

}  // namespace exmc
