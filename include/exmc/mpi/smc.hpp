#pragma once
// exmc::mpi::smc: tempered SMC with the particles split over the ranks of an MPI job (and over
// threads within each rank). Same algorithm as exmc::smc (smc_detail::run), with a policy that
// gathers each block's results after every collective step, so the result is bit-identical to
// exmc::smc with the same options, whatever the number of ranks.
//
//   exmc::mpi::environment env(argc, argv);          // or MPI_Init_thread yourself
//   auto model = exmc::compile<double>(my_model);    // every rank builds the same model
//   exmc::smc_options o;  o.particles = 20000;  o.seed = 1;  o.threads = 4;   // threads per rank
//   exmc::smc_fit f = exmc::mpi::smc(model, o);      // collective; every rank gets the full fit
//
// Rank r of n moves particles [P r / n, P (r + 1) / n). After each round of moves every rank
// learns every particle's acceptance, evaluation and fault counts; after each stage, every
// particle's state. Reweighting, resampling and kernel tuning are then repeated identically on
// every rank. Options must agree across ranks (threads excepted): a disagreement, or a bad option
// on any rank, is a model_error on every rank; sampling errors are raised on every rank too.
// Not included by <exmc/exmc.hpp>: link MPI::MPI_CXX and include this header.
#include <mpi.h>

#include <Eigen/Core>
#include <bit>
#include <climits>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "../core/error.hpp"
#include "../smc/smc.hpp"
#include "buffer.hpp"
#include "comm.hpp"
#include "options.hpp"

namespace exmc::mpi {

namespace detail {

// The settings that decide the result; threads do not.
struct smc_signature {
  static constexpr int n = 13;
  std::uint64_t v[n] = {};
  static const char* name(int i) {
    static const char* names[n] = {"particles",  "seed",       "kernel",         "ess_target", "move_probability",
                                   "min_steps",  "max_steps",  "leapfrog_steps", "step_size",  "target_accept",
                                   "max_stages", "init_tries", "dim()"};
    return names[i];
  }
};

template <TemperedLogDensity D>
smc_signature sign(const D& d, const smc_options& o) {
  auto u = [](auto x) { return static_cast<std::uint64_t>(x); };
  auto bits = [](double x) { return std::bit_cast<std::uint64_t>(x); };
  return {{u(o.particles), o.seed, u(o.kernel), bits(o.ess_target), bits(o.move_probability), u(o.min_steps),
           u(o.max_steps), u(o.leapfrog_steps), bits(o.step_size), bits(o.target_accept), u(o.max_stages),
           u(o.init_tries), u(d.dim())}};
}

// Collective: if any rank has a problem, every rank throws model_error with the text of the
// lowest such rank, which is broadcast so that all ranks report the same thing.
inline void agree(MPI_Comm comm, int rank, int size, const std::string& problem) {
  const int me = problem.empty() ? size : rank;
  int first = size;
  check(MPI_Allreduce(&me, &first, 1, MPI_INT, MPI_MIN, comm), "MPI_Allreduce");
  if (first == size) return;
  int n = rank == first ? static_cast<int>(problem.size()) : 0;
  check(MPI_Bcast(&n, 1, MPI_INT, first, comm), "MPI_Bcast");
  std::string text = rank == first ? problem : std::string(static_cast<std::size_t>(n), ' ');
  check(MPI_Bcast(text.data(), n, MPI_CHAR, first, comm), "MPI_Bcast");
  throw model_error(str_cat({"mpi::smc: rank ", std::to_string(first), ": ", text}));
}

// An MPI datatype of `bytes` contiguous bytes, so Allgatherv counts particles rather than bytes
// and does not overflow int for large populations.
class record_type {
 public:
  explicit record_type(std::size_t bytes) {
    if (bytes > static_cast<std::size_t>(INT_MAX)) throw sampling_error("mpi::smc: one particle's record exceeds 2 GiB");
    check(MPI_Type_contiguous(static_cast<int>(bytes), MPI_BYTE, &t_), "MPI_Type_contiguous");
    check(MPI_Type_commit(&t_), "MPI_Type_commit");
  }
  record_type(const record_type&) = delete;
  record_type& operator=(const record_type&) = delete;
  ~record_type() { MPI_Type_free(&t_); }
  MPI_Datatype get() const { return t_; }

 private:
  MPI_Datatype t_ = MPI_DATATYPE_NULL;
};

// The exchange policy of smc_detail::run over MPI: rank r moves the r-th contiguous block.
class smc_exchange {
 public:
  std::size_t lo = 0, hi = 0;

  smc_exchange(MPI_Comm comm, std::size_t particles) : comm_(comm), np_(particles) {
    check(MPI_Comm_rank(comm, &rank_), "MPI_Comm_rank");
    check(MPI_Comm_size(comm, &size_), "MPI_Comm_size");
    const auto r = static_cast<std::size_t>(rank_), n = static_cast<std::size_t>(size_);
    lo = np_ * r / n;
    hi = np_ * (r + 1) / n;
    const int mine = static_cast<int>(hi - lo);
    counts_.resize(n);
    check(MPI_Allgather(&mine, 1, MPI_INT, counts_.data(), 1, MPI_INT, comm_), "MPI_Allgather");
    displs_.assign(n, 0);
    for (std::size_t k = 1; k < n; ++k) displs_[k] = displs_[k - 1] + counts_[k - 1];
  }

  void share_round(std::vector<smc_detail::move_record>& rec, std::vector<char>* failed) {
    struct wire {
      double accept;
      std::uint64_t evals, faults, failed;
    };
    bytes_.resize(np_ * sizeof(wire));
    for (std::size_t i = lo; i < hi; ++i) {
      const wire w{rec[i].accept, rec[i].evals, rec[i].faults, failed && (*failed)[i] ? 1u : 0u};
      std::memcpy(bytes_.data() + i * sizeof(wire), &w, sizeof(wire));
    }
    gather_blocks(sizeof(wire));
    for_others([&](std::size_t i) {
      wire w;
      std::memcpy(&w, bytes_.data() + i * sizeof(wire), sizeof(wire));
      rec[i].accept = w.accept;
      rec[i].evals = w.evals;
      rec[i].faults = w.faults;
      rec[i].fault.clear();
      if (failed) (*failed)[i] = static_cast<char>(w.failed);
    });
    // The fault texts run() reads: each block's last one (for last_fault) and that of its first
    // failed prior draw (for the error message). Sending every particle's would cost far more.
    writer out;
    std::size_t last = hi, first_failed = hi;
    for (std::size_t i = lo; i < hi; ++i) {
      if (!rec[i].fault.empty()) last = i;
      if (failed && (*failed)[i] && first_failed == hi) first_failed = i;
    }
    out.put(static_cast<std::uint64_t>((last < hi ? 1 : 0) + (first_failed < hi && first_failed != last ? 1 : 0)));
    if (last < hi) out.put(static_cast<std::uint64_t>(last)).put(rec[last].fault);
    if (first_failed < hi && first_failed != last) out.put(static_cast<std::uint64_t>(first_failed)).put(rec[first_failed].fault);
    const auto texts = gather_texts(out.bytes());
    for (int k = 0; k < size_; ++k) {
      if (k == rank_) continue;
      const auto& blob = texts[static_cast<std::size_t>(k)];
      reader in(blob.data(), blob.size());
      for (auto m = in.get<std::uint64_t>(); m > 0; --m) {
        const auto i = in.get<std::uint64_t>();
        if (i >= np_) throw sampling_error("mpi::smc: malformed fault record between ranks");
        rec[i].fault = in.get_string();
      }
    }
  }

  // HMC reads the gradients of the current state; MH only its position and densities, so their
  // gradients are not sent (stale copies elsewhere are overwritten before any read).
  template <class T>
  void share_particles(std::vector<smc_detail::particle<T>>& ps, smc_kernel kernel) {
    const auto dim = static_cast<std::size_t>(ps.front().q.size());
    const std::size_t vec = dim * sizeof(T), nvec = kernel == smc_kernel::hmc ? 3 : 1;
    const std::size_t per = nvec * vec + 2 * sizeof(double);
    bytes_.resize(np_ * per);
    for (std::size_t i = lo; i < hi; ++i) {
      char* p = bytes_.data() + i * per;
      const auto& z = ps[i];
      std::memcpy(p, z.q.data(), vec);
      if (nvec == 3) {
        std::memcpy(p + vec, z.gp.data(), vec);
        std::memcpy(p + 2 * vec, z.gl.data(), vec);
      }
      std::memcpy(p + nvec * vec, &z.lp, sizeof(double));
      std::memcpy(p + nvec * vec + sizeof(double), &z.ll, sizeof(double));
    }
    gather_blocks(per);
    for_others([&](std::size_t i) {
      const char* p = bytes_.data() + i * per;
      auto& z = ps[i];
      std::memcpy(z.q.data(), p, vec);
      if (nvec == 3) {
        std::memcpy(z.gp.data(), p + vec, vec);
        std::memcpy(z.gl.data(), p + 2 * vec, vec);
      }
      std::memcpy(&z.lp, p + nvec * vec, sizeof(double));
      std::memcpy(&z.ll, p + nvec * vec + sizeof(double), sizeof(double));
    });
  }

  void share_constrained(Eigen::MatrixXd& m, std::string& problem) {
    const auto problems = gather_texts(std::vector<char>(problem.begin(), problem.end()));
    for (const auto& p : problems)
      if (!p.empty()) {
        problem.assign(p.begin(), p.end());
        return;
      }
    const auto cols = static_cast<std::size_t>(m.cols());
    if (cols == 0) return;
    const std::size_t per = cols * sizeof(double);
    bytes_.resize(np_ * per);
    for (std::size_t i = lo; i < hi; ++i)
      for (std::size_t j = 0; j < cols; ++j) {
        const double x = m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
        std::memcpy(bytes_.data() + i * per + j * sizeof(double), &x, sizeof(double));
      }
    gather_blocks(per);
    for_others([&](std::size_t i) {
      for (std::size_t j = 0; j < cols; ++j)
        std::memcpy(&m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)), bytes_.data() + i * per + j * sizeof(double),
                    sizeof(double));
    });
  }

 private:
  // f(i) for every particle outside this rank's block: those the exchange just received.
  template <class F>
  void for_others(F&& f) const {
    for (std::size_t i = 0; i < lo; ++i) f(i);
    for (std::size_t i = hi; i < np_; ++i) f(i);
  }

  // bytes_ holds np_ records of `per` bytes, this rank's block filled in; afterwards all are.
  void gather_blocks(std::size_t per) {
    const record_type t(per);
    check(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, bytes_.data(), counts_.data(), displs_.data(), t.get(), comm_),
          "MPI_Allgatherv");
  }

  // Every rank's blob, in rank order.
  std::vector<std::vector<char>> gather_texts(const std::vector<char>& mine) {
    const auto n = static_cast<std::size_t>(size_);
    const int len = static_cast<int>(mine.size());
    std::vector<int> lens(n), offs(n, 0);
    check(MPI_Allgather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, comm_), "MPI_Allgather");
    for (std::size_t k = 1; k < n; ++k) offs[k] = offs[k - 1] + lens[k - 1];
    std::vector<char> all(static_cast<std::size_t>(offs[n - 1] + lens[n - 1]) + 1);  // + 1: never empty
    check(MPI_Allgatherv(mine.data(), len, MPI_CHAR, all.data(), lens.data(), offs.data(), MPI_CHAR, comm_), "MPI_Allgatherv");
    std::vector<std::vector<char>> out(n);
    for (std::size_t k = 0; k < n; ++k) out[k].assign(all.begin() + offs[k], all.begin() + offs[k] + lens[k]);
    return out;
  }

  MPI_Comm comm_;
  std::size_t np_;
  int rank_ = 0, size_ = 1;
  std::vector<int> counts_, displs_;
  std::vector<char> bytes_;
};

}  // namespace detail

// Collective over `comm` (duplicated, never used directly). Every rank returns the full fit,
// bit-identical to exmc::smc(d, o). Throws model_error for bad or disagreeing options and
// sampling_error as exmc::smc does, on every rank alike. Only MPI is called from the calling
// thread; the rank's block of particles moves on o.threads threads.
template <TemperedLogDensity D>
smc_fit smc(const D& d, const smc_options& o, MPI_Comm comm = MPI_COMM_WORLD) {
  int initialised = 0, finalised = 0;
  MPI_Initialized(&initialised);
  MPI_Finalized(&finalised);
  if (!initialised || finalised)
    throw model_error("mpi::smc: MPI is not initialised (use exmc::mpi::environment or MPI_Init_thread first)");
  if (comm == MPI_COMM_NULL) throw model_error("mpi::smc: comm is MPI_COMM_NULL");
  const detail::own_comm own(comm);  // SMC loses no ranks, so it is always freed
  int rank = 0, size = 1;
  detail::check(MPI_Comm_rank(own.comm, &rank), "MPI_Comm_rank");
  detail::check(MPI_Comm_size(own.comm, &size), "MPI_Comm_size");

  // Every rank checks its own options, then all agree with rank 0 or all raise.
  std::string problem;
  detail::smc_signature mine;
  try {
    smc_detail::validate(d, o);
    mine = detail::sign(d, o);
  } catch (const model_error& e) {
    problem = e.what();
  }
  detail::smc_signature root = mine;
  detail::check(MPI_Bcast(root.v, detail::smc_signature::n, MPI_UINT64_T, 0, own.comm), "MPI_Bcast");
  for (int i = 0; i < detail::smc_signature::n && problem.empty() && rank != 0; ++i)
    if (mine.v[i] != root.v[i])
      problem = str_cat({"was given a different ", detail::smc_signature::name(i), " than rank 0 (options must agree on every rank)"});
  detail::agree(own.comm, rank, size, problem);

  detail::smc_exchange ex(own.comm, static_cast<std::size_t>(o.particles));
  return smc_detail::run(d, o, ex);
}

// As above, on options::comm; the other members of mpi::options concern mpi::sample only.
template <TemperedLogDensity D>
smc_fit smc(const D& d, const smc_options& o, const options& mo) {
  return smc(d, o, mo.comm);
}

}  // namespace exmc::mpi
