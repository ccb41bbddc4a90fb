#pragma once
#include <array>
#include <limits>

#include "counts.hpp"
#include "dist.hpp"

namespace exmc {

// bernoulli(theta): P(y = 1) = theta, P(y = 0) = 1 - theta, theta in [0, 1].
// Stan: bernoulli; PyMC: Bernoulli (p).
struct bernoulli_fn {
  static constexpr const char* name = "bernoulli";
  static constexpr std::array<const char*, 1> arg_names{"theta"};
  static constexpr std::array<domain, 1> domains{domain::unit};
  static constexpr support_kind support = support_kind::binary;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = true;
  static bool in_support(double y) { return y == 0 || y == 1; }

  template <class Y, class P>
  static double lpdf(index_t n, Y& y, P& theta) {
    using T = decltype(theta.val(0));
    const auto ya = y.arr(n);
    if constexpr (!P::is_vec) {
      // Scalar theta: only the number of ones matters.
      const T t = theta.val(0);
      if (!(t >= T(0) && t <= T(1))) return -math::inf<double>;
      const double ones = sum_as_double(ya), zeros = static_cast<double>(n) - ones, dt = static_cast<double>(t);
      if constexpr (P::grad) theta.add_total(static_cast<T>(ones / dt - zeros / (1 - dt)));
      return detail::xlogy(ones, std::log(dt)) + detail::xlogy(zeros, std::log1p(-dt));
    } else {
      const auto ta = theta.arr(n);
      if (!((ta >= T(0)) && (ta <= T(1))).all()) return -math::inf<double>;
      const auto one = ya > T(0.5);
      if constexpr (P::grad) theta.add_arr(one.select(ta.inverse(), -(T(1) - ta).inverse()));
      return sum_as_double(one.select(ta.log(), (-ta).log1p()));
    }
  }

  // CDF: 1 - theta at y = 0, 1 from y = 1 on; CCDF: theta at 0, 0 from 1 on.
  template <bool Lower, class Y, class P>
  static double cdf_sum(index_t n, const Y& y, P& theta) {
    using T = decltype(theta.val(0));
    double total = 0;
    for (index_t i = 0; i < n; ++i) {
      const double t = static_cast<double>(theta.val(i)), yi = static_cast<double>(y.val(i));
      if (!(t >= 0 && t <= 1)) return -math::inf<double>;
      if (yi < 0) {
        if constexpr (Lower) return -math::inf<double>;
        continue;
      }
      if (yi >= 1) {
        if constexpr (!Lower) return -math::inf<double>;
        continue;
      }
      total += Lower ? std::log1p(-t) : std::log(t);
      if constexpr (P::grad) theta.add(i, static_cast<T>(Lower ? -1 / (1 - t) : 1 / t));
    }
    return total;
  }
  template <class Y, class P>
  static double lcdf(index_t n, const Y& y, P& theta) {
    return cdf_sum<true>(n, y, theta);
  }
  template <class Y, class P>
  static double lccdf(index_t n, const Y& y, P& theta) {
    return cdf_sum<false>(n, y, theta);
  }

  static double generate(rng& g, double theta) {
    if (!(theta >= 0 && theta <= 1)) return std::numeric_limits<double>::quiet_NaN();
    return g.uniform() < theta ? 1.0 : 0.0;
  }
};

template <class P>
auto bernoulli(P&& theta) {
  return make_dist<bernoulli_fn>(std::forward<P>(theta));
}

}  // namespace exmc
