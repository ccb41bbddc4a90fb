#pragma once
// Fixed work for instruction counts: n calls of logp_grad at one fixed point, each moved by 1e-12
// so that nothing is hoisted out of the loop (gradient_probe, hmm/hmm_probe). Under callgrind,
// (count at n) - (count at 0), divided by n, is the cost of one gradient (docs/benchmarks.md).
#include <chrono>
#include <cstdio>

#include "exmc/core/log_density.hpp"
#include "exmc/core/random.hpp"

namespace exmc::bench {

template <exmc::LogDensity D>
void probe_run(const D& d, long n) {
  exmc::evaluator<D> ev(d);
  exmc::rng gen(20240611, 0);
  exmc::vector_t<double> q(ev.dim()), g(ev.dim());
  for (Eigen::Index i = 0; i < q.size(); ++i) q[i] = 0.5 * gen.normal();
  double total = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < n; ++i) {
    q[0] += 1e-12;  // a new point each call, so nothing is hoisted out of the loop
    total += ev.logp_grad(q, g);
  }
  const auto t1 = std::chrono::steady_clock::now();
  const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
  std::printf("%ld calls, %.2f ns/call (checksum %.6g)\n", n, n > 0 ? ns / static_cast<double>(n) : 0.0, total);
}

}  // namespace exmc::bench
