#pragma once
// exmc::mpi::sample: NUTS chains spread over the ranks of an MPI job (and over threads within
// each rank), gathered on rank 0 into the fit exmc::sample gives for the same options.
//
//   exmc::mpi::environment env(argc, argv);          // or MPI_Init_thread yourself
//   auto model = exmc::compile<double>(my_model);    // every rank builds the same model
//   exmc::sample_options o;  o.chains = 16;  o.seed = 1;
//   exmc::mpi::result r = exmc::mpi::sample(model, o);
//   if (r.root) use(r.fit);                          // rank 0 holds the result
//
// Every rank of options::comm must call it with the same options (checked: a disagreement is a
// model_error on every rank). Chain c runs from rng(seed, c) wherever it runs, so the draws are
// bit-identical to a local run. rank 0's sample_options::callback, if any, sees every draw of
// every chain (remote ones in batches); other ranks' callbacks are not called.
// Not included by <exmc/exmc.hpp>: link MPI::MPI_CXX and include this header.
#include <mpi.h>

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "../core/error.hpp"
#include "../core/log_density.hpp"
#include "../nuts/driver.hpp"
#include "comm.hpp"
#include "coordinator.hpp"
#include "options.hpp"
#include "worker.hpp"

namespace exmc::mpi {

namespace detail {

inline void check_options(const options& mo) {
  auto bad = [](const std::string& what) { throw model_error("mpi::sample: " + what); };
  if (!(mo.heartbeat_seconds > 0.0)) bad("heartbeat_seconds must be > 0 (got " + std::to_string(mo.heartbeat_seconds) + ")");
  if (!(mo.timeout_seconds >= 0.0)) bad("timeout_seconds must be >= 0 (got " + std::to_string(mo.timeout_seconds) + ")");
  if (mo.timeout_seconds > 0.0 && mo.timeout_seconds < 2.0 * mo.heartbeat_seconds)
    bad("timeout_seconds (" + std::to_string(mo.timeout_seconds) + ") must be 0 or at least twice heartbeat_seconds (" +
        std::to_string(mo.heartbeat_seconds) + ")");
  if (mo.max_retries < 0) bad("max_retries must be >= 0 (got " + std::to_string(mo.max_retries) + ")");
  if (!(mo.stream_seconds >= 0.0)) bad("stream_seconds must be >= 0");
  if (!(mo.poll_seconds > 0.0 && mo.poll_seconds <= 1.0)) bad("poll_seconds must lie in (0, 1]");
  if (mo.comm == MPI_COMM_NULL) bad("comm is MPI_COMM_NULL");
}

// The settings every rank must share for its chains to be the ones rank 0 expects.
struct signature {
  static constexpr int n = 18;
  std::uint64_t v[n] = {};
  static const char* name(int i) {
    static const char* names[n] = {"chains",      "warmup",     "draws",        "seed",         "thin",
                                   "max_depth",   "metric",     "adaptation",   "save_warmup",  "dim()",
                                   "kept quantities", "target_accept", "init_radius", "step_size", "max_delta_h",
                                   "init_tries / max_consecutive_faults", "init_unconstrained / init", "warm"};
    return names[i];
  }
};

inline std::uint64_t mix(std::uint64_t h, std::uint64_t x) { return (h ^ x) * 0x100000001B3ull; }
inline std::uint64_t hash(const std::vector<std::string>& names) {
  std::uint64_t h = 0xCBF29CE484222325ull;
  for (const auto& s : names) {
    for (char ch : s) h = mix(h, static_cast<unsigned char>(ch));
    h = mix(h, 0x1F);
  }
  return h;
}

template <LogDensity D>
signature sign(const D& d, const sample_options& o, const output_layout& layout) {
  auto u = [](auto x) { return static_cast<std::uint64_t>(x); };
  auto bits = [](double x) { return std::bit_cast<std::uint64_t>(x); };
  std::uint64_t init = 0xCBF29CE484222325ull;
  for (Eigen::Index i = 0; i < o.init_unconstrained.size(); ++i) init = mix(init, bits(o.init_unconstrained[i]));
  for (const auto& [name, value] : o.init) {
    init = mix(init, hash({name}));
    for (Eigen::Index i = 0; i < value.size(); ++i) init = mix(init, bits(value.data()[i]));
  }
  std::uint64_t warm = 0;
  if (o.warm) {
    warm = mix(1, bits(o.warm->step_size));
    for (Eigen::Index i = 0; i < o.warm->inv_metric_diag.size(); ++i) warm = mix(warm, bits(o.warm->inv_metric_diag[i]));
    for (Eigen::Index i = 0; i < o.warm->inv_metric_dense.size(); ++i) warm = mix(warm, bits(o.warm->inv_metric_dense.data()[i]));
    const low_rank_factors& lr = o.warm->inv_metric_low_rank;
    for (Eigen::Index i = 0; i < lr.diag.size(); ++i) warm = mix(warm, bits(lr.diag[i]));
    for (Eigen::Index i = 0; i < lr.vectors.size(); ++i) warm = mix(warm, bits(lr.vectors.data()[i]));
    for (Eigen::Index i = 0; i < lr.values.size(); ++i) warm = mix(warm, bits(lr.values[i]));
  }
  return {{u(o.chains), u(o.warmup), u(o.draws), o.seed, u(o.thin), u(o.max_depth), u(o.metric), u(o.adaptation),
           u(o.save_warmup), u(d.dim()), hash(layout.kept_names), bits(o.target_accept), bits(o.init_radius),
           bits(o.step_size), bits(o.max_delta_h), mix(u(o.init_tries), u(o.max_consecutive_faults)), init, warm}};
}

}  // namespace detail

template <LogDensity D>
result sample(const D& density, const sample_options& requested = {}, const options& mo = {}) {
  int initialised = 0, finalised = 0;
  MPI_Initialized(&initialised);
  MPI_Finalized(&finalised);
  if (!initialised || finalised)
    throw model_error("mpi::sample: MPI is not initialised (use exmc::mpi::environment or MPI_Init_thread first)");
  detail::check_options(mo);
  detail::own_comm own(mo.comm);
  const MPI_Comm comm = own.comm;
  int rank = 0, size = 1;
  detail::check(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
  detail::check(MPI_Comm_size(comm, &size), "MPI_Comm_size");

  // Every rank checks its own options, then all agree with rank 0 or all raise.
  std::string problem;
  sample_options o;
  exmc::detail::output_layout layout;
  detail::signature mine;
  try {
    o = exmc::detail::resolve(requested);
    exmc::detail::validate(density, o);
    layout = exmc::detail::make_layout(density, o);
    mine = detail::sign(density, o, layout);
  } catch (const model_error& e) {
    problem = e.what();
  }
  std::uint64_t root[detail::signature::n + 1];
  std::copy(mine.v, mine.v + detail::signature::n, root);
  root[detail::signature::n] = o.callback ? 1 : 0;  // rank 0 streams draws only if it has a callback
  detail::check(MPI_Bcast(root, detail::signature::n + 1, MPI_UINT64_T, 0, comm), "MPI_Bcast");
  for (int i = 0; i < detail::signature::n && problem.empty() && rank != 0; ++i)
    if (mine.v[i] != root[i])
      problem = "rank " + std::to_string(rank) + " was given different " + detail::signature::name(i) + " than rank 0";
  const int me = problem.empty() ? size : rank;
  int first = size;
  detail::check(MPI_Allreduce(&me, &first, 1, MPI_INT, MPI_MIN, comm), "MPI_Allreduce");
  if (first < size) {
    if (first != 0 && rank == first) {
      MPI_Send(problem.data(), static_cast<int>(problem.size()), MPI_CHAR, 0, 0, comm);
    } else if (first != 0 && rank == 0) {
      MPI_Status st;
      int n = 0;
      MPI_Probe(first, 0, comm, &st);
      MPI_Get_count(&st, MPI_CHAR, &n);
      problem.resize(static_cast<std::size_t>(n));
      MPI_Recv(problem.data(), n, MPI_CHAR, first, 0, comm, MPI_STATUS_IGNORE);
      problem = "rank " + std::to_string(first) + ": " + problem;
    }
    if (problem.empty()) problem = "rank " + std::to_string(first) + " rejected the run (see the error raised there)";
    throw model_error(problem.rfind("mpi::sample", 0) == 0 ? problem : "mpi::sample: " + problem);
  }

  // Chains dealt round-robin over the ranks that run chains; every rank computes the same split.
  std::vector<std::vector<int>> shares(static_cast<std::size_t>(size));
  const int first_runner = mo.root_runs_chains || size == 1 ? 0 : 1;
  for (int c = 0; c < o.chains; ++c) shares[static_cast<std::size_t>(first_runner + c % (size - first_runner))].push_back(c);

  if (rank == 0) {
    result r = detail::coordinator<D>(density, o, layout, mo, comm, size).run(shares);
    own.keep = !r.lost_ranks.empty();
    return r;
  }
  detail::run_worker(density, o, layout, shares[static_cast<std::size_t>(rank)], root[detail::signature::n] != 0, mo, comm);
  return {};
}

}  // namespace exmc::mpi
