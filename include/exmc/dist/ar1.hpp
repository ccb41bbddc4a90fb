#pragma once
// ar1(rho, sigma): the stationary AR(1) process x[t] = rho x[t-1] + sigma e[t], |rho| < 1,
// with x[0] from the stationary law normal(0, sigma / sqrt(1 - rho^2)). The variate is consumed
// whole, so rho and sigma are scalars. Stan: written out by hand; PyMC: AR (with init_dist).
#include <array>
#include <cmath>

#include "dist.hpp"

namespace exmc {

struct ar1_fn {
  static constexpr const char* name = "ar1";
  static constexpr std::array<const char*, 2> arg_names{"rho", "sigma"};
  static constexpr std::array<domain, 2> domains{domain::real, domain::positive};
  static constexpr support_kind support = support_kind::real;
  static constexpr bool elementwise = false;
  static constexpr bool discrete = false;
  static bool in_support(double x) { return std::isfinite(x); }

  template <class X, class R, class S>
  static double lpdf(index_t n, X& x, R& rho_v, S& sigma_v) {
    using T = decltype(sigma_v.val(0));
    using std::log;
    const T rho = rho_v.val(0), sigma = sigma_v.val(0);
    if (!(sigma > T(0)) || !(rho > T(-1) && rho < T(1))) return -math::inf<double>;
    const T inv_var = T(1) / (sigma * sigma), one_m = T(1) - rho * rho;
    // x[0] ~ normal(0, sigma / sqrt(1 - rho^2))
    const T x0 = static_cast<T>(x.val(0));
    double lp = -math::log_sqrt_two_pi - static_cast<double>(log(sigma)) + 0.5 * static_cast<double>(log(one_m)) -
                0.5 * static_cast<double>(x0 * x0 * one_m * inv_var);
    T d_rho = -rho / one_m + x0 * x0 * rho * inv_var;
    T d_sigma = -T(1) / sigma + x0 * x0 * one_m * inv_var / sigma;
    if constexpr (X::grad) x.add(0, -x0 * one_m * inv_var);
    T prev = x0;
    for (index_t t = 1; t < n; ++t) {
      const T xt = static_cast<T>(x.val(t));
      const T e = xt - rho * prev;
      lp -= math::log_sqrt_two_pi + static_cast<double>(log(sigma)) + 0.5 * static_cast<double>(e * e * inv_var);
      if constexpr (X::grad) {
        x.add(t, -e * inv_var);
        x.add(t - 1, rho * e * inv_var);
      }
      d_rho += e * prev * inv_var;
      d_sigma += -T(1) / sigma + e * e * inv_var / sigma;
      prev = xt;
    }
    if constexpr (R::grad) rho_v.add(0, d_rho);
    if constexpr (S::grad) sigma_v.add(0, d_sigma);
    return lp;
  }

  static void generate(rng& g, index_t n, double* out, double rho, double sigma) {
    double prev = sigma / std::sqrt(1 - rho * rho) * g.normal();
    out[0] = prev;
    for (index_t t = 1; t < n; ++t) out[t] = prev = rho * prev + sigma * g.normal();
  }
};

template <class R, class S>
auto ar1(R&& rho, S&& sigma) {
  return make_dist<ar1_fn>(std::forward<R>(rho), std::forward<S>(sigma));
}

}  // namespace exmc
