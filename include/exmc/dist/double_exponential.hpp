#pragma once
#include <array>

#include "dist.hpp"
#include "location_scale.hpp"

namespace exmc {

// double_exponential(mu, sigma): the Laplace law, exp(-|x - mu| / sigma) / (2 sigma).
// Stan: double_exponential(mu, sigma); PyMC: Laplace(mu, b).
// At x == mu the density has a kink; its partials there use sign(0) = 0, as Stan does.
struct double_exponential_fn {
  static constexpr const char* name = "double_exponential";
  static constexpr std::array<const char*, 2> arg_names{"mu", "sigma"};
  static constexpr std::array<domain, 2> domains{domain::real, domain::positive};
  static constexpr support_kind support = support_kind::real;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = false;
  static constexpr std::size_t loc_index = 0;
  static constexpr std::size_t scale_index = 1;
  static bool in_support(double x) { return std::isfinite(x); }

  template <class X, class M, class S>
  static double lpdf(index_t n, X& x, M& mu, S& sigma) {
    using T = decltype(sigma.val(0));
    if (!all_positive(n, sigma)) return -math::inf<double>;
    if constexpr (!S::is_vec)
      return sum_terms(n, x, mu, sigma, T(1) / sigma.val(0));
    else
      return sum_terms(n, x, mu, sigma, sigma.arr(n).inverse());
  }

  template <class X, class M, class S, class IS>
  static double sum_terms(index_t n, X& x, M& mu, S& sigma, const IS& inv_s) {
    using T = decltype(sigma.val(0));
    const auto r = x.arr(n) - mu.arr(n);
    const double lp = -static_cast<double>(n) * math::log_two - sum_as_double(r.abs() * inv_s) - sum_log(n, sigma);
    if constexpr (X::grad) x.add_arr(-r.sign() * inv_s);
    if constexpr (M::grad) mu.add_arr(r.sign() * inv_s);
    if constexpr (S::grad) sigma.add_arr((r.abs() * inv_s - T(1)) * inv_s);
    return lp;
  }

  // Each half of the CDF is an exponential tail: below mu log CDF = z - log 2 exactly, above it
  // log CDF = log1p(-exp(-z) / 2), and the CCDF mirrors it.
  template <class X, class M, class S>
  static double lcdf(index_t n, X& x, M& mu, S& sigma) {
    using T = decltype(sigma.val(0));
    return location_scale_cdf_sum(n, x, mu, sigma, [](T z) { return tail(z); });
  }
  template <class X, class M, class S>
  static double lccdf(index_t n, X& x, M& mu, S& sigma) {
    using T = decltype(sigma.val(0));
    return location_scale_cdf_sum(n, x, mu, sigma, [](T z) {
      const std::pair<T, T> f = tail(-z);
      return std::pair<T, T>{f.first, -f.second};
    });
  }
  // {log CDF(z), d/dz} of the standard law.
  template <class T>
  static std::pair<T, T> tail(T z) {
    using std::exp, std::log1p;
    if (z < T(0)) return {z - T(math::log_two), T(1)};
    const T e = exp(-z);
    return {log1p(T(-0.5) * e), e / (T(2) - e)};
  }

  // A standard exponential with a random sign.
  static double generate(rng& g, double mu, double sigma) {
    const double e = g.exponential();
    return mu + sigma * (g.below(2) ? e : -e);
  }
};

template <class M, class S>
auto double_exponential(M&& mu, S&& sigma) {
  return make_dist<double_exponential_fn>(std::forward<M>(mu), std::forward<S>(sigma));
}

}  // namespace exmc
