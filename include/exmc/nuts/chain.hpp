#pragma once
// One NUTS chain from initialisation to the last draw: Stan's warmup (or the gradient-based
// variant), sampling, storage with thinning, streaming and fault isolation. sample.hpp runs
// several of these in threads; everything here touches only this chain's state plus the
// shared stop flag and callback lock.
#include <Eigen/Core>
#include <atomic>
#include <chrono>
#include <cmath>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "../core/error.hpp"
#include "../core/log_density.hpp"
#include "../core/random.hpp"
#include "fit.hpp"
#include "gradient_adaptation.hpp"
#include "hamiltonian.hpp"
#include "low_rank_adaptation.hpp"
#include "metric.hpp"
#include "options.hpp"
#include "step_size.hpp"
#include "tree.hpp"
#include "windowed_adaptation.hpp"

namespace exmc::detail {

// Names of the unconstrained coordinates, for messages.
template <LogDensity D>
std::vector<std::string> coordinate_names(const D& d) {
  const auto dim = static_cast<std::ptrdiff_t>(d.dim());
  if constexpr (ConstrainedLogDensity<D>) {
    std::vector<std::string> names = d.param_names();
    if (static_cast<std::ptrdiff_t>(names.size()) == dim) return names;
  }
  std::vector<std::string> names;
  for (std::ptrdiff_t i = 0; i < dim; ++i) names.push_back("q[" + std::to_string(i) + "]");
  return names;
}

// Which output columns exist and which are kept.
struct output_layout {
  std::vector<std::string> all_names;
  std::vector<Eigen::Index> kept;  // indices into all_names
  std::vector<std::string> kept_names;
};

inline const std::vector<std::string>& stat_names() {
  static const std::vector<std::string> n{"lp__",         "accept_stat__", "stepsize__", "treedepth__",
                                          "n_leapfrog__", "divergent__",   "energy__"};
  return n;
}

struct shared_run_state {
  std::atomic<bool> stop{false};
  std::mutex callback_mutex;
};

struct chain_result {
  Eigen::MatrixXd post, stats, warm_post, warm_stats;
  double step_size = 0.0;
  Eigen::VectorXd inv_diag;
  Eigen::MatrixXd inv_dense;
  low_rank_factors low_rank;  // low_rank metric only
  double warmup_seconds = 0.0, sampling_seconds = 0.0;
  std::size_t grad_evals_warmup = 0, grad_evals_sampling = 0;
  chain_status status;
};

// Rows filled so far in a preallocated matrix.
struct row_sink {
  Eigen::MatrixXd* m;
  Eigen::Index rows = 0;
  void push(const Eigen::VectorXd& r) { m->row(rows++) = r.transpose(); }
  void finish() { m->conservativeResize(rows, Eigen::NoChange); }
};

template <LogDensity D>
class chain_runner {
 public:
  using T = typename D::scalar;
  using system = euclidean_system<D>;
  using point = typename system::point;

  chain_runner(const D& density, const sample_options& o, const output_layout& layout, int chain,
               shared_run_state& shared, chain_result& out)
      : d_(density), o_(o), layout_(layout), chain_(chain), shared_(shared), out_(out), rng_(o.seed, static_cast<std::uint64_t>(chain)),
        ev_(density), dim_(ev_.dim()), metric_(o.metric, dim_), sys_(ev_, metric_), z_(dim_) {}

  void run() {
    const auto t0 = std::chrono::steady_clock::now();
    auto t_warm_end = t0;
    try {
      run_impl(t_warm_end);
    } catch (const std::exception& e) {
      out_.status.outcome = chain_outcome::failed;
      out_.status.message = chain_label(chain_) + ": " + e.what();
    }
    const auto t1 = std::chrono::steady_clock::now();
    if (!warmup_done_) t_warm_end = t1;
    out_.warmup_seconds = std::chrono::duration<double>(t_warm_end - t0).count();
    out_.sampling_seconds = std::chrono::duration<double>(t1 - t_warm_end).count();
    if (!warmup_done_) out_.grad_evals_warmup = sys_.grad_evals();
    else out_.grad_evals_sampling = sys_.grad_evals() - out_.grad_evals_warmup;
    out_.step_size = eps_;
    out_.inv_diag = metric_.inv_diag();
    if (o_.metric == metric_kind::dense) out_.inv_dense = metric_.inv_dense();
    if (o_.metric == metric_kind::low_rank) out_.low_rank = metric_.low_rank();
    out_.status.exceptions = sys_.exceptions();
    out_.status.last_exception = sys_.last_exception();
    if (out_.status.outcome == chain_outcome::failed) {
      out_.post.resize(0, out_.post.cols());
      out_.stats.resize(0, out_.stats.cols());
      out_.warm_post.resize(0, out_.warm_post.cols());
      out_.warm_stats.resize(0, out_.warm_stats.cols());
    }
  }

 private:
  void run_impl(std::chrono::steady_clock::time_point& t_warm_end) {
    const int thin = o_.thin;
    const Eigen::Index ncol = static_cast<Eigen::Index>(layout_.kept.size());
    const Eigen::Index nstat = static_cast<Eigen::Index>(stat_names().size());
    const Eigen::Index warm_rows = o_.save_warmup ? (o_.warmup + thin - 1) / thin : 0;
    const Eigen::Index draw_rows = (o_.draws + thin - 1) / thin;
    out_.post.resize(draw_rows, ncol);
    out_.stats.resize(draw_rows, nstat);
    out_.warm_post.resize(warm_rows, ncol);
    out_.warm_stats.resize(warm_rows, nstat);
    row_sink post{&out_.post}, stats{&out_.stats}, wpost{&out_.warm_post}, wstats{&out_.warm_stats};
    struct finisher {
      row_sink* s[4];
      ~finisher() { for (auto* x : s) x->finish(); }
    } finish_rows{{&post, &stats, &wpost, &wstats}};

    apply_warm_start();
    initialise();
    if (o_.adaptation == adaptation_kind::gradient && o_.warmup > 0 && !o_.warm)
      metric_.set_inv_diag(gradient_metric_adapter::initial(z_.g.template cast<double>()));

    eps_ = o_.warm ? o_.warm->step_size : o_.step_size;
    dual_averaging da;
    da.delta = o_.target_accept;
    const auto warmup = static_cast<unsigned>(o_.warmup);
    const bool adapt_metric = o_.metric != metric_kind::unit;
    warmup_windows windows(adapt_metric && o_.adaptation == adaptation_kind::windowed ? warmup : 0u);
    std::unique_ptr<welford_variance> var;
    std::unique_ptr<welford_covariance> covar;
    std::unique_ptr<gradient_metric_adapter> grad_adapter;
    std::unique_ptr<low_rank_metric_adapter> low_rank_adapter;
    Eigen::VectorXd grad_inv;
    low_rank_factors low_rank;
    if (o_.warmup > 0) {
      eps_ = find_initial_step_size(sys_, rng_, z_, eps_);
      da.restart(eps_);
      if (adapt_metric && o_.adaptation == adaptation_kind::windowed) {
        if (o_.metric == metric_kind::dense) covar = std::make_unique<welford_covariance>(dim_);  // low_rank: D only
        else var = std::make_unique<welford_variance>(dim_);
      } else if (adapt_metric) {
        grad_adapter = std::make_unique<gradient_metric_adapter>(dim_, warmup);
        grad_inv = metric_.low_rank().diag;  // the diagonal, or a low-rank metric's D
        if (o_.metric == metric_kind::low_rank) low_rank_adapter = std::make_unique<low_rank_metric_adapter>(dim_, warmup);
      }
    } else {
      warmup_done_ = true;
      t_warm_end = std::chrono::steady_clock::now();
      out_.grad_evals_warmup = sys_.grad_evals();
    }

    nuts_tree<system> tree(dim_, o_.max_depth, o_.max_delta_h);
    Eigen::VectorXd constrained, kept(ncol), stat_row(nstat);
    int stuck = 0;
    const long total = static_cast<long>(o_.warmup) + o_.draws;
    for (long it = 0; it < total; ++it) {
      if (shared_.stop.load(std::memory_order_relaxed) || o_.stop.stop_requested()) {
        stop_early(it);
        return;
      }
      const bool in_warmup = it < o_.warmup;
      const std::size_t exceptions_before = sys_.exceptions();
      const double eps_used = eps_;
      const transition_info info = tree.transition(sys_, rng_, z_, eps_used);
      if (info.divergent) ++(in_warmup ? out_.status.divergent_warmup : out_.status.divergent);

      // A chain whose every attempt to move ends in an exception is stuck: give up on it.
      stuck = sys_.exceptions() > exceptions_before && !info.moved ? stuck + 1 : 0;
      if (stuck >= o_.max_consecutive_faults)
        throw sampling_error("logp_grad threw in " + std::to_string(stuck) +
                             " consecutive iterations without the chain moving; last exception: " +
                             sys_.last_exception());

      if (in_warmup) {
        const auto iter = static_cast<unsigned>(it);
        eps_ = da.learn(info.accept_stat);
        if (var || covar) {
          if (windows.in_slow_window() && !info.divergent) {
            if (var) var->add(z_.q);
            else covar->add(z_.q);
          }
          if (windows.at_window_end()) {
            end_window(var.get(), covar.get());
            eps_ = find_initial_step_size(sys_, rng_, z_, eps_);
            da.restart(eps_);
          }
          windows.advance();
        } else if (grad_adapter) {
          if (grad_adapter->update(iter, z_.q, z_.g, info.divergent, grad_inv)) metric_.set_inv_diag(grad_inv);
          // The low-rank part, at the diagonal's window switches, for the diagonal just set.
          if (low_rank_adapter && low_rank_adapter->update(iter, z_.q, z_.g, info.divergent, grad_inv, low_rank))
            metric_.set_low_rank(low_rank);
          if (iter + 1 == grad_adapter->freeze_at()) da.restart(eps_);  // final step-size-only phase
        }
        if (it + 1 == o_.warmup) {
          eps_ = da.final_step_size();
          warmup_done_ = true;
          t_warm_end = std::chrono::steady_clock::now();
          out_.grad_evals_warmup = sys_.grad_evals();
        }
      }

      const long phase_index = in_warmup ? it : it - o_.warmup;
      const bool store = phase_index % thin == 0 && (!in_warmup || o_.save_warmup);
      if (!store && !o_.callback) continue;

      constrain(constrained, kept);
      stat_row << z_.logp, info.accept_stat, eps_used, static_cast<double>(info.depth),
          static_cast<double>(info.n_leapfrog), info.divergent ? 1.0 : 0.0, info.energy;
      if (store) {
        (in_warmup ? wpost : post).push(kept);
        (in_warmup ? wstats : stats).push(stat_row);
      }
      if (o_.callback) notify(it, in_warmup, kept, info, eps_used);
    }
  }

  void stop_early(long it) {
    out_.status.outcome = chain_outcome::stopped;
    const std::string why = o_.stop.stop_requested() ? "a stop was requested (sample_options::stop)" : "a callback asked to stop";
    const std::string where = it < o_.warmup ? " after " + std::to_string(it) + " of " + std::to_string(o_.warmup) + " warmup iterations"
                                             : " after " + std::to_string(it - o_.warmup) + " of " + std::to_string(o_.draws) + " draws";
    if (out_.status.message.empty()) out_.status.message = chain_label(chain_) + ": stopped early" + where + ": " + why;
  }

  void apply_warm_start() {
    if (!o_.warm) return;
    const warm_start& w = *o_.warm;
    if (o_.metric == metric_kind::dense && w.inv_metric_dense.size() > 0) metric_.set_inv_dense(w.inv_metric_dense);
    else if (o_.metric == metric_kind::low_rank && w.inv_metric_low_rank.diag.size() > 0) metric_.set_low_rank(w.inv_metric_low_rank);
    else if (o_.metric != metric_kind::unit && w.inv_metric_diag.size() > 0) metric_.set_inv_diag(w.inv_metric_diag);
  }

  void end_window(welford_variance* var, welford_covariance* covar) {
    if (var) {
      if (var->count() > 1) metric_.set_inv_diag(regularise_variance(var->variance(), var->count()));
      var->restart();
    } else {
      if (covar->count() > 1) metric_.set_inv_dense(regularise_covariance(covar->covariance(), covar->count()));
      covar->restart();
    }
    // A rejected estimate (non-finite or not positive definite) keeps the previous metric.
  }

  // Uniform(-r, r) (or the given values) until log p and its gradient are finite.
  void initialise() {
    const bool fixed = o_.init_unconstrained.size() > 0 || o_.init_radius == 0.0;
    const int tries = fixed ? 1 : o_.init_tries;
    for (int t = 0; t < tries; ++t) {
      if (o_.init_unconstrained.size() > 0) {
        z_.q = o_.init_unconstrained.template cast<T>();
      } else {
        for (Eigen::Index i = 0; i < dim_; ++i) z_.q[i] = static_cast<T>(rng_.uniform(-o_.init_radius, o_.init_radius));
        if constexpr (UnconstrainableLogDensity<D>) {
          if (!o_.init.empty()) d_.unconstrain(o_.init, z_.q);
        }
      }
      if (sys_.evaluate(z_)) return;
    }
    throw sampling_error(init_failure_message(tries));
  }

  std::string init_failure_message(int tries) const {
    std::ostringstream m;
    m << "no finite starting point after " << tries << (tries == 1 ? " try" : " tries");
    if (o_.init_unconstrained.size() > 0) m << " (given init_unconstrained)";
    else m << " (uniform in [-" << o_.init_radius << ", " << o_.init_radius << "] unconstrained)";
    m << "; at the last try: ";
    if (sys_.last_threw()) {
      m << "logp_grad threw: " << sys_.last_exception();
      return m.str();
    }
    m << "log density = " << sys_.last_logp();
    const auto names = coordinate_names(d_);
    std::vector<std::string> bad;
    for (Eigen::Index i = 0; i < dim_; ++i)
      if (!std::isfinite(static_cast<double>(z_.g[i]))) bad.push_back(names[static_cast<std::size_t>(i)]);
    if (!bad.empty()) {
      m << "; non-finite gradient at";
      for (std::size_t i = 0; i < bad.size() && i < 10; ++i) m << (i ? ", " : " ") << bad[i];
      if (bad.size() > 10) m << " and " << bad.size() - 10 << " more";
    }
    return m.str();
  }

  void constrain(Eigen::VectorXd& full, Eigen::VectorXd& kept) {
    if constexpr (ConstrainedLogDensity<D>) ev_.constrain(z_.q, full);
    else full = z_.q.template cast<double>();
    for (std::size_t j = 0; j < layout_.kept.size(); ++j) kept[static_cast<Eigen::Index>(j)] = full[layout_.kept[j]];
  }

  void notify(long it, bool in_warmup, const Eigen::VectorXd& kept, const transition_info& info, double eps_used) {
    draw_event ev;
    ev.chain = chain_;
    ev.iteration = it;
    ev.warmup = in_warmup;
    ev.names = &layout_.kept_names;
    ev.values = std::span<const double>(kept.data(), static_cast<std::size_t>(kept.size()));
    ev.lp = z_.logp;
    ev.accept_stat = info.accept_stat;
    ev.step_size = eps_used;
    ev.treedepth = info.depth;
    ev.n_leapfrog = info.n_leapfrog;
    ev.divergent = info.divergent;
    ev.energy = info.energy;
    ev.grad_evals = sys_.grad_evals();
    // Only the first sampling iteration carries the adapted metric; optional, so that the other
    // iterations (all of them, on the callback's hot path) construct and free no Eigen objects.
    std::optional<Eigen::VectorXd> adapted_diag;
    std::optional<Eigen::MatrixXd> adapted_dense;
    std::optional<low_rank_factors> adapted_low_rank;
    if (!in_warmup && it == o_.warmup) {
      ev.inv_metric_diag = &adapted_diag.emplace(metric_.inv_diag());
      if (o_.metric == metric_kind::dense) ev.inv_metric_dense = &adapted_dense.emplace(metric_.inv_dense());
      if (o_.metric == metric_kind::low_rank) ev.inv_metric_low_rank = &adapted_low_rank.emplace(metric_.low_rank());
    }
    bool go_on = true;
    {
      // Serialised unless the callback said it can take chains side by side: with small models
      // the chains would otherwise queue on this lock every few microseconds.
      std::unique_lock lock(shared_.callback_mutex, std::defer_lock);
      if (!o_.concurrent_callback) lock.lock();
      try {
        go_on = o_.callback(ev);
      } catch (const std::exception& e) {
        out_.status.message = chain_label(chain_) + ": stopped early: the callback threw: " + e.what();
        go_on = false;
      } catch (...) {
        out_.status.message = chain_label(chain_) + ": stopped early: the callback threw an unknown exception";
        go_on = false;
      }
    }
    if (!go_on) shared_.stop.store(true, std::memory_order_relaxed);
  }

  const D& d_;
  const sample_options& o_;
  const output_layout& layout_;
  int chain_;
  shared_run_state& shared_;
  chain_result& out_;
  rng rng_;
  evaluator<D> ev_;
  Eigen::Index dim_;
  euclidean_metric<T> metric_;
  system sys_;
  point z_;
  double eps_ = 1.0;
  bool warmup_done_ = false;
};

}  // namespace exmc::detail
