// Gradient cost of Gaussian-process models, n = 11 and n = 100 inputs:
//   gp_regression/<impl>/<n>   the marginal GP regression (bench/gp/gp_reference.hpp for the density):
//                              exmc written as Stan writes it, mv_normal_cholesky(0, cholesky(add_diag(
//                              gp_exp_quad_cov(x, alpha, rho), square(sigma)))) ("exmc"), and as
//                              mv_normal(0, add_diag(...)) ("exmc_cov"); the hand-written gradient
//                              ("hand"); Stan Math's reverse mode ("stan_math", with
//                              -DEXMC_BENCH_STAN_MATH=ON)
//   gp_poisson/<impl>/<n>      the non-centred latent GP, f = cholesky(K) * eta, y ~ poisson_log(f)
//                              (the Cholesky adjoint at work; jitter 1e-6): exmc and Stan Math
// Before timing, the implementations are checked against each other at random points (gradients
// equal, log densities equal up to a constant); a mismatch exits with 1.
//
// For instruction counts (callgrind; deterministic, unlike timings on a shared machine):
//   gp_bench probe gp_regression exmc|exmc_cov|hand|stan_math <n> <calls>
// run under valgrind --tool=callgrind with <calls> = N and 0; the difference over N is one call.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "exmc/exmc.hpp"
#include "gp/gp_reference.hpp"
#ifdef EXMC_BENCH_STAN_MATH
#include "stan_math/stan_math_densities.hpp"
#endif

namespace {

using namespace exmc;

struct gp_data {
  Eigen::VectorXd x, y;
  Eigen::VectorXi counts;
};
gp_data make_data(int n) {
  gp_data d{Eigen::VectorXd::LinSpaced(n, -10, 10), Eigen::VectorXd(n), Eigen::VectorXi(n)};
  rng g(7);
  for (int i = 0; i < n; ++i) {
    d.y[i] = std::sin(d.x[i]) + 0.3 * g.normal();
    d.counts[i] = static_cast<int>(poisson_fn::generate(g, std::exp(1 + std::sin(d.x[i]))));
  }
  return d;
}

auto regression_exmc(const gp_data& d) {
  auto rho = param<"rho">(inv_gamma(5.0, 5.0));
  auto alpha = param<"alpha">(half_normal(1.0));
  auto sigma = param<"sigma">(half_normal(1.0));
  return compile<double>(model(
      rho, alpha, sigma,
      observe<"y">(mv_normal_cholesky(0.0, cholesky(add_diag(gp_exp_quad_cov(d.x, alpha, rho), square(sigma)))), d.y)));
}
auto regression_exmc_cov(const gp_data& d) {
  auto rho = param<"rho">(inv_gamma(5.0, 5.0));
  auto alpha = param<"alpha">(half_normal(1.0));
  auto sigma = param<"sigma">(half_normal(1.0));
  return compile<double>(
      model(rho, alpha, sigma, observe<"y">(mv_normal(0.0, add_diag(gp_exp_quad_cov(d.x, alpha, rho), square(sigma))), d.y)));
}
auto poisson_exmc(const gp_data& d) {
  auto rho = param<"rho">(inv_gamma(5.0, 5.0));
  auto alpha = param<"alpha">(half_normal(1.0));
  auto eta = param<"eta">(normal(0.0, 1.0), d.x.size());
  return compile<double>(model(
      rho, alpha, eta,
      observe<"y">(poisson_log(cholesky(add_diag(gp_exp_quad_cov(d.x, alpha, rho), 1e-6)) * eta), d.counts)));
}

// One gradient function per (model, implementation, n), type-erased, with its own workspace.
using gradient_fn = std::function<double(const Eigen::VectorXd&, Eigen::VectorXd&)>;
template <class D>
gradient_fn erase(D density) {
  struct holder {
    D d;
    evaluator<D> ev;
    explicit holder(D x) : d(std::move(x)), ev(d) {}
  };
  auto h = std::make_shared<holder>(std::move(density));
  return [h](const Eigen::VectorXd& q, Eigen::VectorXd& g) { return h->ev.logp_grad(q, g); };
}

std::map<std::string, gradient_fn> implementations(const std::string& m, int n) {
  const gp_data d = make_data(n);
  std::map<std::string, gradient_fn> out;
  if (m == "gp_regression") {
    out["exmc"] = erase(regression_exmc(d));
    out["exmc_cov"] = erase(regression_exmc_cov(d));
    out["hand"] = erase(reference::gp_regression(d.x, d.y));
#ifdef EXMC_BENCH_STAN_MATH
    out["stan_math"] = erase(stan_math::gp_regression(d.x, d.y));
#endif
  } else if (m == "gp_poisson") {
    out["exmc"] = erase(poisson_exmc(d));
#ifdef EXMC_BENCH_STAN_MATH
    out["stan_math"] = erase(stan_math::gp_poisson(d.x, d.counts));
#endif
  }
  return out;
}

Eigen::VectorXd bench_point(const std::string& m, int n, std::uint64_t seed = 1) {
  Eigen::VectorXd q(m == "gp_regression" ? 3 : 2 + n);
  q[0] = std::log(1.5);
  q[1] = 0.0;
  rng g(seed);
  if (m == "gp_regression")
    q[2] = std::log(0.5) + (seed == 1 ? 0.0 : 0.3 * g.normal());
  else
    for (int i = 0; i < n; ++i) q[2 + i] = 0.5 * g.normal();
  if (seed != 1) {
    q[0] += 0.3 * g.normal();
    q[1] += 0.3 * g.normal();
  }
  return q;
}

// Gradients equal and log densities equal up to a constant, at a few points.
bool check(const std::string& m, int n) {
  auto impl = implementations(m, n);
  const auto& ref = impl.begin()->second;  // "exmc"
  bool ok = true;
  for (const auto& [name, fn] : impl) {
    double grad = 0, lo = 1e300, hi = -1e300;
    for (std::uint64_t s = 1; s <= 4; ++s) {
      const Eigen::VectorXd q = bench_point(m, n, s);
      Eigen::VectorXd g1(q.size()), g2(q.size());
      const double a = ref(q, g1), b = fn(q, g2);
      grad = std::max(grad, (g1 - g2).cwiseAbs().maxCoeff() / (1 + g1.cwiseAbs().maxCoeff()));
      lo = std::min(lo, a - b);
      hi = std::max(hi, a - b);
    }
    const bool good = grad < 1e-8 && hi - lo < 1e-7;
    ok = ok && good;
    std::fprintf(stderr, "  %s/%d exmc vs %-10s gradient %.1e  constant spread %.1e  %s\n", m.c_str(), n, name.c_str(), grad,
                 hi - lo, good ? "ok" : "MISMATCH");
  }
  return ok;
}

void run_bench(benchmark::State& state, gradient_fn fn, Eigen::VectorXd q) {
  Eigen::VectorXd g(q.size());
  for (auto _ : state) {
    q[0] += 1e-12;  // a new point each call
    benchmark::DoNotOptimize(fn(q, g));
  }
}

int probe(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: gp_bench probe gp_regression|gp_poisson <impl> <n> <calls>\n");
    return 2;
  }
  const std::string m = argv[2], which = argv[3];
  const int n = std::atoi(argv[4]);
  const long calls = std::atol(argv[5]);
  auto impl = implementations(m, n);
  if (!impl.count(which)) {
    std::fprintf(stderr, "no implementation '%s' of %s\n", which.c_str(), m.c_str());
    return 2;
  }
  Eigen::VectorXd q = bench_point(m, n), g(q.size());
  double total = 0;
  for (long i = 0; i < calls; ++i) {
    q[0] += 1e-12;
    total += impl[which](q, g);
  }
  std::printf("%ld calls (checksum %.6g)\n", calls, total);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "probe") == 0) return probe(argc, argv);
  bool ok = true;
  for (const char* m : {"gp_regression", "gp_poisson"})
    for (const int n : {11, 100}) {
      ok = check(m, n) && ok;
      for (auto& [name, fn] : implementations(m, n))
        benchmark::RegisterBenchmark((std::string(m) + "/" + name + "/" + std::to_string(n)).c_str(), run_bench, fn,
                                     bench_point(m, n));
    }
  if (!ok) return 1;
  benchmark::AddCustomContext("flags", EXMC_BENCH_FLAGS);
#ifdef EXMC_BENCH_STAN_MATH
  benchmark::AddCustomContext("stan_math", stan_math::version());
#endif
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
