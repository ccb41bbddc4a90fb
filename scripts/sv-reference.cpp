// Writes tests/model/fixtures/sv_reference.csv: posterior mean, sd and their Monte Carlo standard
// errors for sigma, nu, s[0..99] of the stochastic volatility benchmark model, from a long NUTS
// run (20 chains x 25000 draws, 2000 warmup) of the centred model written by hand
// (bench/reference/sv.hpp): the parameterisation the compiler does not choose, so the test of
// the automatic non-centring compares two different samplers' routes to one posterior.
// Build and run from the repository root:
//   g++ -std=c++20 -O2 -DNDEBUG -Iinclude -Ibench -isystem /usr/include/eigen3 scripts/sv-reference.cpp -o /tmp/svr -lpthread
//   /tmp/svr bench/data/sv.json tests/model/fixtures/sv_reference.csv
// The file is written next to its destination and renamed into place only after every chain
// finished, so a failed or interrupted run leaves the fixture as it was.
#include <cmath>
#include <cstdio>
#include <exmc/diagnostics/diagnostics.hpp>
#include <fstream>
#include <exmc/nuts/nuts.hpp>
#include <iostream>

#include "reference/sv.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: sv-reference DATA.json OUT.csv\n";
    return 2;
  }
  const auto density = exmc::reference::sv<double>::from(exmc::data_file::from_file(argv[1]));
  exmc::sample_options o;
  o.chains = 20;
  o.warmup = 2000;
  o.draws = 25000;
  o.seed = 20261207;
  o.target_accept = 0.9;
  const exmc::fit f = exmc::sample(density, o);
  if (!f.all_ok()) {
    std::cerr << "sv-reference: " << exmc::diagnose(f).verdict() << "\n" << argv[2] << " left as it was\n";
    return 1;
  }
  const std::string out_path = argv[2], tmp_path = out_path + ".tmp";
  std::ofstream out(tmp_path);
  out.precision(10);
  out << "name,mean,sd,mcse_mean,mcse_sd\n";
  double min_ess = 1e300;
  for (const auto& name : f.posterior.names) {
    const Eigen::MatrixXd x = f.posterior.column(name);
    const double mean = x.mean();
    const double sd = std::sqrt((x.array() - mean).square().sum() / static_cast<double>(x.size() - 1));
    out << name << "," << mean << "," << sd << "," << exmc::mcse_mean(x) << "," << exmc::mcse_sd(x) << "\n";
    min_ess = std::min(min_ess, exmc::ess_bulk(x));
  }
  out.close();
  if (!out || std::rename(tmp_path.c_str(), out_path.c_str()) != 0) {
    std::cerr << "sv-reference: could not write " << out_path << "\n";
    std::remove(tmp_path.c_str());
    return 1;
  }
  std::cerr << "divergent: " << f.total_divergent() << ", min bulk-ESS " << min_ess << "\n";
}
