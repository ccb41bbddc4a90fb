#pragma once
// What ranks say to each other: message tags, and the byte layout of a chain's result and of a
// batch of streamed draws. Only rank 0 and one other rank ever talk (a star), so a tag says all.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "../nuts/chain.hpp"
#include "../nuts/fit.hpp"
#include "../nuts/options.hpp"
#include "buffer.hpp"

namespace exmc::mpi::detail {

enum tag : int {
  tag_result = 101,     // rank -> 0: one finished chain (chain number, then its result)
  tag_draws = 102,      // rank -> 0: a batch of streamed draws
  tag_heartbeat = 103,  // rank -> 0: still alive (empty)
  tag_assign = 104,     // 0 -> rank: run these chains too (a retry)
  tag_stop = 105,       // 0 -> rank: stop every chain now (the callback said so)
  tag_finish = 106,     // 0 -> rank: all chains are accounted for; stop and return
  tag_finished = 107,   // rank -> 0: answer to finish; nothing more will come from this rank
};

inline void put_result(writer& w, int chain, const exmc::detail::chain_result& r) {
  w.put(static_cast<std::int32_t>(chain));
  w.put(r.post).put(r.stats).put(r.warm_post).put(r.warm_stats);
  w.put(r.step_size).put(r.inv_diag).put(r.inv_dense);
  w.put(r.low_rank.diag).put(r.low_rank.vectors).put(r.low_rank.values);
  w.put(r.warmup_seconds).put(r.sampling_seconds);
  w.put(static_cast<std::uint64_t>(r.grad_evals_warmup)).put(static_cast<std::uint64_t>(r.grad_evals_sampling));
  const chain_status& s = r.status;
  w.put(static_cast<std::int32_t>(s.outcome)).put(s.message);
  w.put(static_cast<std::uint64_t>(s.divergent)).put(static_cast<std::uint64_t>(s.divergent_warmup));
  w.put(static_cast<std::uint64_t>(s.exceptions)).put(s.last_exception);
}

inline std::pair<int, exmc::detail::chain_result> get_result(reader& rd) {
  std::pair<int, exmc::detail::chain_result> out;
  out.first = rd.get<std::int32_t>();
  auto& r = out.second;
  r.post = rd.get_matrix();
  r.stats = rd.get_matrix();
  r.warm_post = rd.get_matrix();
  r.warm_stats = rd.get_matrix();
  r.step_size = rd.get<double>();
  r.inv_diag = rd.get_vector();
  r.inv_dense = rd.get_matrix();
  r.low_rank.diag = rd.get_vector();
  r.low_rank.vectors = rd.get_matrix();
  r.low_rank.values = rd.get_vector();
  r.warmup_seconds = rd.get<double>();
  r.sampling_seconds = rd.get<double>();
  r.grad_evals_warmup = static_cast<std::size_t>(rd.get<std::uint64_t>());
  r.grad_evals_sampling = static_cast<std::size_t>(rd.get<std::uint64_t>());
  chain_status& s = r.status;
  const auto outcome = rd.get<std::int32_t>();
  if (outcome < 0 || outcome > static_cast<std::int32_t>(chain_outcome::failed))
    throw sampling_error("mpi: a chain result carries an unknown outcome " + std::to_string(outcome));
  s.outcome = static_cast<chain_outcome>(outcome);
  s.message = rd.get_string();
  s.divergent = static_cast<std::size_t>(rd.get<std::uint64_t>());
  s.divergent_warmup = static_cast<std::size_t>(rd.get<std::uint64_t>());
  s.exceptions = static_cast<std::size_t>(rd.get<std::uint64_t>());
  s.last_exception = rd.get_string();
  if (!rd.at_end()) throw sampling_error("mpi: trailing bytes after a chain result");
  return out;
}

// One streamed draw: the scalar fields of draw_event, then the kept values (their count is the
// same on every rank, checked when the run starts).
inline void put_draw(writer& w, const draw_event& e) {
  w.put(static_cast<std::int32_t>(e.chain)).put(static_cast<std::int64_t>(e.iteration));
  w.put(static_cast<std::uint8_t>(e.warmup)).put(static_cast<std::uint8_t>(e.divergent));
  w.put(static_cast<std::int32_t>(e.treedepth)).put(static_cast<std::int32_t>(e.n_leapfrog));
  w.put(e.lp).put(e.accept_stat).put(e.step_size).put(e.energy);
  w.raw(e.values.data(), e.values.size());
}

// Reads one draw written by put_draw into `e`, its values into `values` (sized by the caller).
inline void get_draw(reader& rd, draw_event& e, std::vector<double>& values) {
  e.chain = rd.get<std::int32_t>();
  e.iteration = static_cast<long>(rd.get<std::int64_t>());
  e.warmup = rd.get<std::uint8_t>() != 0;
  e.divergent = rd.get<std::uint8_t>() != 0;
  e.treedepth = rd.get<std::int32_t>();
  e.n_leapfrog = rd.get<std::int32_t>();
  e.lp = rd.get<double>();
  e.accept_stat = rd.get<double>();
  e.step_size = rd.get<double>();
  e.energy = rd.get<double>();
  rd.copy(values.data(), values.size());
  e.values = std::span<const double>(values.data(), values.size());
}

}  // namespace exmc::mpi::detail
