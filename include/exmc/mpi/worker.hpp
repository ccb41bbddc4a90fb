#pragma once
// A rank other than 0: runs its share of chains (and any retries rank 0 hands it) in background
// threads, and from its main thread sends each finished chain, batches of streamed draws and
// heartbeats to rank 0 until rank 0 says finish.
#include <mpi.h>

#include <cstdint>
#include <mutex>
#include <vector>

#include "comm.hpp"
#include "messages.hpp"
#include "options.hpp"
#include "runner.hpp"

namespace exmc::mpi::detail {

// Draws produced by this rank's chains and not yet sent, encoded as they come.
struct draw_stream {
  std::mutex mutex;
  writer body;
  std::uint32_t count = 0;

  void push(const draw_event& e) {
    std::lock_guard lock(mutex);
    put_draw(body, e);
    ++count;
  }
  // The pending batch as one message (count, then the draws); empty when there is none.
  std::vector<char> take() {
    std::lock_guard lock(mutex);
    if (count == 0) return {};
    writer msg;
    msg.put(count);
    msg.bytes().insert(msg.bytes().end(), body.bytes().begin(), body.bytes().end());
    body.bytes().clear();
    count = 0;
    return std::move(msg.bytes());
  }
};

template <LogDensity D>
void run_worker(const D& density, sample_options o, const output_layout& layout, const std::vector<int>& share,
                bool stream, const options& mo, MPI_Comm comm) {
  draw_stream drawn;
  // The callback only observes the chain: with or without it the draws are the same.
  o.callback = nullptr;
  o.concurrent_callback = false;  // draw_stream relies on exmc serialising the callback
  o.on_chain_end = nullptr;  // rank 0 reports every chain's end
  if (stream)
    o.callback = [&drawn](const draw_event& e) {
      drawn.push(e);
      return true;
    };
  shared_run_state shared;
  outbox out(comm);
  local_runner<D> runner(density, o, layout, shared);
  runner.start(share);

  auto last_sent = clock::now();
  auto last_stream = clock::now();
  auto send = [&](int tag, std::vector<char> bytes) {
    out.send(0, tag, std::move(bytes));
    last_sent = clock::now();
  };
  auto flush_draws = [&] {
    if (auto batch = drawn.take(); !batch.empty()) send(tag_draws, std::move(batch));
    last_stream = clock::now();
  };
  send(tag_heartbeat, {});

  for (bool finish = false; !finish;) {
    while (auto m = poll(comm, 0)) {
      if (m->tag == tag_assign) {
        reader rd(m->bytes.data(), m->bytes.size());
        std::vector<int> ids(rd.get<std::uint32_t>());
        for (auto& c : ids) c = rd.get<std::int32_t>();
        runner.start(std::move(ids));
      } else if (m->tag == tag_stop) {
        shared.stop.store(true, std::memory_order_relaxed);
      } else if (m->tag == tag_finish) {
        finish = true;
      }
    }
    auto done = runner.take();
    if (!done.empty()) flush_draws();  // a chain's draws reach rank 0 before its result
    for (auto& [chain, result] : done) {
      writer w;
      put_result(w, chain, result);
      send(tag_result, std::move(w.bytes()));
    }
    if (stream && seconds_since(last_stream) >= mo.stream_seconds) flush_draws();
    if (seconds_since(last_sent) >= mo.heartbeat_seconds) send(tag_heartbeat, {});
    out.progress();
    if (!finish) nap(mo.poll_seconds);
  }
  // Rank 0 has every chain it needs: whatever still runs here was given up on, so drop it.
  runner.stop_and_join();
  out.send(0, tag_finished, {});
  out.drain(mo.timeout_seconds > 0 ? mo.timeout_seconds : 60.0, mo.poll_seconds);
}

}  // namespace exmc::mpi::detail
