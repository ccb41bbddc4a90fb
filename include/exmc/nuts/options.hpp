#pragma once
// Options of exmc::sample and the streaming callback's view of one draw.
#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <vector>

#include "../core/log_density.hpp"
#include "metric.hpp"

namespace exmc {

// How the metric is learned during warmup.
enum class adaptation_kind {
  automatic,  // (default) gradient for the diag and low_rank metrics, windowed otherwise (D30, D136)
  windowed,   // Stan: Welford (co)variance over doubling windows
  gradient,   // nutpie: sqrt(Var(q) / Var(grad)) with switching windows; diag and low_rank metrics
};

// Step size and inverse metric learned by an earlier run (see warm_start_from in fit.hpp).
struct warm_start {
  double step_size = 1.0;
  Eigen::VectorXd inv_metric_diag;   // for unit/diag metrics (empty: keep the default)
  Eigen::MatrixXd inv_metric_dense;  // for the dense metric (empty: use inv_metric_diag or identity)
  low_rank_factors inv_metric_low_rank;  // for the low_rank metric (empty diag: use inv_metric_diag)
};

// One draw as produced, handed to the callback. Views are valid only during the call.
struct draw_event {
  int chain = 0;
  long iteration = 0;  // 0-based, counting warmup iterations first
  bool warmup = false;
  const std::vector<std::string>* names = nullptr;  // names of `values` (the kept quantities)
  std::span<const double> values;                   // constrained values of the kept quantities
  double lp = 0.0;
  double accept_stat = 0.0;
  double step_size = 0.0;
  int treedepth = 0;
  int n_leapfrog = 0;
  bool divergent = false;
  double energy = 0.0;
  std::size_t grad_evals = 0;  // gradient evaluations of this chain so far, initialisation included
  // Set only on the first sampling iteration (warmup is over): the adapted inverse metric, for
  // writers that record it (Stan CSV). inv_metric_dense only with the dense metric, inv_metric_low_rank
  // only with the low_rank one (whose inv_metric_diag is the full inverse metric's diagonal).
  const Eigen::VectorXd* inv_metric_diag = nullptr;
  const Eigen::MatrixXd* inv_metric_dense = nullptr;
  const low_rank_factors* inv_metric_low_rank = nullptr;
};

// Return false to stop every chain (draws made so far are kept).
using draw_callback = std::function<bool(const draw_event&)>;

struct chain_status;  // fit.hpp
// Called once per chain when it has ended (after its last draw_event), with the chain number
// and how it ended, as fit::status will hold it: for live displays that must show a failed
// chain when it fails. May run on several chain threads at once; exceptions are swallowed.
using chain_end_callback = std::function<void(int chain, const chain_status&)>;

struct sample_options {
  int chains = 4;
  int warmup = 1000;
  int draws = 1000;
  std::uint64_t seed = 0;
  double target_accept = 0.8;
  int max_depth = 10;
  // low_rank (D136): the gradient-based diagonal plus up to 10 directions where the posterior's
  // covariance departs from it; with none found it is the diagonal metric, bit for bit. Windowed
  // adaptation learns its diagonal only (Stan's scheme).
  metric_kind metric = metric_kind::low_rank;
  adaptation_kind adaptation = adaptation_kind::automatic;
  int thin = 1;                    // keep every thin-th draw (warmup and sampling alike)
  int threads = 0;                 // 0: std::thread::hardware_concurrency()
  bool save_warmup = false;
  double init_radius = 2.0;        // initial values uniform(-r, r) in unconstrained space; 0: all zeros
  double step_size = 1.0;          // first guess for the step size search (ignored with warm)
  named_values init{};             // constrained initial values by name (needs UnconstrainableLogDensity)
  Eigen::VectorXd init_unconstrained{};  // or a full unconstrained starting point (dim() entries)
  std::vector<std::string> keep{};  // posterior quantities to keep (empty: all)
  std::optional<warm_start> warm{};  // start adaptation from these; with warmup == 0 use them as is
  draw_callback callback{};        // called for every iteration of every chain (see docs/nuts.md)
  bool concurrent_callback = false;  // the callback locks what it shares: chains call it side by side
  chain_end_callback on_chain_end{};  // called when a chain has ended (ok, stopped or failed)
  std::stop_token stop{};          // request_stop() ends sampling early, like a false callback
  double max_delta_h = 1000.0;     // energy error that marks a transition divergent
  int init_tries = 100;            // random initialisations before a chain gives up
  int max_consecutive_faults = 100;  // iterations in a row stuck on exceptions before a chain fails
};

}  // namespace exmc
