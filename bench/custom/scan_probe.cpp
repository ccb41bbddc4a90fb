// Fixed work for instruction counts of the recurrences (state_models.hpp): N gradients of one
// implementation at T observations. Timings wander on a shared machine; callgrind's counts do not:
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null scan_probe garch scan 1000 2000
// and the same with N = 0; (difference) / N is one gradient (docs/benchmarks.md).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "state_models.hpp"
#ifdef EXMC_BENCH_STAN_MATH
#include "stan_math/stan_math_densities.hpp"
#endif

namespace {

template <exmc::LogDensity D>
void run(const D& d, const Eigen::VectorXd& q0, long n) {
  exmc::evaluator<D> ev(d);
  Eigen::VectorXd q = q0, g(4);
  double total = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < n; ++i) {
    q[0] += 1e-12;  // a new point each call, so nothing is hoisted out of the loop
    total += ev.logp_grad(q, g);
  }
  const auto t1 = std::chrono::steady_clock::now();
  const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
  std::printf("%ld calls, %.1f ns/call (checksum %.6g)\n", n, n > 0 ? ns / static_cast<double>(n) : 0.0, total);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: scan_probe arma|garch hand|scan|custom|stan [T = 1000] [calls = 1000]\n");
    return 2;
  }
  const std::string model = argv[1], which = argv[2];
  const int T = argc > 3 ? std::atoi(argv[3]) : 1000;
  const long n = argc > 4 ? std::atol(argv[4]) : 1000;
  using namespace exmc::bench;
  Eigen::VectorXd q(4);
  if (model == "arma") {
    q << 0.4, 0.5, 0.2, 0.1;
    const Eigen::VectorXd y = simulate_arma(T);
    if (which == "hand") return run(arma_hand{y}, q, n), 0;
    if (which == "scan") return run(exmc::compile<double>(scan_arma_model(y)), q, n), 0;
    if (which == "custom") return run(exmc::compile<double>(custom_arma_model(y)), q, n), 0;
#ifdef EXMC_BENCH_STAN_MATH
    if (which == "stan") return run(exmc::stan_math::arma11(y), q, n), 0;
#endif
  } else if (model == "garch") {
    q << 0.1, std::log(0.2), std::log(0.15 / 0.85), std::log(0.75 / 0.25);
    const Eigen::VectorXd r = simulate_garch(T);
    if (which == "hand") return run(garch_hand{r}, q, n), 0;
    if (which == "scan") return run(exmc::compile<double>(scan_garch_model(r)), q, n), 0;
#ifdef EXMC_BENCH_STAN_MATH
    if (which == "stan") return run(exmc::stan_math::garch11(r), q, n), 0;
#endif
  }
  std::fprintf(stderr, "scan_probe: unknown model '%s' or implementation '%s'\n", argv[1], argv[2]);
  return 2;
}
