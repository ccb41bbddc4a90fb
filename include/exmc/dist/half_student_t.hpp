#pragma once
#include <array>
#include <cmath>

#include "../math/inc_beta.hpp"
#include "gamma.hpp"
#include "student_t.hpp"

namespace exmc {

// half_student_t(nu, sigma): twice the student_t(nu, 0, sigma) density on x >= 0, the usual
// weakly informative prior for a scale. Stan has no such family (student_t(nu, 0, sigma) on a
// parameter declared <lower=0>, which differs by the constant log 2); PyMC: HalfStudentT(nu, sigma).
struct half_student_t_fn {
  static constexpr const char* name = "half_student_t";
  static constexpr std::array<const char*, 2> arg_names{"nu", "sigma"};
  static constexpr std::array<domain, 2> domains{domain::positive, domain::positive};
  static constexpr support_kind support = support_kind::positive;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = false;
  static bool in_support(double x) { return std::isfinite(x) && x >= 0; }

  // student_t's density at location 0 (its scalar-nu fast path included), plus log 2.
  template <class X, class N, class S>
  static double lpdf(index_t n, X& x, N& nu, S& sigma) {
    using T = decltype(sigma.val(0));
    if (!(x.arr(n) >= T(0)).all()) return -math::inf<double>;
    scalar_view<T, false> zero{T(0)};
    return static_cast<double>(n) * math::log_two + student_t_fn::lpdf(n, x, nu, zero, sigma);
  }

  // F(x) = P(sigma |T| <= x) = 2 F_t(z) - 1 with z = x / sigma, so the CCDF is twice the t's
  // lower tail: 1 - F = I_v(nu / 2, 1 / 2) with v = nu / (nu + z^2), and F = I_{1-v}(1/2, nu/2)
  // (DLMF 8.17.2 and the t law's definition). Both come from math::log_ibeta / log_ibetac, which
  // take log v and log(1 - v) (so neither loses digits near 0 or 1) and give the partial of the
  // log in the shape nu / 2. The rest of each partial goes through v or z:
  //   d(1 - F)/dnu through v = dI/dv dv/dnu = v^(nu/2) (1 - v)^(1/2) / (B(nu/2, 1/2) nu),
  //   d(1 - F)/dsigma = 2 t_pdf(z) z / sigma   (the density of sigma |T| at x, times x / sigma).
  // x <= 0 gives F = 0, x = +inf gives F = 1 (zero partials where the log is finite).
  template <bool Lower, class X, class N, class S>
  static double cdf_sum(index_t n, const X& x, N& nu, S& sigma) {
    using T = decltype(sigma.val(0));
    double total = 0;
    for (index_t i = 0; i < n; ++i) {
      const double v = static_cast<double>(nu.val(i)), s = static_cast<double>(sigma.val(i));
      const double xi = static_cast<double>(x.val(i));
      if (!(v > 0 && s > 0 && std::isfinite(v) && std::isfinite(s)) || std::isnan(xi)) return -math::inf<double>;
      if (xi <= 0 || xi == math::inf<double>) {
        if ((xi <= 0) == Lower) return -math::inf<double>;
        continue;
      }
      const double z = xi / s, a = 0.5 * v;
      // log v and log(1 - v) through z^2 / nu or nu / z^2, whichever is <= 1 (no overflow).
      double log_v, log_1mv;
      if (z * z <= v) {
        const double q = z * z / v;
        log_v = -std::log1p(q);
        log_1mv = 2 * std::log(z) - std::log(v) + log_v;  // log q, even where z^2 underflows
      } else {
        const double lq = std::log(v) - 2 * std::log(z);
        const double l1p = std::log1p(std::exp(lq));
        log_v = lq - l1p;
        log_1mv = -l1p;
      }
      const math::log_inc_beta ib = Lower ? math::log_ibetac(a, 0.5, log_v, log_1mv) : math::log_ibeta(a, 0.5, log_v, log_1mv);
      if (!std::isfinite(ib.value)) return -math::inf<double>;
      total += ib.value;
      // Partials of the CCDF itself, divided by whichever probability was taken the log of.
      const double via_v = std::exp(a * log_v + 0.5 * log_1mv - math::log_beta(a, 0.5) - ib.value) / v;
      const double log_pdf = student_t_fn::nu_constants(v).norm + (a + 0.5) * log_v;  // t density at z
      const double via_s = std::exp(math::log_two + log_pdf - ib.value) * z / s;
      const double sign = Lower ? -1.0 : 1.0;
      nu.add(i, static_cast<T>(0.5 * ib.d_a + sign * via_v));
      sigma.add(i, static_cast<T>(sign * via_s));
    }
    return total;
  }
  template <class X, class N, class S>
  static double lcdf(index_t n, const X& x, N& nu, S& sigma) {
    return cdf_sum<true>(n, x, nu, sigma);
  }
  template <class X, class N, class S>
  static double lccdf(index_t n, const X& x, N& nu, S& sigma) {
    return cdf_sum<false>(n, x, nu, sigma);
  }

  // sigma |Z| / sqrt(G / (nu / 2)) with G ~ gamma(nu / 2, 1): the absolute value of a t draw.
  static double generate(rng& g, double nu, double sigma) {
    return sigma * std::abs(g.normal()) * std::sqrt(0.5 * nu / draw_gamma(g, 0.5 * nu));
  }
};

template <class N, class S>
auto half_student_t(N&& nu, S&& sigma) {
  return make_dist<half_student_t_fn>(std::forward<N>(nu), std::forward<S>(sigma));
}

}  // namespace exmc
