#pragma once
#include <array>

#include "../core/random.hpp"
#include "dist.hpp"

namespace exmc {

// gaussian_random_walk(sigma): x[0] ~ normal(0, sigma), x[t] ~ normal(x[t-1], sigma).
// The variate is consumed whole, so sigma must be a scalar.
struct gaussian_random_walk_fn {
  static constexpr const char* name = "gaussian_random_walk";
  static constexpr std::array<const char*, 1> arg_names{"sigma"};
  static constexpr std::array<domain, 1> domains{domain::positive};
  static constexpr support_kind support = support_kind::real;
  static constexpr bool elementwise = false;
  static constexpr bool discrete = false;
  static bool in_support(double x) { return std::isfinite(x); }

  template <class X, class S>
  static double lpdf(index_t n, X& x, S& sigma) {
    using T = decltype(sigma.val(0));
    using std::log;
    // The model only passes a scalar sigma; a per-step vector is accepted for direct callers.
    double lp = -math::log_sqrt_two_pi * static_cast<double>(n);
    bool ok = true;
    T prev = T(0);
    for (index_t t = 0; t < n; ++t) {
      const T s = sigma.val(t);
      ok &= s > T(0);
      const T inv_s = T(1) / s;
      const T xt = x.val(t);
      const T z = (xt - prev) * inv_s;
      lp -= 0.5 * static_cast<double>(z * z);
      if constexpr (S::is_vec) lp -= static_cast<double>(log(s));
      x.add(t, -z * inv_s);
      if (t > 0) x.add(t - 1, z * inv_s);
      sigma.add(t, (z * z - T(1)) * inv_s);
      prev = xt;
    }
    if constexpr (!S::is_vec) lp -= static_cast<double>(n) * static_cast<double>(sigma.log_val());
    return ok ? lp : -math::inf<double>;
  }

  // The walk from 0 with normal(0, sigma) steps; a model always passes a scalar sigma.
  static void generate(rng& g, index_t n, double* out, double sigma) {
    double prev = 0;
    for (index_t t = 0; t < n; ++t) out[t] = prev = prev + sigma * g.normal();
  }
};

template <class S>
auto gaussian_random_walk(S&& sigma) {
  return make_dist<gaussian_random_walk_fn>(std::forward<S>(sigma));
}

}  // namespace exmc
