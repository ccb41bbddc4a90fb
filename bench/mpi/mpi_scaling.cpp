// Wall time and ESS/s of exmc::mpi::sample on one benchmark model as the number of ranks grows:
//   mpirun --oversubscribe -np R mpi_scaling [--model medium] [--chains 8] [--seed 1] [--stream]
// One thread per rank, so R ranks run at most R chains at once. Rank 0 prints one Markdown row:
// ranks, chains, wall seconds (sample() only, model built before), minimum bulk-ESS over
// quantities, ESS/s, bytes of draws and statistics gathered per kept draw, and retries.
// A plain program (not Google Benchmark): the measured unit is one whole collective run.
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <exmc/mpi/environment.hpp>
#include <exmc/mpi/sample.hpp>

#include "models/models.hpp"

namespace {

template <class D>
int run(const D& density, const std::string& name, int chains, std::uint64_t seed, bool stream, int size) {
  exmc::sample_options o;
  o.chains = chains;
  o.warmup = 1000;
  o.draws = 1000;
  o.seed = seed;
  o.threads = 1;
  long streamed = 0;
  if (stream && exmc::mpi::environment::rank() == 0) o.callback = [&](const exmc::draw_event&) { return ++streamed, true; };
  MPI_Barrier(MPI_COMM_WORLD);
  const double t0 = MPI_Wtime();
  const auto r = exmc::mpi::sample(density, o);
  const double secs = MPI_Wtime() - t0;
  if (!r.root) return 0;
  double min_ess = 1e300;
  for (Eigen::Index j = 0; j < r.fit.posterior.num_quantities(); ++j) {
    const double e = exmc::ess_bulk(r.fit.posterior.column(j));
    if (std::isfinite(e)) min_ess = std::min(min_ess, e);
  }
  const double bytes_per_draw = 8.0 * static_cast<double>(r.fit.posterior.names.size() + r.fit.sample_stats.names.size());
  std::printf("| %s | %d | %d | %.3f | %.0f | %.0f | %.0f | %zu | %ld |\n", name.c_str(), size, chains, secs, min_ess,
              min_ess / secs, bytes_per_draw, r.retries.size(), streamed);
  return r.fit.all_ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  exmc::mpi::environment env(argc, argv);
  std::string model = "medium";
  int chains = 8;
  std::uint64_t seed = 1;
  bool stream = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--model" && i + 1 < argc) model = argv[++i];
    else if (a == "--chains" && i + 1 < argc) chains = std::atoi(argv[++i]);
    else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--stream") stream = true;
  }
  const auto data = exmc::data_file::from_file(exmc::bench::data_path(EXMC_DATA_DIR, model));
  const int size = env.size();
  if (model == "medium") return run(exmc::compile<double>(exmc::bench::medium_model(data)), model, chains, seed, stream, size);
  if (model == "logistic") return run(exmc::compile<double>(exmc::bench::logistic_model(data)), model, chains, seed, stream, size);
  if (model == "eight_schools")
    return run(exmc::compile<double>(exmc::bench::eight_schools_model(data)), model, chains, seed, stream, size);
  if (env.rank() == 0) std::fprintf(stderr, "mpi_scaling: --model must be medium, logistic or eight_schools\n");
  return 2;
}
