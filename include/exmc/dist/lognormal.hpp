#pragma once
#include <array>
#include <cmath>

#include "../core/random.hpp"
#include "../math/normal_cdf.hpp"
#include "dist.hpp"
#include "view_adaptors.hpp"

namespace exmc {

// lognormal(mu, sigma): log x ~ normal(mu, sigma);
// exp(-(log x - mu)^2 / (2 sigma^2)) / (x sigma sqrt(2 pi)) on x > 0 (Stan's parameterisation).
// Stan: lognormal; PyMC: LogNormal(mu, sigma).
struct lognormal_fn {
  static constexpr const char* name = "lognormal";
  static constexpr std::array<const char*, 2> arg_names{"mu", "sigma"};
  static constexpr std::array<domain, 2> domains{domain::real, domain::positive};
  static constexpr support_kind support = support_kind::positive;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = false;
  static bool in_support(double x) { return std::isfinite(x) && x > 0; }

  template <class X, class M, class S>
  static double lpdf(index_t n, X& x, M& mu, S& sigma) {
    using T = decltype(sigma.val(0));
    if (!all_positive(n, x) || !all_positive(n, sigma)) return -math::inf<double>;
    const double dn = static_cast<double>(n);
    const double norm = -dn * math::log_sqrt_two_pi - sum_log(n, sigma);
    // log x is read once per pass from the cached logarithms of data when there are any.
    return with_log<T>(n, x, [&](const auto& ly) {
      const auto r = ly - mu.arr(n);
      const double sum_ly = sum_as_double(ly);
      if constexpr (!S::is_vec) {
        const T s = sigma.val(0);
        const T inv_var = T(1) / (s * s);
        const double quad = sum_as_double(r.square()) * static_cast<double>(inv_var);
        if constexpr (X::grad) x.add_arr(-(T(1) + r * inv_var) / x.arr(n));
        add_sum(mu, r * inv_var);
        if constexpr (S::grad) sigma.add_total(static_cast<T>((quad - dn) / static_cast<double>(s)));
        return norm - sum_ly - 0.5 * quad;
      } else {
        const auto inv_s = sigma.arr(n).inverse();
        const auto z = r * inv_s;
        if constexpr (X::grad) x.add_arr(-(T(1) + z * inv_s) / x.arr(n));
        add_sum(mu, z * inv_s);
        add_sum(sigma, (z.square() - T(1)) * inv_s);
        return norm - sum_ly - 0.5 * sum_as_double(z.square());
      }
    });
  }

  // log Phi(z) (Lower) or log Phi(-z) summed, z = (log x - mu) / sigma.
  template <bool Lower, class X, class M, class S>
  static double cdf_sum(index_t n, const X& x, M& mu, S& sigma) {
    using T = decltype(sigma.val(0));
    double total = 0;
    for (index_t i = 0; i < n; ++i) {
      const double m = static_cast<double>(mu.val(i)), s = static_cast<double>(sigma.val(i));
      if (!(s > 0 && std::isfinite(s) && std::isfinite(m))) return -math::inf<double>;
      const double y = static_cast<double>(x.val(i));
      if (!(y > 0)) {
        if constexpr (Lower) return -math::inf<double>;
        continue;
      }
      const double z = (std::log(y) - m) / s;
      const double t = Lower ? z : -z;
      const double dt = math::inv_mills(t);  // d value / dt
      const double dz = Lower ? dt : -dt;
      total += math::log_Phi(t);
      mu.add(i, static_cast<T>(-dz / s));
      sigma.add(i, static_cast<T>(-dz * z / s));
    }
    return total;
  }
  template <class X, class M, class S>
  static double lcdf(index_t n, const X& x, M& mu, S& sigma) {
    return cdf_sum<true>(n, x, mu, sigma);
  }
  template <class X, class M, class S>
  static double lccdf(index_t n, const X& x, M& mu, S& sigma) {
    return cdf_sum<false>(n, x, mu, sigma);
  }

  static double generate(rng& g, double mu, double sigma) { return std::exp(mu + sigma * g.normal()); }
};

template <class M, class S>
auto lognormal(M&& mu, S&& sigma) {
  return make_dist<lognormal_fn>(std::forward<M>(mu), std::forward<S>(sigma));
}

}  // namespace exmc
