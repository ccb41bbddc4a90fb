#pragma once
#include <array>
#include <numbers>
#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/special_functions/owens_t.hpp>

#include "dist.hpp"
#include "location_scale.hpp"
#include "../math/normal_cdf.hpp"
#include "../math/special.hpp"

namespace exmc {

// skew_normal(xi, omega, alpha): 2 / omega phi(z) Phi(alpha z) with z = (x - xi) / omega.
// Stan: skew_normal(xi, omega, alpha); PyMC: SkewNormal(mu, sigma, alpha).
// log Phi and its derivative come from math/normal_cdf.hpp, so a large |alpha z| neither
// underflows the density nor loses its gradient.
struct skew_normal_fn {
  static constexpr const char* name = "skew_normal";
  static constexpr std::array<const char*, 3> arg_names{"xi", "omega", "alpha"};
  static constexpr std::array<domain, 3> domains{domain::real, domain::positive, domain::real};
  static constexpr support_kind support = support_kind::real;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = false;
  static constexpr std::size_t loc_index = 0;
  static constexpr std::size_t scale_index = 1;
  static bool in_support(double x) { return std::isfinite(x); }

  // One loop in double: log Phi has no vectorised form, and it dominates the cost anyway.
  template <class X, class L, class S, class A>
  static double lpdf(index_t n, X& x, L& xi, S& omega, A& alpha) {
    using T = decltype(omega.val(0));
    if (!all_positive(n, omega)) return -math::inf<double>;
    double lp = static_cast<double>(n) * (math::log_two - math::log_sqrt_two_pi) - sum_log(n, omega);
    for (index_t i = 0; i < n; ++i) {
      const double inv_s = 1.0 / static_cast<double>(omega.val(i));
      const double a = static_cast<double>(alpha.val(i));
      const double z = (static_cast<double>(x.val(i)) - static_cast<double>(xi.val(i))) * inv_s;
      lp += -0.5 * z * z + math::log_Phi(a * z);
      const double m = math::inv_mills(a * z);
      const double dz = -z + a * m;
      x.add(i, static_cast<T>(dz * inv_s));
      xi.add(i, static_cast<T>(-dz * inv_s));
      omega.add(i, static_cast<T>((-dz * z - 1.0) * inv_s));
      alpha.add(i, static_cast<T>(m * z));
    }
    return lp;
  }

  // CDF = Phi(z) - 2 T(z, alpha) with Owen's T; the CCDF is the CDF of the mirrored law,
  // CDF(-z; -alpha). In the short tail (z < 0 < alpha) that difference cancels, and where it
  // has lost three digits the CDF is integrated instead (log_cdf_short_tail).
  // dCDF/dz = 2 phi(z) Phi(alpha z); dCDF/dalpha = -exp(-(1 + alpha^2) z^2 / 2) / (pi (1 + alpha^2)).
  template <class X, class L, class S, class A>
  static double lcdf(index_t n, X& x, L& xi, S& omega, A& alpha) {
    return cdf_sum(n, x, xi, omega, alpha, 1.0);
  }
  template <class X, class L, class S, class A>
  static double lccdf(index_t n, X& x, L& xi, S& omega, A& alpha) {
    return cdf_sum(n, x, xi, omega, alpha, -1.0);
  }
  // sign 1: log CDF; sign -1: log CCDF, the log CDF at (-z, -alpha).
  template <class X, class L, class S, class A>
  static double cdf_sum(index_t n, X& x, L& xi, S& omega, A& alpha, double sign) {
    using T = decltype(omega.val(0));
    using std::exp, std::log;
    if (!all_positive(n, omega)) return -math::inf<double>;
    double total = 0;
    for (index_t i = 0; i < n; ++i) {
      const double inv_s = 1.0 / static_cast<double>(omega.val(i));
      const double a = sign * static_cast<double>(alpha.val(i));
      const double z = sign * (static_cast<double>(x.val(i)) - static_cast<double>(xi.val(i))) * inv_s;
      // CDF = Phi(z) - 2T and CCDF = Phi(-z) + 2T (T is even in z): the log of the larger comes
      // from the complement of the smaller, so neither loses digits near 1.
      const double t2 = 2.0 * boost::math::owens_t(z, a, math::quiet_policy{});
      const double phi_z = std::exp(math::log_Phi(z));
      const double cdf = phi_z - t2;
      double lc;
      if (cdf > 0.5)
        lc = std::log1p(-(std::exp(math::log_Phi(-z)) + t2));
      else if (z < 0 && a > 0 && !(cdf > 1e-3 * phi_z))  // short tail: the difference lost digits
        lc = log_cdf_short_tail(z, a);
      else
        lc = log(cdf);
      total += lc;
      if (!(lc > -math::inf<double>)) continue;  // -inf: no partials
      // d/dz and d/da of log CDF(z; a), then back to the caller's z and alpha through the sign.
      const double dz = 2.0 * exp(math::log_phi(z) + math::log_Phi(a * z) - lc);
      const double q = 1.0 + a * a;
      const double da = -exp(-0.5 * q * z * z - lc) / (std::numbers::pi * q);
      xi.add(i, static_cast<T>(-sign * dz * inv_s));
      omega.add(i, static_cast<T>(-dz * z * inv_s));
      alpha.add(i, static_cast<T>(sign * da));
    }
    return total;
  }

  // log of the standard density 2 phi(z) Phi(a z).
  static double log_density_std(double z, double a) { return math::log_two + math::log_phi(z) + math::log_Phi(a * z); }

  // log CDF(z; a) for z < 0 < a as f(z) times the integral of f(z - u) / f(z) over u > 0. The
  // density is log-concave and rises at rate r = d log f / dz > 0 below its mode, so the ratio
  // is at most exp(-r u): with u = v / r the integrand decays like exp(-v) whatever z and a are,
  // which exp-sinh quadrature handles to near double precision.
  template <class = void>  // instantiated only when called (D72)
  static double log_cdf_short_tail(double z, double a) {
    // Per thread and not const: Boost 1.74 defines integrate() without the const it declares.
    static thread_local boost::math::quadrature::exp_sinh<double, math::quiet_policy> integrator;
    const double lf = log_density_std(z, a);
    const double r = -z + a * math::inv_mills(a * z);
    const double area =
        integrator.integrate([&](double v) { return std::exp(log_density_std(z - v / r, a) - lf); }, 0.0,
                             math::inf<double>, 1e-13);
    return lf + std::log(area / r);
  }

  // Azzalini's representation: delta |u| + sqrt(1 - delta^2) v with u, v standard normal and
  // delta = alpha / sqrt(1 + alpha^2).
  static double generate(rng& g, double xi, double omega, double alpha) {
    const double delta = alpha / std::sqrt(1.0 + alpha * alpha);
    const double u = std::abs(g.normal()), v = g.normal();
    return xi + omega * (delta * u + std::sqrt(1.0 - delta * delta) * v);
  }
};

template <class L, class S, class A>
auto skew_normal(L&& xi, S&& omega, A&& alpha) {
  return make_dist<skew_normal_fn>(std::forward<L>(xi), std::forward<S>(omega), std::forward<A>(alpha));
}

}  // namespace exmc
