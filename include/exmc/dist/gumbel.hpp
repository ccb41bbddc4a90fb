#pragma once
#include <array>

#include "dist.hpp"
#include "location_scale.hpp"

namespace exmc {

// gumbel(mu, beta): the maximum extreme-value law, exp(-z - exp(-z)) / beta with
// z = (x - mu) / beta. Stan: gumbel(mu, beta); PyMC: Gumbel(mu, beta).
struct gumbel_fn {
  static constexpr const char* name = "gumbel";
  static constexpr std::array<const char*, 2> arg_names{"mu", "beta"};
  static constexpr std::array<domain, 2> domains{domain::real, domain::positive};
  static constexpr support_kind support = support_kind::real;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = false;
  static constexpr std::size_t loc_index = 0;
  static constexpr std::size_t scale_index = 1;
  static bool in_support(double x) { return std::isfinite(x); }

  template <class X, class M, class B>
  static double lpdf(index_t n, X& x, M& mu, B& beta) {
    using T = decltype(beta.val(0));
    if (!all_positive(n, beta)) return -math::inf<double>;
    if constexpr (!B::is_vec)
      return sum_terms(n, x, mu, beta, T(1) / beta.val(0));
    else
      return sum_terms(n, x, mu, beta, beta.arr(n).inverse());
  }

  // inv_b: 1 / beta, a scalar or an array expression. Far below mu exp(-z) overflows to inf and
  // the density is -inf, which is its correct limit.
  template <class X, class M, class B, class IB>
  static double sum_terms(index_t n, X& x, M& mu, B& beta, const IB& inv_b) {
    using T = decltype(beta.val(0));
    const auto z = (x.arr(n) - mu.arr(n)) * inv_b;
    const auto e = (-z).exp();
    const double lp = -sum_as_double(z + e) - sum_log(n, beta);
    if constexpr (X::grad || M::grad || B::grad) {
      const auto dz = e - T(1);  // d/dz of the log density
      if constexpr (X::grad) x.add_arr(dz * inv_b);
      if constexpr (M::grad) mu.add_arr(-dz * inv_b);
      if constexpr (B::grad) beta.add_arr((-dz * z - T(1)) * inv_b);
    }
    return lp;
  }

  // CDF = exp(-exp(-z)): log CDF = -exp(-z); log CCDF = log(-expm1(-w)) with w = exp(-z), whose
  // derivative -w / expm1(w) tends to -1 as w -> 0 and to 0 as w -> inf (both limits written out).
  template <class X, class M, class B>
  static double lcdf(index_t n, X& x, M& mu, B& beta) {
    using T = decltype(beta.val(0));
    return location_scale_cdf_sum(n, x, mu, beta, [](T z) {
      using std::exp;
      const T w = exp(-z);
      return std::pair<T, T>{-w, w};
    });
  }
  template <class X, class M, class B>
  static double lccdf(index_t n, X& x, M& mu, B& beta) {
    using T = decltype(beta.val(0));
    return location_scale_cdf_sum(n, x, mu, beta, [](T z) {
      using std::exp, std::expm1, std::log, std::log1p;
      const T w = exp(-z);
      // Far above mu, w underflows: 1 - exp(-w) = w (1 - w/2 + w^2/6 ...), so log CCDF = -z + ...
      if (w < T(1e-5)) return std::pair<T, T>{-z + log1p(w * (w / T(6) - T(0.5))), w * (T(0.5) - w / T(12)) - T(1)};
      if (w > math::max_exp_arg<T>) return std::pair<T, T>{T(0), T(0)};
      return std::pair<T, T>{log(-expm1(-w)), -w / expm1(w)};
    });
  }

  // Inversion: mu - beta log(-log u), with -log u a standard exponential draw.
  static double generate(rng& g, double mu, double beta) { return mu - beta * std::log(g.exponential()); }
};

template <class M, class B>
auto gumbel(M&& mu, B&& beta) {
  return make_dist<gumbel_fn>(std::forward<M>(mu), std::forward<B>(beta));
}

}  // namespace exmc
