#pragma once
// Checks of an HMC/NUTS run from its per-transition statistics (Stan's column names:
// lp__, accept_stat__, stepsize__, treedepth__, n_leapfrog__, divergent__, energy__), and a
// plain-language verdict in the spirit of CmdStan's `diagnose`. In the data, chains and draws
// are indices from 0 (`chain_sampler_report::chain`, `divergent_draws`); the text calls chain
// index c "chain c+1", as every exmc message, file name and progress line does.
#include <Eigen/Core>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "../core/draws.hpp"
#include "summary.hpp"

namespace exmc {

struct chain_sampler_report {
  Eigen::Index chain = 0;  // index of the chain in the run (a failed chain leaves a gap)
  Eigen::Index draws = 0;
  std::vector<Eigen::Index> divergent_draws;  // indices of transitions that diverged
  Eigen::Index max_depth_hits = 0;            // transitions whose tree reached max_depth
  double e_bfmi = std::numeric_limits<double>::quiet_NaN();
  double stepsize = std::numeric_limits<double>::quiet_NaN();  // last step size of the chain
  double mean_accept_stat = std::numeric_limits<double>::quiet_NaN();
};

// Thresholds of the verdict. E-BFMI below 0.3 and any divergence follow Stan; R-hat above
// 1.01 and fewer than 100 effective draws per chain follow Vehtari et al. (2021).
struct diagnose_thresholds {
  double e_bfmi = 0.3;
  double r_hat = 1.01;
  double ess_per_chain = 100.0;
};

struct sampler_report {
  int max_depth = 10;
  diagnose_thresholds thresholds;
  std::vector<chain_sampler_report> chains;
  std::vector<std::string> unchecked;  // checks skipped because a column was missing
  // Chains that failed (no draws) or stopped early, each as its message ("chain 2: ..."):
  // filled by diagnose(fit) from a fit that records chain statuses.
  std::vector<std::string> failed, incomplete;
  Eigen::Index chains_requested = 0;  // 0: unknown (the chains given are all there were)
  // Quantities with NaN or infinite draws, as "name (k of n draws)".
  std::vector<std::string> non_finite;
  // Quantities failing the R-hat / ESS checks (filled when a posterior was given).
  bool convergence_checked = false;
  std::vector<std::string> high_r_hat, low_ess;

  Eigen::Index total_draws() const {
    Eigen::Index n = 0;
    for (const auto& c : chains) n += c.draws;
    return n;
  }
  Eigen::Index total_divergences() const {
    Eigen::Index n = 0;
    for (const auto& c : chains) n += static_cast<Eigen::Index>(c.divergent_draws.size());
    return n;
  }
  Eigen::Index total_max_depth_hits() const {
    Eigen::Index n = 0;
    for (const auto& c : chains) n += c.max_depth_hits;
    return n;
  }
  // Positions in `chains` (not chain indices) of the chains with a low E-BFMI.
  std::vector<Eigen::Index> low_e_bfmi_chains() const {
    std::vector<Eigen::Index> out;
    for (std::size_t c = 0; c < chains.size(); ++c)
      if (chains[c].e_bfmi < thresholds.e_bfmi) out.push_back(static_cast<Eigen::Index>(c));
    return out;
  }
  bool ok() const {
    return failed.empty() && incomplete.empty() && non_finite.empty() && total_divergences() == 0 &&
           total_max_depth_hits() == 0 && low_e_bfmi_chains().empty() && high_r_hat.empty() && low_ess.empty();
  }

  std::string verdict() const;
};

namespace detail {

template <class = void> inline std::string percent(Eigen::Index part, Eigen::Index whole) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2g%%", whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0);
  return buf;
}

template <class = void> inline std::string join_names(const std::vector<std::string>& names) {
  std::string s;
  for (std::size_t i = 0; i < names.size() && i < 10; ++i) s += (i ? ", " : "") + names[i];
  if (names.size() > 10) s += ", ... (" + std::to_string(names.size() - 10) + " more)";
  return s;
}

// Energy Bayesian fraction of missing information (Betancourt 2016): how much the energy
// changes between transitions relative to its marginal spread. Small values mean the
// momentum resampling cannot move the chain across the energy levels of the posterior.
template <class = void> inline double e_bfmi(const Eigen::VectorXd& energy) {
  const Eigen::Index n = energy.size();
  if (n < 2) return std::numeric_limits<double>::quiet_NaN();
  const double jumps = (energy.tail(n - 1) - energy.head(n - 1)).squaredNorm();
  const double spread = (energy.array() - energy.mean()).square().sum();
  return jumps / spread;
}

}  // namespace detail

inline std::string sampler_report::verdict() const {
  std::string s;
  const Eigen::Index total = total_draws();
  const std::string of_total = " of " + std::to_string(total) + " transitions (";
  const auto label = [](Eigen::Index chain) { return "chain " + std::to_string(chain + 1); };
  const std::string run_size = chains_requested > 0 ? std::to_string(chains_requested) : std::to_string(chains.size() + failed.size());
  // What is missing comes first: every number below describes only the chains that are there.
  if (!failed.empty()) {
    s += std::to_string(failed.size()) + " of " + run_size + " chains" +
         " FAILED and contributed no draws; everything below describes the other chains only:\n";
    for (const auto& f : failed) s += "  " + f + "\n";
  }
  if (!incomplete.empty()) {
    s += "INCOMPLETE RUN: " + std::to_string(incomplete.size()) + " of " + run_size + " chains" +
         " stopped early; the draws made so far are used, chains cut to the shortest one:\n";
    for (const auto& f : incomplete) s += "  " + f + "\n";
  }
  if (chains.empty()) return s + "No draws: nothing else could be checked.\nProblems detected: see above.\n";
  for (const auto& u : unchecked) s += u + "\n";

  const Eigen::Index div = total_divergences();
  if (div == 0) {
    s += "No divergent transitions.\n";
  } else {
    std::string per_chain;
    for (std::size_t c = 0; c < chains.size(); ++c)
      if (!chains[c].divergent_draws.empty())
        per_chain += (per_chain.empty() ? "" : ", ") + label(chains[c].chain) + ": " +
                     std::to_string(chains[c].divergent_draws.size());
    s += std::to_string(div) + of_total + detail::percent(div, total) + ") diverged (" + per_chain +
         "). The sampler could not follow the curvature of the posterior there, so the draws may be biased; "
         "consider increasing adapt_delta towards 1 or reparameterising the model (e.g. non-centred).\n";
  }

  const Eigen::Index hits = total_max_depth_hits();
  if (hits == 0) {
    s += "No transition hit the maximum tree depth of " + std::to_string(max_depth) + ".\n";
  } else {
    s += std::to_string(hits) + of_total + detail::percent(hits, total) + ") hit the maximum tree depth of " +
         std::to_string(max_depth) +
         ". This costs efficiency, not validity; consider increasing max_depth or reparameterising the model.\n";
  }

  const auto low = low_e_bfmi_chains();
  if (low.empty()) {
    s += "E-BFMI satisfactory for all " + std::to_string(chains.size()) + " chains.\n";
  } else {
    std::string list;
    for (const auto c : low) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "chain %ld: %.2f", static_cast<long>(chains[static_cast<std::size_t>(c)].chain + 1),
                    chains[static_cast<std::size_t>(c)].e_bfmi);
      list += (list.empty() ? "" : ", ") + std::string(buf);
    }
    char threshold[32];
    std::snprintf(threshold, sizeof threshold, "%.2g", thresholds.e_bfmi);
    s += "E-BFMI below " + std::string(threshold) + " in " + std::to_string(low.size()) + " of " +
         std::to_string(chains.size()) + " chains (" + list +
         "): momentum resampling explores the energy distribution poorly and the chains may miss the tails; "
         "consider reparameterising the model.\n";
  }

  if (convergence_checked) {
    if (!non_finite.empty())
      s += "Non-finite draws (NaN or Inf) in " + detail::join_names(non_finite) +
           ": the density or a derived quantity overflowed there; means, sds and MCSEs of these quantities are "
           "undefined and their other statistics describe only part of the posterior.\n";
    if (!high_r_hat.empty())
      s += "R-hat above " + detail::format_cell(thresholds.r_hat, "%.3g") + " for " + detail::join_names(high_r_hat) +
           ": the chains disagree; run longer or fix the model before using these draws.\n";
    if (!low_ess.empty())
      s += "Bulk or tail ESS below " + detail::format_cell(thresholds.ess_per_chain, "%.0f") +
           " per chain for " + detail::join_names(low_ess) +
           ": too few effective draws for reliable estimates; run longer chains.\n";
    if (high_r_hat.empty() && low_ess.empty())
      s += non_finite.empty() ? "R-hat and ESS satisfactory for all quantities.\n"
                              : "R-hat and ESS satisfactory for all quantities where they are defined.\n";
  }
  s += ok() ? "No problems detected.\n" : "Problems detected: see above.\n";
  return s;
}

// Sampler checks from the per-transition statistics; max_depth is the tree-depth limit the
// run used (10 is Stan's default).
template <class = void> inline sampler_report diagnose(const draws& sample_stats, int max_depth = 10, diagnose_thresholds thresholds = {}) {
  detail::require_consistent(sample_stats, "diagnose");
  if (max_depth < 1) throw model_error("diagnose: max_depth must be at least 1, got " + std::to_string(max_depth));
  sampler_report r;
  r.max_depth = max_depth;
  r.thresholds = thresholds;
  const auto find = [&](const char* name) -> Eigen::Index {
    for (std::size_t j = 0; j < sample_stats.names.size(); ++j)
      if (sample_stats.names[j] == name) return static_cast<Eigen::Index>(j);
    return -1;
  };
  const Eigen::Index divergent = find("divergent__");
  const Eigen::Index treedepth = find("treedepth__");
  const Eigen::Index energy = find("energy__");
  const Eigen::Index stepsize = find("stepsize__");
  const Eigen::Index accept = find("accept_stat__");
  if (divergent < 0) r.unchecked.push_back("Divergences not checked: no divergent__ column.");
  if (treedepth < 0) r.unchecked.push_back("Tree depth not checked: no treedepth__ column.");
  if (energy < 0) r.unchecked.push_back("E-BFMI not checked: no energy__ column.");

  for (const auto& chain : sample_stats.chains) {
    chain_sampler_report c;
    c.chain = static_cast<Eigen::Index>(r.chains.size());
    c.draws = chain.rows();
    for (Eigen::Index i = 0; i < chain.rows(); ++i) {
      if (divergent >= 0 && chain(i, divergent) != 0.0) c.divergent_draws.push_back(i);
      if (treedepth >= 0 && chain(i, treedepth) >= max_depth) ++c.max_depth_hits;
    }
    if (energy >= 0) c.e_bfmi = detail::e_bfmi(chain.col(energy));
    if (stepsize >= 0 && chain.rows() > 0) c.stepsize = chain(chain.rows() - 1, stepsize);
    if (accept >= 0 && chain.rows() > 0) c.mean_accept_stat = chain.col(accept).mean();
    r.chains.push_back(std::move(c));
  }
  return r;
}

// Adds the R-hat and ESS checks of every posterior quantity to a sampler report.
template <class = void> inline void check_convergence(sampler_report& r, const summary_table& posterior_summary, Eigen::Index num_chains) {
  r.convergence_checked = true;
  const double min_ess = r.thresholds.ess_per_chain * static_cast<double>(num_chains);
  for (const auto& row : posterior_summary) {
    if (row.non_finite > 0)
      r.non_finite.push_back(row.name + " (" + std::to_string(row.non_finite) + " of " + std::to_string(row.draws) + " draws)");
    // NaN R-hat / ESS come from constant quantities (e.g. fixed generated values): no verdict.
    if (row.r_hat > r.thresholds.r_hat) r.high_r_hat.push_back(row.name);
    if (row.ess_bulk < min_ess || row.ess_tail < min_ess) r.low_ess.push_back(row.name);
  }
}

// Full check of a fit with `posterior` and `sample_stats` draws (e.g. the NUTS fit).
template <class Fit>
  requires HasPosterior<Fit> && requires(const Fit& f) {
    { f.sample_stats } -> std::convertible_to<const draws&>;
  }
sampler_report diagnose(const Fit& fit, int max_depth = 0, diagnose_thresholds thresholds = {}) {
  // max_depth 0: the fit's own limit when it records one, else Stan's default 10.
  if (max_depth <= 0) {
    if constexpr (requires { fit.max_depth; })
      max_depth = fit.max_depth;
    else
      max_depth = 10;
  }
  const draws& posterior = fit.posterior;
  sampler_report r;
  if (posterior.num_chains() > 0) {
    r = diagnose(static_cast<const draws&>(fit.sample_stats), max_depth, thresholds);
  } else {  // every chain failed: nothing to check but the failures
    r.max_depth = max_depth;
    r.thresholds = thresholds;
  }
  // Chain numbers and fates, from a fit that records them (exmc::fit does).
  if constexpr (requires { fit.chain_ids; fit.status; }) {
    for (std::size_t i = 0; i < r.chains.size() && i < fit.chain_ids.size(); ++i) r.chains[i].chain = fit.chain_ids[i];
    r.chains_requested = static_cast<Eigen::Index>(fit.status.size());
    for (std::size_t c = 0; c < fit.status.size(); ++c) {
      const std::string outcome = to_string(fit.status[c].outcome);  // "ok", "stopped" or "failed"
      std::string message = fit.status[c].message;
      if (message.empty()) message = "chain " + std::to_string(c + 1) + ": " + outcome;
      if (outcome == "failed") r.failed.push_back(message);
      else if (outcome == "stopped") r.incomplete.push_back(message);
    }
  }
  if (posterior.num_chains() > 0) check_convergence(r, summary(posterior), posterior.num_chains());
  return r;
}

}  // namespace exmc
