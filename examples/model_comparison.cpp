// Two models of the same counts compared by PSIS-LOO: a Poisson regression and a negative
// binomial one, for data simulated with overdispersion. Sampling, pointwise log-likelihoods
// from the stored draws, loo() per model, and compare() ranking them.
#include <exmc/exmc.hpp>
#include <iostream>

int main() {
  using namespace exmc;
  // Counts with a log-linear trend and gamma-distributed extra variation (overdispersion).
  const int n = 60;
  Eigen::VectorXd x(n);
  Eigen::VectorXi y(n);
  rng g(2024);
  for (int i = 0; i < n; ++i) {
    x[i] = -1.0 + 2.0 * i / (n - 1);
    const double mu = std::exp(1.5 + 0.8 * x[i]);
    const double lambda = mu * g.gamma(2.0) / 2.0;  // mean mu, variance mu + mu^2 / 2
    y[i] = static_cast<int>(poisson_fn::generate(g, lambda));
  }

  auto a = param<"a">(normal(0.0, 2.0));
  auto b = param<"b">(normal(0.0, 2.0));
  const auto pois = compile<double>(model(a, b, observe<"y">(poisson_log(a + b * x), y)));
  auto phi = param<"phi">(exponential(0.5));
  const auto negbin = compile<double>(model(a, b, phi, observe<"y">(neg_binomial_2_log(a + b * x, phi), y)));

  sample_options o;
  o.chains = 4;
  o.warmup = 500;
  o.draws = 500;
  o.seed = 7;
  auto loo_of = [&](const auto& m, const char* name) {
    const fit f = sample(m, o);
    const draws ll = log_likelihood(m, f.posterior);  // one column per observation
    const Eigen::MatrixXd lm = log_lik_matrix(ll);
    const loo_result r = loo(lm, relative_eff(lm, chain_of_rows(ll)));
    std::cout << name << ": elpd_loo " << r.elpd_loo << " (se " << r.se_elpd_loo << "), p_loo " << r.p_loo
              << ", observations with Pareto k > 0.7: " << r.high_pareto_k().size() << "\n";
    return r;
  };
  const loo_result lp = loo_of(pois, "poisson");
  const loo_result ln = loo_of(negbin, "neg_binomial_2");
  const comparison c = compare({{"poisson", lp}, {"neg_binomial_2", ln}});
  std::cout << c << "preferred model: " << c.rows.front().name << "\n";
  return 0;
}
