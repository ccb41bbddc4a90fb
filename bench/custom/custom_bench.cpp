// The cost of custom(): an ARMA(1,1) likelihood written as a C++ function (reverse-mode tape)
// against the same likelihood with a hand-written gradient (forward recursion of the error
// derivatives), both through exmc's compiled model. Priors and transforms are the same.
#include <benchmark/benchmark.h>

#include <exmc/dist/custom.hpp>
#include <exmc/exmc.hpp>

#include "arma11.hpp"

namespace {

using namespace exmc;

using examples::arma11;

Eigen::VectorXd simulate(int n) {
  rng g(1);
  Eigen::VectorXd y(n);
  double err = 0;
  for (int t = 0; t < n; ++t) {
    const double e = g.normal();
    y[t] = 0.5 + 0.6 * (t == 0 ? 0.5 : y[t - 1]) + 0.3 * err + e;
    err = e;
  }
  return y;
}

// The hand-written version: log density and gradient in one forward pass, on the same
// unconstrained coordinates (mu, phi, theta, log sigma) and with the same priors.
struct arma_hand {
  using scalar = double;
  Eigen::VectorXd y;
  std::ptrdiff_t dim() const { return 4; }
  double logp_grad(const Eigen::VectorXd& q, Eigen::VectorXd& g) const {
    const double mu = q[0], phi = q[1], theta = q[2], sigma = std::exp(q[3]), inv_var = 1 / (sigma * sigma);
    double lp = 0, err = 0, dmu = 0, dphi = 0, dth = 0, gmu = 0, gphi = 0, gth = 0, sq = 0;
    for (Eigen::Index t = 0; t < y.size(); ++t) {
      const double prev_err = err;
      const double nu = t == 0 ? mu + phi * mu : mu + phi * y[t - 1] + theta * prev_err;
      err = y[t] - nu;
      // d err / d parameter, carried through the recursion
      const double n_dmu = t == 0 ? -(1 + phi) : -1 - theta * dmu;
      const double n_dphi = t == 0 ? -mu : -y[t - 1] - theta * dphi;
      const double n_dth = t == 0 ? 0.0 : -prev_err - theta * dth;
      dmu = n_dmu;
      dphi = n_dphi;
      dth = n_dth;
      gmu -= err * inv_var * dmu;
      gphi -= err * inv_var * dphi;
      gth -= err * inv_var * dth;
      sq += err * err;
    }
    const double n = static_cast<double>(y.size());
    lp = -0.5 * sq * inv_var - n * (q[3] + math::log_sqrt_two_pi);
    g.resize(4);
    // priors: mu ~ normal(0, 10), phi, theta ~ normal(0, 2), sigma ~ half_cauchy(5) (+ log-Jacobian)
    lp += -0.5 * mu * mu / 100 - 0.5 * (phi * phi + theta * theta) / 4 - std::log1p(sigma * sigma / 25) + q[3];
    g[0] = gmu - mu / 100;
    g[1] = gphi - phi / 4;
    g[2] = gth - theta / 4;
    g[3] = sq * inv_var - n - 2 * sigma * sigma / 25 / (1 + sigma * sigma / 25) + 1;
    return lp;
  }
};

auto custom_model(const Eigen::VectorXd& y) {
  auto mu = param<"mu">(normal(0.0, 10.0));
  auto phi = param<"phi">(normal(0.0, 2.0));
  auto theta = param<"theta">(normal(0.0, 2.0));
  auto sigma = param<"sigma">(half_cauchy(5.0));
  return compile<double>(model(mu, phi, theta, sigma, observe<"y">(custom<arma11>(mu, phi, theta, sigma), y)));
}

void BM_custom_arma(benchmark::State& state) {
  const auto m = custom_model(simulate(static_cast<int>(state.range(0))));
  auto ws = m.make_workspace();
  Eigen::VectorXd q(4), g(4);
  q << 0.4, 0.5, 0.2, 0.1;
  for (auto _ : state) benchmark::DoNotOptimize(m.logp_grad(q, g, ws));
}
void BM_hand_arma(benchmark::State& state) {
  const arma_hand m{simulate(static_cast<int>(state.range(0)))};
  Eigen::VectorXd q(4), g(4);
  q << 0.4, 0.5, 0.2, 0.1;
  // Same density up to the half-Cauchy's constant: check the gradient once.
  const auto c = custom_model(m.y);
  Eigen::VectorXd gc(4);
  c.logp_grad(q, gc);
  m.logp_grad(q, g);
  if ((gc - g).cwiseAbs().maxCoeff() > 1e-8 * (1 + g.cwiseAbs().maxCoeff())) state.SkipWithError("gradients differ");
  for (auto _ : state) benchmark::DoNotOptimize(m.logp_grad(q, g));
}

}  // namespace

BENCHMARK(BM_custom_arma)->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK(BM_hand_arma)->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK_MAIN();
