// By-hand drill for ranks that die or freeze mid-run (not a ctest: what happens depends on the
// MPI launcher, see docs/mpi.md). Rank 2 misbehaves at its chain's first density evaluation:
//   mpirun --oversubscribe -np 3 mpi_fault_drill exit|kill|stop|throw [timeout_seconds]
// exit: std::_Exit(3); kill: raise(SIGKILL); stop: raise(SIGSTOP), then rank 0 sends SIGCONT
// once the run is over; throw: an ordinary exception (the chain-level failure path).
#include <mpi.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include <exmc/mpi/environment.hpp>
#include <exmc/mpi/sample.hpp>
#include <exmc/nuts/sample.hpp>

namespace {
std::string mode;
int my_rank = 0;

struct misbehaving_normal {
  using scalar = double;
  std::ptrdiff_t dim() const { return 4; }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
    static std::atomic<bool> fired{false};
    if (my_rank == 2 && !fired.exchange(true)) {
      if (mode == "exit") std::_Exit(3);
      if (mode == "kill") raise(SIGKILL);
      if (mode == "stop") raise(SIGSTOP);
    }
    if (my_rank == 2 && mode == "throw") throw std::runtime_error("rank 2 refuses");
    g = -q;
    return -0.5 * q.squaredNorm();
  }
};
}  // namespace

int main(int argc, char** argv) {
  exmc::mpi::environment env(argc, argv);
  mode = argc > 1 ? argv[1] : "throw";
  my_rank = env.rank();
  int pid = static_cast<int>(getpid()), pid2 = 0;
  if (my_rank == 2) MPI_Send(&pid, 1, MPI_INT, 0, 9, MPI_COMM_WORLD);
  if (my_rank == 0) MPI_Recv(&pid2, 1, MPI_INT, 2, 9, MPI_COMM_WORLD, MPI_STATUS_IGNORE);

  exmc::sample_options o;
  o.chains = 6;
  o.warmup = 500;
  o.draws = 500;
  o.seed = 7;
  o.threads = 1;
  exmc::mpi::options mo;
  mo.heartbeat_seconds = 0.2;
  mo.timeout_seconds = argc > 2 ? std::atof(argv[2]) : 2.0;
  const auto t0 = MPI_Wtime();
  const auto r = exmc::mpi::sample(misbehaving_normal{}, o, mo);
  if (r.root) {
    std::printf("rank 0: %.2f s, %zu chains kept of %d, lost ranks:", MPI_Wtime() - t0, r.fit.chain_ids.size(), o.chains);
    for (int x : r.lost_ranks) std::printf(" %d", x);
    std::printf("\n");
    const exmc::fit local = exmc::sample(misbehaving_normal{}, o);  // rank 0 never misbehaves
    bool same = local.chain_ids == r.fit.chain_ids;
    for (std::size_t i = 0; same && i < local.posterior.chains.size(); ++i)
      same = local.posterior.chains[i] == r.fit.posterior.chains[i] && local.sample_stats.chains[i] == r.fit.sample_stats.chains[i];
    std::printf("  bit-identical to the local run: %s\n", same ? "yes" : "NO");
    for (const auto& t : r.retries)
      std::printf("  chain %d: rank %d -> rank %d (%s)\n", t.chain, t.failed_on, t.rerun_on, t.reason.c_str());
    if (mode == "stop") kill(pid2, SIGCONT);
    std::fflush(stdout);
  }
  std::printf("rank %d returned from sample\n", my_rank);
  std::fflush(stdout);
  return 0;
}
