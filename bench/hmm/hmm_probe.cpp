// Fixed work for instruction counts (as bench/gradient_probe.cpp): N gradients of the Gaussian
// HMM of hmm_bench with K states and n observations: compiled, hand-written, or (built with
// -DEXMC_BENCH_STAN_MATH=ON) Stan Math.
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null hmm_probe compiled 3 1000 100
// and the same with N = 0; (difference) / N is the cost of one gradient.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "hmm/hmm_models.hpp"
#include "probe_run.hpp"
#ifdef EXMC_BENCH_STAN_MATH
#include "stan_math/stan_math_hmm.hpp"
#endif

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: hmm_probe compiled|hand|stan_math K n [calls]\n");
    return 2;
  }
  const std::string which = argv[1];
  const int K = std::atoi(argv[2]), n = std::atoi(argv[3]);
  const long calls = argc > 4 ? std::atol(argv[4]) : 10000;
  const auto y = exmc::bench_hmm::simulate(exmc::bench_hmm::default_truth(K), n, 1).y;
  if (which == "compiled")
    exmc::bench::probe_run(exmc::compile<double>(exmc::bench_hmm::gaussian_hmm(y, K)), calls);
  else if (which == "hand")
    exmc::bench::probe_run(exmc::bench_hmm::gaussian_hmm_hand(y, K), calls);
#ifdef EXMC_BENCH_STAN_MATH
  else if (which == "stan_math")
    exmc::bench::probe_run(exmc::stan_math::gaussian_hmm(y, K), calls);
#endif
  else
    return 2;
  return 0;
}
