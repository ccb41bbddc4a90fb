#pragma once
#include <array>

#include "dist.hpp"
#include "location_scale.hpp"
#include "../math/normal_cdf.hpp"

namespace exmc {

// exp_mod_normal(mu, sigma, lambda): the law of a normal(mu, sigma) plus an independent
// exponential(lambda) draw, density lambda exp(lambda (mu - x) + lambda^2 sigma^2 / 2) Phi(t)
// with z = (x - mu) / sigma, t = z - lambda sigma. Stan: exp_mod_normal(mu, sigma, lambda);
// PyMC: ExGaussian(mu, sigma, nu) with nu = 1 / lambda.
// Written with log Phi (math/normal_cdf.hpp) rather than Stan's erfc, so the density and its
// gradient stay finite where erfc underflows (lambda sigma >> z).
struct exp_mod_normal_fn {
  static constexpr const char* name = "exp_mod_normal";
  static constexpr std::array<const char*, 3> arg_names{"mu", "sigma", "lambda"};
  static constexpr std::array<domain, 3> domains{domain::real, domain::positive, domain::positive};
  static constexpr support_kind support = support_kind::real;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = false;
  static bool in_support(double x) { return std::isfinite(x); }

  template <class X, class M, class S, class L>
  static double lpdf(index_t n, X& x, M& mu, S& sigma, L& lambda) {
    using T = decltype(sigma.val(0));
    if (!all_positive(n, sigma) || !all_positive(n, lambda)) return -math::inf<double>;
    double lp = 0;
    if constexpr (!L::is_vec) lp = static_cast<double>(n) * static_cast<double>(lambda.log_val());
    for (index_t i = 0; i < n; ++i) {
      const double s = static_cast<double>(sigma.val(i)), l = static_cast<double>(lambda.val(i));
      const double z = (static_cast<double>(x.val(i)) - static_cast<double>(mu.val(i))) / s;
      const double ls = l * s, t = z - ls;
      lp += -ls * z + 0.5 * ls * ls + math::log_Phi(t);
      if constexpr (L::is_vec) lp += std::log(l);
      const double m = math::inv_mills(t);  // d log Phi(t) / dt
      x.add(i, static_cast<T>(m / s - l));
      mu.add(i, static_cast<T>(l - m / s));
      sigma.add(i, static_cast<T>(l * ls - m * (z / s + l)));
      lambda.add(i, static_cast<T>(1.0 / l - s * z + ls * s - s * m));
    }
    return lp;
  }

  // CDF = Phi(z) - E with E = exp(lambda (mu - x) + lambda^2 sigma^2 / 2) Phi(t), and
  // CCDF = Phi(-z) + E: the CCDF is a sum of positive terms (log_sum_exp) and the CDF the log
  // of Phi(z) (1 - E / Phi(z)), both in log space so neither tail underflows. Their partials:
  //   dCDF/dmu = -lambda E, dCDF/dsigma = lambda (phi(z) - lambda sigma E),
  //   dCDF/dlambda = sigma (t E + phi(z)).
  template <class X, class M, class S, class L>
  static double lcdf(index_t n, X& x, M& mu, S& sigma, L& lambda) {
    return cdf_sum(n, x, mu, sigma, lambda, false);
  }
  template <class X, class M, class S, class L>
  static double lccdf(index_t n, X& x, M& mu, S& sigma, L& lambda) {
    return cdf_sum(n, x, mu, sigma, lambda, true);
  }
  template <class X, class M, class S, class L>
  static double cdf_sum(index_t n, X& x, M& mu, S& sigma, L& lambda, bool upper) {
    using T = decltype(sigma.val(0));
    using std::exp, std::log, std::log1p, std::expm1;
    if (!all_positive(n, sigma) || !all_positive(n, lambda)) return -math::inf<double>;
    double total = 0;
    for (index_t i = 0; i < n; ++i) {
      const double s = static_cast<double>(sigma.val(i)), l = static_cast<double>(lambda.val(i));
      const double z = (static_cast<double>(x.val(i)) - static_cast<double>(mu.val(i))) / s;
      const double ls = l * s, t = z - ls;
      const double log_e = -ls * z + 0.5 * ls * ls + math::log_Phi(t);
      double lc;
      if (upper) {
        lc = math::log_sum_exp(math::log_Phi(-z), log_e);
      } else {
        const double lz = math::log_Phi(z), d = log_e - lz;  // log(E / Phi(z)) < 0
        lc = d >= 0 ? -math::inf<double> : lz + (d > -math::log_two ? log(-expm1(d)) : log1p(-exp(d)));
      }
      total += lc;
      if (!(lc > -math::inf<double>)) continue;
      const double sgn = upper ? -1.0 : 1.0;  // d CCDF = -d CDF
      const double e = exp(log_e - lc), ph = exp(math::log_phi(z) - lc);  // E and phi(z) over the (C)CDF
      mu.add(i, static_cast<T>(sgn * -l * e));
      sigma.add(i, static_cast<T>(sgn * l * (ph - ls * e)));
      lambda.add(i, static_cast<T>(sgn * s * (t * e + ph)));
    }
    return total;
  }

  static double generate(rng& g, double mu, double sigma, double lambda) {
    return mu + sigma * g.normal() + g.exponential() / lambda;
  }
};

template <class M, class S, class L>
auto exp_mod_normal(M&& mu, S&& sigma, L&& lambda) {
  return make_dist<exp_mod_normal_fn>(std::forward<M>(mu), std::forward<S>(sigma), std::forward<L>(lambda));
}

}  // namespace exmc
