#pragma once
#include <array>

#include "dist.hpp"
#include "location_scale.hpp"

namespace exmc {

// logistic(mu, sigma): exp(-z) / (sigma (1 + exp(-z))^2) with z = (x - mu) / sigma.
// Stan: logistic(mu, sigma); PyMC: Logistic(mu, s).
struct logistic_fn {
  static constexpr const char* name = "logistic";
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

  // inv_s: 1 / sigma, a scalar or an array expression.
  template <class X, class M, class S, class IS>
  static double sum_terms(index_t n, X& x, M& mu, S& sigma, const IS& inv_s) {
    using T = decltype(sigma.val(0));
    const auto z = (x.arr(n) - mu.arr(n)) * inv_s;
    // log density is -z - 2 log1p(exp(-z)), written in |z| so exp never overflows.
    const auto az = z.abs();
    const double lp = -sum_as_double(az + T(2) * (-az).exp().log1p()) - sum_log(n, sigma);
    if constexpr (X::grad || M::grad || S::grad) {
      const auto th = (z * T(0.5)).tanh();  // -d/dz of the log density
      if constexpr (X::grad) x.add_arr(-th * inv_s);
      if constexpr (M::grad) mu.add_arr(th * inv_s);
      if constexpr (S::grad) sigma.add_arr((th * z - T(1)) * inv_s);
    }
    return lp;
  }

  // CDF = inv_logit(z): log CDF = -log1p_exp(-z), log CCDF = -log1p_exp(z), both exact in the tails.
  template <class X, class M, class S>
  static double lcdf(index_t n, X& x, M& mu, S& sigma) {
    using T = decltype(sigma.val(0));
    return location_scale_cdf_sum(n, x, mu, sigma, [](T z) {
      return std::pair<T, T>{-math::log1p_exp(-z), math::inv_logit(-z)};
    });
  }
  template <class X, class M, class S>
  static double lccdf(index_t n, X& x, M& mu, S& sigma) {
    using T = decltype(sigma.val(0));
    return location_scale_cdf_sum(n, x, mu, sigma, [](T z) {
      return std::pair<T, T>{-math::log1p_exp(z), -math::inv_logit(z)};
    });
  }

  // Inversion: the quantile log(u / (1 - u)) is exact and cheap.
  static double generate(rng& g, double mu, double sigma) {
    const double u = g.uniform_pos();
    return mu + sigma * (std::log(u) - std::log1p(-u));
  }
};

template <class M, class S>
auto logistic(M&& mu, S&& sigma) {
  return make_dist<logistic_fn>(std::forward<M>(mu), std::forward<S>(sigma));
}

}  // namespace exmc
