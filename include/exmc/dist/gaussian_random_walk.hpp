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
    if constexpr (!S::is_vec && requires { x.g; })
      return lpdf_scalar_sigma(n, x, sigma);
    else
      return lpdf_loop(n, x, sigma);
  }

  // A scalar sigma over a contiguous variate (what every model passes): with the increments
  // d[0] = x[0], d[t] = x[t] - x[t-1], the density needs only sum(d^2), and the partial of x[t]
  // is (d[t+1] - d[t]) / sigma^2, so the whole term is two vectorised passes, no division per step.
  template <class X, class S>
  static double lpdf_scalar_sigma(index_t n, X& x, S& sigma) {
    using T = decltype(sigma.val(0));
    const T s = sigma.val(0);
    if (!(s > T(0))) return -math::inf<double>;
    const T inv_s = T(1) / s, inv_var = inv_s * inv_s;
    const T x0 = static_cast<T>(x.val(0));
    double sum_d2 = static_cast<double>(x0 * x0);
    if (n > 1) {
      const auto xa = x.arr(n);
      const auto d = xa.tail(n - 1) - xa.head(n - 1);
      sum_d2 += sum_as_double(d.square());
      if constexpr (X::grad) {
        Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>> g(x.g, n);
        g.head(n - 1) += d * inv_var;
        g.tail(n - 1) -= d * inv_var;
      }
    }
    if constexpr (X::grad) x.g[0] -= x0 * inv_var;
    const double quad = sum_d2 * static_cast<double>(inv_var);
    if constexpr (S::grad) sigma.add_total(static_cast<T>((quad - static_cast<double>(n)) * static_cast<double>(inv_s)));
    return -static_cast<double>(n) * (math::log_sqrt_two_pi + static_cast<double>(sigma.log_val())) - 0.5 * quad;
  }

  // Any views, step by step (a per-step sigma, or a variate that is not contiguous).
  template <class X, class S>
  static double lpdf_loop(index_t n, X& x, S& sigma) {
    using T = decltype(sigma.val(0));
    using std::log;
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
