#pragma once
// Rank 0: runs its own share of chains in background threads while its main thread collects
// results, streamed draws and heartbeats from the other ranks, re-runs failed chains elsewhere,
// gives up on ranks that fall silent, and finally assembles one fit exactly as exmc::sample does.
#include <mpi.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "comm.hpp"
#include "messages.hpp"
#include "options.hpp"
#include "runner.hpp"

namespace exmc::mpi::detail {

template <LogDensity D>
class coordinator {
 public:
  coordinator(const D& density, const sample_options& o, const output_layout& layout, const options& mo, MPI_Comm comm, int size)
      : o_(o), layout_(layout), mo_(mo), comm_(comm), size_(size), out_(comm), runner_(density, o, layout, shared_),
        results_(static_cast<std::size_t>(o.chains)), owner_(results_.size(), -1), tried_(results_.size()),
        final_(results_.size(), false), alive_(static_cast<std::size_t>(size), true),
        last_heard_(static_cast<std::size_t>(size), clock::now()), outstanding_(static_cast<std::size_t>(size), 0),
        remaining_(o.chains) {
    res_.root = true;
    res_.rank_of_chain.assign(results_.size(), -1);
  }

  // shares[r]: the chains rank r starts with (every rank computed the same split).
  result run(const std::vector<std::vector<int>>& shares) {
    try {
      for (int r = 0; r < size_; ++r)
        for (int c : shares[static_cast<std::size_t>(r)]) note_assigned(c, r);
      runner_.start(shares[0]);
      while (remaining_ > 0) {
        while (auto m = poll(comm_, MPI_ANY_SOURCE)) receive(*m);
        for (auto& [c, r] : runner_.take()) settle(c, 0, std::move(r));
        check_silence();
        check_stop();
        out_.progress();
        if (remaining_ > 0) nap(mo_.poll_seconds);
      }
    } catch (...) {
      finish();  // let the other ranks return before this one reports the fault
      throw;
    }
    finish();
    res_.fit = exmc::detail::assemble_fit(o_, layout_, results_);
    return std::move(res_);
  }

 private:
  void receive(message& m) {
    const auto src = static_cast<std::size_t>(m.source);
    if (m.source <= 0 || m.source >= size_ || !alive_[src]) return;  // a rank given up on stays given up on
    last_heard_[src] = clock::now();
    reader rd(m.bytes.data(), m.bytes.size());
    if (m.tag == tag_result) {
      auto [c, r] = get_result(rd);
      settle(c, m.source, std::move(r));
    } else if (m.tag == tag_draws) {
      deliver(rd, m.source);
    }
  }

  void deliver(reader& rd, int src) {
    if (!o_.callback) return;
    const auto n = rd.get<std::uint32_t>();
    std::vector<double> values(layout_.kept.size());
    draw_event e;
    e.names = &layout_.kept_names;
    for (std::uint32_t i = 0; i < n; ++i) {
      get_draw(rd, e, values);
      if (e.chain < 0 || e.chain >= o_.chains || owner_[static_cast<std::size_t>(e.chain)] != src) continue;
      if (shared_.stop.load(std::memory_order_relaxed)) return;
      std::lock_guard lock(shared_.callback_mutex);  // never concurrent with rank 0's own chains
      bool go_on = false;
      try {
        go_on = o_.callback(e);
      } catch (...) {
        go_on = false;
      }
      if (!go_on) shared_.stop.store(true, std::memory_order_relaxed);
    }
  }

  // A chain's attempt on rank `src` ended: keep it, or re-run it elsewhere if it failed.
  void settle(int c, int src, chain_result r) {
    if (c < 0 || c >= o_.chains) throw sampling_error("mpi: rank " + std::to_string(src) + " reported unknown chain " + std::to_string(c));
    const auto i = static_cast<std::size_t>(c);
    if (final_[i] || owner_[i] != src) return;  // a stale attempt
    --outstanding_[static_cast<std::size_t>(src)];
    ended(c, r.status);  // every attempt, so a live display shows a failure before its re-run
    if (r.status.outcome == chain_outcome::failed && rerun(c, src, r.status.message)) return;
    results_[i] = std::move(r);
    res_.rank_of_chain[i] = src;
    final_[i] = true;
    --remaining_;
  }

  bool rerun(int c, int from, const std::string& reason) {
    const auto i = static_cast<std::size_t>(c);
    if (shared_.stop.load(std::memory_order_relaxed)) return false;
    if (static_cast<int>(tried_[i].size()) > mo_.max_retries) return false;
    const int to = pick(c);
    if (to < 0) return false;
    res_.retries.push_back({c, from, to, reason});
    note_assigned(c, to);
    if (to == 0) {
      runner_.start({c});
    } else {
      writer w;
      w.put(std::uint32_t{1}).put(static_cast<std::int32_t>(c));
      out_.send(to, tag_assign, std::move(w.bytes()));
    }
    return true;
  }

  // The live rank that has not tried chain c and has the least to do; rank 0 last when it only
  // coordinates.
  int pick(int c) const {
    const auto& tried = tried_[static_cast<std::size_t>(c)];
    int best = -1;
    for (int pass = 0; pass < 2 && best < 0; ++pass) {
      for (int r = 0; r < size_; ++r) {
        const auto ri = static_cast<std::size_t>(r);
        if (!alive_[ri] || std::find(tried.begin(), tried.end(), r) != tried.end()) continue;
        if (pass == 0 && r == 0 && !mo_.root_runs_chains && size_ > 1) continue;
        if (best < 0 || outstanding_[ri] < outstanding_[static_cast<std::size_t>(best)]) best = r;
      }
    }
    return best;
  }

  void note_assigned(int c, int r) {
    owner_[static_cast<std::size_t>(c)] = r;
    tried_[static_cast<std::size_t>(c)].push_back(r);
    ++outstanding_[static_cast<std::size_t>(r)];
  }

  // sample_options::on_chain_end on rank 0, for the chains of every rank.
  void ended(int c, const chain_status& status) const {
    if (!o_.on_chain_end) return;
    try {
      o_.on_chain_end(c, status);
    } catch (...) {  // an observer's fault never ends a run
    }
  }

  void check_silence() {
    if (mo_.timeout_seconds <= 0) return;
    for (int r = 1; r < size_; ++r) {
      const auto ri = static_cast<std::size_t>(r);
      if (!alive_[ri] || seconds_since(last_heard_[ri]) <= mo_.timeout_seconds) continue;
      lose(r, "rank " + std::to_string(r) + " sent nothing for " + std::to_string(mo_.timeout_seconds) +
                  " s (timeout_seconds); given up as lost");
    }
  }

  void lose(int r, const std::string& reason) {
    alive_[static_cast<std::size_t>(r)] = false;
    res_.lost_ranks.push_back(r);
    for (int c = 0; c < o_.chains; ++c) {
      const auto i = static_cast<std::size_t>(c);
      if (final_[i] || owner_[i] != r) continue;
      if (rerun(c, r, reason)) continue;
      results_[i].status.outcome = chain_outcome::failed;
      results_[i].status.message = chain_label(c) + ": " + reason;
      ended(c, results_[i].status);
      final_[i] = true;
      --remaining_;
    }
  }

  void check_stop() {
    if (stop_sent_ || !(shared_.stop.load(std::memory_order_relaxed) || o_.stop.stop_requested())) return;
    shared_.stop.store(true, std::memory_order_relaxed);
    for (int r = 1; r < size_; ++r)
      if (alive_[static_cast<std::size_t>(r)]) out_.send(r, tag_stop, {});
    stop_sent_ = true;
  }

  // Tells every rank to return and waits for the live ones to confirm. Ranks given up on are
  // told too (a paused process may come back) but not waited for.
  void finish() {
    runner_.stop_and_join();
    for (int r = 1; r < size_; ++r) out_.send(r, tag_finish, {});
    std::vector<bool> waiting(alive_);
    waiting[0] = false;
    auto any = [&] { return std::find(waiting.begin(), waiting.end(), true) != waiting.end(); };
    while (any()) {
      while (auto m = poll(comm_, MPI_ANY_SOURCE)) {
        const auto src = static_cast<std::size_t>(m->source);
        last_heard_[src] = clock::now();
        if (m->tag == tag_finished) waiting[src] = false;
      }
      for (int r = 1; r < size_; ++r) {
        const auto ri = static_cast<std::size_t>(r);
        if (waiting[ri] && mo_.timeout_seconds > 0 && seconds_since(last_heard_[ri]) > mo_.timeout_seconds) {
          waiting[ri] = false;
          alive_[ri] = false;
          res_.lost_ranks.push_back(r);
        }
      }
      out_.progress();
      if (any()) nap(mo_.poll_seconds);
    }
    out_.drain(1.0, mo_.poll_seconds);
  }

  const sample_options& o_;
  const output_layout& layout_;
  const options& mo_;
  MPI_Comm comm_;
  int size_;
  shared_run_state shared_;
  outbox out_;
  local_runner<D> runner_;
  std::vector<chain_result> results_;
  std::vector<int> owner_;                  // the rank whose attempt at the chain counts now
  std::vector<std::vector<int>> tried_;     // ranks that were given the chain, in order
  std::vector<bool> final_;
  std::vector<bool> alive_;
  std::vector<clock::time_point> last_heard_;
  std::vector<int> outstanding_;            // chains given to a rank and not settled
  int remaining_;
  bool stop_sent_ = false;
  result res_;
};

}  // namespace exmc::mpi::detail
