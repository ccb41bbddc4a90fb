// Fixed work for instruction counts (as bench/gradient_probe.cpp): N gradients of the Gaussian
// HMM of hmm_bench, compiled or hand-written.
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null hmm_probe compiled 3 1000 2000
// and the same with N = 0; (difference) / N is the cost of one gradient.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "hmm/hmm_models.hpp"

namespace {

template <exmc::LogDensity D>
void run(const D& d, long calls) {
  exmc::evaluator<D> ev(d);
  exmc::rng gen(20240611, 0);
  exmc::vector_t<double> q(ev.dim()), g(ev.dim());
  for (auto& x : q) x = 0.5 * gen.normal();
  double total = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < calls; ++i) {
    q[0] += 1e-12;
    total += ev.logp_grad(q, g);
  }
  const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%ld calls, %.1f ns/call (checksum %.6g)\n", calls, calls > 0 ? ns / static_cast<double>(calls) : 0.0, total);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: hmm_probe compiled|hand K n [calls]\n");
    return 2;
  }
  const std::string which = argv[1];
  const int K = std::atoi(argv[2]), n = std::atoi(argv[3]);
  const long calls = argc > 4 ? std::atol(argv[4]) : 10000;
  const auto y = exmc::bench_hmm::simulate(exmc::bench_hmm::default_truth(K), n, 1).y;
  if (which == "compiled")
    run(exmc::compile<double>(exmc::bench_hmm::gaussian_hmm(y, K)), calls);
  else if (which == "hand")
    run(exmc::bench_hmm::gaussian_hmm_hand(y, K), calls);
  else
    return 2;
  return 0;
}
