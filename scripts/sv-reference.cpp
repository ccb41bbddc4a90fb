// Writes tests/model/fixtures/sv_reference.csv: posterior mean, sd and their Monte Carlo standard
// errors for sigma, nu, s[0..99] of the stochastic volatility benchmark model, from a long NUTS
// run (20 chains x 25000 draws, 2000 warmup) of the centred model written by hand
// (bench/reference/sv.hpp): the parameterisation the compiler does not choose, so the test of
// the automatic non-centring compares two different samplers' routes to one posterior.
// Build and run from the repository root:
//   g++ -std=c++20 -O2 -DNDEBUG -Iinclude -Ibench -isystem /usr/include/eigen3 scripts/sv-reference.cpp -o /tmp/svr -lpthread
//   /tmp/svr bench/data/sv.json > tests/model/fixtures/sv_reference.csv
#include <cmath>
#include <exmc/diagnostics/diagnostics.hpp>
#include <exmc/nuts/nuts.hpp>
#include <iostream>

#include "reference/sv.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: sv-reference DATA.json\n";
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
  if (!f.all_ok()) return 1;
  std::cout.precision(10);
  std::cout << "name,mean,sd,mcse_mean,mcse_sd\n";
  double min_ess = 1e300;
  for (const auto& name : f.posterior.names) {
    const Eigen::MatrixXd x = f.posterior.column(name);
    const double mean = x.mean();
    const double sd = std::sqrt((x.array() - mean).square().sum() / static_cast<double>(x.size() - 1));
    std::cout << name << "," << mean << "," << sd << "," << exmc::mcse_mean(x) << "," << exmc::mcse_sd(x) << "\n";
    min_ess = std::min(min_ess, exmc::ess_bulk(x));
  }
  std::cerr << "divergent: " << f.total_divergent() << ", min bulk-ESS " << min_ess << "\n";
}
