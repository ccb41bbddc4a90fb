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
    if constexpr (!N::is_vec)
      return lpdf_scalar_nu(n, x, nu, mu, sigma);
    else
      return lpdf_loop(n, x, nu, mu, sigma);
  }

  // Scalar nu (the common case): vectorised passes with the nu terms computed once.
  // log1p(r) is written log(1 + r), which Eigen vectorises (absolute error below an ulp of 1).
  template <class X, class N, class M, class S>
  static double lpdf_scalar_nu(index_t n, X& x, N& nu, M& mu, S& sigma) {
    using T = decltype(sigma.val(0));
    const T v = nu.val(0);
    if (!(v > T(0))) return -math::inf<double>;
    const nu_terms<T> c = nu_constants(v);
    double lp = c.norm * static_cast<double>(n);
    const auto r = x.arr(n) - mu.arr(n);
    const auto sa = sigma.arr(n);
    if constexpr (S::is_vec) {
      if (!sigma.all_positive(n)) return -math::inf<double>;
      lp -= sigma.sum_log(n);
    } else {
      if (!(sigma.val(0) > T(0))) return -math::inf<double>;
      lp -= static_cast<double>(n) * static_cast<double>(sigma.log_val());
    }
    // One vectorised pass for the logarithms, one scalar pass for the partials: Eigen's lazy
    // expressions would otherwise recompute the divisions in every partial.
    const double sum_l1p = sum_as_double(((r / sa).square() / v + T(1)).log());
    lp -= 0.5 * static_cast<double>(v + T(1)) * sum_l1p;
    double sum_wz2 = 0;
    for (index_t i = 0; i < n; ++i) {
      const T inv_s = T(1) / sigma.val(i);
      const T z = (x.val(i) - mu.val(i)) * inv_s;
      const T z2 = z * z;
      const T w = (v + T(1)) / (v + z2);
      x.add(i, -w * z * inv_s);
      mu.add(i, w * z * inv_s);
      sigma.add(i, (w * z2 - T(1)) * inv_s);
      if constexpr (N::grad) sum_wz2 += static_cast<double>(w * z2);
    }
    if constexpr (N::grad)
      nu.add_total(static_cast<T>(static_cast<double>(c.dnorm) * static_cast<double>(n) +
                                  0.5 * (sum_wz2 / static_cast<double>(v) - sum_l1p)));
    return lp;
  }

  template <class X, class N, class M, class S>
  static double lpdf_loop(index_t n, X& x, N& nu, M& mu, S& sigma) {
    using T = decltype(sigma.val(0));
    using std::log, std::log1p;
    double lp = 0;
    bool ok = true;
    for (index_t i = 0; i < n; ++i) {
      const T v = nu.val(i);
      ok &= v > T(0);
      const nu_terms<T> c = nu_constants(v);
      lp += c.norm;
      const T s = sigma.val(i);
      ok &= s > T(0);
      const T inv_s = T(1) / s;
      const T z = (x.val(i) - mu.val(i)) * inv_s;
      const T l1p = log1p(z * z / v);
      const T w = (v + T(1)) / (v + z * z);
      lp -= static_cast<double>(T(0.5) * (v + T(1)) * l1p + log(s));
      x.add(i, -w * z * inv_s);
      mu.add(i, w * z * inv_s);
      sigma.add(i, (w * z * z - T(1)) * inv_s);
      nu.add(i, c.dnorm + T(0.5) * (w * z * z / v - l1p));
    }
    return ok ? lp : -math::inf<double>;
  }

};

template <class N, class M, class S>
auto student_t(N&& nu, M&& mu, S&& sigma) {
  return make_dist<student_t_fn>(std::forward<N>(nu), std::forward<M>(mu), std::forward<S>(sigma));
}

}  // namespace exmc
