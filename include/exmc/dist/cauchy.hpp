#pragma once
#include <array>

#include "dist.hpp"

namespace exmc {

// cauchy(mu, sigma): 1 / (pi sigma (1 + z^2)).
struct cauchy_fn {
  static constexpr const char* name = "cauchy";
  static constexpr std::array<const char*, 2> arg_names{"mu", "sigma"};
  static constexpr std::array<domain, 2> domains{domain::real, domain::positive};
  static constexpr support_kind support = support_kind::real;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = false;
  // Location-scale family: x = loc + scale * z with z from the standardised family, which the
  // non-centring pass uses.
  static constexpr std::size_t loc_index = 0;
  static constexpr std::size_t scale_index = 1;
  static bool in_support(double x) { return std::isfinite(x); }

  template <class X, class M, class S>
  static double lpdf(index_t n, X& x, M& mu, S& sigma) {
    using T = decltype(sigma.val(0));
    using std::log, std::log1p;
    double lp = -math::log_pi * static_cast<double>(n);
    bool ok = true;
    for (index_t i = 0; i < n; ++i) {
      const T s = sigma.val(i);
      ok &= s > T(0);
      const T inv_s = T(1) / s;
      const T z = (x.val(i) - mu.val(i)) * inv_s;
      const T q = T(1) / (T(1) + z * z);
      lp -= static_cast<double>(log1p(z * z));
      if constexpr (S::is_vec) lp -= static_cast<double>(log(s));
      x.add(i, -T(2) * z * q * inv_s);
      mu.add(i, T(2) * z * q * inv_s);
      sigma.add(i, (z * z - T(1)) * q * inv_s);
    }
    if constexpr (!S::is_vec) lp -= static_cast<double>(n) * static_cast<double>(sigma.log_val());
    return ok ? lp : -math::inf<double>;
  }
};

template <class M, class S>
auto cauchy(M&& mu, S&& sigma) {
  return make_dist<cauchy_fn>(std::forward<M>(mu), std::forward<S>(sigma));
}

// half_cauchy(sigma): 2 / (pi sigma (1 + (x/sigma)^2)) on x >= 0.
struct half_cauchy_fn {
  static constexpr const char* name = "half_cauchy";
  static constexpr std::array<const char*, 1> arg_names{"sigma"};
  static constexpr std::array<domain, 1> domains{domain::positive};
  static constexpr support_kind support = support_kind::positive;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = false;
  static bool in_support(double x) { return std::isfinite(x) && x >= 0; }

  template <class X, class S>
  static double lpdf(index_t n, X& x, S& sigma) {
    using T = decltype(sigma.val(0));
    using std::log, std::log1p;
    double lp = (math::log_two - math::log_pi) * static_cast<double>(n);
    bool ok = true;
    for (index_t i = 0; i < n; ++i) {
      const T s = sigma.val(i);
      const T xi = x.val(i);
      ok &= (s > T(0)) & (xi >= T(0));
      const T inv_s = T(1) / s;
      const T z = xi * inv_s;
      const T q = T(1) / (T(1) + z * z);
      lp -= static_cast<double>(log1p(z * z));
      if constexpr (S::is_vec) lp -= static_cast<double>(log(s));
      x.add(i, -T(2) * z * q * inv_s);
      sigma.add(i, (z * z - T(1)) * q * inv_s);
    }
    if constexpr (!S::is_vec) lp -= static_cast<double>(n) * static_cast<double>(sigma.log_val());
    return ok ? lp : -math::inf<double>;
  }
};

template <class S>
auto half_cauchy(S&& sigma) {
  return make_dist<half_cauchy_fn>(std::forward<S>(sigma));
}

}  // namespace exmc
