#pragma once
#include <array>

#include "binomial.hpp"

namespace exmc {

// binomial_logit(N, alpha): binomial with success probability inv_logit(alpha),
// C(N, y) exp(y alpha - N log(1 + e^alpha)); finite for any finite alpha. Stan: binomial_logit;
// PyMC: Binomial (n, logit_p).
struct binomial_logit_fn {
  static constexpr const char* name = "binomial_logit";
  static constexpr std::array<const char*, 2> arg_names{"N", "alpha"};
  static constexpr std::array<domain, 2> domains{domain::nonneg_int, domain::real};
  static constexpr support_kind support = support_kind::nonneg_int;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = true;
  static bool in_support(double y) { return detail::is_count(y); }

  // y log(inv_logit(a)) + (N - y) log(1 - inv_logit(a)) = y a - N log1p_exp(a); d/da = y - N inv_logit(a).
  template <class Y, class N, class A>
  static double lpdf(index_t n, Y& y, N& trials, A& alpha) {
    using T = decltype(alpha.val(0));
    const detail::binomial_data d = detail::binomial_sums(n, y, trials);
    if (!d.valid) return -math::inf<double>;
    if constexpr (!A::is_vec) {
      const double a = static_cast<double>(alpha.val(0));
      if (!std::isfinite(a)) return -math::inf<double>;
      const double total = d.successes + d.failures;
      if constexpr (A::grad) alpha.add_total(static_cast<T>(d.successes - total * math::inv_logit(a)));
      return d.log_choose + d.successes * a - total * math::log1p_exp(a);
    } else {
      const auto aa = alpha.arr(n);
      if (!aa.isFinite().all()) return -math::inf<double>;
      const auto ya = y.arr(n);
      const auto na = trials.arr(n);
      // As in bernoulli_logit: e = exp(-|a|) <= 1, log(1 + e) vectorises where log1p does not.
      const auto e = (-aa.abs()).exp();
      if constexpr (A::grad) alpha.add_arr(ya - na * (aa >= T(0)).select(T(1), e) / (T(1) + e));
      return d.log_choose + sum_as_double(ya * aa - na * (aa.max(T(0)) + (T(1) + e).log()));
    }
  }

  // binomial's with theta = inv_logit(alpha); dtheta/dalpha = theta (1 - theta).
  template <bool Lower, class Y, class N, class A>
  static double cdf_sum(index_t n, const Y& y, const N& trials, A& alpha) {
    using T = decltype(alpha.val(0));
    double total = 0;
    for (index_t i = 0; i < n; ++i) {
      const double a = static_cast<double>(alpha.val(i));
      if (!std::isfinite(a)) return -math::inf<double>;
      const double y_i = static_cast<double>(y.val(i));
      vector_view<double, double, false> yv{&y_i, nullptr};
      scalar_view<double, false> nv{static_cast<double>(trials.val(i))};
      scalar_view<double, A::grad> theta{math::inv_logit(a)};
      total += binomial_fn::cdf_sum<Lower>(1, yv, nv, theta);
      if constexpr (A::grad) alpha.add(i, static_cast<T>(theta.acc * theta.v * math::inv_logit(-a)));
    }
    return total;
  }
  template <class Y, class N, class A>
  static double lcdf(index_t n, const Y& y, const N& trials, A& alpha) {
    return cdf_sum<true>(n, y, trials, alpha);
  }
  template <class Y, class N, class A>
  static double lccdf(index_t n, const Y& y, const N& trials, A& alpha) {
    return cdf_sum<false>(n, y, trials, alpha);
  }

  static double generate(rng& g, double trials, double alpha) {
    return binomial_fn::generate(g, trials, math::inv_logit(alpha));
  }
};

template <class N, class A>
auto binomial_logit(N&& trials, A&& alpha) {
  return make_dist<binomial_logit_fn>(std::forward<N>(trials), std::forward<A>(alpha));
}

}  // namespace exmc
