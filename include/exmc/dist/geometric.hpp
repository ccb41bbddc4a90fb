#pragma once
#include <array>
#include <limits>

#include "../math/log1m_exp.hpp"
#include "counts.hpp"
#include "dist.hpp"

namespace exmc {

// geometric(p): the number of failures before the first success, p (1 - p)^y on y = 0, 1, ...,
// with success probability p in (0, 1]. Stan has no geometric (it is neg_binomial(1, p / (1 - p)));
// PyMC's Geometric counts trials (support 1, 2, ...): this y is PyMC's minus 1. Boost.Math's
// geometric counts failures, as here.
struct geometric_fn {
  static constexpr const char* name = "geometric";
  static constexpr std::array<const char*, 1> arg_names{"p"};
  static constexpr std::array<domain, 1> domains{domain::unit};
  static constexpr support_kind support = support_kind::nonneg_int;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = true;
  static bool in_support(double y) { return detail::is_count(y); }

  template <class Y, class P>
  static double lpdf(index_t n, Y& y, P& p) {
    using T = decltype(p.val(0));
    const auto ya = y.arr(n);
    if constexpr (!P::is_vec) {
      const T pv = p.val(0);
      if (!(pv > T(0) && pv <= T(1))) return -math::inf<double>;
      const double sy = sum_as_double(ya), dp = static_cast<double>(pv), dn = static_cast<double>(n);
      if constexpr (P::grad) p.add_total(static_cast<T>(dn / dp - sy / (1 - dp)));
      return dn * std::log(dp) + detail::xlogy(sy, std::log1p(-dp));
    } else {
      const auto pa = p.arr(n);
      if (!((pa > T(0)) && (pa <= T(1))).all()) return -math::inf<double>;
      if constexpr (P::grad) p.add_arr(pa.inverse() - ya / (T(1) - pa));
      return sum_as_double(pa.log() + (ya > T(0)).select(ya * (-pa).log1p(), T(0)));
    }
  }

  // P(Y > y) = (1 - p)^(y + 1): the log CCDF is u = (y + 1) log(1 - p), the log CDF log(1 - e^u).
  template <bool Lower, class Y, class P>
  static double cdf_sum(index_t n, const Y& y, P& p) {
    using T = decltype(p.val(0));
    double total = 0;
    for (index_t i = 0; i < n; ++i) {
      const double pv = static_cast<double>(p.val(i)), yi = static_cast<double>(y.val(i));
      if (!(pv > 0 && pv <= 1)) return -math::inf<double>;
      if (yi < 0) {
        if constexpr (Lower) return -math::inf<double>;
        continue;
      }
      const double m = std::floor(yi) + 1;
      const double u = pv == 1 ? -math::inf<double> : m * std::log1p(-pv);
      const double du_dp = -m / (1 - pv);
      if constexpr (Lower) {
        total += math::log1m_exp(u);
        if constexpr (P::grad) p.add(i, static_cast<T>(pv == 1 ? 0.0 : math::log1m_exp_slope(u) * du_dp));
      } else {
        total += u;
        if constexpr (P::grad) p.add(i, static_cast<T>(du_dp));
      }
    }
    return total;
  }
  template <class Y, class P>
  static double lcdf(index_t n, const Y& y, P& p) {
    return cdf_sum<true>(n, y, p);
  }
  template <class Y, class P>
  static double lccdf(index_t n, const Y& y, P& p) {
    return cdf_sum<false>(n, y, p);
  }

  // Inversion: floor(log U / log(1 - p)) is the number of failures.
  static double generate(rng& g, double p) {
    if (!(p > 0 && p <= 1)) return std::numeric_limits<double>::quiet_NaN();
    if (p == 1) return 0;
    return std::floor(std::log(g.uniform_pos()) / std::log1p(-p));
  }
};

template <class P>
auto geometric(P&& p) {
  return make_dist<geometric_fn>(std::forward<P>(p));
}

}  // namespace exmc
