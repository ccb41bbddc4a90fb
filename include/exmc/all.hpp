#pragma once
// Everything exmc offers that needs no optional library: the modelling core and NUTS
// (exmc.hpp), optimisation and Laplace, ADVI, Pathfinder, SMC, Stan CSV and the progress
// display. Optional libraries keep their own headers: <exmc/io/netcdf.hpp> (libnetcdf),
// <exmc/cli/cli.hpp> (CLI11, nlohmann-json), <exmc/mpi/sample.hpp> (MPI), and
// <exmc/io/cmdstan_json.hpp> (nlohmann-json).
#include "exmc.hpp"
#include "io/callbacks.hpp"
#include "io/progress.hpp"
#include "io/stan_csv_reader.hpp"
#include "io/stan_csv_writer.hpp"
#include "optimize/laplace.hpp"
#include "optimize/optimize.hpp"
#include "smc/smc.hpp"
#include "variational/advi.hpp"
#include "variational/pathfinder.hpp"
