#pragma once
#include <array>
#include <cmath>

#include "../math/inc_beta.hpp"
#include "dist.hpp"
#include "../math/special.hpp"

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

  // Scalar nu (the common case): the nu terms once, then one vectorised pass per block of
  // `block` elements. With z = (x - mu) / sigma and w = (nu + 1) / (nu + z^2), every partial is a
  // product of z, w and 1 / sigma; the block keeps those in stack arrays, so each division is done
  // once per element, by Eigen's packet division, and the log in the same pass (D62).
  static constexpr index_t block = 64;
  template <class X, class N, class M, class S>
  static double lpdf_scalar_nu(index_t n, X& x, N& nu, M& mu, S& sigma) {
    using T = decltype(sigma.val(0));
    const T v = nu.val(0);
    if (!(v > T(0))) return -math::inf<double>;
    const nu_terms<T> c = nu_constants(v);
    double lp = c.norm * static_cast<double>(n);
    if constexpr (S::is_vec) {
      lp -= sigma.sum_log(n);
    } else {
      if (!(sigma.val(0) > T(0))) return -math::inf<double>;
      lp -= static_cast<double>(n) * static_cast<double>(sigma.log_val());
    }
    double sum_l1p = 0, sum_wz2 = 0;
    bool ok = true;
    sum_over_blocks<block>(
        n,
        [&](index_t m, auto& xb, auto& mb, auto& sb) {
          ok &= block_pass(m, xb, mb, sb, v, sum_l1p, sum_wz2);
          return 0.0;
        },
        x, mu, sigma);
    if (!ok) return -math::inf<double>;
    lp -= 0.5 * static_cast<double>(v + T(1)) * sum_l1p;
    if constexpr (N::grad)
      nu.add_total(static_cast<T>(static_cast<double>(c.dnorm) * static_cast<double>(n) +
                                  0.5 * (sum_wz2 / static_cast<double>(v) - sum_l1p)));
    return lp;
  }

  // One block of at most `block` elements; false when a sigma is not positive.
  template <class X, class M, class S, class T>
  static bool block_pass(index_t m, X& x, M& mu, S& sigma, T v, double& sum_l1p, double& sum_wz2) {
    using A = Eigen::Array<T, Eigen::Dynamic, 1, 0, block, 1>;
    const T inv_v = T(1) / v;
    A inv_s(m), z(m), z2(m), w(m);
    if constexpr (S::is_vec) {
      const auto sa = sigma.arr(m);
      if (!all_positive(m, sigma)) return false;
      inv_s = sa.inverse();
      z = (x.arr(m) - mu.arr(m)) * inv_s;
    } else {
      const T is = T(1) / sigma.val(0);
      inv_s.setConstant(is);
      z = (x.arr(m) - mu.arr(m)) * is;
    }
    z2 = z.square();
    sum_l1p += sum_as_double((z2 * inv_v + T(1)).log());
    w = (v + T(1)) / (v + z2);
    if constexpr (X::grad || M::grad) {
      const A wz = w * z * inv_s;
      if constexpr (X::grad) x.add_arr(-wz);
      if constexpr (M::grad) mu.add_arr(wz);
    }
    w *= z2;  // w z^2 from here on
    if constexpr (S::grad) sigma.add_arr((w - T(1)) * inv_s);
    sum_wz2 += sum_as_double(w);
    return true;
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

  // log F(z) for the standard t and its partials in z and nu.
  struct log_cdf_terms {
    double value, d_z, d_nu;
  };
  // The lower tail G = F(-|z|) = I_x(nu/2, 1/2) / 2 with x = nu / (nu + z^2) (DLMF 8.17.2 and the
  // t law's definition); above 0, F(z) = 1 - G, whose log goes through log1p. The nu partial has
  // no closed form: it is the shape partial of log I from the convergent series of inc_beta.hpp
  // plus the part through x, dI/dx dx/dnu = x^a y^(1/2) / (B(a, 1/2) nu).
  template <class = void>  // instantiated only when called (D72)
  static log_cdf_terms log_cdf_std(double z, double v) {
    const double az = std::abs(z), a = 0.5 * v;
    // log x and log y = log(1 - x) through z^2 / nu or nu / z^2, whichever is <= 1, so that
    // z^2 never overflows and y keeps its digits near x = 1.
    double log_x, log_y;
    if (az * az <= v) {
      const double q = az * az / v;
      log_x = -std::log1p(q);
      log_y = std::log(q) + log_x;
    } else {
      const double lq = std::log(v) - 2 * std::log(az);
      const double l1p = std::log1p(std::exp(lq));
      log_x = lq - l1p;
      log_y = -l1p;
    }
    const math::log_inc_beta ib = math::log_ibeta(a, 0.5, log_x, log_y);
    const double log_g = ib.value - math::log_two;
    const double via_x = std::exp(a * log_x + 0.5 * log_y - math::log_beta(a, 0.5) - ib.value) / v;
    const double d_nu = 0.5 * ib.d_a + via_x;
    const double log_pdf = nu_constants(v).norm + 0.5 * (v + 1) * log_x;
    if (z <= 0) return {log_g, std::exp(log_pdf - log_g), d_nu};
    const double g = std::exp(log_g);
    const double log_f = std::log1p(-g);
    return {log_f, std::exp(log_pdf - log_f), -g / (1 - g) * d_nu};
  }

  // Summed log CDF (Lower) or log CCDF = log F(-z), the law being symmetric.
  template <bool Lower, class X, class N, class M, class S>
  static double cdf_sum(index_t n, const X& x, N& nu, M& mu, S& sigma) {
    using T = decltype(sigma.val(0));
    double total = 0;
    for (index_t i = 0; i < n; ++i) {
      const double v = static_cast<double>(nu.val(i)), s = static_cast<double>(sigma.val(i));
      if (!(v > 0 && s > 0 && std::isfinite(v) && std::isfinite(s))) return -math::inf<double>;
      const double z = (static_cast<double>(x.val(i)) - static_cast<double>(mu.val(i))) / s;
      const log_cdf_terms t = log_cdf_std(Lower ? z : -z, v);
      const double d_z = Lower ? t.d_z : -t.d_z;
      total += t.value;
      nu.add(i, static_cast<T>(t.d_nu));
      mu.add(i, static_cast<T>(-d_z / s));
      sigma.add(i, static_cast<T>(-d_z * z / s));
    }
    return total;
  }
  template <class X, class N, class M, class S>
  static double lcdf(index_t n, const X& x, N& nu, M& mu, S& sigma) {
    return cdf_sum<true>(n, x, nu, mu, sigma);
  }
  template <class X, class N, class M, class S>
  static double lccdf(index_t n, const X& x, N& nu, M& mu, S& sigma) {
    return cdf_sum<false>(n, x, nu, mu, sigma);
  }

  // Z / sqrt(chi-square(nu) / nu), the chi-square drawn as 2 gamma(nu / 2, 1).
  static double generate(rng& g, double nu, double mu, double sigma) {
    return mu + sigma * g.normal() * std::sqrt(0.5 * nu / g.gamma(0.5 * nu));
  }
};

template <class N, class M, class S>
auto student_t(N&& nu, M&& mu, S&& sigma) {
  return make_dist<student_t_fn>(std::forward<N>(nu), std::forward<M>(mu), std::forward<S>(sigma));
}

}  // namespace exmc
