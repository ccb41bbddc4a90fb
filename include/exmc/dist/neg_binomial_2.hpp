#pragma once
#include <array>
#include <limits>

#include "../core/random.hpp"
#include "../math/inc_beta.hpp"
#include "../math/log1m_exp.hpp"
#include "counts.hpp"
#include "dist.hpp"
#include "poisson.hpp"
#include "../math/special.hpp"

namespace exmc {

namespace detail {

// lgamma(phi + y) - lgamma(phi) - y log(phi) and digamma(phi + y) - digamma(phi): the parts of the
// negative binomial pmf that couple phi and the count y. Written directly they cancel: for
// phi = 1e12, lgamma(phi) is 3e13 while the difference is about y^2 / (2 phi). Small counts sum
// log1p(j / phi) and 1 / (phi + j) over j < y; large phi uses Stirling's series of the difference.
struct nb_count_terms {
  double log_ratio;
  double digamma_diff;
};
template <class = void>  // instantiated only when called (D72)
inline nb_count_terms nb_terms(double phi, double y) {
  if (y < 16) {
    nb_count_terms t{0, 0};
    for (double j = 0; j < y; ++j) {
      t.log_ratio += std::log1p(j / phi);
      t.digamma_diff += 1 / (phi + j);
    }
    return t;
  }
  if (phi < 16)
    return {math::lgamma(phi + y) - math::lgamma(phi) - y * std::log(phi), math::digamma(phi + y) - math::digamma(phi)};
  // Both >= 16: the series' first omitted terms are below 1e-16.
  auto stirling = [](double x) {  // lgamma(x) - [(x - 1/2) log x - x + log sqrt(2 pi)]
    const double r = 1 / x, r2 = r * r;
    return r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 * (1.0 / 1680 - r2 / 1188))));
  };
  auto psi_tail = [](double x) {  // digamma(x) - [log x - 1 / (2x)]
    const double r2 = 1 / (x * x);
    return -r2 * (1.0 / 12 - r2 * (1.0 / 120 - r2 * (1.0 / 252 - r2 * (1.0 / 240 - r2 / 132))));
  };
  const double l1p = std::log1p(y / phi);
  return {(phi + y - 0.5) * l1p - y + stirling(phi + y) - stirling(phi),
          l1p + 0.5 / phi - 0.5 / (phi + y) + psi_tail(phi + y) - psi_tail(phi)};
}

// nb_terms summed over the data for one phi. Counts are usually small and repeat, so below 256
// the per-count values come from a running table (one log1p per distinct count, not per element).
template <class Y>
nb_count_terms nb_terms_sum(index_t n, const Y& y, double phi) {
  constexpr int table_size = 256;
  double max_y = 0, min_y = 0;
  for (index_t i = 0; i < n; ++i) {
    max_y = std::max(max_y, static_cast<double>(y.val(i)));
    min_y = std::min(min_y, static_cast<double>(y.val(i)));
  }
  nb_count_terms s{0, 0};
  if (min_y >= 0 && max_y < table_size && max_y < static_cast<double>(n)) {
    std::array<double, table_size> lr, dd;
    lr[0] = dd[0] = 0;
    const int m = static_cast<int>(max_y);
    for (int k = 1; k <= m; ++k) {
      lr[k] = lr[k - 1] + std::log1p((k - 1) / phi);
      dd[k] = dd[k - 1] + 1 / (phi + (k - 1));
    }
    for (index_t i = 0; i < n; ++i) {
      const auto k = static_cast<std::size_t>(y.val(i));
      s.log_ratio += lr[k];
      s.digamma_diff += dd[k];
    }
    return s;
  }
  for (index_t i = 0; i < n; ++i) {
    const nb_count_terms t = nb_terms(phi, static_cast<double>(y.val(i)));
    s.log_ratio += t.log_ratio;
    s.digamma_diff += t.digamma_diff;
  }
  return s;
}

// The negative binomial with mean mu (or log mean eta = log mu) and dispersion phi:
//   log pmf = nb_terms.log_ratio - log y! + y log mu - (y + phi) log1p(mu / phi),
// with u = log(mu / phi), log1p(mu / phi) = log1p_exp(u) and w = mu / (mu + phi) = inv_logit(u):
//   d/deta = y - (y + phi) w,  d/dmu = that / mu,
//   d/dphi = digamma_diff - log1p_exp(u) + w - y (1 - w) / phi.
// Everything goes through u, so phi -> infinity tends to the Poisson pmf without cancellation.
template <bool LogMean, class Y, class M, class P>
double nb2_lpdf(index_t n, Y& y, M& m, P& phi) {
  using T = decltype(phi.val(0));
  if constexpr (LogMean) {
    if (!m.arr(n).isFinite().all()) return -math::inf<double>;
  } else {
    if (!((m.arr(n) > T(0)) && m.arr(n).isFinite()).all()) return -math::inf<double>;
  }
  if (!((phi.arr(n) > T(0)) && phi.arr(n).isFinite()).all()) return -math::inf<double>;
  const double log_fact = sum_log_factorial(n, y);
  if constexpr (!P::is_vec) {
    const double f = static_cast<double>(phi.val(0)), log_f = static_cast<double>(phi.log_val());
    const nb_count_terms c = nb_terms_sum(n, y, f);
    const auto ya = y.arr(n);
    if constexpr (!M::is_vec) {
      const double lm = LogMean ? static_cast<double>(m.val(0)) : static_cast<double>(m.log_val());
      const double u = lm - log_f, l1pe = math::log1p_exp(u), w = math::inv_logit(u);
      const double sy = sum_as_double(ya), dn = static_cast<double>(n);
      const double g_eta = sy - (sy + dn * f) * w;
      if constexpr (M::grad) m.add_total(static_cast<T>(LogMean ? g_eta : g_eta / static_cast<double>(m.val(0))));
      if constexpr (P::grad) phi.add_total(static_cast<T>(c.digamma_diff + dn * (w - l1pe) - sy * (1 - w) / f));
      return c.log_ratio - log_fact + sy * lm - (sy + dn * f) * l1pe;
    } else {
      const T ft = static_cast<T>(f);
      const auto ma = m.arr(n);
      const auto lm = [&] {
        if constexpr (LogMean)
          return ma;
        else
          return ma.log();
      }();
      const auto u = lm - static_cast<T>(log_f);
      const auto e = (-u.abs()).exp();
      const auto l1pe = u.max(T(0)) + (T(1) + e).log();
      const auto w = (u >= T(0)).select(T(1), e) / (T(1) + e);
      const auto g_eta = ya - (ya + ft) * w;
      if constexpr (M::grad) {
        if constexpr (LogMean)
          m.add_arr(g_eta);
        else
          m.add_arr(g_eta / ma);
      }
      if constexpr (P::grad)
        phi.add_total(static_cast<T>(c.digamma_diff + sum_as_double(w - l1pe - ya * (T(1) - w) / ft)));
      return c.log_ratio - log_fact + sum_as_double(ya * lm - (ya + ft) * l1pe);
    }
  } else {
    // Vector phi: one element at a time.
    double lp = -log_fact;
    for (index_t i = 0; i < n; ++i) {
      const double f = static_cast<double>(phi.val(i)), yi = static_cast<double>(y.val(i));
      const double mi = static_cast<double>(m.val(i));
      const double lm = LogMean ? mi : std::log(mi);
      const double u = lm - std::log(f), l1pe = math::log1p_exp(u), w = math::inv_logit(u);
      const nb_count_terms c = nb_terms(f, yi);
      lp += c.log_ratio + yi * lm - (yi + f) * l1pe;
      const double g_eta = yi - (yi + f) * w;
      m.add(i, static_cast<T>(LogMean ? g_eta : g_eta / mi));
      phi.add(i, static_cast<T>(c.digamma_diff + w - l1pe - yi * (1 - w) / f));
    }
    return lp;
  }
}

// log P(Y <= y) and log P(Y > y) for one count y >= 0 with log mean lm and dispersion f, and
// the partials of each in eta = log mu and in phi.
// P(Y <= y) = I_p(phi, y + 1) with p = phi / (mu + phi), and P(Y > y) = I_w(y + 1, phi) with
// w = 1 - p = mu / (mu + phi). The smaller of the two is computed, the other is log1m_exp of it:
//  - w <= (y + 2) / (y + phi + 3) (y at or above about the mean): the CCDF from math::log_ibeta,
//    whose series in w converges like a Poisson tail there. Its phi partial is the shape partial
//    plus the part through w: dI/dw dw/dphi = -K / phi and dI/dw dw/deta = K with
//    K = w^(y+1) (1 - w)^phi / B(y + 1, phi) = pmf(y) w (phi + y).
//  - otherwise the CDF from the terminating form of the same function for an integer second
//    shape (Pfaff's transformation of the hypergeometric series, DLMF 15.8.1):
//      P(Y <= y) = pmf(y) (1 + y / phi) T,  T = sum_{k=0..y} t_k,
//      t_k = prod_{j<k} (y - j) / (phi + 1 + j) * (phi / mu)^k.
//    Here phi / mu < (phi + 1) / (y + 2), so every term ratio is below 1 and the terms only
//    shrink; all are positive and so are their partials,
//      d log t_k / dphi = sum_{j<k} (1 + j) / (phi (phi + 1 + j)),  d log t_k / deta = -k,
//    so neither T nor its derivatives cancel. (The direct series of log_ibeta in the first
//    shape would need about phi / mu terms there: millions for a nearly Poisson phi.)
// The other probability is log1m_exp of the first while the first is below 1/2; above, it
// comes from log_ibeta / log_ibetac as well (a very skewed law, phi << 1, can put y beyond the
// mean yet keep the CDF below 1/2, and the reverse), with the same K for the part through w.
// pmf(y) and its partials are the lpdf's (nb_terms), exact for phi far above the counts.
struct nb_cdf_point {
  double lcdf, lccdf;
  double cdf_d_eta, cdf_d_phi, ccdf_d_eta, ccdf_d_phi;
};
template <class = void>  // instantiated only when called (D72)
inline nb_cdf_point nb2_cdf_point(double y, double lm, double f) {
  const double log_f = std::log(f), u = lm - log_f;
  const double l1pe = math::log1p_exp(u), w = math::inv_logit(u);
  const nb_count_terms c = nb_terms(f, y);
  const double lpmf = c.log_ratio - math::log_factorial(y) + y * lm - (y + f) * l1pe;
  const double pmf_eta = y - (y + f) * w;
  const double pmf_phi = c.digamma_diff + w - l1pe - y * (1 - w) / f;
  const double log_w = -math::log1p_exp(-u), log_1mw = -l1pe;
  const double log_k = lpmf + log_w + std::log(f + y);  // log K
  nb_cdf_point r{};
  // Each probability straight from the incomplete beta (values from Boost, exact in the tails).
  auto ccdf_from_ibeta = [&] {
    const math::log_inc_beta ib = math::log_ibeta(y + 1, f, log_w, log_1mw);
    const double k_over = std::exp(log_k - ib.value);  // K / CCDF
    r.lccdf = ib.value;
    r.ccdf_d_eta = k_over;
    r.ccdf_d_phi = ib.d_b - k_over / f;
  };
  auto cdf_from_ibeta = [&] {
    const math::log_inc_beta ib = math::log_ibetac(y + 1, f, log_w, log_1mw);
    const double k_over = std::exp(log_k - ib.value);  // K / CDF
    r.lcdf = ib.value;
    r.cdf_d_eta = -k_over;
    r.cdf_d_phi = ib.d_b + k_over / f;
  };
  // The other probability: 1 minus this one where this one is below 1/2 (no digits lost),
  // else directly (log1m_exp of a probability near 1 would lose the small complement's).
  auto complement = [&](double lp, double d_eta, double d_phi, double& lq, double& q_eta, double& q_phi, auto direct) {
    if (lp > -math::log_two) return direct();
    const double s = math::log1m_exp_slope(lp);
    lq = math::log1m_exp(lp);
    q_eta = s * d_eta;
    q_phi = s * d_phi;
  };
  if (std::exp(log_w) <= (y + 2) / (y + f + 3)) {
    ccdf_from_ibeta();
    complement(r.lccdf, r.ccdf_d_eta, r.ccdf_d_phi, r.lcdf, r.cdf_d_eta, r.cdf_d_phi, cdf_from_ibeta);
    return r;
  }
  const double z = std::exp(-u);
  double t = 1, sum = 1, sum_phi = 0, sum_k = 0, slope_phi = 0;
  for (double k = 0; k < y; ++k) {
    const double ratio = (y - k) / (f + 1 + k) * z;
    slope_phi += (1 + k) / (f * (f + 1 + k));
    t *= ratio;
    sum += t;
    sum_phi += t * slope_phi;
    sum_k += t * (k + 1);
    // The rest shrink at least by `ratio` each, so they add at most t ratio / (1 - ratio),
    // with partial weights growing at most linearly: stop when that is below rounding.
    if (t * (1 + slope_phi + k + 1) <= 1e-17 * sum * (1 - ratio)) break;
  }
  r.lcdf = lpmf + std::log1p(y / f) + std::log(sum);
  r.cdf_d_eta = pmf_eta - sum_k / sum;
  r.cdf_d_phi = pmf_phi - y / (f * (f + y)) + sum_phi / sum;
  // Above 1/2 the CDF's log has the absolute error of the pmf's terms (1e-10 for counts near
  // 1e5), too much for its small complement: take the CCDF from Boost and the CDF from that.
  auto ccdf_then_cdf = [&] {
    ccdf_from_ibeta();
    if (r.lccdf <= -math::log_two) {
      const double s = math::log1m_exp_slope(r.lccdf);
      r.lcdf = math::log1m_exp(r.lccdf);
      r.cdf_d_eta = s * r.ccdf_d_eta;
      r.cdf_d_phi = s * r.ccdf_d_phi;
    }
  };
  complement(r.lcdf, r.cdf_d_eta, r.cdf_d_phi, r.lccdf, r.ccdf_d_eta, r.ccdf_d_phi, ccdf_then_cdf);
  return r;
}

// Summed log CDF (Lower) or log CCDF; m is mu, or eta = log mu when LogMean.
template <bool Lower, bool LogMean, class Y, class M, class P>
double nb2_cdf_sum(index_t n, const Y& y, M& m, P& phi) {
  using T = decltype(phi.val(0));
  double total = 0;
  for (index_t i = 0; i < n; ++i) {
    const double mi = static_cast<double>(m.val(i)), f = static_cast<double>(phi.val(i));
    const double yi = static_cast<double>(y.val(i));
    if (!std::isfinite(mi) || !(LogMean || mi > 0)) return -math::inf<double>;
    if (!(f > 0) || !std::isfinite(f) || std::isnan(yi)) return -math::inf<double>;
    if (yi < 0) {  // below the support: CDF 0, CCDF 1
      if constexpr (Lower) return -math::inf<double>;
      continue;
    }
    if (yi == math::inf<double>) {  // CDF 1, CCDF 0
      if constexpr (!Lower) return -math::inf<double>;
      continue;
    }
    const nb_cdf_point r = nb2_cdf_point(std::floor(yi), LogMean ? mi : std::log(mi), f);
    const double v = Lower ? r.lcdf : r.lccdf;
    if (!std::isfinite(v)) return v;
    total += v;
    const double d_eta = Lower ? r.cdf_d_eta : r.ccdf_d_eta;
    m.add(i, static_cast<T>(LogMean ? d_eta : d_eta / mi));
    phi.add(i, static_cast<T>(Lower ? r.cdf_d_phi : r.ccdf_d_phi));
  }
  return total;
}

}  // namespace detail

// neg_binomial_2(mu, phi): mean mu > 0, dispersion phi > 0, variance mu + mu^2 / phi;
// C(y + phi - 1, y) (mu / (mu + phi))^y (phi / (mu + phi))^phi on y = 0, 1, ... Tends to
// poisson(mu) as phi -> infinity. Stan: neg_binomial_2; PyMC: NegativeBinomial (mu, alpha = phi).
struct neg_binomial_2_fn {
  static constexpr const char* name = "neg_binomial_2";
  static constexpr std::array<const char*, 2> arg_names{"mu", "phi"};
  static constexpr std::array<domain, 2> domains{domain::positive, domain::positive};
  static constexpr support_kind support = support_kind::nonneg_int;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = true;
  static bool in_support(double y) { return detail::is_count(y); }

  template <class Y, class M, class P>
  static double lpdf(index_t n, Y& y, M& mu, P& phi) {
    return detail::nb2_lpdf<false>(n, y, mu, phi);
  }

  // See detail::nb2_cdf_point; lccdf is log P(Y > y).
  template <class Y, class M, class P>
  static double lcdf(index_t n, const Y& y, M& mu, P& phi) {
    return detail::nb2_cdf_sum<true, false>(n, y, mu, phi);
  }
  template <class Y, class M, class P>
  static double lccdf(index_t n, const Y& y, M& mu, P& phi) {
    return detail::nb2_cdf_sum<false, false>(n, y, mu, phi);
  }

  // A gamma-Poisson mixture: lambda ~ gamma(phi, rate phi / mu), y ~ poisson(lambda).
  template <class = void>  // instantiated only when called (D72)
  static double generate(rng& g, double mu, double phi) {
    if (!(mu > 0 && phi > 0) || !std::isfinite(mu) || !std::isfinite(phi))
      return std::numeric_limits<double>::quiet_NaN();
    return poisson_fn::generate(g, g.gamma(phi) * (mu / phi));
  }
};

template <class M, class P>
auto neg_binomial_2(M&& mu, P&& phi) {
  return make_dist<neg_binomial_2_fn>(std::forward<M>(mu), std::forward<P>(phi));
}

}  // namespace exmc
