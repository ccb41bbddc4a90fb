#pragma once
// R-hat and effective sample sizes of one quantity (Vehtari, Gelman, Simpson, Carpenter and
// Buerkner 2021, "Rank-normalization, folding, and localization"). Each function takes a
// (draws x chains) matrix and returns NaN where the quantity cannot be estimated (constant
// or non-finite draws, fewer than three draws per split chain), as the R package posterior
// returns NA. The arithmetic follows posterior 1.4 step for step so results agree with it to
// rounding error.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>

#include "autocorrelation.hpp"
#include "draw_transforms.hpp"

namespace exmc {

namespace detail {

// Multi-chain ESS of the chains exactly as given (no splitting, no ranks): the combined
// autocorrelation of Geyer's initial monotone sequence, with the improved (antithetic
// friendly) truncation and a cap of S log10(S) on the ESS.
template <class = void> inline double ess_of_chains(const Eigen::MatrixXd& x) {
  const Eigen::Index chains = x.cols();
  const Eigen::Index n = x.rows();
  if (n < 3 || not_estimable(x)) return not_available;

  mean_autocovariance acov(x);
  const double nd = static_cast<double>(n);
  const double mean_var = acov(0) * nd / (nd - 1.0);
  double var_plus = mean_var * (nd - 1.0) / nd;
  if (chains > 1) var_plus += sample_variance(x.colwise().mean().transpose());

  // Geyer's initial positive sequence: sums of adjacent pairs of autocorrelations stay
  // positive for a reversible chain; stop at the first pair that does not.
  Eigen::VectorXd rho = Eigen::VectorXd::Zero(n);
  Eigen::Index t = 0;
  double rho_even = 1.0;
  double rho_odd = 1.0 - (mean_var - acov(1)) / var_plus;
  rho[0] = rho_even;
  rho[1] = rho_odd;
  while (t < n - 5 && !std::isnan(rho_even + rho_odd) && rho_even + rho_odd > 0.0) {
    t += 2;
    rho_even = 1.0 - (mean_var - acov(t)) / var_plus;
    rho_odd = 1.0 - (mean_var - acov(t + 1)) / var_plus;
    if (rho_even + rho_odd >= 0.0) {
      rho[t] = rho_even;
      rho[t + 1] = rho_odd;
    }
  }
  const Eigen::Index max_t = t;
  // Keeping the last positive even lag reduces the variance of the estimate for
  // antithetic chains.
  if (rho_even > 0.0) rho[max_t] = rho_even;

  // Geyer's initial monotone sequence: pair sums may not increase.
  t = 0;
  while (t <= max_t - 4) {
    t += 2;
    const double previous = rho[t - 2] + rho[t - 1];
    if (rho[t] + rho[t + 1] > previous) {
      rho[t] = previous / 2.0;
      rho[t + 1] = rho[t];
    }
  }

  const double total = static_cast<double>(chains * n);
  // posterior sums rho[1:max_t] in R, which for max_t = 0 is rho[1] alone (R drops index
  // 0); reproduce that so tiny chains give the same number.
  const double head = max_t == 0 ? rho[0] : rho.head(max_t).sum();
  double tau = -1.0 + 2.0 * head + rho[max_t];
  // A negative or tiny tau (strongly antithetic chains) would give an unstable, huge ESS;
  // cap the ESS at S log10(S).
  tau = std::max(tau, 1.0 / std::log10(total));
  return total / tau;
}

// Potential scale reduction of the chains exactly as given: sqrt of the ratio of the
// pooled variance estimate to the mean within-chain variance.
template <class = void> inline double rhat_of_chains(const Eigen::MatrixXd& x) {
  if (not_estimable(x)) return not_available;
  // Chains each constant but not all equal: no within-chain variance at all, R-hat = +inf.
  // (posterior returns ~1e15 there from the rounding left in a zero variance.)
  bool each_constant = x.rows() > 1;
  for (Eigen::Index c = 0; c < x.cols() && each_constant; ++c)
    each_constant = std::abs(x.col(c).maxCoeff() - x.col(c).minCoeff()) < std::numeric_limits<double>::epsilon();
  if (each_constant) return std::numeric_limits<double>::infinity();
  const double n = static_cast<double>(x.rows());
  const Eigen::VectorXd chain_mean = x.colwise().mean().transpose();
  double var_within = 0.0;
  for (Eigen::Index c = 0; c < x.cols(); ++c) var_within += sample_variance(x.col(c));
  var_within /= static_cast<double>(x.cols());
  const double var_between = n * sample_variance(chain_mean);
  return std::sqrt((var_between / var_within + n - 1.0) / n);
}

// ESS of the indicator I(x <= q), split chains.
template <class = void> inline double ess_below(const Eigen::MatrixXd& x, double q) {
  return ess_of_chains(split_chains((x.array() <= q).cast<double>().matrix()));
}

// R's min/max: NA wins.
template <class = void> inline double min_na(double a, double b) { return std::isnan(a) || std::isnan(b) ? not_available : std::min(a, b); }
template <class = void> inline double max_na(double a, double b) { return std::isnan(a) || std::isnan(b) ? not_available : std::max(a, b); }

}  // namespace detail

// Classic split R-hat (Gelman-Rubin on half chains), without rank normalisation.
template <class = void> inline double rhat_basic(const Eigen::MatrixXd& x, bool split = true) {
  detail::require_draws(x, "rhat_basic");
  return detail::rhat_of_chains(split ? detail::split_chains(x) : x);
}

// ESS of the raw draws (no ranks), split by default.
template <class = void> inline double ess_basic(const Eigen::MatrixXd& x, bool split = true) {
  detail::require_draws(x, "ess_basic");
  return detail::ess_of_chains(split ? detail::split_chains(x) : x);
}

// Rank-normalised split R-hat: the larger of the bulk R-hat (ranks of the draws) and the
// tail R-hat (ranks of the draws folded around the median). Values above 1.01 mean the
// chains have not mixed.
template <class = void> inline double rhat(const Eigen::MatrixXd& x) {
  detail::require_draws(x, "rhat");
  const double bulk = detail::rhat_of_chains(detail::z_scale(detail::split_chains(x)));
  const double tail = detail::rhat_of_chains(detail::z_scale(detail::split_chains(detail::fold(x))));
  return detail::max_na(bulk, tail);
}

// ESS of the mean (split chains, raw draws): the number of independent draws that would
// estimate the mean as precisely.
template <class = void> inline double ess_mean(const Eigen::MatrixXd& x) {
  detail::require_draws(x, "ess_mean");
  return detail::ess_of_chains(detail::split_chains(x));
}

// Bulk ESS: ESS of the rank-normalised split chains; well defined without finite moments.
template <class = void> inline double ess_bulk(const Eigen::MatrixXd& x) {
  detail::require_draws(x, "ess_bulk");
  return detail::ess_of_chains(detail::z_scale(detail::split_chains(x)));
}

// ESS of the indicator I(x <= q_p): how well the p-quantile (or the probability mass below
// it) is estimated.
template <class = void> inline double ess_quantile(const Eigen::MatrixXd& x, double p) {
  detail::require_draws(x, "ess_quantile");
  if (!(p >= 0.0 && p <= 1.0))
    throw model_error(str_cat({"ess_quantile: probability ", std::to_string(p), " is not in [0, 1]"}));
  if (detail::not_estimable(x)) return detail::not_available;
  const double s = static_cast<double>(x.size());
  if (p == 1.0) p = (s - 0.5) / s;  // the indicator of the maximum would be constant
  return detail::ess_below(x, quantile(x, p));
}

// Tail ESS: the smaller of the ESS of the 5% and 95% quantiles; governs the reliability of
// 90% intervals.
template <class = void> inline double ess_tail(const Eigen::MatrixXd& x) {
  detail::require_draws(x, "ess_tail");
  return detail::min_na(ess_quantile(x, 0.05), ess_quantile(x, 0.95));
}

// ESS for the standard deviation (posterior's ess_sd): ESS of |x - mean|.
template <class = void> inline double ess_sd(const Eigen::MatrixXd& x) {
  detail::require_draws(x, "ess_sd");
  return detail::ess_of_chains(detail::split_chains((x.array() - x.mean()).abs().matrix()));
}

}  // namespace exmc
