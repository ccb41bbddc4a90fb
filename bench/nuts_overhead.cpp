// Sampler overhead per leapfrog step, excluding the gradient: NUTS transitions on a standard
// normal (gradient g = -q, a few ns per coordinate) at fixed step size, for d = 2 .. 10000 and
// each metric. BM_gradient times the density alone; overhead per step = BM_transition's
// "s_per_leapfrog" minus BM_gradient's time per call. The *_erased variants see the density
// through exmc::any_density, as exmc::sample does: their difference to the plain ones is the
// indirect call per gradient (D117).
//   cmake --build build --target nuts_overhead && ./build/bench/nuts_overhead
#include <benchmark/benchmark.h>

#include <exmc/core/any_density.hpp>
#include <exmc/nuts/hamiltonian.hpp>
#include <exmc/nuts/metric.hpp>
#include <exmc/nuts/tree.hpp>

#include "std_normal.hpp"

namespace {

template <bool Erased, class D>
auto erase(const D& d) {
  if constexpr (Erased) return exmc::any_density<typename D::scalar>(d);
  else return d;
}

using exmc::bench::std_normal;

template <bool Erased>
void BM_gradient(benchmark::State& state) {
  const std_normal model{state.range(0)};
  const auto density = erase<Erased>(model);
  exmc::evaluator<std::remove_cvref_t<decltype(density)>> ev(density);
  exmc::vector_t<double> q = exmc::vector_t<double>::Constant(model.d, 0.3), g(model.d);
  for (auto _ : state) {
    benchmark::DoNotOptimize(ev.logp_grad(q, g));
    benchmark::ClobberMemory();
  }
}

template <bool Erased>
void BM_transition(benchmark::State& state) {
  const std_normal model{state.range(0)};
  const auto density = erase<Erased>(model);
  using D = std::remove_cvref_t<decltype(density)>;
  const auto kind = static_cast<exmc::metric_kind>(state.range(1));
  exmc::evaluator<D> ev(density);
  exmc::euclidean_metric<double> metric(kind, model.d);
  using system = exmc::euclidean_system<D>;
  system sys(ev, metric);
  exmc::nuts_tree<system> tree(model.d, 10);
  exmc::rng r(1, 0);
  typename system::point z(model.d);
  for (Eigen::Index i = 0; i < model.d; ++i) z.q[i] = r.normal();
  sys.evaluate(z);
  // A step size giving acceptance ~0.8-0.9 on a standard normal: trees of typical depth.
  const double eps = 1.2 * std::pow(static_cast<double>(model.d), -0.25);
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
    for (int d : {2, 10, 100, 1000, 10000})
      if (kind != 2 || d <= 1000) b->Args({d, kind});  // dense at 10^4: 800 MB and minutes
  b->ArgNames({"d", "metric"});  // metric: 0 unit, 1 diag, 2 dense
}

}  // namespace

BENCHMARK(BM_gradient<false>)->Name("BM_gradient")->Arg(2)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000)->ArgName("d");
BENCHMARK(BM_gradient<true>)->Name("BM_gradient_erased")->Arg(2)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000)->ArgName("d");
BENCHMARK(BM_transition<false>)->Name("BM_transition")->Apply(transition_args);
BENCHMARK(BM_transition<true>)->Name("BM_transition_erased")->Apply(transition_args);
BENCHMARK_MAIN();
