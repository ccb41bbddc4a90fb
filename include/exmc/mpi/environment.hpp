#pragma once
// MPI_Init_thread / MPI_Finalize for programs that do not manage MPI themselves:
//   int main(int argc, char** argv) { exmc::mpi::environment env(argc, argv); ... }
// exmc calls MPI only from the thread that calls exmc::mpi::sample, so FUNNELED suffices.
#include <mpi.h>

#include <string>

#include "../core/error.hpp"

namespace exmc::mpi {

class environment {
 public:
  environment(int& argc, char**& argv) {
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (initialised) return;  // someone else owns MPI; leave finalisation to them
    int provided = 0;
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
      throw sampling_error("mpi::environment: MPI_Init_thread failed");
    owner_ = true;
  }
  environment(const environment&) = delete;
  environment& operator=(const environment&) = delete;
  ~environment() {
    int finalised = 0;
    MPI_Finalized(&finalised);
    if (owner_ && !finalised) MPI_Finalize();
  }

  static int rank(MPI_Comm comm = MPI_COMM_WORLD) {
    int r = 0;
    MPI_Comm_rank(comm, &r);
    return r;
  }
  static int size(MPI_Comm comm = MPI_COMM_WORLD) {
    int s = 0;
    MPI_Comm_size(comm, &s);
    return s;
  }

 private:
  bool owner_ = false;
};

}  // namespace exmc::mpi
