#pragma once
// Pareto-smoothed importance sampling (Vehtari, Simpson, Gelman, Yao, Gabry 2024): the
// largest importance ratios are replaced by quantiles of a generalized Pareto distribution
// fitted to them, which stabilises the weights; the fitted shape k says how far the
// estimate can be trusted. Follows the R package loo 2.5 step for step.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "../core/error.hpp"

namespace exmc {

namespace detail {

template <class = void> inline double log_sum_exp(const Eigen::Ref<const Eigen::VectorXd>& x) {
  const double m = x.maxCoeff();
  if (!std::isfinite(m)) return m;
  return m + std::log((x.array() - m).exp().sum());
}

}  // namespace detail

// Generalized Pareto distribution (location 0) with shape k and scale sigma.
struct gpd_fit {
  double k;      // shape: the tail has finite moments of order < 1/k
  double sigma;  // scale
};

// Zhang and Stephens (2009) estimate of a generalized Pareto fit to positive exceedances
// given in ascending order: the posterior mean of theta = -k/sigma over a grid, each grid
// point weighted by its profile likelihood. With `weakly_informative_prior` the shape is
// shrunk towards 0.5 as if 10 extra observations had k = 0.5 (the prior of loo), which
// reduces the variance of k for short tails.
template <class = void> inline gpd_fit gpdfit(const Eigen::Ref<const Eigen::VectorXd>& sorted_x, bool weakly_informative_prior = true,
                      int min_grid_points = 30) {
  const Eigen::Index n = sorted_x.size();
  if (n < 2) throw model_error("gpdfit: need at least 2 exceedances, got " + std::to_string(n));
  const double nd = static_cast<double>(n);
  constexpr double prior = 3.0;
  const Eigen::Index m = min_grid_points + static_cast<Eigen::Index>(std::floor(std::sqrt(nd)));
  const double first_quartile = sorted_x[static_cast<Eigen::Index>(std::floor(nd / 4.0 + 0.5)) - 1];
  const double largest = sorted_x[n - 1];

  Eigen::VectorXd theta(m), log_lik(m);
  for (Eigen::Index j = 0; j < m; ++j) {
    const double jj = static_cast<double>(j + 1);
    theta[j] = 1.0 / largest + (1.0 - std::sqrt(static_cast<double>(m) / (jj - 0.5))) / prior / first_quartile;
    // Profile log-likelihood of theta, with k profiled out as mean(log1p(-theta x)).
    const double a = -theta[j];
    const double k = (a * sorted_x.array()).log1p().mean();
    log_lik[j] = nd * (std::log(a / k) - k - 1.0);
  }
  const Eigen::VectorXd w = (log_lik.array() - detail::log_sum_exp(log_lik)).exp();
  const double theta_hat = theta.dot(w);
  double k = (-theta_hat * sorted_x.array()).log1p().mean();
  const double sigma = -k / theta_hat;
  if (weakly_informative_prior) {
    constexpr double a = 10.0;
    k = k * nd / (nd + a) + a * 0.5 / (nd + a);
  }
  if (std::isnan(k)) k = std::numeric_limits<double>::infinity();
  return {k, sigma};
}

// Result of smoothing one vector of log importance ratios.
struct psis_result {
  Eigen::VectorXd log_weights;  // smoothed, truncated and normalised (log-sum-exp = 0)
  double pareto_k;              // shape of the fitted tail; Inf when the tail was too short
  Eigen::Index tail_length;     // number of largest ratios smoothed
  double n_eff;                 // effective sample size of the weights, times r_eff
};

// Length of the tail that is fitted: 20% of the draws at most, otherwise 3 sqrt(S / r_eff).
template <class = void> inline Eigen::Index psis_tail_length(Eigen::Index draws, double r_eff) {
  const double s = static_cast<double>(draws);
  return static_cast<Eigen::Index>(std::ceil(std::min(0.2 * s, 3.0 * std::sqrt(s / r_eff))));
}

// Smooths one vector of log importance ratios. r_eff is the relative efficiency (ESS / S)
// of the ratios' draws; it sets the tail length.
template <class = void> inline psis_result psis(const Eigen::Ref<const Eigen::VectorXd>& log_ratios, double r_eff = 1.0) {
  const Eigen::Index s = log_ratios.size();
  if (s == 0) throw model_error("psis: no log importance ratios given");
  if (!log_ratios.allFinite()) throw model_error("psis: log importance ratios must be finite");
  if (!(r_eff > 0.0) || !std::isfinite(r_eff))
    throw model_error("psis: r_eff must be positive and finite, got " + std::to_string(r_eff));

  psis_result out;
  out.tail_length = psis_tail_length(s, r_eff);
  out.pareto_k = std::numeric_limits<double>::infinity();
  const double max_ratio = log_ratios.maxCoeff();
  Eigen::VectorXd lw = log_ratios.array() - max_ratio;  // shift so exp() cannot overflow

  constexpr Eigen::Index min_tail = 5;
  if (out.tail_length >= min_tail) {
    std::vector<Eigen::Index> order(static_cast<std::size_t>(s));
    std::iota(order.begin(), order.end(), Eigen::Index{0});
    std::stable_sort(order.begin(), order.end(), [&lw](Eigen::Index a, Eigen::Index b) { return lw[a] < lw[b]; });
    const Eigen::Index first_tail = s - out.tail_length;
    Eigen::VectorXd tail(out.tail_length);
    for (Eigen::Index i = 0; i < out.tail_length; ++i) tail[i] = lw[order[static_cast<std::size_t>(first_tail + i)]];
    // A tail of identical values has no shape to fit; leave the weights raw (k = Inf).
    if (std::abs(tail[out.tail_length - 1] - tail[0]) >= std::numeric_limits<double>::epsilon() / 100.0 &&
        first_tail >= 1) {
      const double cutoff = lw[order[static_cast<std::size_t>(first_tail - 1)]];
      const double exp_cutoff = std::exp(cutoff);
      const Eigen::VectorXd exceedances = tail.array().exp() - exp_cutoff;
      const gpd_fit fit = gpdfit(exceedances);
      out.pareto_k = fit.k;
      if (std::isfinite(fit.k)) {
        // Replace the tail by the fitted quantiles at the midpoints of its order statistics.
        const double len = static_cast<double>(out.tail_length);
        for (Eigen::Index i = 0; i < out.tail_length; ++i) {
          const double p = (static_cast<double>(i) + 1.0 - 0.5) / len;
          double q = std::numeric_limits<double>::quiet_NaN();
          if (fit.sigma > 0.0) q = fit.sigma * std::expm1(-fit.k * std::log1p(-p)) / fit.k;
          lw[order[static_cast<std::size_t>(first_tail + i)]] = std::log(q + exp_cutoff);
        }
      }
    }
  }
  // Truncate at the largest raw ratio, then shift back.
  lw = lw.array().min(0.0);
  lw.array() += max_ratio;
  out.log_weights = lw.array() - detail::log_sum_exp(lw);
  out.n_eff = r_eff / out.log_weights.array().exp().square().sum();
  return out;
}

// How well an approximation q of a posterior p did (Yao, Vehtari, Simpson and Gelman 2018, "Yes,
// but did it work?"): the Pareto k of the importance ratios p/q at draws from q, given log p
// (unnormalised; -inf or NaN where the density failed, which gives weight 0) and log q of each
// draw. Below 0.5 q is close to p; up to 0.7 PSIS-reweighted estimates are usable; above 0.7
// neither q's draws nor their reweighting can be trusted. Ratios all equal to rounding (q is
// p up to its constant, an exact approximation) give -inf: a perfect fit, not a failed one.
// NaN when fewer than 25 draws are valid (no tail to fit).
template <class = void> inline double approximation_pareto_k(const Eigen::VectorXd& log_p, const Eigen::VectorXd& log_q) {
  if (log_p.size() != log_q.size())
    throw model_error("approximation_pareto_k: " + std::to_string(log_p.size()) + " values of log p but " +
                      std::to_string(log_q.size()) + " of log q");
  std::vector<double> ratios;
  for (Eigen::Index i = 0; i < log_p.size(); ++i)
    if (std::isfinite(log_p[i]) && std::isfinite(log_q[i])) ratios.push_back(log_p[i] - log_q[i]);
  if (ratios.size() < 25) return std::numeric_limits<double>::quiet_NaN();
  const Eigen::Map<const Eigen::VectorXd> r(ratios.data(), static_cast<Eigen::Index>(ratios.size()));
  const double spread = r.maxCoeff() - r.minCoeff();
  if (spread <= 1e-9 * std::max(1.0, r.cwiseAbs().maxCoeff())) return -std::numeric_limits<double>::infinity();
  return psis(r).pareto_k;
}

}  // namespace exmc
