// Wall time of exmc::mpi::smc on one benchmark model as the number of ranks grows:
//   mpirun --oversubscribe -np R smc_ranks [--model logistic] [--particles 2000] [--kernel hmc|mh] [--seed 1]
// One thread per rank. Rank 0 prints one Markdown row: model, ranks, particles, kernel, wall
// seconds (smc() only, model built before), stages, gradient evaluations, bytes of particle
// state exchanged per stage, and the log evidence (the same for every R: the runs are identical).
// A plain program (not Google Benchmark): the measured unit is one whole collective run.
#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include <exmc/mpi/environment.hpp>
#include <exmc/mpi/smc.hpp>

#include "models/models.hpp"

namespace {

template <class D>
int run(const D& density, const std::string& name, const exmc::smc_options& o, int size) {
  MPI_Barrier(MPI_COMM_WORLD);
  const double t0 = MPI_Wtime();
  const auto f = exmc::mpi::smc(density, o);
  const double secs = MPI_Wtime() - t0;
  if (exmc::mpi::environment::rank() != 0) return 0;
  const double per_particle = 8.0 * ((o.kernel == exmc::smc_kernel::hmc ? 3.0 : 1.0) * static_cast<double>(density.dim()) + 2.0);
  std::printf("| %s | %d | %d | %s | %.3f | %d | %zu | %.0f | %.12g |\n", name.c_str(), size, o.particles,
              exmc::to_string(o.kernel), secs, f.stages, f.grad_evals, per_particle * o.particles, f.log_evidence);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  exmc::mpi::environment env(argc, argv);
  std::string model = "logistic";
  exmc::smc_options o;
  o.particles = 2000;
  o.seed = 1;
  o.threads = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--model" && i + 1 < argc) model = argv[++i];
    else if (a == "--particles" && i + 1 < argc) o.particles = std::atoi(argv[++i]);
    else if (a == "--seed" && i + 1 < argc) o.seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--kernel" && i + 1 < argc) o.kernel = std::string(argv[++i]) == "mh" ? exmc::smc_kernel::mh : exmc::smc_kernel::hmc;
  }
  const auto data = exmc::data_file::from_file(exmc::bench::data_path(EXMC_DATA_DIR, model));
  const int size = env.size();
  if (model == "medium") return run(exmc::compile<double>(exmc::bench::medium_model(data)), model, o, size);
  if (model == "logistic") return run(exmc::compile<double>(exmc::bench::logistic_model(data)), model, o, size);
  if (model == "eight_schools") return run(exmc::compile<double>(exmc::bench::eight_schools_model(data)), model, o, size);
  if (env.rank() == 0) std::fprintf(stderr, "smc_ranks: --model must be medium, logistic or eight_schools\n");
  return 2;
}
