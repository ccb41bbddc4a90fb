#pragma once
#include <array>

#include "dist.hpp"

namespace exmc {

// uniform(alpha, beta): 1 / (beta - alpha) on [alpha, beta]. Stan: uniform(alpha, beta);
// PyMC: Uniform(lower, upper). As a prior its bounds must be constants: they fix the parameter's
// interval transform. As a likelihood they may be parameters; data outside give -inf.
struct uniform_fn {
  static constexpr const char* name = "uniform";
  static constexpr std::array<const char*, 2> arg_names{"alpha", "beta"};
  static constexpr std::array<domain, 2> domains{domain::real, domain::real};
  static constexpr support_kind support = support_kind::bounded;
  static constexpr std::size_t lower_arg = 0;
  static constexpr std::size_t upper_arg = 1;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = false;
  static bool in_support(double x) { return std::isfinite(x); }

  template <class X, class A, class B>
  static double lpdf(index_t n, X& x, A& alpha, B& beta) {
    using T = decltype(alpha.val(0));
    using std::log;
    const auto xa = x.arr(n);
    if constexpr (!A::is_vec && !B::is_vec) {
      const T a = alpha.val(0), b = beta.val(0);
      if (!(a < b) || !((xa >= a) && (xa <= b)).all()) return -math::inf<double>;
      const T inv_w = T(1) / (b - a);
      alpha.add_total(static_cast<T>(static_cast<double>(n) * static_cast<double>(inv_w)));
      beta.add_total(static_cast<T>(-static_cast<double>(n) * static_cast<double>(inv_w)));
      return -static_cast<double>(n) * static_cast<double>(log(b - a));
    } else {
      const auto aa = alpha.arr(n), ba = beta.arr(n);
      if (!((aa < ba) && (xa >= aa) && (xa <= ba)).all()) return -math::inf<double>;
      const auto w = ba - aa;
      alpha.add_arr(w.inverse());
      beta.add_arr(-w.inverse());
      return -sum_as_double(w.log());
    }
  }

  // log((min(x, beta) - alpha) / (beta - alpha)), and the mirror image for the CCDF; outside
  // [alpha, beta] they are 0 or -inf with zero partials.
  template <class X, class A, class B>
  static double lcdf(index_t n, X& x, A& alpha, B& beta) {
    return cdf_sum(n, x, alpha, beta, false);
  }
  template <class X, class A, class B>
  static double lccdf(index_t n, X& x, A& alpha, B& beta) {
    return cdf_sum(n, x, alpha, beta, true);
  }
  template <class X, class A, class B>
  static double cdf_sum(index_t n, X& x, A& alpha, B& beta, bool upper) {
    using T = decltype(alpha.val(0));
    using std::log;
    double total = 0;
    for (index_t i = 0; i < n; ++i) {
      const T a = alpha.val(i), b = beta.val(i), xi = static_cast<T>(x.val(i));
      if (!(a < b)) return -math::inf<double>;
      if (upper ? xi >= b : xi <= a) return -math::inf<double>;
      if (upper ? xi <= a : xi >= b) continue;  // probability one
      const T inv_w = T(1) / (b - a);
      if (upper) {  // log(b - x) - log(b - a)
        total += static_cast<double>(log(b - xi) - log(b - a));
        alpha.add(i, inv_w);
        beta.add(i, T(1) / (b - xi) - inv_w);
      } else {  // log(x - a) - log(b - a)
        total += static_cast<double>(log(xi - a) - log(b - a));
        alpha.add(i, inv_w - T(1) / (xi - a));
        beta.add(i, -inv_w);
      }
    }
    return total;
  }

  static double generate(rng& g, double alpha, double beta) { return alpha + (beta - alpha) * g.uniform(); }
};

template <class A, class B>
auto uniform(A&& alpha, B&& beta) {
  return make_dist<uniform_fn>(std::forward<A>(alpha), std::forward<B>(beta));
}

}  // namespace exmc
