// main() of the MPI tests: MPI is initialised before Catch runs (the tests call collectives), and
// the exit code is nonzero on every rank if a test failed on any rank, so mpirun and ctest see it.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <mpi.h>

#include <exmc/mpi/environment.hpp>

int main(int argc, char** argv) {
  exmc::mpi::environment env(argc, argv);
  Catch::Session session;
  if (const int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
  const int failed = session.run();
  int any = 0;
  MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return any != 0 ? 1 : 0;
}
