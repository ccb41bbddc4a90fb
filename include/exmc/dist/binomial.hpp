#pragma once
#include <array>
#include <limits>

#include <boost/math/special_functions/beta.hpp>

#include "../core/random.hpp"
#include "counts.hpp"
#include "dist.hpp"
#include "../math/special.hpp"

namespace exmc {

namespace detail {
// The data-only part of a binomial likelihood: sum of log C(N, y), and the total successes and
// failures; `valid` is false unless every y is in 0..N and N is a count.
struct binomial_data {
  double log_choose = 0, successes = 0, failures = 0;
  bool valid = true;
};
template <class Y, class N>
binomial_data binomial_sums(index_t n, const Y& y, const N& trials) {
  binomial_data d;
  // With one N for every element its log N! is shared.
  const double log_fact_n = N::is_vec ? 0.0 : math::log_factorial(static_cast<double>(trials.val(0)));
  for (index_t i = 0; i < n; ++i) {
    const double yi = static_cast<double>(y.val(i)), ni = static_cast<double>(trials.val(i));
    d.valid &= yi >= 0 && yi <= ni && ni == std::floor(ni) && std::isfinite(ni);
    d.log_choose += (N::is_vec ? math::log_factorial(ni) : log_fact_n) - math::log_factorial(yi) -
                    math::log_factorial(ni - yi);
    d.successes += yi;
    d.failures += ni - yi;
  }
  return d;
}
}  // namespace detail

// binomial(N, theta): C(N, y) theta^y (1 - theta)^(N - y) on y = 0..N. N is data (a count, or a
// vector of counts as an Eigen::VectorXd), theta in [0, 1]. Stan: binomial; PyMC: Binomial (n, p).
struct binomial_fn {
  static constexpr const char* name = "binomial";
  static constexpr std::array<const char*, 2> arg_names{"N", "theta"};
  static constexpr std::array<domain, 2> domains{domain::nonneg_int, domain::unit};
  static constexpr support_kind support = support_kind::nonneg_int;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = true;
  static bool in_support(double y) { return detail::is_count(y); }

  // N has no partial: it is a count.
  template <class Y, class N, class P>
  static double lpdf(index_t n, Y& y, N& trials, P& theta) {
    using T = decltype(theta.val(0));
    const detail::binomial_data d = detail::binomial_sums(n, y, trials);
    if (!d.valid) return -math::inf<double>;
    if constexpr (!P::is_vec) {
      const T t = theta.val(0);
      if (!(t >= T(0) && t <= T(1))) return -math::inf<double>;
      const double dt = static_cast<double>(t);
      if constexpr (P::grad) theta.add_total(static_cast<T>(d.successes / dt - d.failures / (1 - dt)));
      return d.log_choose + detail::xlogy(d.successes, std::log(dt)) + detail::xlogy(d.failures, std::log1p(-dt));
    } else {
      const auto ta = theta.arr(n);
      if (!((ta >= T(0)) && (ta <= T(1))).all()) return -math::inf<double>;
      const auto ya = y.arr(n);
      const auto fa = trials.arr(n) - ya;
      if constexpr (P::grad) theta.add_arr(ya / ta - fa / (T(1) - ta));
      return d.log_choose + sum_as_double((ya > T(0)).select(ya * ta.log(), T(0)) +
                                          (fa > T(0)).select(fa * (-ta).log1p(), T(0)));
    }
  }

  // P(Y <= y) = I_{1 - theta}(N - y, y + 1) (Boost's ibetac(y + 1, N - y, theta)), exact to the
  // smallest doubles; where it underflows, the log of the tail sum of the pmf instead.
  // dF/dtheta = -N C(N - 1, y) theta^y (1 - theta)^(N - 1 - y), the beta density's kernel.
  template <bool Lower, class Y, class N, class P>
  static double cdf_sum(index_t n, const Y& y, const N& trials, P& theta) {
    using T = decltype(theta.val(0));
    double total = 0;
    for (index_t i = 0; i < n; ++i) {
      const double t = static_cast<double>(theta.val(i)), yi = static_cast<double>(y.val(i));
      const double ni = static_cast<double>(trials.val(i));
      if (!(t >= 0 && t <= 1) || !detail::is_count(ni)) return -math::inf<double>;
      if (yi < 0 || yi >= ni) {  // below the support the CDF is 0, at or above N it is 1
        if ((yi < 0) == Lower) return -math::inf<double>;
        continue;
      }
      const double v = log_tail<Lower>(std::floor(yi), ni, t);
      total += v;
      if constexpr (P::grad) {
        // log|dF/dtheta| at the largest count in the lower tail, y (or y + 1 - 1 for the upper).
        const double k = std::floor(yi);
        const double log_slope = std::log(ni) + math::log_factorial(ni - 1) - math::log_factorial(k) -
                                 math::log_factorial(ni - 1 - k) + detail::xlogy(k, std::log(t)) +
                                 detail::xlogy(ni - 1 - k, std::log1p(-t));
        const double d = std::exp(log_slope - v);
        theta.add(i, static_cast<T>(Lower ? -d : d));
      }
    }
    return total;
  }
  template <class Y, class N, class P>
  static double lcdf(index_t n, const Y& y, const N& trials, P& theta) {
    return cdf_sum<true>(n, y, trials, theta);
  }
  template <class Y, class N, class P>
  static double lccdf(index_t n, const Y& y, const N& trials, P& theta) {
    return cdf_sum<false>(n, y, trials, theta);
  }

  // Inversion where the expected count of the rarer outcome is small, Hormann's transformed
  // rejection (BTRS, 1993) otherwise: constant expected cost for any N.
  template <class = void>  // instantiated only when called (D72)
  static double generate(rng& g, double trials, double theta) {
    if (!(trials >= 0 && trials == std::floor(trials) && trials < 0x1p53)) return std::numeric_limits<double>::quiet_NaN();
    if (!(theta >= 0 && theta <= 1)) return std::numeric_limits<double>::quiet_NaN();
    // Draw the rarer outcome's count (p <= 1/2) and reflect.
    const bool flip = theta > 0.5;
    const double p = flip ? 1 - theta : theta;
    const double k = p == 0 ? 0.0 : trials * p < 10 ? inversion(g, trials, p) : btrs(g, trials, p);
    return flip ? trials - k : k;
  }

 private:
  template <bool Lower>
  static double log_tail(double k, double trials, double t) {
    namespace bm = boost::math;
    const double f = Lower ? bm::ibetac(k + 1, trials - k, t, math::quiet_policy{})
                           : bm::ibeta(k + 1, trials - k, t, math::quiet_policy{});
    if (f > 1e-300) return std::log(f);
    // Far tail: sum the pmf outwards from the boundary count in log space. Terms fall at least
    // geometrically there, so few are needed.
    const double lt = std::log(t), l1t = std::log1p(-t);
    auto log_pmf = [&](double j) {
      return math::log_factorial(trials) - math::log_factorial(j) - math::log_factorial(trials - j) +
             detail::xlogy(j, lt) + detail::xlogy(trials - j, l1t);
    };
    const double start = Lower ? k : k + 1;
    const double lead = log_pmf(start);
    double sum = 1, term = 1;
    for (double j = start; Lower ? j > 0 : j < trials; j += Lower ? -1 : 1) {
      // pmf(j - 1) / pmf(j) = j (1 - t) / ((N - j + 1) t); pmf(j + 1) / pmf(j) = (N - j) t / ((j + 1)(1 - t)).
      term *= Lower ? j * (1 - t) / ((trials - j + 1) * t) : (trials - j) * t / ((j + 1) * (1 - t));
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    return lead + std::log(sum);
  }

  template <class = void>  // instantiated only when called (D72)
  static double inversion(rng& g, double trials, double p) {
    const double q = 1 - p, s = p / q, a = (trials + 1) * s;
    double r = std::exp(trials * std::log1p(-p)), u = g.uniform(), k = 0;
    while (u > r && k < trials) {
      u -= r;
      k += 1;
      r *= a / k - s;
      if (!(r > 0)) break;  // rounding has used up u's remaining mass
    }
    return k;
  }
  template <class = void>  // instantiated only when called (D72)
  static double btrs(rng& g, double trials, double p) {
    const double q = 1 - p, spq = std::sqrt(trials * p * q);
    const double b = 1.15 + 2.53 * spq;
    const double a = -0.0873 + 0.0248 * b + 0.01 * p;
    const double c = trials * p + 0.5;
    const double v_r = 0.92 - 4.2 / b;
    const double alpha = (2.83 + 5.1 / b) * spq;
    const double lpq = std::log(p / q);
    const double m = std::floor((trials + 1) * p);
    const double h = math::log_factorial(m) + math::log_factorial(trials - m);
    for (;;) {
      const double u = g.uniform() - 0.5, v = g.uniform();
      const double us = 0.5 - std::abs(u);
      const double k = std::floor((2 * a / us + b) * u + c);
      if (k < 0 || k > trials) continue;
      if (us >= 0.07 && v <= v_r) return k;  // the squeeze
      if (std::log(v * alpha / (a / (us * us) + b)) <=
          h - math::log_factorial(k) - math::log_factorial(trials - k) + (k - m) * lpq)
        return k;
    }
  }
};

template <class N, class P>
auto binomial(N&& trials, P&& theta) {
  return make_dist<binomial_fn>(std::forward<N>(trials), std::forward<P>(theta));
}

}  // namespace exmc
