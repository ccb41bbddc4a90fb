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

};

template <class S>
auto half_normal(S&& sigma) {
  return make_dist<half_normal_fn>(std::forward<S>(sigma));
}

}  // namespace exmc
