// Cost of one log-density gradient of the ODE examples' models (examples/lotka_volterra.cpp,
// examples/pk_michaelis_menten.cpp) with ode_rk45 and with ode_rosenbrock at the same
// tolerances, and of one solve of the same ODE without sensitivities (ode::solve), the unit a
// finite-difference or value-only scheme pays per evaluation (docs/benchmarks.md, D100-D104):
//   ode_bench --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true
#include <benchmark/benchmark.h>

#include <cmath>
#include <exmc/exmc.hpp>
#include <exmc/ode.hpp>
#include <random>
#include <vector>

namespace {

using namespace exmc;

// Lotka-Volterra on the Hudson's Bay pelts (hares, then lynx), as in the example.
const double lynx[20] = {6.1, 9.8, 35.2, 59.4, 41.7, 19.0, 13.0, 8.3, 9.1, 7.4,
                         8.0, 12.3, 19.5, 45.7, 51.1, 29.7, 15.8, 9.7, 10.1, 8.6};
const double hares[20] = {47.2, 70.2, 77.4, 36.3, 20.6, 18.1, 21.4, 22.0, 25.4, 27.1,
                          40.3, 57.0, 76.6, 52.3, 19.5, 11.2, 7.6, 14.6, 16.2, 24.7};

auto lv_rhs = [](auto /*t*/, const auto& z, auto alpha, auto beta, auto gamma, auto delta) {
  const auto u = z[0], v = z[1];
  return std::array{(alpha - beta * v) * u, (-gamma + delta * u) * v};
};

std::vector<double> lv_times() {
  std::vector<double> ts(20);
  for (int t = 0; t < 20; ++t) ts[t] = t + 1;
  return ts;
}

template <class Method>
auto lv_model(double rtol, double atol) {
  const std::vector<double> ts = lv_times();
  Eigen::VectorXd y(40), y_init(2);
  Eigen::VectorXi state(40);
  for (int t = 0; t < 20; ++t) {
    y[t] = hares[t];
    y[20 + t] = lynx[t];
    state[t] = 0;
    state[20 + t] = 1;
  }
  y_init << 30.0, 4.0;
  auto alpha = param<"alpha">(normal(1.0, 0.5), lower(0.0));
  auto beta = param<"beta">(normal(0.05, 0.05), lower(0.0));
  auto gamma = param<"gamma">(normal(1.0, 0.5), lower(0.0));
  auto delta = param<"delta">(normal(0.05, 0.05), lower(0.0));
  auto z_init = param<"z_init">(lognormal(std::log(10.0), 1.0), 2);
  auto sigma = param<"sigma">(lognormal(-1.0, 1.0), 2);
  auto solve = [&] {
    if constexpr (std::is_same_v<Method, ode::rk45_method>)
      return ode_rk45_tol(lv_rhs, z_init, 0.0, ts, rtol, atol, 100000, alpha, beta, gamma, delta);
    else
      return ode_rosenbrock_tol(lv_rhs, z_init, 0.0, ts, rtol, atol, 100000, alpha, beta, gamma, delta);
  };
  auto z = let<"z">(solve());
  return compile<double>(model(alpha, beta, gamma, delta, z_init, sigma, z,
                               observe<"y_init">(lognormal(log(z_init), sigma), y_init),
                               observe<"y">(lognormal(log(z), sigma[state]), y)));
}

Eigen::VectorXd lv_point() {
  Eigen::VectorXd q(8);  // the case study's posterior means, unconstrained
  q << std::log(0.55), std::log(0.028), std::log(0.80), std::log(0.024), std::log(33.9), std::log(5.9), std::log(0.25),
      std::log(0.25);
  return q;
}

// One-compartment pharmacokinetics with Michaelis-Menten elimination, two doses (the example).
auto pk_rhs = [](auto /*t*/, const auto& y, auto ka, auto V, auto Vmax, auto Km) {
  const auto gut = y[0], C = y[1];
  return std::array{-ka * gut, ka * gut / V - Vmax * C / (Km + C)};
};
const std::vector<double> pk_times{0.25, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 10, 12, 16, 20, 24};

template <class Method>
auto pk_model(double tol) {
  std::mt19937_64 gen(20260101);
  std::normal_distribution<double> noise(0.0, 0.1);
  const double doses[2] = {50.0, 400.0};
  Eigen::VectorXd c[2];
  for (int d = 0; d < 2; ++d) {
    const Eigen::MatrixXd y = ode::solve<ode::rk45_method>(pk_rhs, Eigen::Vector2d(doses[d], 0.0), 0.0, pk_times,
                                                           {1e-8, 1e-8, 100000}, 1.2, 20.0, 1.5, 2.0);
    c[d] = y.col(1).array() * Eigen::VectorXd::NullaryExpr(y.rows(), [&] { return std::exp(noise(gen)); }).array();
  }
  auto ka = param<"ka">(lognormal(0.0, 1.0));
  auto V = param<"V">(lognormal(std::log(20.0), 0.5));
  auto Vmax = param<"Vmax">(lognormal(0.0, 1.0));
  auto Km = param<"Km">(lognormal(0.0, 1.0));
  auto sigma = param<"sigma">(half_normal(0.5));
  Eigen::VectorXi conc(pk_times.size());
  for (Eigen::Index t = 0; t < conc.size(); ++t) conc[t] = static_cast<int>(pk_times.size() + t);
  auto solve = [&](double dose) {
    if constexpr (std::is_same_v<Method, ode::rk45_method>)
      return ode_rk45_tol(pk_rhs, Eigen::Vector2d(dose, 0.0), 0.0, pk_times, tol, tol, 100000, ka, V, Vmax, Km);
    else
      return ode_rosenbrock_tol(pk_rhs, Eigen::Vector2d(dose, 0.0), 0.0, pk_times, tol, tol, 100000, ka, V, Vmax, Km);
  };
  auto low = let<"low">(solve(doses[0]));
  auto high = let<"high">(solve(doses[1]));
  return compile<double>(model(ka, V, Vmax, Km, sigma, low, high, observe<"c_low">(lognormal(log(low[conc]), sigma), c[0]),
                               observe<"c_high">(lognormal(log(high[conc]), sigma), c[1])));
}

Eigen::VectorXd pk_point() {
  Eigen::VectorXd q(5);
  q << std::log(1.2), std::log(20.0), std::log(1.5), std::log(2.0), std::log(0.1);
  return q;
}

template <class D>
void time_gradient(benchmark::State& state, const D& d, Eigen::VectorXd q) {
  evaluator<D> ev(d);
  Eigen::VectorXd g(d.dim());
  for (auto _ : state) {
    q[0] += 1e-12;  // a new point each call
    benchmark::DoNotOptimize(ev.logp_grad(q, g));
  }
}

void BM_lv_rk45(benchmark::State& s) { time_gradient(s, lv_model<ode::rk45_method>(1e-5, 1e-3), lv_point()); }
void BM_lv_rosenbrock(benchmark::State& s) { time_gradient(s, lv_model<ode::rosenbrock_method>(1e-5, 1e-3), lv_point()); }
void BM_lv_rk45_tight(benchmark::State& s) { time_gradient(s, lv_model<ode::rk45_method>(1e-8, 1e-8), lv_point()); }
void BM_lv_rosenbrock_tight(benchmark::State& s) {
  time_gradient(s, lv_model<ode::rosenbrock_method>(1e-8, 1e-8), lv_point());
}
void BM_pk_rk45(benchmark::State& s) { time_gradient(s, pk_model<ode::rk45_method>(1e-8), pk_point()); }
void BM_pk_rosenbrock(benchmark::State& s) { time_gradient(s, pk_model<ode::rosenbrock_method>(1e-8), pk_point()); }

// One solve without sensitivities at the same point and tolerances (a solver built per call).
void BM_lv_rk45_value_only(benchmark::State& s) {
  const std::vector<double> ts = lv_times();
  double alpha = 0.55;
  for (auto _ : s) {
    alpha += 1e-12;
    benchmark::DoNotOptimize(ode::solve<ode::rk45_method>(lv_rhs, Eigen::Vector2d(33.9, 5.9), 0.0, ts, {1e-5, 1e-3, 100000},
                                                          alpha, 0.028, 0.80, 0.024));
  }
}
void BM_pk_rk45_value_only(benchmark::State& s) {
  double ka = 1.2;
  for (auto _ : s) {
    ka += 1e-12;
    benchmark::DoNotOptimize(ode::solve<ode::rk45_method>(pk_rhs, Eigen::Vector2d(400.0, 0.0), 0.0, pk_times,
                                                          {1e-8, 1e-8, 100000}, ka, 20.0, 1.5, 2.0));
  }
}

}  // namespace

BENCHMARK(BM_lv_rk45);
BENCHMARK(BM_lv_rosenbrock);
BENCHMARK(BM_lv_rk45_tight);
BENCHMARK(BM_lv_rosenbrock_tight);
BENCHMARK(BM_lv_rk45_value_only);
BENCHMARK(BM_pk_rk45);
BENCHMARK(BM_pk_rosenbrock);
BENCHMARK(BM_pk_rk45_value_only);
BENCHMARK_MAIN();
