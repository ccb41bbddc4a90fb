// Compile-time probe for one benchmark model, chosen with -DEXMC_PROBE_MODEL=<name>_model (a
// function of bench/models/models.hpp): the data file read at run time, the model compiled to its
// log density and, with -DEXMC_PROBE_SAMPLE, sampled with NUTS and summarised, which is what
// rstan::stan_model builds for a Stan program. Timed by bench/compile_time/measure.sh.
#include <exmc/exmc.hpp>
#include <iostream>

#include "models/models.hpp"

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const auto data = exmc::data_file::from_file(argv[1]);
  auto ld = exmc::compile<double>(exmc::bench::EXMC_PROBE_MODEL(data));
#ifdef EXMC_PROBE_SAMPLE
  std::cout << exmc::summary(exmc::sample(ld, {.chains = 4, .seed = 1}));
#else
  Eigen::VectorXd q = Eigen::VectorXd::Zero(ld.dim()), g(ld.dim());
  std::cout << ld.logp_grad(q, g) << "\n";
#endif
}
