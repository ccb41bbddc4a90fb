// Sampler overhead per leapfrog step, excluding the gradient: NUTS transitions on a standard
// normal (gradient g = -q, a few ns per coordinate) at fixed step size, for d = 2 .. 1000 and
// each metric. BM_gradient times the density alone; overhead per step = BM_transition's
// "s_per_leapfrog" minus BM_gradient's time per call.
//   cmake --build build --target nuts_overhead && ./build/bench/nuts_overhead
#include <benchmark/benchmark.h>

#include <exmc/nuts/hamiltonian.hpp>
#include <exmc/nuts/metric.hpp>
#include <exmc/nuts/tree.hpp>

namespace {

struct std_normal {
  using scalar = double;
  Eigen::Index d;
  Eigen::Index dim() const { return d; }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
    g = -q;
    return -0.5 * q.squaredNorm();
  }
};

void BM_gradient(benchmark::State& state) {
  const std_normal density{state.range(0)};
  exmc::evaluator<std_normal> ev(density);
  exmc::vector_t<double> q = exmc::vector_t<double>::Constant(density.d, 0.3), g(density.d);
  for (auto _ : state) {
    benchmark::DoNotOptimize(ev.logp_grad(q, g));
    benchmark::ClobberMemory();
  }
}

void BM_transition(benchmark::State& state) {
  const std_normal density{state.range(0)};
  const auto kind = static_cast<exmc::metric_kind>(state.range(1));
  exmc::evaluator<std_normal> ev(density);
  exmc::euclidean_metric<double> metric(kind, density.d);
  using system = exmc::euclidean_system<std_normal>;
  system sys(ev, metric);
  exmc::nuts_tree<system> tree(density.d, 10);
  exmc::rng r(1, 0);
  system::point z(density.d);
  for (Eigen::Index i = 0; i < density.d; ++i) z.q[i] = r.normal();
  sys.evaluate(z);
  // A step size giving acceptance ~0.8-0.9 on a standard normal: trees of typical depth.
  const double eps = 1.2 * std::pow(static_cast<double>(density.d), -0.25);
  long leapfrogs = 0;
  for (auto _ : state) {
    const auto info = tree.transition(sys, r, z, eps);
    leapfrogs += info.n_leapfrog;
  }
  state.counters["leapfrog_per_transition"] = static_cast<double>(leapfrogs) / static_cast<double>(state.iterations());
  state.counters["s_per_leapfrog"] =
      benchmark::Counter(static_cast<double>(leapfrogs), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void transition_args(benchmark::internal::Benchmark* b) {
  for (int kind : {0, 1, 2})
    for (int d : {2, 10, 100, 1000}) b->Args({d, kind});
  b->ArgNames({"d", "metric"});  // metric: 0 unit, 1 diag, 2 dense
}

}  // namespace

BENCHMARK(BM_gradient)->Arg(2)->Arg(10)->Arg(100)->Arg(1000)->ArgName("d");
BENCHMARK(BM_transition)->Apply(transition_args);
BENCHMARK_MAIN();
