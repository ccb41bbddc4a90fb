// Eight schools as a CmdStan-like program:
//   eight_schools_cli sample --data bench/data/eight_schools.json --chains 4 --output out.csv
//   eight_schools_cli summary out_1.csv out_2.csv out_3.csv out_4.csv
// With NetCDF available (EXMC_HAS_NETCDF from CMake) --netcdf out.nc writes InferenceData too.
// With cpp-httplib (CMake's exmc::dashboard) --dashboard 8080 serves the live page while it samples.
#ifdef EXMC_EXAMPLE_NETCDF
#include <exmc/io/netcdf.hpp>
#endif
#ifdef EXMC_EXAMPLE_DASHBOARD
#include <exmc/dashboard/dashboard.hpp>  // before cli.hpp: enables --dashboard
#endif
#include <exmc/cli/cli.hpp>
#include <exmc/exmc.hpp>

auto eight_schools(const exmc::data_file& d) {
  using namespace exmc;
  const int J = d.integer("J");
  auto mu = param<"mu">(normal(0.0, 5.0));
  auto tau = param<"tau">(half_cauchy(5.0));
  auto theta = param<"theta">(normal(mu, tau), J);
  return model(mu, tau, theta, observe<"y">(normal(theta, d.vector("sigma", J)), d.vector("y", J)));
}

EXMC_MAIN(eight_schools)
