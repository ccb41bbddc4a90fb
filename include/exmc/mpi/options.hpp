#pragma once
// Options of exmc::mpi::sample and what it returns beyond the fit.
#include <mpi.h>

#include <string>
#include <vector>

#include "../nuts/fit.hpp"

namespace exmc::mpi {

struct options {
  MPI_Comm comm = MPI_COMM_WORLD;  // every rank of it calls sample(); it is duplicated, never used directly
  double heartbeat_seconds = 0.5;  // a rank with nothing else to say reports this often that it is alive
  double timeout_seconds = 60.0;   // rank 0 gives up on a rank silent this long (0: never)
  int max_retries = 1;             // re-runs of a failed or lost chain, each on a rank that has not tried it
  bool root_runs_chains = true;    // false: rank 0 only coordinates (unless it is the only rank left)
  double stream_seconds = 0.05;    // how long a rank batches streamed draws before sending them
  double poll_seconds = 0.002;     // sleep between two looks at the network and the local chains
};

// One chain that ran again elsewhere.
struct retry {
  int chain = 0;
  int failed_on = 0;   // the rank whose attempt was given up
  int rerun_on = 0;    // the rank that ran it next
  std::string reason;  // the failed attempt's status message, or why the rank was given up
};

struct result {
  bool root = false;  // true on rank 0, the only rank whose other members are filled
  exmc::fit fit;      // the gathered fit, as exmc::sample returns it for the same options
  std::vector<int> rank_of_chain;  // where each chain's kept attempt ran (-1: lost with its rank)
  std::vector<retry> retries;      // in the order rank 0 decided them
  std::vector<int> lost_ranks;     // ranks rank 0 stopped hearing from (heartbeat timeout)
};

}  // namespace exmc::mpi
