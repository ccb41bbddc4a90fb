#pragma once
#include <array>
#include <cmath>

#include "../core/random.hpp"
#include "../math/inc_beta.hpp"
#include "dist.hpp"
#include "view_adaptors.hpp"
#include "../math/special.hpp"

namespace exmc {

// beta(alpha, beta): x^(alpha-1) (1-x)^(beta-1) / B(alpha, beta) on 0 < x < 1.
// Stan: beta(alpha, beta); PyMC: Beta(alpha, beta). The CDF is I_x(alpha, beta).
struct beta_fn {
  static constexpr const char* name = "beta";
  static constexpr std::array<const char*, 2> arg_names{"alpha", "beta"};
  static constexpr std::array<domain, 2> domains{domain::positive, domain::positive};
  static constexpr support_kind support = support_kind::unit;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = false;
  // The end points are excluded: the density there is 0, finite or infinite depending on the
  // shapes, and log x or log(1 - x) appears in every term (as gamma excludes x = 0).
  static bool in_support(double x) { return x > 0 && x < 1; }

  template <class X, class A, class B>
  static double lpdf(index_t n, X& x, A& alpha, B& beta) {
    using T = decltype(alpha.val(0));
    const auto xa = x.arr(n);
    if (!((xa > T(0)) && (xa < T(1))).all()) return -math::inf<double>;
    if constexpr (!A::is_vec && !B::is_vec)
      return lpdf_scalar(n, x, alpha, beta);
    else
      return lpdf_loop(n, x, alpha, beta);
  }

  // Scalar shapes: lgamma and digamma once, sum log x (cached for data) and sum log1p(-x) once.
  template <class X, class A, class B>
  static double lpdf_scalar(index_t n, X& x, A& alpha, B& beta) {
    using T = decltype(alpha.val(0));
    const T a = alpha.val(0), b = beta.val(0);
    if (!(a > T(0) && b > T(0) && std::isfinite(a) && std::isfinite(b))) return -math::inf<double>;
    const double ad = static_cast<double>(a), bd = static_cast<double>(b), dn = static_cast<double>(n);
    const auto xa = x.arr(n);
    const double slx = sum_log(n, x);
    const double sly = sum_as_double((-xa).log1p());
    if constexpr (X::grad) x.add_arr((a - T(1)) / xa - (b - T(1)) / (T(1) - xa));
    if constexpr (A::grad || B::grad) {
      const double psi_ab = math::digamma(ad + bd);
      alpha.add_total(static_cast<T>(slx - dn * (math::digamma(ad) - psi_ab)));
      beta.add_total(static_cast<T>(sly - dn * (math::digamma(bd) - psi_ab)));
    }
    return (ad - 1) * slx + (bd - 1) * sly - dn * math::log_beta(ad, bd);
  }

  template <class X, class A, class B>
  static double lpdf_loop(index_t n, X& x, A& alpha, B& beta) {
    using T = decltype(alpha.val(0));
    double lp = 0;
    for (index_t i = 0; i < n; ++i) {
      const double a = static_cast<double>(alpha.val(i)), b = static_cast<double>(beta.val(i));
      if (!(a > 0 && b > 0 && std::isfinite(a) && std::isfinite(b))) return -math::inf<double>;
      const double y = static_cast<double>(x.val(i));
      const double lx = std::log(y), l1mx = std::log1p(-y);
      lp += (a - 1) * lx + (b - 1) * l1mx - math::log_beta(a, b);
      const double psi_ab = math::digamma(a + b);
      x.add(i, static_cast<T>((a - 1) / y - (b - 1) / (1 - y)));
      alpha.add(i, static_cast<T>(lx - math::digamma(a) + psi_ab));
      beta.add(i, static_cast<T>(l1mx - math::digamma(b) + psi_ab));
    }
    return lp;
  }

  // log I_x(alpha, beta) (Lower) or log(1 - I_x); outside (0, 1) they take their limits 0 or
  // -inf with zero partials.
  template <bool Lower, class X, class A, class B>
  static double cdf_sum(index_t n, const X& x, A& alpha, B& beta) {
    using T = decltype(alpha.val(0));
    double total = 0;
    for (index_t i = 0; i < n; ++i) {
      const double a = static_cast<double>(alpha.val(i)), b = static_cast<double>(beta.val(i));
      if (!(a > 0 && b > 0 && std::isfinite(a) && std::isfinite(b))) return -math::inf<double>;
      const double y = static_cast<double>(x.val(i));
      if (std::isnan(y)) return -math::inf<double>;
      if (Lower ? y <= 0 : y >= 1) return -math::inf<double>;
      if (Lower ? y >= 1 : y <= 0) continue;
      const double lx = std::log(y), l1mx = std::log1p(-y);
      const math::log_inc_beta r = Lower ? math::log_ibeta(a, b, lx, l1mx) : math::log_ibetac(a, b, lx, l1mx);
      total += r.value;
      alpha.add(i, static_cast<T>(r.d_a));
      beta.add(i, static_cast<T>(r.d_b));
    }
    return total;
  }
  template <class X, class A, class B>
  static double lcdf(index_t n, const X& x, A& alpha, B& beta) {
    return cdf_sum<true>(n, x, alpha, beta);
  }
  template <class X, class A, class B>
  static double lccdf(index_t n, const X& x, A& alpha, B& beta) {
    return cdf_sum<false>(n, x, alpha, beta);
  }

  // G1 / (G1 + G2) with G1 ~ gamma(alpha), G2 ~ gamma(beta), formed from their logs: a shape
  // below 1 draws gamma(shape + 1) U^(1 / shape), whose value underflows for tiny shapes long
  // before the ratio is decided.
  static double generate(rng& g, double alpha, double beta) {
    auto log_gamma_draw = [&g](double shape) {
      if (shape >= 1) return std::log(g.gamma(shape));
      return std::log(g.gamma(shape + 1)) + std::log(g.uniform_pos()) / shape;
    };
    const double l1 = log_gamma_draw(alpha), l2 = log_gamma_draw(beta);
    return 1 / (1 + std::exp(l2 - l1));
  }
};

template <class A, class B>
auto beta(A&& alpha, B&& beta) {
  return make_dist<beta_fn>(std::forward<A>(alpha), std::forward<B>(beta));
}

}  // namespace exmc
