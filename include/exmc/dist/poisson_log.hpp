#pragma once
#include <array>

#include "poisson.hpp"

namespace exmc {

// poisson_log(alpha): poisson with log rate alpha, exp(y alpha - e^alpha) / y! on y = 0, 1, ...
// The natural likelihood of a log-linear count regression. Stan: poisson_log; PyMC: Poisson
// with mu = exp(alpha).
struct poisson_log_fn {
  static constexpr const char* name = "poisson_log";
  static constexpr std::array<const char*, 1> arg_names{"alpha"};
  static constexpr std::array<domain, 1> domains{domain::real};
  static constexpr support_kind support = support_kind::nonneg_int;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = true;
  static bool in_support(double y) { return detail::is_count(y); }

  template <class Y, class A>
  static double lpdf(index_t n, Y& y, A& alpha) {
    using T = decltype(alpha.val(0));
    const auto ya = y.arr(n);
    const double log_fact = detail::sum_log_factorial(n, y);
    if constexpr (!A::is_vec) {
      const T a = alpha.val(0);
      if (!std::isfinite(a)) return -math::inf<double>;
      const double sy = sum_as_double(ya), rate = std::exp(static_cast<double>(a));
      if constexpr (A::grad) alpha.add_total(static_cast<T>(sy - static_cast<double>(n) * rate));
      return sy * static_cast<double>(a) - static_cast<double>(n) * rate - log_fact;
    } else {
      // Block by block, so the log density and the partial share one exp per element.
      bool finite = true;
      const double lp = sum_over_blocks<256>(
          n,
          [&finite](index_t m, auto& yb, auto& ab) {
            const auto aa = ab.arr(m);
            finite &= aa.isFinite().all();
            const Eigen::Array<T, Eigen::Dynamic, 1, 0, 256, 1> rate = aa.exp();
            const Eigen::Array<T, Eigen::Dynamic, 1, 0, 256, 1> yy = yb.arr(m);  // vectorises the rest (D134)
            if constexpr (A::grad) ab.add_arr(yy - rate);
            return sum_as_double(yy * aa - rate);
          },
          y, alpha);
      return finite ? lp - log_fact : -math::inf<double>;
    }
  }

  // Poisson's with lambda = e^alpha; d/dalpha = lambda d/dlambda.
  template <bool Lower, class Y, class A>
  static double cdf_sum(index_t n, const Y& y, A& alpha) {
    using T = decltype(alpha.val(0));
    double total = 0;
    for (index_t i = 0; i < n; ++i) {
      const double a = static_cast<double>(alpha.val(i));
      if (!std::isfinite(a)) return -math::inf<double>;
      scalar_view<double, A::grad> lambda{std::exp(a)};
      vector_view<double, double, false> yi{nullptr, nullptr};
      const double y_i = static_cast<double>(y.val(i));
      yi.v = &y_i;
      total += poisson_fn::cdf_sum<Lower>(1, yi, lambda);
      if constexpr (A::grad) alpha.add(i, static_cast<T>(lambda.acc * lambda.v));
    }
    return total;
  }
  template <class Y, class A>
  static double lcdf(index_t n, const Y& y, A& alpha) {
    return cdf_sum<true>(n, y, alpha);
  }
  template <class Y, class A>
  static double lccdf(index_t n, const Y& y, A& alpha) {
    return cdf_sum<false>(n, y, alpha);
  }

  static double generate(rng& g, double alpha) { return poisson_fn::generate(g, std::exp(alpha)); }
};

template <class A>
auto poisson_log(A&& alpha) {
  return make_dist<poisson_log_fn>(std::forward<A>(alpha));
}

}  // namespace exmc
