// Recurrences, per gradient: ARMA(1,1) and GARCH(1,1) as hand-written code, as the DSL with scan
// (expr/scan.hpp), ARMA as the DSL with custom() (a reverse-mode tape), and both in Stan Math
// (with -DEXMC_BENCH_STAN_MATH=ON). Models: state_models.hpp. Before timing, the program checks
// that every implementation's gradient agrees with the hand-written one at five points and
// exits with status 1 otherwise. Interleaved, repeated runs (docs/benchmarks.md):
//   custom_bench --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true
#include <benchmark/benchmark.h>

#include <cstdio>

#include "state_models.hpp"
#ifdef EXMC_BENCH_STAN_MATH
#include "stan_math/stan_math_densities.hpp"
#endif

namespace {

using namespace exmc;
using namespace exmc::bench;

// The point of each benchmark: near the simulation's parameters (a stationary GARCH).
Eigen::VectorXd start(bool garch) {
  Eigen::VectorXd q(4);
  if (garch)
    q << 0.1, std::log(0.2), std::log(0.15 / 0.85), std::log(0.75 / 0.25);
  else
    q << 0.4, 0.5, 0.2, 0.1;
  return q;
}

template <class D>
void time_gradient(benchmark::State& state, const D& d, bool garch) {
  evaluator<D> ev(d);
  Eigen::VectorXd q = start(garch), g(4);
  for (auto _ : state) {
    q[0] += 1e-12;  // a new point each call
    benchmark::DoNotOptimize(ev.logp_grad(q, g));
  }
  state.counters["ns_per_obs"] = benchmark::Counter(
      static_cast<double>(state.range(0)), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

int n_of(const benchmark::State& s) { return static_cast<int>(s.range(0)); }

void BM_arma_hand(benchmark::State& s) { time_gradient(s, arma_hand{simulate_arma(n_of(s))}, false); }
void BM_arma_scan(benchmark::State& s) { time_gradient(s, compile<double>(scan_arma_model(simulate_arma(n_of(s)))), false); }
void BM_arma_custom(benchmark::State& s) { time_gradient(s, compile<double>(custom_arma_model(simulate_arma(n_of(s)))), false); }
void BM_garch_hand(benchmark::State& s) { time_gradient(s, garch_hand{simulate_garch(n_of(s))}, true); }
void BM_garch_scan(benchmark::State& s) { time_gradient(s, compile<double>(scan_garch_model(simulate_garch(n_of(s)))), true); }
#ifdef EXMC_BENCH_STAN_MATH
void BM_arma_stan(benchmark::State& s) { time_gradient(s, stan_math::arma11(simulate_arma(n_of(s))), false); }
void BM_garch_stan(benchmark::State& s) { time_gradient(s, stan_math::garch11(simulate_garch(n_of(s))), true); }
#endif

// Gradients of `d` against `ref` at five points near the benchmark's; log densities may differ
// by a constant (Stan drops them).
template <class D, class R>
bool agree(const char* name, const D& d, const R& ref, bool garch) {
  rng g(5);
  double worst = 0;
  for (int p = 0; p < 5; ++p) {
    Eigen::VectorXd q = start(garch), gd(4), gr(4);
    for (auto& x : q) x += 0.2 * g.normal();
    d.logp_grad(q, gd);
    ref.logp_grad(q, gr);
    worst = std::max(worst, (gd - gr).cwiseAbs().maxCoeff() / (1 + gr.cwiseAbs().maxCoeff()));
  }
  std::printf("%-14s gradient agrees with hand-written to %.1e\n", name, worst);
  return worst < 1e-9;
}

}  // namespace

BENCHMARK(BM_arma_hand)->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK(BM_arma_scan)->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK(BM_arma_custom)->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK(BM_garch_hand)->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK(BM_garch_scan)->Arg(100)->Arg(1000)->Arg(10000);
#ifdef EXMC_BENCH_STAN_MATH
BENCHMARK(BM_arma_stan)->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK(BM_garch_stan)->Arg(100)->Arg(1000)->Arg(10000);
#endif

int main(int argc, char** argv) {
  const Eigen::VectorXd y = simulate_arma(500), r = simulate_garch(500);
  const arma_hand ah{y};
  const garch_hand gh{r};
  bool ok = agree("arma scan", compile<double>(scan_arma_model(y)), ah, false);
  ok &= agree("arma custom", compile<double>(custom_arma_model(y)), ah, false);
  ok &= agree("garch scan", compile<double>(scan_garch_model(r)), gh, true);
#ifdef EXMC_BENCH_STAN_MATH
  ok &= agree("arma stan", stan_math::arma11(y), ah, false);
  ok &= agree("garch stan", stan_math::garch11(r), gh, true);
  benchmark::AddCustomContext("stan_math", stan_math::version());
#endif
  if (!ok) return 1;
  benchmark::AddCustomContext("flags", EXMC_BENCH_FLAGS);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
