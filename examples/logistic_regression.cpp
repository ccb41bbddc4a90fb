// Logistic regression: y ~ bernoulli_logit(alpha + X beta) on simulated data, then a check that
// the posterior means are near the coefficients used to simulate.
#include <exmc/exmc.hpp>
#include <cmath>
#include <iostream>

int main() {
  using namespace exmc;
  const int n = 400, k = 3;
  const Eigen::Vector3d true_beta(1.0, -0.5, 0.25);
  const double true_alpha = -0.3;
  rng gen(7);
  Eigen::MatrixXd X(n, k);
  Eigen::VectorXi y(n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < k; ++j) X(i, j) = gen.normal();
    const double eta = true_alpha + X.row(i).dot(true_beta);
    y[i] = gen.uniform() < 1.0 / (1.0 + std::exp(-eta)) ? 1 : 0;
  }

  auto alpha = param<"alpha">(normal(0.0, 2.5));
  auto beta = param<"beta">(normal(0.0, 2.5), k);
  auto m = model(alpha, beta, observe<"y">(bernoulli_logit(alpha + X * beta), y));
  auto density = compile<double>(m);

  sample_options o;
  o.warmup = 300;
  o.draws = 300;
  o.seed = 7;
  const fit f = sample(density, o);
  const summary_table s = summary(f);
  std::cout << s << "\n";
  for (int j = 0; j < k; ++j) {
    const auto& row = s["beta[" + std::to_string(j) + "]"];
    std::cout << "beta[" << j << "]: posterior mean " << row.mean << " (simulated with " << true_beta[j] << ")\n";
  }
  return f.all_ok() ? 0 : 1;
}
