#pragma once
// The result of exmc::sample: draws, sampler statistics, adaptation state, timings and the fate
// of every chain.
#include <Eigen/Core>
#include <cstddef>
#include <string>
#include <vector>

#include "../core/draws.hpp"
#include "../core/error.hpp"
#include "metric.hpp"
#include "options.hpp"

namespace exmc {

enum class chain_outcome {
  ok,       // all requested iterations ran
  stopped,  // stopped early by the callback or the stop token; its draws so far are kept
  failed,   // could not initialise, or the density kept throwing; it contributes no draws
};

inline const char* to_string(chain_outcome o) {
  return o == chain_outcome::ok ? "ok" : o == chain_outcome::stopped ? "stopped" : "failed";
}

// How exmc names a chain in everything a person reads (messages, verdicts, progress, file names,
// the CSV `id`): from 1, as Stan and ArviZ users count them. C++ indices (draw_event::chain,
// fit::chain_ids, the per-chain vectors below) count from 0: chain_label(0) == "chain 1".
inline std::string chain_label(long long index) { return "chain " + std::to_string(index + 1); }

struct chain_status {
  chain_outcome outcome = chain_outcome::ok;
  std::string message;            // why it failed or stopped, starting with its chain_label (empty when ok)
  std::size_t divergent = 0;      // divergent transitions after warmup
  std::size_t divergent_warmup = 0;
  std::size_t exceptions = 0;     // exceptions thrown by logp_grad (each made a step divergent)
  std::string last_exception;     // what() of the last one
};

struct fit {
  // Chains with draws (neither failed nor stopped before their first draw), in chain order;
  // chain_ids[i] is the index of posterior.chains[i] (and of sample_stats.chains[i]), which
  // every text calls chain_label(chain_ids[i]), "chain <index + 1>".
  draws posterior;
  draws sample_stats;  // lp__, accept_stat__, stepsize__, treedepth__, n_leapfrog__, divergent__, energy__
  draws warmup_posterior;     // filled only with save_warmup
  draws warmup_sample_stats;  // filled only with save_warmup
  std::vector<int> chain_ids;

  // Per chain, indexed by chain number (size = options.chains).
  metric_kind metric = metric_kind::low_rank;
  adaptation_kind adaptation = adaptation_kind::windowed;  // the scheme that ran
  int max_depth = 10;                                      // the tree depth limit used
  std::vector<double> step_size;                // adapted step size used for sampling
  std::vector<Eigen::VectorXd> inv_metric_diag;  // diagonal of the inverse metric
  std::vector<Eigen::MatrixXd> inv_metric_dense; // full inverse metric (dense metric only; else empty)
  std::vector<low_rank_factors> inv_metric_low_rank;  // its parts (low_rank metric only; else empty)
  std::vector<double> warmup_seconds;
  std::vector<double> sampling_seconds;
  std::vector<std::size_t> grad_evals_warmup;    // includes initialisation and step size searches
  std::vector<std::size_t> grad_evals_sampling;
  std::vector<chain_status> status;

  int num_chains_requested() const { return static_cast<int>(status.size()); }
  bool all_ok() const {
    for (const auto& s : status)
      if (s.outcome != chain_outcome::ok) return false;
    return true;
  }
  std::size_t total_divergent() const {
    std::size_t n = 0;
    for (const auto& s : status) n += s.divergent;
    return n;
  }
};

// Step size and inverse metric of one chain of an earlier fit, for sample_options::warm.
inline warm_start warm_start_from(const fit& f, int chain = 0) {
  if (chain < 0 || chain >= f.num_chains_requested())
    throw model_error("warm_start_from: chain index " + std::to_string(chain) + " out of range (fit has " +
                      std::to_string(f.num_chains_requested()) + " chains, indices 0.." + std::to_string(f.num_chains_requested() - 1) + ")");
  if (f.status[static_cast<std::size_t>(chain)].outcome == chain_outcome::failed)
    throw model_error("warm_start_from: " + chain_label(chain) + " (index " + std::to_string(chain) + ") failed; pick another chain");
  warm_start w;
  const auto c = static_cast<std::size_t>(chain);
  w.step_size = f.step_size[c];
  w.inv_metric_diag = f.inv_metric_diag[c];
  if (f.metric == metric_kind::dense) w.inv_metric_dense = f.inv_metric_dense[c];
  if (f.metric == metric_kind::low_rank && c < f.inv_metric_low_rank.size()) w.inv_metric_low_rank = f.inv_metric_low_rank[c];
  return w;
}

}  // namespace exmc
