// A hidden Markov model with Gaussian emissions: 300 observations simulated from 3 hidden
// states, the states summed out by the forward algorithm (hmm_marginal), the parameters
// recovered with NUTS, then the hidden states themselves: the probability of each state at each
// time point and draws of whole paths (forward filtering, backward sampling).
//
// Stan's version of the same model:
//   parameters { ordered[K] mu; vector<lower=0>[K] sigma; array[K] simplex[K] Gamma; simplex[K] rho; }
//   model {
//     matrix[K, N] log_omega;
//     for (n in 1:N) for (k in 1:K) log_omega[k, n] = normal_lpdf(y[n] | mu[k], sigma[k]);
//     mu ~ normal(0, 5); sigma ~ normal(0, 2); rho ~ dirichlet(rep_vector(1, K));
//     for (k in 1:K) Gamma[k] ~ dirichlet(alpha[k]);
//     target += hmm_marginal(log_omega, Gamma_matrix, rho);
//   }
// Run: build/release/examples/hmm
#include <algorithm>
#include <cstdio>
#include <exmc/exmc.hpp>
#include <iostream>
#include <vector>

int main() {
  using namespace exmc;
  const int K = 3, N = 300;

  // The truth: well separated means, states that persist (80% chance of staying).
  Eigen::VectorXd mu_true(K), sigma_true(K), rho_true = Eigen::VectorXd::Constant(K, 1.0 / K);
  mu_true << -3, 0, 3;
  sigma_true << 0.6, 0.8, 1.0;
  Eigen::MatrixXd Gamma_true(K, K);
  // clang-format off
  Gamma_true << 0.8, 0.1, 0.1,
                0.1, 0.8, 0.1,
                0.1, 0.1, 0.8;
  // clang-format on
  rng g(2026);
  Eigen::VectorXd y(N);
  Eigen::VectorXi z(N);
  auto draw = [&](auto p) {
    double u = g.uniform(), acc = 0;
    for (int k = 0; k < K; ++k)
      if (u < (acc += p(k))) return k;
    return K - 1;
  };
  z[0] = draw([&](int k) { return rho_true[k]; });
  for (int t = 0; t < N; ++t) {
    if (t > 0) z[t] = draw([&](int k) { return Gamma_true(z[t - 1], k); });
    y[t] = g.normal(mu_true[z[t]], sigma_true[z[t]]);
  }

  // The model. Ordered means keep the states from swapping labels; a Dirichlet prior per row of
  // Gamma that favours staying (concentration 4 on the diagonal, 1 elsewhere).
  const Eigen::MatrixXd alpha = Eigen::MatrixXd::Ones(K, K) + 3.0 * Eigen::MatrixXd::Identity(K, K);
  auto mu = param<"mu">(normal(0.0, 5.0), K, ordered);
  auto sigma = param<"sigma">(half_normal(2.0), K);
  auto Gamma = param<"Gamma">(dirichlet(flatten(alpha)), stochastic_matrix(K));
  auto rho = param<"rho">(dirichlet(Eigen::VectorXd::Ones(K)), K);
  auto m =
      model(mu, sigma, Gamma, rho, potential<"hmm">(hmm_marginal(emission_lpdf(normal(mu, sigma), y), Gamma, rho)));
  const auto cm = compile<double>(m);
  std::cout << cm.describe() << "\n";

  // Start the means at the data's quantiles and the scales at sd(y) / K, as is usual for mixtures
  // and HMMs: from random starts a chain can settle in a local mode where two states overlap.
  std::vector<double> sorted(y.data(), y.data() + N);
  std::sort(sorted.begin(), sorted.end());
  Eigen::VectorXd mu0(K);
  for (int k = 0; k < K; ++k) mu0[k] = sorted[static_cast<std::size_t>((k + 0.5) / K * N)];
  const double sd = std::sqrt((y.array() - y.mean()).square().mean());
  sample_options opt;
  opt.seed = 11;
  opt.init = {{"mu", mu0}, {"sigma", Eigen::VectorXd::Constant(K, sd / K)}};
  const fit f = sample(cm, opt);
  const summary_table table = summary(f);
  std::cout << table << "\n";

  // Recovery: every parameter's truth inside its 99% interval (rho, informed by the first
  // observation only, is left to its prior).
  int outside = 0;
  auto check = [&](const std::string& name, double truth) {
    const Eigen::MatrixXd x = f.posterior.column(name);
    const double lo = quantile(x, 0.005), hi = quantile(x, 0.995);
    const bool in = lo <= truth && truth <= hi;
    outside += !in;
    std::printf("%-12s truth %6.3f   99%% interval [%6.3f, %6.3f]%s\n", name.c_str(), truth, lo, hi,
                in ? "" : "  MISSED");
  };
  for (int k = 0; k < K; ++k) check("mu[" + std::to_string(k) + "]", mu_true[k]);
  for (int k = 0; k < K; ++k) check("sigma[" + std::to_string(k) + "]", sigma_true[k]);
  for (int j = 0; j < K; ++j)
    for (int i = 0; i < K; ++i) check("Gamma[" + std::to_string(i) + "," + std::to_string(j) + "]", Gamma_true(i, j));

  // The hidden states: P(z_t = k | y) averaged over the posterior, and paths drawn per draw.
  const draws prob = hmm_hidden_state_prob<"hmm">(cm, f.posterior);
  const draws paths = hmm_latent_rng<"hmm">(cm, f.posterior, {.seed = 5});
  int right = 0;
  for (int t = 0; t < N; ++t) {
    int best = 0;
    for (int k = 1; k < K; ++k)
      if (prob.column(k + t * K).mean() > prob.column(best + t * K).mean()) best = k;
    right += best == z[t];
  }
  std::printf("most probable state matches the truth at %d of %d time points\n", right, N);
  std::printf("one posterior path, t = 0..29: ");
  for (int t = 0; t < 30; ++t) std::printf("%d", static_cast<int>(paths.chains[0](0, t)));
  std::printf("\nthe true path,    t = 0..29: ");
  for (int t = 0; t < 30; ++t) std::printf("%d", z[t]);
  std::printf("\n%s\n", diagnose(f).verdict().c_str());
  return f.all_ok() && outside == 0 && right > 0.9 * N ? 0 : 1;
}
