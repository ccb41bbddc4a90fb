#pragma once
// The chains one rank runs, in background threads, so that the rank's main thread stays free to
// talk MPI (only that thread ever calls MPI: MPI_THREAD_FUNNELED is all exmc needs). Chains
// arrive in batches (the first share, then retries); finished results are collected by take().
#include <list>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "../core/log_density.hpp"
#include "../nuts/driver.hpp"

namespace exmc::mpi::detail {

using exmc::detail::chain_result;
using exmc::detail::output_layout;
using exmc::detail::shared_run_state;

template <LogDensity D>
class local_runner {
 public:
  local_runner(const D& density, const sample_options& options, const output_layout& layout, shared_run_state& shared)
      : density_(density), options_(options), layout_(layout), shared_(shared) {}
  local_runner(const local_runner&) = delete;
  local_runner& operator=(const local_runner&) = delete;
  ~local_runner() { stop_and_join(); }

  void start(std::vector<int> ids) {
    if (ids.empty()) return;
    auto& b = batches_.emplace_back();
    b.ids = std::move(ids);
    b.results.resize(b.ids.size());
    {
      std::lock_guard lock(mutex_);
      running_ += b.ids.size();
    }
    batch* pb = &b;  // std::list: stable address
    b.thread = std::jthread([this, pb] {
      exmc::detail::run_chains(density_, options_, layout_, pb->ids, shared_, pb->results, [this, pb](std::size_t i) {
        std::lock_guard lock(mutex_);
        done_.emplace_back(pb, i);
      });
    });
  }

  // Chains finished since the last call, as (chain number, result).
  std::vector<std::pair<int, chain_result>> take() {
    std::vector<std::pair<batch*, std::size_t>> done;
    {
      std::lock_guard lock(mutex_);
      done.swap(done_);
      running_ -= done.size();
    }
    std::vector<std::pair<int, chain_result>> out;
    for (auto [b, i] : done) out.emplace_back(b->ids[i], std::move(b->results[i]));
    return out;
  }

  std::size_t running() {
    std::lock_guard lock(mutex_);
    return running_;
  }

  // Ends every chain still running (their results are dropped) and waits for the threads.
  void stop_and_join() {
    shared_.stop.store(true, std::memory_order_relaxed);
    for (auto& b : batches_)
      if (b.thread.joinable()) b.thread.join();
  }

 private:
  struct batch {
    std::vector<int> ids;
    std::vector<chain_result> results;
    std::jthread thread;
  };

  const D& density_;
  const sample_options& options_;
  const output_layout& layout_;
  shared_run_state& shared_;
  std::list<batch> batches_;
  std::mutex mutex_;
  std::vector<std::pair<batch*, std::size_t>> done_;
  std::size_t running_ = 0;
};

}  // namespace exmc::mpi::detail
