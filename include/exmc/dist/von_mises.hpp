#pragma once
#include <algorithm>
#include <array>
#include <boost/math/special_functions/bessel.hpp>
#include <cmath>
#include <numbers>

#include "../core/random.hpp"
#include "dist.hpp"
#include "../math/special.hpp"

namespace exmc {

namespace detail {
// log I0(kappa) and I1(kappa) / I0(kappa) (the kappa slope of log I0).
struct von_mises_bessel {
  double log_i0;
  double ratio;
};
// Below the switch Boost's I0 and I1 are normal doubles (they overflow near 713). Above it
// the Hankel expansion I_nu(k) ~ e^k / sqrt(2 pi k) sum_j (-1)^j a_j(nu) / k^j (DLMF 10.40.1)
// is taken for nu = 0 and 1 with the exponential factored out: at k >= 500 its j-th term is
// below 1e-17 by j = 7, and the ratio I1 / I0 is the ratio of the two sums, no overflow anywhere.
inline constexpr double von_mises_switch = 500;
template <class = void>  // instantiated only when called (D72)
inline von_mises_bessel von_mises_log_i0(double k) {
  if (k < von_mises_switch) {
    const double i0 = boost::math::cyl_bessel_i(0, k, math::quiet_policy{});
    const double i1 = boost::math::cyl_bessel_i(1, k, math::quiet_policy{});
    return {std::log(i0), i1 / i0};
  }
  const double w = 1 / (8 * k);
  double t0 = 1, t1 = 1, s0 = 1, s1 = 1;
  for (int j = 1; j <= 10; ++j) {
    const double odd2 = (2.0 * j - 1) * (2.0 * j - 1);
    t0 *= odd2 * w / j;
    t1 *= (odd2 - 4) * w / j;
    s0 += t0;
    s1 += t1;
  }
  return {k - 0.5 * std::log(2 * std::numbers::pi * k) + std::log(s0), s1 / s0};
}
}  // namespace detail

// von_mises(mu, kappa): exp(kappa cos(x - mu)) / (2 pi I0(kappa)), a law on the circle.
// Stan: von_mises(mu, kappa); PyMC: VonMises(mu, kappa). As in Stan the support is the real
// line: the density is 2 pi periodic and normalised on any interval of length 2 pi, so data
// need no wrapping, and a parameter with this prior is unconstrained (its density repeats every
// 2 pi, so only its likelihood, or a bounded prior on mu, makes a posterior proper).
// No lcdf: the CDF on an interval depends on where the interval starts, and Stan's series
// is a separate piece of work.
struct von_mises_fn {
  static constexpr const char* name = "von_mises";
  static constexpr std::array<const char*, 2> arg_names{"mu", "kappa"};
  // kappa = 0 is the uniform law on the circle, a valid limit.
  static constexpr std::array<domain, 2> domains{domain::real, domain::nonneg};
  static constexpr support_kind support = support_kind::real;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = false;
  static bool in_support(double x) { return std::isfinite(x); }

  template <class X, class M, class K>
  static double lpdf(index_t n, X& x, M& mu, K& kappa) {
    using T = decltype(kappa.val(0));
    constexpr double log_two_pi = math::log_two + math::log_pi;
    const double dn = static_cast<double>(n);
    if constexpr (!K::is_vec) {
      // Scalar kappa: the Bessel terms once, then sums of cos and sin (vectorised).
      const T k = kappa.val(0);
      if (!(k >= T(0)) || !std::isfinite(k)) return -math::inf<double>;
      const detail::von_mises_bessel b = detail::von_mises_log_i0(static_cast<double>(k));
      const auto r = x.arr(n) - mu.arr(n);
      const double sum_cos = sum_as_double(r.cos());
      if constexpr (X::grad) x.add_arr(-k * r.sin());
      if constexpr (M::grad) mu.add_arr(k * r.sin());
      if constexpr (K::grad) kappa.add_total(static_cast<T>(sum_cos - dn * b.ratio));
      return static_cast<double>(k) * sum_cos - dn * (log_two_pi + b.log_i0);
    } else {
      double lp = -dn * log_two_pi;
      for (index_t i = 0; i < n; ++i) {
        const T k = kappa.val(i);
        if (!(k >= T(0)) || !std::isfinite(k)) return -math::inf<double>;
        const detail::von_mises_bessel b = detail::von_mises_log_i0(static_cast<double>(k));
        const T r = x.val(i) - mu.val(i);
        const T c = std::cos(r), s = std::sin(r);
        lp += static_cast<double>(k * c) - b.log_i0;
        x.add(i, -k * s);
        mu.add(i, k * s);
        kappa.add(i, static_cast<T>(static_cast<double>(c) - b.ratio));
      }
      return lp;
    }
  }

  // Best and Fisher (1979): a wrapped-Cauchy envelope with acceptance rate above 0.65 for every
  // kappa. The draw lies in (mu - pi, mu + pi). rho is written without the cancellation of
  // tau - sqrt(2 tau) at small kappa; below 1e-12 the law is uniform to that relative accuracy.
  static double generate(rng& g, double mu, double kappa) {
    constexpr double pi = std::numbers::pi;
    if (kappa < 1e-12) return mu + pi * (2 * g.uniform_pos() - 1);
    const double s = std::sqrt(1 + 4 * kappa * kappa);
    const double tau = 1 + s;
    const double rho = 2 * kappa * tau / ((s + 1) * (tau + std::sqrt(2 * tau)));
    const double r = (1 + rho * rho) / (2 * rho);
    for (;;) {
      const double z = std::cos(pi * g.uniform());
      const double f = (1 + r * z) / (r + z);
      const double c = kappa * (r - f);
      const double u2 = g.uniform_pos();
      if (c * (2 - c) > u2 || std::log(c / u2) + 1 - c >= 0) {
        const double theta = std::acos(std::clamp(f, -1.0, 1.0));
        return g.uniform() < 0.5 ? mu - theta : mu + theta;
      }
    }
  }
};

template <class M, class K>
auto von_mises(M&& mu, K&& kappa) {
  return make_dist<von_mises_fn>(std::forward<M>(mu), std::forward<K>(kappa));
}

}  // namespace exmc
