// Fixed work for instruction counts and min-of-N timing of the sampler's own cost: N NUTS
// transitions on a standard normal (the gradient is two passes over q) at a fixed step size,
// the same set-up as nuts_overhead's BM_transition. Prints leapfrog steps, the fastest of R
// repetitions in ns per leapfrog step, and a checksum of the final position, so two builds can
// be checked to take the same path.
//   nuts_probe D METRIC N [R]        METRIC: 0 unit, 1 diag, 2 dense
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null nuts_probe 1000 1 300
// (instructions / leapfrog steps = cost per step; the gradient is nuts_overhead's BM_gradient).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <exmc/nuts/hamiltonian.hpp>
#include <exmc/nuts/metric.hpp>
#include <exmc/nuts/tree.hpp>

#include "std_normal.hpp"

using exmc::bench::std_normal;

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: nuts_probe D METRIC(0 unit, 1 diag, 2 dense) TRANSITIONS [REPETITIONS]\n");
    return 2;
  }
  const Eigen::Index d = std::atol(argv[1]);
  const auto kind = static_cast<exmc::metric_kind>(std::atoi(argv[2]));
  const long n = std::atol(argv[3]);
  const int reps = argc > 4 ? std::atoi(argv[4]) : 1;
  const std_normal model{d};
  exmc::evaluator<std_normal> ev(model);
  const exmc::euclidean_metric<double> metric(kind, d);
  using system = exmc::euclidean_system<std_normal>;
  system sys(ev, metric);
  exmc::nuts_tree<system> tree(d, 10);
  const double eps = 1.2 * std::pow(static_cast<double>(d), -0.25);
  double best = 1e300, checksum = 0.0;
  long leapfrogs = 0;
  for (int rep = 0; rep < reps; ++rep) {
    exmc::rng r(1, 0);
    system::point z(d);
    for (Eigen::Index i = 0; i < d; ++i) z.q[i] = r.normal();
    sys.evaluate(z);
    leapfrogs = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < n; ++i) leapfrogs += tree.transition(sys, r, z, eps).n_leapfrog;
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    checksum = z.q.sum();
  }
  std::printf("d=%ld metric=%s leapfrogs=%ld ns_per_leapfrog=%.1f checksum=%.17g\n", static_cast<long>(d),
              exmc::to_string(kind), leapfrogs, leapfrogs > 0 ? 1e9 * best / static_cast<double>(leapfrogs) : 0.0,
              checksum);
}
