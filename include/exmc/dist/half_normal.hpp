#pragma once
#include <array>

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
    double lp = (math::log_two - math::log_sqrt_two_pi) * static_cast<double>(n);
    bool ok = true;
    for (index_t i = 0; i < n; ++i) {
      const T s = sigma.val(i);
      const T xi = x.val(i);
      ok &= (s > T(0)) & (xi >= T(0));
      const T inv_s = T(1) / s;
      const T z = xi * inv_s;
      lp -= static_cast<double>(T(0.5) * z * z);
      if constexpr (S::is_vec) lp -= static_cast<double>(log(s));
      x.add(i, -z * inv_s);
      sigma.add(i, (z * z - T(1)) * inv_s);
    }
    if constexpr (!S::is_vec) lp -= static_cast<double>(n) * static_cast<double>(log(sigma.val(0)));
    return ok ? lp : -math::inf<double>;
  }
};

template <class S>
auto half_normal(S&& sigma) {
  return make_dist<half_normal_fn>(std::forward<S>(sigma));
}

}  // namespace exmc
