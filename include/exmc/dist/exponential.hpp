#pragma once
#include <array>

#include "../core/random.hpp"
#include "../math/log1m_exp.hpp"
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
    const auto xa = x.arr(n);
    if (!(xa >= T(0)).all()) return -math::inf<double>;
    if constexpr (!L::is_vec) {
      const T l = rate.val(0);
      if (!(l > T(0))) return -math::inf<double>;
      const double sx = sum_as_double(xa);
      if constexpr (X::grad) x.add_arr(Eigen::Array<T, Eigen::Dynamic, 1>::Constant(n, -l));
      if constexpr (L::grad) rate.add_total(static_cast<T>(static_cast<double>(n) / static_cast<double>(l) - sx));
      return static_cast<double>(n) * static_cast<double>(rate.log_val()) - static_cast<double>(l) * sx;
    } else {
      const auto la = rate.arr(n);
      if (!(la > T(0)).all()) return -math::inf<double>;
      if constexpr (X::grad) x.add_arr(-la);
      if constexpr (L::grad) rate.add_arr(la.inverse() - xa);
      return sum_as_double(la.log()) - sum_as_double(la * xa);
    }
  }

  // With u = -rate x: the log CCDF is u, the log CDF log(1 - e^u); the CDF is 0 for x <= 0.
  template <bool Lower, class X, class L>
  static double cdf_sum(index_t n, const X& x, L& rate) {
    using T = decltype(rate.val(0));
    double total = 0;
    for (index_t i = 0; i < n; ++i) {
      const double l = static_cast<double>(rate.val(i));
      if (!(l > 0) || !std::isfinite(l)) return -math::inf<double>;
      const double y = static_cast<double>(x.val(i));
      if (!(y > 0)) {
        if constexpr (Lower) return -math::inf<double>;
        continue;
      }
      const double u = -l * y;
      total += Lower ? math::log1m_exp(u) : u;
      rate.add(i, static_cast<T>(-y * (Lower ? math::log1m_exp_slope(u) : 1.0)));
    }
    return total;
  }
  template <class X, class L>
  static double lcdf(index_t n, const X& x, L& rate) {
    return cdf_sum<true>(n, x, rate);
  }
  template <class X, class L>
  static double lccdf(index_t n, const X& x, L& rate) {
    return cdf_sum<false>(n, x, rate);
  }

  static double generate(rng& g, double rate) { return g.exponential() / rate; }

};

template <class L>
auto exponential(L&& rate) {
  return make_dist<exponential_fn>(std::forward<L>(rate));
}

}  // namespace exmc
