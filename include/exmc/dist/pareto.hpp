#pragma once
#include <array>
#include <cmath>

#include "../core/random.hpp"
#include "../math/log1m_exp.hpp"
#include "dist.hpp"
#include "view_adaptors.hpp"

namespace exmc {

// pareto(y_min, alpha): scale y_min, shape alpha; alpha y_min^alpha / x^(alpha+1) on
// x >= y_min (Stan's parameterisation and argument order). Stan: pareto; PyMC: Pareto(alpha, m)
// with m = y_min (note PyMC's order is shape first).
// Its support starts at y_min, so a parameter with a pareto prior gets the lower-bound transform
// at y_min, which must then be a constant. The survival function is (y_min / x)^alpha.
struct pareto_fn {
  static constexpr const char* name = "pareto";
  static constexpr std::array<const char*, 2> arg_names{"y_min", "alpha"};
  static constexpr std::array<domain, 2> domains{domain::positive, domain::positive};
  static constexpr support_kind support = support_kind::lower_bounded;
  static constexpr std::size_t lower_arg = 0;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = false;
  // Observed data are checked against y_min by lpdf itself (-inf below it).
  static bool in_support(double x) { return std::isfinite(x) && x > 0; }

  template <class X, class Y, class A>
  static double lpdf(index_t n, X& x, Y& y_min, A& alpha) {
    using T = decltype(alpha.val(0));
    if (!all_positive(n, y_min) || !all_positive(n, alpha)) return -math::inf<double>;
    const auto xa = x.arr(n);
    if (!(xa >= y_min.arr(n)).all()) return -math::inf<double>;
    const double slx = sum_log(n, x);
    if constexpr (!A::is_vec && !Y::is_vec) {
      const T a = alpha.val(0), m = y_min.val(0);
      const double ad = static_cast<double>(a), dn = static_cast<double>(n);
      const double lm = static_cast<double>(y_min.log_val());
      if constexpr (X::grad) x.add_arr(-(a + T(1)) / xa);
      if constexpr (Y::grad) y_min.add_total(static_cast<T>(dn * ad / static_cast<double>(m)));
      if constexpr (A::grad) alpha.add_total(static_cast<T>(dn / ad + dn * lm - slx));
      return dn * (static_cast<double>(alpha.log_val()) + ad * lm) - (ad + 1) * slx;
    } else {
      const auto aa = alpha.arr(n);
      const auto ma = y_min.arr(n);
      if constexpr (X::grad) x.add_arr(-(aa + T(1)) / xa);
      add_sum(y_min, aa / ma);
      return with_log<T>(n, x, [&](const auto& ly) {
        add_sum(alpha, aa.inverse() + ma.log() - ly);
        return sum_log(n, alpha) + sum_as_double(aa * ma.log() - aa * ly) - slx;
      });
    }
  }

  // With u = alpha log(y_min / x) <= 0: the log CCDF is u, the log CDF log(1 - e^u).
  template <bool Lower, class X, class Y, class A>
  static double cdf_sum(index_t n, const X& x, Y& y_min, A& alpha) {
    using T = decltype(alpha.val(0));
    double total = 0;
    for (index_t i = 0; i < n; ++i) {
      const double m = static_cast<double>(y_min.val(i)), a = static_cast<double>(alpha.val(i));
      if (!(a > 0 && m > 0 && std::isfinite(a) && std::isfinite(m))) return -math::inf<double>;
      const double y = static_cast<double>(x.val(i));
      if (!(y > m)) {  // the CDF is 0 up to y_min
        if constexpr (Lower) return -math::inf<double>;
        continue;
      }
      // log(y_min / y) through y - y_min, exact near the boundary where the CDF is smallest.
      const double l = -std::log1p((y - m) / m);
      const double u = a * l;
      const double du = Lower ? math::log1m_exp_slope(u) : 1.0;
      total += Lower ? math::log1m_exp(u) : u;
      y_min.add(i, static_cast<T>(du * a / m));
      alpha.add(i, static_cast<T>(du * l));
    }
    return total;
  }
  template <class X, class Y, class A>
  static double lcdf(index_t n, const X& x, Y& y_min, A& alpha) {
    return cdf_sum<true>(n, x, y_min, alpha);
  }
  template <class X, class Y, class A>
  static double lccdf(index_t n, const X& x, Y& y_min, A& alpha) {
    return cdf_sum<false>(n, x, y_min, alpha);
  }

  // Inversion: y_min U^(-1 / alpha) = y_min exp(E / alpha) with E standard exponential.
  static double generate(rng& g, double y_min, double alpha) { return y_min * std::exp(g.exponential() / alpha); }
};

template <class Y, class A>
auto pareto(Y&& y_min, A&& alpha) {
  return make_dist<pareto_fn>(std::forward<Y>(y_min), std::forward<A>(alpha));
}

}  // namespace exmc
