#pragma once
// Predictive accuracy from a pointwise log-likelihood matrix (draws x observations):
// PSIS-LOO (Vehtari, Gelman, Gabry 2017) and WAIC (Watanabe 2010), as in the R package loo.
#include <Eigen/Core>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "../math/special.hpp"
#include "convergence.hpp"
#include "psis.hpp"

namespace exmc {

namespace detail {

template <class = void> inline void require_log_lik(const Eigen::MatrixXd& log_lik, const char* who) {
  if (log_lik.rows() < 2 || log_lik.cols() == 0)
    throw model_error(std::string(who) + ": the log-likelihood matrix must be draws x observations with at least " +
                      "2 draws and 1 observation, got " + std::to_string(log_lik.rows()) + " x " +
                      std::to_string(log_lik.cols()));
  for (Eigen::Index j = 0; j < log_lik.cols(); ++j)
    for (Eigen::Index i = 0; i < log_lik.rows(); ++i)
      if (!std::isfinite(log_lik(i, j)))
        throw model_error(std::string(who) + ": log-likelihood of observation " + std::to_string(j) + " in draw " +
                          std::to_string(i) + " is not finite (" + std::to_string(log_lik(i, j)) + ")");
}

// Total of pointwise values and its standard error sqrt(N var(pointwise)): the
// observations are treated as a sample from the data distribution.
template <class = void> inline std::pair<double, double> total_and_se(const Eigen::VectorXd& pointwise) {
  return {pointwise.sum(), std::sqrt(static_cast<double>(pointwise.size()) * sample_variance(pointwise))};
}

template <class = void> inline std::string format_number(double x, const char* fmt = "%.2f") {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, x);
  return buf;
}

}  // namespace detail

// Relative efficiency (ESS / S) of exp(log-likelihood) per observation, the r_eff loo uses
// for the PSIS tail length. Rows are grouped into chains by chain_id (any integer labels,
// each chain the same length, rows of one chain in draw order). A column whose likelihood is
// constant has no defined ESS; it gets r_eff = 1 (its weights are all equal anyway).
template <class = void> inline Eigen::VectorXd relative_eff(const Eigen::MatrixXd& log_lik, const std::vector<int>& chain_id) {
  detail::require_log_lik(log_lik, "relative_eff");
  if (static_cast<Eigen::Index>(chain_id.size()) != log_lik.rows())
    throw model_error("relative_eff: chain_id has " + std::to_string(chain_id.size()) + " entries but log_lik has " +
                      std::to_string(log_lik.rows()) + " rows");
  std::map<int, std::vector<Eigen::Index>> rows_of;
  for (std::size_t i = 0; i < chain_id.size(); ++i) rows_of[chain_id[i]].push_back(static_cast<Eigen::Index>(i));
  const std::size_t per_chain = rows_of.begin()->second.size();
  for (const auto& [id, rows] : rows_of)
    if (rows.size() != per_chain)
      throw model_error("relative_eff: chain " + std::to_string(id) + " has " + std::to_string(rows.size()) +
                        " draws, chain " + std::to_string(rows_of.begin()->first) + " has " +
                        std::to_string(per_chain) + "; all chains need the same number");
  const auto n = static_cast<Eigen::Index>(per_chain);
  const auto chains = static_cast<Eigen::Index>(rows_of.size());
  Eigen::VectorXd r_eff(log_lik.cols());
  Eigen::MatrixXd lik(n, chains);
  for (Eigen::Index j = 0; j < log_lik.cols(); ++j) {
    Eigen::Index c = 0;
    for (const auto& entry : rows_of) {
      for (Eigen::Index i = 0; i < n; ++i) lik(i, c) = std::exp(log_lik(entry.second[static_cast<std::size_t>(i)], j));
      ++c;
    }
    const double ess = detail::ess_of_chains(lik);
    r_eff[j] = std::isnan(ess) ? 1.0 : ess / static_cast<double>(n * chains);
  }
  return r_eff;
}

// Same, for rows stacked chain after chain (num_chains blocks of equal length).
template <class = void> inline Eigen::VectorXd relative_eff(const Eigen::MatrixXd& log_lik, Eigen::Index num_chains) {
  if (num_chains < 1 || log_lik.rows() % num_chains != 0)
    throw model_error("relative_eff: " + std::to_string(log_lik.rows()) + " draws cannot be split into " +
                      std::to_string(num_chains) + " chains of equal length");
  std::vector<int> ids(static_cast<std::size_t>(log_lik.rows()));
  const Eigen::Index per_chain = log_lik.rows() / num_chains;
  for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int>(static_cast<Eigen::Index>(i) / per_chain);
  return relative_eff(log_lik, ids);
}

// PSIS-LOO estimate of the expected log pointwise predictive density.
struct loo_result {
  double elpd_loo = 0, se_elpd_loo = 0;  // sum over observations of log p(y_i | y_-i)
  double p_loo = 0, se_p_loo = 0;        // effective number of parameters: lpd - elpd_loo
  double looic = 0, se_looic = 0;        // -2 elpd_loo (deviance scale)
  Eigen::VectorXd pointwise_elpd;        // elpd_loo per observation
  Eigen::VectorXd pointwise_p;           // p_loo per observation
  Eigen::VectorXd mcse_elpd;             // Monte Carlo SE of each pointwise elpd_loo
  Eigen::VectorXd pareto_k;              // PSIS shape per observation
  Eigen::VectorXd n_eff;                 // PSIS effective sample size per observation

  // Observations whose importance weights have too heavy a tail to trust (k > threshold).
  std::vector<Eigen::Index> high_pareto_k(double threshold = 0.7) const {
    std::vector<Eigen::Index> out;
    for (Eigen::Index i = 0; i < pareto_k.size(); ++i)
      if (!(pareto_k[i] <= threshold)) out.push_back(i);
    return out;
  }

  // Plain-language warnings (empty when every k <= 0.5), following loo's thresholds.
  std::vector<std::string> warnings() const {
    std::vector<std::string> out;
    const auto bad = high_pareto_k(0.7);
    const auto slightly = high_pareto_k(0.5);
    const std::string n = std::to_string(pareto_k.size());
    if (!bad.empty()) {
      std::string ids;
      for (std::size_t i = 0; i < bad.size() && i < 10; ++i) ids += (i ? ", " : "") + std::to_string(bad[i]);
      if (bad.size() > 10) ids += ", ...";
      out.push_back(std::to_string(bad.size()) + " of " + n +
                    " observations have Pareto k > 0.7 (observations " + ids +
                    "): elpd_loo is unreliable for them; refit without those points or use k-fold cross-validation");
    } else if (!slightly.empty()) {
      out.push_back(std::to_string(slightly.size()) + " of " + n +
                    " observations have Pareto k in (0.5, 0.7]: elpd_loo is usable but noisier");
    }
    return out;
  }
};

// PSIS-LOO from log_lik (draws x observations) and r_eff per observation (1 when the draws
// are independent; relative_eff() estimates it from MCMC chains).
template <class = void> inline loo_result loo(const Eigen::MatrixXd& log_lik, const Eigen::VectorXd& r_eff) {
  detail::require_log_lik(log_lik, "loo");
  const Eigen::Index s = log_lik.rows();
  const Eigen::Index n = log_lik.cols();
  if (r_eff.size() != n)
    throw model_error("loo: r_eff has " + std::to_string(r_eff.size()) + " entries, log_lik has " + std::to_string(n) +
                      " observations");

  // Normal scores used to turn the variance of the importance-sampling estimate of the
  // predictive density into a variance on the log scale (loo's deterministic quadrature).
  constexpr int quadrature_points = 1000;
  Eigen::VectorXd normal_scores(quadrature_points);
  for (int r = 0; r < quadrature_points; ++r)
    normal_scores[r] = math::normal_quantile((r + 1 - 3.0 / 8.0) / (quadrature_points - 0.75 + 1.0));

  loo_result out;
  out.pointwise_elpd.resize(n);
  out.pointwise_p.resize(n);
  out.mcse_elpd.resize(n);
  out.pareto_k.resize(n);
  out.n_eff.resize(n);
  const double log_s = std::log(static_cast<double>(s));
  for (Eigen::Index i = 0; i < n; ++i) {
    const Eigen::VectorXd ll = log_lik.col(i);
    // Leaving observation i out reweights draws by 1 / p(y_i | theta).
    const psis_result w = psis(-ll, r_eff[i]);
    const double elpd = detail::log_sum_exp(ll + w.log_weights);
    const double lpd = detail::log_sum_exp(ll) - log_s;
    out.pointwise_elpd[i] = elpd;
    out.pointwise_p[i] = lpd - elpd;
    out.pareto_k[i] = w.pareto_k;
    out.n_eff[i] = w.n_eff;

    const double e_epd = std::exp(elpd);
    const double var_epd =
        (w.log_weights.array().exp().square() * (ll.array().exp() - e_epd).square()).sum();
    const Eigen::ArrayXd z = e_epd + std::sqrt(var_epd) * normal_scores.array();
    std::vector<double> log_z;
    for (Eigen::Index r = 0; r < z.size(); ++r)
      if (z[r] > 0) log_z.push_back(std::log(z[r]));
    const Eigen::Map<const Eigen::VectorXd> lz(log_z.data(), static_cast<Eigen::Index>(log_z.size()));
    out.mcse_elpd[i] = std::sqrt(detail::sample_variance(lz) / r_eff[i]);
  }
  std::tie(out.elpd_loo, out.se_elpd_loo) = detail::total_and_se(out.pointwise_elpd);
  std::tie(out.p_loo, out.se_p_loo) = detail::total_and_se(out.pointwise_p);
  std::tie(out.looic, out.se_looic) = detail::total_and_se(-2.0 * out.pointwise_elpd);
  return out;
}

// PSIS-LOO treating the draws as independent (r_eff = 1), loo's default.
template <class = void> inline loo_result loo(const Eigen::MatrixXd& log_lik) {
  return loo(log_lik, Eigen::VectorXd::Ones(log_lik.cols()));
}

// Widely applicable information criterion.
struct waic_result {
  double elpd_waic = 0, se_elpd_waic = 0;  // lpd - p_waic
  double p_waic = 0, se_p_waic = 0;        // sum of posterior variances of log p(y_i | theta)
  double waic = 0, se_waic = 0;            // -2 elpd_waic
  Eigen::VectorXd pointwise_elpd;
  Eigen::VectorXd pointwise_p;

  // WAIC is unreliable when single observations carry much of p_waic (> 0.4, as in loo).
  std::vector<std::string> warnings() const {
    Eigen::Index high = 0;
    for (Eigen::Index i = 0; i < pointwise_p.size(); ++i) high += pointwise_p[i] > 0.4;
    if (high == 0) return {};
    return {std::to_string(high) + " of " + std::to_string(pointwise_p.size()) +
            " observations have p_waic > 0.4: WAIC may be unreliable; prefer loo()"};
  }
};

template <class = void> inline waic_result waic(const Eigen::MatrixXd& log_lik) {
  detail::require_log_lik(log_lik, "waic");
  const Eigen::Index n = log_lik.cols();
  const double log_s = std::log(static_cast<double>(log_lik.rows()));
  waic_result out;
  out.pointwise_elpd.resize(n);
  out.pointwise_p.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const Eigen::VectorXd ll = log_lik.col(i);
    out.pointwise_p[i] = detail::sample_variance(ll);
    out.pointwise_elpd[i] = detail::log_sum_exp(ll) - log_s - out.pointwise_p[i];
  }
  std::tie(out.elpd_waic, out.se_elpd_waic) = detail::total_and_se(out.pointwise_elpd);
  std::tie(out.p_waic, out.se_p_waic) = detail::total_and_se(out.pointwise_p);
  std::tie(out.waic, out.se_waic) = detail::total_and_se(-2.0 * out.pointwise_elpd);
  return out;
}

}  // namespace exmc
