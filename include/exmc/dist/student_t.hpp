#pragma once
#include <array>

#include "dist.hpp"

namespace exmc {

// student_t(nu, mu, sigma) with all constants; d/dnu through digamma.
struct student_t_fn {
  static constexpr const char* name = "student_t";
  static constexpr std::array<const char*, 3> arg_names{"nu", "mu", "sigma"};
  static constexpr std::array<domain, 3> domains{domain::positive, domain::real, domain::positive};
  static constexpr support_kind support = support_kind::real;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = false;
  // Location-scale family: x = loc + scale * z with z from the standardised family, which the
  // non-centring pass uses.
  static constexpr std::size_t loc_index = 1;
  static constexpr std::size_t scale_index = 2;
  static bool in_support(double x) { return std::isfinite(x); }

  template <class T>
  struct nu_terms {
    double norm;  // lgamma((nu+1)/2) - lgamma(nu/2) - 0.5 log(nu pi)
    T dnorm;      // its derivative in nu
  };
  template <class T>
  static nu_terms<T> nu_constants(T nu) {
    const double v = static_cast<double>(nu);
    const double norm = math::lgamma(0.5 * (v + 1)) - math::lgamma(0.5 * v) - 0.5 * (std::log(v) + math::log_pi);
    const double d = 0.5 * (math::digamma(0.5 * (v + 1)) - math::digamma(0.5 * v) - 1.0 / v);
    return {norm, static_cast<T>(d)};
  }

  template <class X, class N, class M, class S>
  static double lpdf(index_t n, X& x, N& nu, M& mu, S& sigma) {
    using T = decltype(sigma.val(0));
    using std::log, std::log1p;
    double lp = 0;
    bool ok = true;
    nu_terms<T> c{};
    if constexpr (!N::is_vec) {
      ok &= nu.val(0) > T(0);
      if (!ok) return -math::inf<double>;
      c = nu_constants(nu.val(0));
      lp += c.norm * static_cast<double>(n);
    }
    for (index_t i = 0; i < n; ++i) {
      const T v = nu.val(i);
      if constexpr (N::is_vec) {
        ok &= v > T(0);
        c = nu_constants(v);
        lp += c.norm;
      }
      const T s = sigma.val(i);
      ok &= s > T(0);
      const T inv_s = T(1) / s;
      const T z = (x.val(i) - mu.val(i)) * inv_s;
      const T r = z * z / v;
      const T l1p = log1p(r);
      const T w = (v + T(1)) / (v + z * z);
      lp -= static_cast<double>(T(0.5) * (v + T(1)) * l1p);
      if constexpr (S::is_vec) lp -= static_cast<double>(log(s));
      x.add(i, -w * z * inv_s);
      mu.add(i, w * z * inv_s);
      sigma.add(i, (w * z * z - T(1)) * inv_s);
      if constexpr (N::grad) nu.add(i, c.dnorm + T(0.5) * (w * z * z / v - l1p));
    }
    if constexpr (!S::is_vec) lp -= static_cast<double>(n) * static_cast<double>(log(sigma.val(0)));
    return ok ? lp : -math::inf<double>;
  }
};

template <class N, class M, class S>
auto student_t(N&& nu, M&& mu, S&& sigma) {
  return make_dist<student_t_fn>(std::forward<N>(nu), std::forward<M>(mu), std::forward<S>(sigma));
}

}  // namespace exmc
