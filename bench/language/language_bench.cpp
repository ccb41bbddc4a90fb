// Issue 25's constructs against hand-written gradients of the same models (logp_grad at one
// point, through exmc::evaluator as the samplers call it):
//   regression/{scalar,matrix,reference}   y ~ normal(alpha + beta[0] x1 + beta[1] x2 + beta[2] x3,
//                                           sigma), flat priors, N = 919 (Gelman & Hill's radon
//                                           sample size): written with scalar coefficients,
//                                           written alpha + X * beta, and by hand
//   walk/{lpdf,reference}                  a Gaussian random walk of 200 values stated on slices,
//                                           lpdf(normal(s.head(T-1), tau), s.tail(T-1)), and by hand
// Google Benchmark by default; `language_bench probe <name> <implementation> <calls>` runs a fixed
// number of calls for instruction counts instead:
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null language_bench probe regression scalar 20000
// minus the same with 0 calls, divided by 20000 (docs/benchmarks.md). Before timing, the binary
// checks that every implementation of a model gives the same log density and gradient.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exmc/exmc.hpp>
#include <memory>
#include <string>

namespace {

using namespace exmc;

constexpr Eigen::Index n_obs = 919;
constexpr Eigen::Index n_walk = 200;

struct regression_data {
  Eigen::VectorXd x1, x2, x3, y;
  Eigen::MatrixXd X;  // [x1 x2 x3]
};
const regression_data& data() {
  static const regression_data d = [] {
    regression_data r;
    rng g(25, 0);
    r.x1.resize(n_obs), r.x2.resize(n_obs), r.x3.resize(n_obs), r.y.resize(n_obs);
    for (Eigen::Index i = 0; i < n_obs; ++i) {
      r.x1[i] = g.normal();
      r.x2[i] = g.uniform() < 0.5 ? 0.0 : 1.0;  // a basement indicator, as in the radon data
      r.x3[i] = g.normal(0.0, 0.5);
      r.y[i] = 1.3 - 0.6 * r.x1[i] + 0.4 * r.x2[i] + 0.2 * r.x3[i] + 0.8 * g.normal();
    }
    r.X.resize(n_obs, 3);
    r.X << r.x1, r.x2, r.x3;
    return r;
  }();
  return d;
}

auto regression_scalar() {
  const auto& d = data();
  auto alpha = param<"alpha">(flat());
  auto beta = param<"beta">(flat(), 3);
  auto sigma = param<"sigma">(flat(), lower(0.0));
  return compile<double>(
      model(alpha, beta, sigma, observe<"y">(normal(alpha + beta[0] * d.x1 + beta[1] * d.x2 + beta[2] * d.x3, sigma), d.y)));
}
auto regression_matrix() {
  const auto& d = data();
  auto alpha = param<"alpha">(flat());
  auto beta = param<"beta">(flat(), 3);
  auto sigma = param<"sigma">(flat(), lower(0.0));
  return compile<double>(model(alpha, beta, sigma, observe<"y">(normal(alpha + d.X * beta, sigma), d.y)));
}
// By hand, on the same coordinates (alpha, beta[0..2], log sigma): one pass for the residuals,
// then vectorised reductions (at -O3 without -ffast-math a hand-written floating-point
// reduction loop does not vectorise; Eigen's do).
struct regression_reference {
  using scalar = double;
  std::ptrdiff_t dim() const { return 5; }
  mutable Eigen::VectorXd r = Eigen::VectorXd(n_obs);
  double logp_grad(const Eigen::VectorXd& q, Eigen::VectorXd& g) const {
    const auto& d = data();
    const double u = q[4], inv_var = std::exp(-2 * u);
    r.array() = d.y.array() - q[0] - q[1] * d.x1.array() - q[2] * d.x2.array() - q[3] * d.x3.array();
    const double n = static_cast<double>(n_obs), ss = r.squaredNorm();
    g.resize(5);
    g[0] = r.sum() * inv_var;
    g[1] = r.dot(d.x1) * inv_var;
    g[2] = r.dot(d.x2) * inv_var;
    g[3] = r.dot(d.x3) * inv_var;
    g[4] = ss * inv_var - n + 1;
    return -n * (math::log_sqrt_two_pi + u) - 0.5 * ss * inv_var + u;
  }
};

auto walk_lpdf() {
  auto s = param<"s">(flat(), n_walk);
  auto tau = param<"tau">(half_normal(1.0));
  return compile<double>(model(s, tau, potential<"walk">(lpdf(normal(s.head(n_walk - 1), tau), s.tail(n_walk - 1)))));
}
struct walk_reference {
  using scalar = double;
  std::ptrdiff_t dim() const { return n_walk + 1; }
  double logp_grad(const Eigen::VectorXd& q, Eigen::VectorXd& g) const {
    const Eigen::Index m = n_walk - 1;
    const double u = q[n_walk], tau = std::exp(u), inv_var = std::exp(-2 * u);
    const auto s = q.head(n_walk).array();
    const auto d = s.tail(m) - s.head(m);
    const double ss = d.square().sum();
    g.resize(n_walk + 1);
    g.head(n_walk).setZero();
    g.segment(1, m).array() -= d * inv_var;
    g.head(m).array() += d * inv_var;
    const double lp_hn = math::log_two - math::log_sqrt_two_pi - 0.5 * tau * tau;
    g[n_walk] = ss * inv_var - static_cast<double>(m) - tau * tau + 1;
    return -static_cast<double>(m) * (math::log_sqrt_two_pi + u) - 0.5 * ss * inv_var + lp_hn + u;
  }
};

template <class T>
vector_t<T> bench_point(std::ptrdiff_t dim) {
  rng gen(20240611, 0);
  vector_t<T> q(dim);
  for (std::ptrdiff_t i = 0; i < dim; ++i) q[i] = static_cast<T>(0.5 * gen.normal());
  return q;
}

template <LogDensity D>
void add(const std::string& label, D density) {
  auto owned = std::make_shared<const D>(std::move(density));
  benchmark::RegisterBenchmark(("logp_grad/" + label).c_str(), [owned](benchmark::State& state) {
    evaluator<D> ev(*owned);
    const auto q = bench_point<double>(ev.dim());
    vector_t<double> grad(ev.dim());
    for (auto _ : state) {
      benchmark::DoNotOptimize(q.data());
      double lp = ev.logp_grad(q, grad);
      benchmark::DoNotOptimize(lp);
      benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
  });
}

// The largest gradient difference (relative to max(1, |g|)) and the spread of the log-density
// difference over five random points.
template <LogDensity A, LogDensity B>
bool agree(const char* what, const A& a, const B& b) {
  evaluator<A> ea(a);
  evaluator<B> eb(b);
  rng gen(977, 1);
  double worst = 0, lo = 1e300, hi = -1e300;
  for (int k = 0; k < 5; ++k) {
    Eigen::VectorXd q(ea.dim()), ga(ea.dim()), gb(ea.dim());
    for (Eigen::Index i = 0; i < q.size(); ++i) q[i] = gen.normal();
    const double diff = ea.logp_grad(q, ga) - eb.logp_grad(q, gb);
    lo = std::min(lo, diff), hi = std::max(hi, diff);
    for (Eigen::Index i = 0; i < q.size(); ++i) worst = std::max(worst, std::abs(ga[i] - gb[i]) / std::max(1.0, std::abs(gb[i])));
  }
  const bool ok = worst < 1e-9 && hi - lo < 1e-9 * std::max(1.0, std::abs(hi));
  std::printf("%-28s gradient difference %.2e, log density difference spread %.2e: %s\n", what, worst, hi - lo,
              ok ? "ok" : "MISMATCH");
  return ok;
}

template <LogDensity D>
void probe(const D& d, long n) {
  evaluator<D> ev(d);
  auto q = bench_point<double>(ev.dim());
  vector_t<double> g(ev.dim());
  double total = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < n; ++i) {
    q[0] += 1e-12;  // a new point each call
    total += ev.logp_grad(q, g);
  }
  const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%ld calls, %.2f ns/call (checksum %.6g)\n", n, n > 0 ? ns / static_cast<double>(n) : 0.0, total);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 4 && std::string(argv[1]) == "probe") {
    const std::string model = argv[2], which = argv[3];
    const long n = argc > 4 ? std::atol(argv[4]) : 100000;
    if (model == "regression" && which == "scalar") probe(regression_scalar(), n);
    else if (model == "regression" && which == "matrix") probe(regression_matrix(), n);
    else if (model == "regression" && which == "reference") probe(regression_reference{}, n);
    else if (model == "walk" && which == "lpdf") probe(walk_lpdf(), n);
    else if (model == "walk" && which == "reference") probe(walk_reference{}, n);
    else {
      std::fprintf(stderr, "usage: language_bench probe regression scalar|matrix|reference [calls]\n"
                           "       language_bench probe walk lpdf|reference [calls]\n");
      return 2;
    }
    return 0;
  }
  bool ok = agree("regression scalar/reference", regression_scalar(), regression_reference{});
  ok &= agree("regression matrix/reference", regression_matrix(), regression_reference{});
  ok &= agree("walk lpdf/reference", walk_lpdf(), walk_reference{});
  if (!ok) return 1;
  add("regression/scalar", regression_scalar());
  add("regression/matrix", regression_matrix());
  add("regression/reference", regression_reference{});
  add("walk/lpdf", walk_lpdf());
  add("walk/reference", walk_reference{});
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
