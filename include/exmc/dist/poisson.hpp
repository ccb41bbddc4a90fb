#pragma once
#include <array>
#include <limits>

#include "../core/random.hpp"
#include "../math/inc_gamma.hpp"
#include "counts.hpp"
#include "dist.hpp"

namespace exmc {

// poisson(lambda): lambda^y e^-lambda / y! on y = 0, 1, ... (lambda >= 0; lambda = 0 allows only
// y = 0). Stan: poisson; PyMC: Poisson.
struct poisson_fn {
  static constexpr const char* name = "poisson";
  static constexpr std::array<const char*, 1> arg_names{"lambda"};
  static constexpr std::array<domain, 1> domains{domain::nonneg};
  static constexpr support_kind support = support_kind::nonneg_int;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = true;
  static bool in_support(double y) { return detail::is_count(y); }

  template <class Y, class L>
  static double lpdf(index_t n, Y& y, L& lambda) {
    using T = decltype(lambda.val(0));
    const auto ya = y.arr(n);
    const double log_fact = detail::sum_log_factorial(n, y);
    if constexpr (!L::is_vec) {
      // Scalar lambda: the pmf needs only the sum of the counts.
      const T l = lambda.val(0);
      if (!(l >= T(0)) || !std::isfinite(l)) return -math::inf<double>;
      const double sy = sum_as_double(ya), dl = static_cast<double>(l);
      if constexpr (L::grad) lambda.add_total(static_cast<T>(sy / dl - static_cast<double>(n)));
      return detail::xlogy(sy, static_cast<double>(lambda.log_val())) - static_cast<double>(n) * dl - log_fact;
    } else {
      const auto la = lambda.arr(n);
      if (!((la >= T(0)) && la.isFinite()).all()) return -math::inf<double>;
      if constexpr (L::grad) lambda.add_arr(ya / la - T(1));
      return sum_as_double((ya > T(0)).select(ya * la.log(), T(0)) - la) - log_fact;
    }
  }

  // P(Y <= y) = Q(y + 1, lambda), P(Y > y) = P(y + 1, lambda): the regularised incomplete gamma
  // functions in log space (exact far into either tail); d/dlambda of the CDF is -pmf(y).
  template <bool Lower, class Y, class L>
  static double cdf_sum(index_t n, const Y& y, L& lambda) {
    using T = decltype(lambda.val(0));
    double total = 0;
    for (index_t i = 0; i < n; ++i) {
      const double l = static_cast<double>(lambda.val(i)), yi = static_cast<double>(y.val(i));
      if (!(l >= 0) || !std::isfinite(l)) return -math::inf<double>;
      if (!(yi >= 0)) {
        if constexpr (Lower) return -math::inf<double>;
        continue;
      }
      if (l == 0) {  // all mass at 0: F = 1, and dF/dlambda = -pmf(y) = -[y = 0]
        if constexpr (!Lower) return -math::inf<double>;
        if constexpr (L::grad) lambda.add(i, static_cast<T>(yi == 0 ? -1.0 : 0.0));
        continue;
      }
      const math::log_inc_gamma r = Lower ? math::log_gamma_q(yi + 1, l) : math::log_gamma_p(yi + 1, l);
      total += r.value;
      if constexpr (L::grad) lambda.add(i, static_cast<T>(r.d_x));
    }
    return total;
  }
  template <class Y, class L>
  static double lcdf(index_t n, const Y& y, L& lambda) {
    return cdf_sum<true>(n, y, lambda);
  }
  template <class Y, class L>
  static double lccdf(index_t n, const Y& y, L& lambda) {
    return cdf_sum<false>(n, y, lambda);
  }

  // Inversion (sequential search from 0) for small means, Hormann's transformed rejection with
  // squeeze (PTRS, 1993) above: a constant expected number of uniforms for any mean.
  static double generate(rng& g, double lambda) {
    if (!(lambda >= 0) || !std::isfinite(lambda)) return std::numeric_limits<double>::quiet_NaN();
    if (lambda < 10) return inversion(g, lambda);
    return ptrs(g, lambda);
  }

 private:
  static double inversion(rng& g, double lambda) {
    double p = std::exp(-lambda), cdf = p;
    const double u = g.uniform();
    double k = 0;
    // The pmf underflows to 0 long before the cdf reaches a u within rounding of 1: stop there.
    while (u > cdf && p > 0) {
      k += 1;
      p *= lambda / k;
      cdf += p;
    }
    return k;
  }
  static double ptrs(rng& g, double lambda) {
    const double slam = std::sqrt(lambda), loglam = std::log(lambda);
    const double b = 0.931 + 2.53 * slam;
    const double a = -0.059 + 0.02483 * b;
    const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    const double v_r = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const double u = g.uniform() - 0.5, v = g.uniform();
      const double us = 0.5 - std::abs(u);
      const double k = std::floor((2 * a / us + b) * u + lambda + 0.43);
      if (us >= 0.07 && v <= v_r) return k;  // the squeeze: inside the hat's inner region
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (std::log(v) + std::log(inv_alpha) - std::log(a / (us * us) + b) <= k * loglam - lambda - math::log_factorial(k))
        return k;
    }
  }
};

template <class L>
auto poisson(L&& lambda) {
  return make_dist<poisson_fn>(std::forward<L>(lambda));
}

}  // namespace exmc
