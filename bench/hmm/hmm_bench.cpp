// Gradient of a Gaussian-emission hidden Markov model: the exmc DSL model (hmm_marginal of
// emission_lpdf, stochastic_matrix transition matrix), the same density written by hand
// (bench/hmm/hmm_models.hpp), and, with -DEXMC_BENCH_STAN_MATH=ON, Stan Math's reverse mode on
// the log-space forward algorithm (bench/stan_math/stan_math_hmm.cpp).
//
// Named logp_grad/hmm_K<K>_n<n>/<implementation>/<scalar>. Before timing, the binary checks at
// random points that every implementation's gradient agrees with the compiled model's (1e-9
// relative) and that the log densities differ by a constant only; it exits with 1 otherwise
// (`--benchmark_filter=^$` runs the check alone).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>

#include "hmm/hmm_models.hpp"
#ifdef EXMC_BENCH_STAN_MATH
#include "stan_math/stan_math_hmm.hpp"
#endif

namespace {

using namespace exmc;
using bench_hmm::gaussian_hmm;
using bench_hmm::gaussian_hmm_hand;

constexpr int sizes[][2] = {{2, 100}, {3, 100}, {3, 1000}, {5, 1000}};

Eigen::VectorXd data(int K, int n) { return bench_hmm::simulate(bench_hmm::default_truth(K), n, 1).y; }

// Coordinates N(0, 0.5^2) from a fixed seed, as gradient_bench times every model.
template <class T>
vector_t<T> bench_point(Eigen::Index dim) {
  rng gen(20240611, 0);
  vector_t<T> q(dim);
  for (Eigen::Index i = 0; i < dim; ++i) q[i] = static_cast<T>(0.5 * gen.normal());
  return q;
}

template <LogDensity D>
void add(const std::string& label, D density) {
  using T = typename D::scalar;
  auto owned = std::make_shared<const D>(std::move(density));
  const std::string name = "logp_grad/" + label + (std::is_same_v<T, float> ? "/float" : "/double");
  benchmark::RegisterBenchmark(name.c_str(), [owned](benchmark::State& state) {
    evaluator<D> ev(*owned);
    const auto q = bench_point<T>(ev.dim());
    vector_t<T> grad(ev.dim());
    for (auto _ : state) {
      benchmark::DoNotOptimize(q.data());
      double lp = ev.logp_grad(q, grad);
      benchmark::DoNotOptimize(lp);
      benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
  });
}

// Largest relative gradient difference and spread of the log-density difference over 5 points.
template <LogDensity A, LogDensity B>
std::pair<double, double> compare(const A& a, const B& b) {
  evaluator<A> ea(a);
  evaluator<B> eb(b);
  rng gen(977, 1);
  double worst = 0, lo = 1e300, hi = -1e300;
  for (int k = 0; k < 5; ++k) {
    Eigen::VectorXd q(ea.dim()), ga(ea.dim()), gb(ea.dim());
    for (auto& x : q) x = gen.normal();
    const double d = ea.logp_grad(q, ga) - eb.logp_grad(q, gb);
    lo = std::min(lo, d);
    hi = std::max(hi, d);
    for (Eigen::Index i = 0; i < q.size(); ++i)
      worst = std::max(worst, std::abs(ga[i] - gb[i]) / std::max(1.0, std::abs(gb[i])));
  }
  return {worst, hi - lo};
}

bool check_agreement() {
  bool ok = true;
  auto report = [&](int K, int n, const char* pair, std::pair<double, double> d) {
    const bool good = d.first < 1e-9 && d.second < 1e-8 * n;
    ok = ok && good;
    std::fprintf(stderr, "  hmm K=%d n=%-5d %-20s gradient %.1e  constant spread %.1e  %s\n", K, n, pair, d.first,
                 d.second, good ? "ok" : "MISMATCH");
  };
  std::fprintf(stderr, "gradient agreement at 5 random points\n");
  for (const auto& s : sizes) {
    const int K = s[0], n = s[1];
    const auto y = data(K, n);
    const auto compiled = compile<double>(gaussian_hmm(y, K));
    report(K, n, "compiled/hand", compare(compiled, gaussian_hmm_hand(y, K)));
#ifdef EXMC_BENCH_STAN_MATH
    report(K, n, "compiled/stan_math", compare(compiled, stan_math::gaussian_hmm(y, K)));
#endif
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (!check_agreement()) return 1;
  for (const auto& s : sizes) {
    const int K = s[0], n = s[1];
    const auto y = data(K, n);
    const std::string label = "hmm_K" + std::to_string(K) + "_n" + std::to_string(n);
    add(label + "/compiled", compile<double>(gaussian_hmm(y, K)));
    add(label + "/hand", gaussian_hmm_hand(y, K));
#ifdef EXMC_BENCH_STAN_MATH
    add(label + "/stan_math", stan_math::gaussian_hmm(y, K));
#endif
    add(label + "/compiled", compile<float>(gaussian_hmm(y, K)));
  }
  benchmark::AddCustomContext("flags", EXMC_BENCH_FLAGS);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
