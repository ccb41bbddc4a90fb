#pragma once
#include <array>

#include "dist.hpp"

namespace exmc {

// exponential(rate): rate exp(-rate x) on x >= 0.
struct exponential_fn {
  static constexpr const char* name = "exponential";
  static constexpr std::array<const char*, 1> arg_names{"rate"};
  static constexpr std::array<domain, 1> domains{domain::positive};
  static constexpr support_kind support = support_kind::positive;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = false;
  static bool in_support(double x) { return std::isfinite(x) && x >= 0; }

  template <class X, class L>
  static double lpdf(index_t n, X& x, L& rate) {
    using T = decltype(rate.val(0));
    using std::log;
    double lp = 0;
    bool ok = true;
    for (index_t i = 0; i < n; ++i) {
      const T l = rate.val(i);
      const T xi = x.val(i);
      ok &= (l > T(0)) & (xi >= T(0));
      lp -= static_cast<double>(l * xi);
      if constexpr (L::is_vec) lp += static_cast<double>(log(l));
      x.add(i, -l);
      rate.add(i, T(1) / l - xi);
    }
    if constexpr (!L::is_vec) lp += static_cast<double>(n) * static_cast<double>(log(rate.val(0)));
    return ok ? lp : -math::inf<double>;
  }
};

template <class L>
auto exponential(L&& rate) {
  return make_dist<exponential_fn>(std::forward<L>(rate));
}

}  // namespace exmc
