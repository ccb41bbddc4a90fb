#pragma once
// The dashboard's memory of a run: what the chains stream, thinned to a bounded number of points
// per chain, plus exact running counters, kept so that a browser connecting at any time gets the
// whole picture at once and then only what is new.
//
// Two sides, and no lock held for more than a copy:
//  - producers (the sampler's callback, on chain threads): add() updates the chain's exact
//    counters and appends the iterations it keeps to the chain's pending buffer, under a lock of
//    that chain's own; the buffer stays short because it is thinned with the history;
//  - the consumer (the dashboard's own thread): ingest() swaps each chain's pending buffer out
//    and files it into the history, refresh_summary() recomputes R-hat and ESS there, and the
//    server's threads read JSON views of the history (update()), under the history's lock.
//
// Which iterations are kept: every stride-th of a chain, the stride doubling (and every other
// kept point dropped) whenever a chain has points_per_chain of them, so a chain of any length is
// described by at most points_per_chain evenly spaced points. Divergent iterations are kept on
// their own the same way (divergences_per_chain), so none falls between two trace points.
#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../core/error.hpp"
#include "../diagnostics/summary.hpp"
#include "../nuts/fit.hpp"
#include "../nuts/options.hpp"
#include "history.hpp"

namespace exmc::dash {

class store {
 public:
  store(run_shape shape, store_options o = {}) : shape_(std::move(shape)), opt_(o), t0_(clock::now()) {
    if (shape_.chains < 1) throw model_error("dashboard: chains must be at least 1 (got " + std::to_string(shape_.chains) + ")");
    if (opt_.points_per_chain != 0 && opt_.points_per_chain < 16)
      throw model_error("dashboard: points_per_chain must be 0 (automatic) or at least 16 (got " + std::to_string(opt_.points_per_chain) + ")");
    if (opt_.divergences_per_chain < 2) throw model_error("dashboard: divergences_per_chain must be at least 2");
    const auto chains = static_cast<std::size_t>(shape_.chains);
    for (std::size_t c = 0; c < chains; ++c) feeds_.push_back(std::make_unique<feed>());
    work_.resize(chains);
    seen_.assign(chains, 0);
    live_copy_.resize(chains);
    h_.shape = shape_;
    h_.divergences_per_chain = opt_.divergences_per_chain;
    h_.hist.resize(chains);
    h_.status.resize(chains);
  }

  const run_shape& shape() const { return shape_; }
  double seconds() const { return std::chrono::duration<double>(clock::now() - t0_).count(); }

  // ---- producers: any thread; a chain waits at most for a copy of its own pending records ----

  void add(const draw_event& ev) {
    if (ev.chain < 0 || ev.chain >= shape_.chains || static_cast<long>(ev.values.size()) != layout(ev)) {
      ignored_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    feed& f = *feeds_[static_cast<std::size_t>(ev.chain)];
    std::lock_guard lock(f.mutex);
    ++f.changes;
    chain_live& c = f.live;
    if (ev.iteration <= c.iteration || (c.state != chain_state::waiting && c.state != chain_state::running)) restart(f);
    c.state = chain_state::running;
    c.iteration = ev.iteration;
    c.warmup = ev.warmup;
    if (ev.divergent) ++(ev.warmup ? c.divergent_warmup : c.divergent);
    if (!ev.warmup) {
      ++c.sampling_draws;
      c.accept_sum += ev.accept_stat;
      if (ev.treedepth >= shape_.max_depth) ++c.depth_hits;
      c.ebfmi.add(ev.energy);
    }
    c.step_size = ev.step_size;
    c.treedepth = ev.treedepth;
    c.grad_evals = ev.grad_evals;
    const double jump = ev.energy - c.last_energy;
    c.last_energy = ev.energy;
    if (ev.iteration + 1 >= shape_.total()) c.state = chain_state::ok;

    // Strides are powers of two. The clock is read for kept records and every 32nd iteration,
    // which is often enough for rates and ETAs.
    const bool keep = (ev.iteration & (c.stride - 1)) == 0;
    const double now = keep || ev.divergent || (ev.iteration & 31) == 0 || c.state == chain_state::ok ? seconds() : c.last_time;
    if (std::isnan(c.first_time)) c.first_time = now;
    c.last_time = now;
    const std::size_t rec = static_cast<std::size_t>(n_columns + width_.load(std::memory_order_relaxed));
    if (keep) {
      push(f, ev, 0, 0.0, jump, now);
      if (++c.kept >= points_) {  // every other kept point goes, here and (at the next ingest) in the history
        c.kept = points_ / 2;
        c.stride *= 2;
        thin(f.pending, c_iteration, c.stride, rec, 0);
      }
    }
    if (ev.divergent) {
      if ((c.divergent_seen & (c.divergent_stride - 1)) == 0) {
        push(f, ev, 1, static_cast<double>(c.divergent_seen), jump, now);
        if (++c.divergent_kept >= opt_.divergences_per_chain) {
          c.divergent_kept = opt_.divergences_per_chain / 2;
          c.divergent_stride *= 2;
          thin(f.pending, c_ordinal, c.divergent_stride, rec, 1);
        }
      }
      ++c.divergent_seen;
    }
  }

  // A chain has ended (sample_options::on_chain_end).
  void chain_ended(int chain, const chain_status& s) {
    if (chain < 0 || chain >= shape_.chains) return;
    feed& f = *feeds_[static_cast<std::size_t>(chain)];
    std::lock_guard lock(f.mutex);
    ++f.changes;
    f.live.state = state_of(s);
    if (!s.message.empty()) f.live.message = s.message;
  }

  // ---- the consumer ----

  // Files the pending records into the history; true when anything changed.
  bool ingest() {
    std::lock_guard serial(ingest_mu_);
    bool changed = false;
    for (std::size_t c = 0; c < feeds_.size(); ++c) {
      feed& f = *feeds_[c];
      std::lock_guard lock(f.mutex);
      if (f.changes == seen_[c]) continue;
      seen_[c] = f.changes;
      f.pending.swap(work_[c]);
      live_copy_[c] = f.live;
      changed = true;
    }
    const long dropped = dropped_.load(std::memory_order_relaxed), ignored = ignored_.load(std::memory_order_relaxed);
    const long width = width_.load(std::memory_order_acquire);
    std::lock_guard lock(hist_mu_);
    changed = changed || dropped != h_.dropped || ignored != h_.ignored;
    if (!changed) return false;
    if (width >= 0 && h_.width < 0) {
      h_.names = names_;  // written once, before width_ was published
      h_.width = width;
      h_.points = points_;
    }
    h_.dropped = dropped;
    h_.ignored = ignored;
    const std::size_t rec = h_.record_size();
    for (std::size_t c = 0; c < feeds_.size(); ++c) {
      history& h = h_.hist[c];
      std::vector<double>& w = work_[c];
      for (std::size_t at = 0; at + rec <= w.size(); at += rec) {
        double* r = w.data() + at;
        const int epoch = static_cast<int>(r[c_epoch]);
        if (epoch < h.epoch) continue;
        if (epoch > h.epoch) h.reset(epoch);
        const bool divergent = r[c_kind] != 0.0;
        r[c_kind] = ++h_.seq;
        auto& dest = divergent ? h.divergent : h.rows;
        if (dest.capacity() == 0) dest.reserve(rec * static_cast<std::size_t>(divergent ? opt_.divergences_per_chain : h_.points));
        dest.insert(dest.end(), r, r + rec);
      }
      w.clear();
      const chain_live& l = live_copy_[c];
      if (l.epoch > h.epoch) h.reset(l.epoch);
      if (l.epoch != h.epoch) continue;
      thin(h.rows, c_iteration, l.stride, rec, -1);
      thin(h.divergent, c_ordinal, l.divergent_stride, rec, -1);
    }
    if (h_.final) return true;  // finish() has set the fit's own statuses
    h_.status = live_copy_;
    ++h_.status_version;
    bool all_ended = true;
    for (const auto& l : h_.status) all_ended = all_ended && l.state != chain_state::waiting && l.state != chain_state::running;
    if (all_ended && !h_.ended) {
      h_.ended = true;
      ++h_.run_version;
    }
    return true;
  }

  // Recomputes R-hat and ESS (exmc::summarise) of as many quantities as fit in `budget_seconds`,
  // from the kept sampling draws; the next call goes on where this one stopped.
  void refresh_summary(double budget_seconds) {
    const auto start = clock::now();
    std::lock_guard lock(hist_mu_);
    if (h_.final || h_.width <= 0) return;
    // Nothing new since a full pass: nothing to do (after the run, or a stalled one).
    if (h_.seq == summary_seq_ && next_quantity_ == 0) return;
    if (next_quantity_ == 0) summary_seq_ = h_.seq;
    const std::size_t rec = h_.record_size();
    // Sampling records common to the chains that have some: every S-th iteration, S the largest
    // stride, cut to the shortest chain so that the matrix is rectangular.
    long stride = 1;
    for (std::size_t c = 0; c < h_.hist.size(); ++c)
      if (h_.status[c].state != chain_state::failed) stride = std::max(stride, h_.status[c].stride);
    std::vector<std::size_t> chain_of;
    std::vector<std::vector<std::size_t>> at;
    std::size_t n = std::numeric_limits<std::size_t>::max();
    for (std::size_t c = 0; c < h_.hist.size(); ++c) {
      if (h_.status[c].state == chain_state::failed) continue;
      std::vector<std::size_t> mine;
      const auto& r = h_.hist[c].rows;
      for (std::size_t i = 0; i + rec <= r.size(); i += rec) {
        const auto it = static_cast<long>(r[i + c_iteration]);
        if (it >= shape_.warmup && it % stride == 0) mine.push_back(i);
      }
      if (mine.size() < 4) continue;
      n = std::min(n, mine.size());
      chain_of.push_back(c);
      at.push_back(std::move(mine));
    }
    if (at.empty()) return;
    const auto width = static_cast<std::size_t>(h_.width);
    if (h_.summary.size() != width) {
      h_.summary.assign(width, {});
      h_.computed.assign(width, 0);
    }
    Eigen::MatrixXd x(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(at.size()));
    for (std::size_t done = 0; done < width; ++done) {
      const std::size_t j = next_quantity_;
      for (std::size_t k = 0; k < at.size(); ++k) {
        const auto& r = h_.hist[chain_of[k]].rows;
        for (std::size_t i = 0; i < n; ++i)
          x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k)) = r[at[k][i] + n_columns + j];
      }
      h_.summary[j] = summarise(h_.names[j], x);
      h_.computed[j] = 1;
      next_quantity_ = (j + 1) % width;
      if (std::chrono::duration<double>(clock::now() - start).count() > budget_seconds) break;
    }
    h_.summary_draws = static_cast<long>(n);
    h_.summary_chains = static_cast<long>(at.size());
    h_.summary_stride = stride;
    ++h_.summary_version;
  }

  // The run is over: every chain's fate and the summary of all its draws (exmc::summary) from
  // the fit replace the running estimates.
  void finish(const fit& f) {
    ingest();
    std::lock_guard lock(hist_mu_);
    if (h_.names.empty()) h_.names = f.posterior.names;
    if (h_.width < 0) h_.width = static_cast<long>(h_.names.size());
    if (h_.status.size() != h_.hist.size()) h_.status.assign(h_.hist.size(), {});
    for (std::size_t c = 0; c < h_.status.size() && c < f.status.size(); ++c) {
      chain_live& l = h_.status[c];
      const chain_status& s = f.status[c];
      l.state = state_of(s);
      if (!s.message.empty()) l.message = s.message;
    }
    h_.summary.assign(h_.names.size(), {});
    h_.computed.assign(h_.names.size(), 0);
    if (f.posterior.num_chains() > 0 && f.posterior.num_draws() > 0 && f.posterior.names == h_.names) {
      const summary_table t = summary(f.posterior);
      for (std::size_t j = 0; j < t.rows.size(); ++j) {
        h_.summary[j] = t.rows[j];
        h_.computed[j] = 1;
      }
      h_.summary_draws = static_cast<long>(f.posterior.num_draws());
      h_.summary_chains = static_cast<long>(f.posterior.num_chains());
      h_.summary_stride = 1;
    }
    h_.final = h_.ended = true;
    ++h_.summary_version;
    ++h_.status_version;
    ++h_.run_version;
  }

  // JSON of what `v` has not seen yet: everything on its first call (a "snapshot"), then
  // "delta"s; empty when there is nothing new.
  std::string update(view& v) {
    std::lock_guard lock(hist_mu_);
    return write_update(h_, v, seconds());
  }

  // Quantity names, once known.
  std::vector<std::string> names() const {
    std::lock_guard lock(hist_mu_);
    return h_.names;
  }
  bool ended() const {
    std::lock_guard lock(hist_mu_);
    return h_.ended;
  }

 private:
  using clock = std::chrono::steady_clock;

  // One chain's side of the producers: its exact state and the records it kept since the last
  // ingest (at most points_per_chain + divergences_per_chain of them: thinned as they go).
  struct feed {
    std::mutex mutex;
    chain_live live;
    std::vector<double> pending;
    long changes = 0;
  };

  static chain_state state_of(const chain_status& s) {
    return s.outcome == chain_outcome::failed    ? chain_state::failed
           : s.outcome == chain_outcome::stopped ? chain_state::stopped
                                                 : chain_state::ok;
  }

  // The number of quantities, fixed by the first draw (which also fixes the names and how many
  // points a chain keeps).
  long layout(const draw_event& ev) {
    const long known = width_.load(std::memory_order_acquire);
    if (known >= 0) return known;
    std::lock_guard lock(layout_mu_);
    if (width_.load(std::memory_order_relaxed) >= 0) return width_.load(std::memory_order_relaxed);
    const auto width = static_cast<long>(ev.values.size());
    if (ev.names && ev.names->size() == ev.values.size()) names_ = *ev.names;
    else
      for (long j = 0; j < width; ++j) names_.push_back("q[" + std::to_string(j) + "]");
    const auto rec = static_cast<std::size_t>(n_columns + width);
    long points = opt_.points_per_chain;
    if (points == 0) {
      points = std::clamp(65536L / shape_.chains, 256L, 2048L);
      const auto fit_memory = static_cast<long>(opt_.max_doubles / (static_cast<std::size_t>(shape_.chains) * rec));
      while (points > 128 && points > fit_memory) points /= 2;
    }
    points_ = std::max(16L, points - points % 2);
    width_.store(width, std::memory_order_release);
    return width;
  }

  void restart(feed& f) {
    chain_live fresh;
    fresh.epoch = f.live.epoch + 1;
    if (!f.live.message.empty()) fresh.message = "re-run after: " + f.live.message;
    else if (f.live.state == chain_state::failed) fresh.message = "re-run after a failure";
    f.live = std::move(fresh);
  }

  void push(feed& f, const draw_event& ev, int kind, double ordinal, double jump, double now) {
    const std::size_t rec = static_cast<std::size_t>(n_columns) + ev.values.size();
    // Thinning keeps a chain's pending records under points_ + divergences; this only guards.
    if (f.pending.size() >= 2 * rec * static_cast<std::size_t>(points_ + opt_.divergences_per_chain)) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (f.pending.capacity() == 0) f.pending.reserve(rec * static_cast<std::size_t>(points_ + opt_.divergences_per_chain));
    const double head[n_columns] = {static_cast<double>(kind), static_cast<double>(ev.chain), static_cast<double>(f.live.epoch), ordinal,
                                    static_cast<double>(ev.iteration), ev.lp, ev.accept_stat, ev.step_size,
                                    static_cast<double>(ev.treedepth), static_cast<double>(ev.n_leapfrog),
                                    ev.divergent ? 1.0 : 0.0, ev.energy, jump, now};
    f.pending.insert(f.pending.end(), head, head + n_columns);
    f.pending.insert(f.pending.end(), ev.values.begin(), ev.values.end());
  }

  // Keeps the records whose `col` is a multiple of `stride` (of those of `kind`; -1: all).
  static void thin(std::vector<double>& v, int col, long stride, std::size_t rec, int kind) {
    if (stride <= 1) return;
    std::size_t out = 0;
    for (std::size_t i = 0; i + rec <= v.size(); i += rec) {
      const bool mine = kind < 0 || static_cast<int>(v[i + c_kind]) == kind;
      if (mine && static_cast<long>(v[i + static_cast<std::size_t>(col)]) % stride != 0) continue;
      if (out != i) std::copy(v.begin() + static_cast<std::ptrdiff_t>(i), v.begin() + static_cast<std::ptrdiff_t>(i + rec), v.begin() + static_cast<std::ptrdiff_t>(out));
      out += rec;
    }
    v.resize(out);
  }

  run_shape shape_;
  store_options opt_;
  clock::time_point t0_;

  // producers
  std::vector<std::unique_ptr<feed>> feeds_;
  std::mutex layout_mu_;
  std::atomic<long> width_{-1};           // -1 until the first draw; then names_ and points_ are fixed
  std::vector<std::string> names_;
  long points_ = 2048;
  std::atomic<long> dropped_{0}, ignored_{0};

  // the consumer (ingest_mu_: one ingest at a time)
  std::mutex ingest_mu_;
  std::vector<std::vector<double>> work_;
  std::vector<long> seen_;
  std::vector<chain_live> live_copy_;

  // what readers see (hist_mu_)
  mutable std::mutex hist_mu_;
  history_state h_;
  std::size_t next_quantity_ = 0;  // where the summary's next refresh starts
  double summary_seq_ = -1.0;      // the history's sequence number when the last pass started
};

}  // namespace exmc::dash
