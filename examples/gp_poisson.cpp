// A latent Gaussian process under Poisson counts, written non-centred as the Stan user's guide
// writes it (section "Latent variable GP"):
//   rho ~ inv_gamma(5, 5); alpha ~ normal+(0, 1); a ~ normal(0, 2); eta ~ normal(0, 1)
//   L = cholesky(gp_exp_quad_cov(x, alpha, rho) + 1e-9 I);  f = a + L * eta;  y ~ poisson_log(f)
// on counts simulated from a known smooth rate, then the posterior of the rate exp(f) against
// the rate that made the data. Writing f ~ mv_normal(a, K) instead gives the same sampler: the
// compiler non-centres it (see describe()).
#include <exmc/exmc.hpp>
#include <cmath>
#include <iostream>

int main() {
  using namespace exmc;
  const int n = 30;
  const Eigen::VectorXd x = Eigen::VectorXd::LinSpaced(n, -5, 5);
  Eigen::VectorXd rate(n);
  Eigen::VectorXi y(n);
  rng gen(17);
  for (int i = 0; i < n; ++i) {
    rate[i] = std::exp(1.0 + 0.8 * std::sin(x[i]));
    y[i] = static_cast<int>(poisson_fn::generate(gen, rate[i]));
  }

  auto rho = param<"rho">(inv_gamma(5.0, 5.0));
  auto alpha = param<"alpha">(half_normal(1.0));
  auto a = param<"a">(normal(0.0, 2.0));
  auto eta = param<"eta">(normal(0.0, 1.0), n);
  auto f = let<"f">(a + cholesky(add_diag(gp_exp_quad_cov(x, alpha, rho), 1e-9)) * eta);
  auto density = compile<double>(model(rho, alpha, a, eta, f, observe<"y">(poisson_log(f), y)));

  // The same model written centred: the compiler samples f as a + L z.
  auto f_centred = param<"f">(mv_normal(a, add_diag(gp_exp_quad_cov(x, alpha, rho), 1e-9)), n);
  std::cout << compile<double>(model(rho, alpha, a, f_centred, observe<"y">(poisson_log(f_centred), y))).describe()
            << "\n";

  sample_options o;
  o.warmup = 500;
  o.draws = 500;
  o.seed = 3;
  const fit fit = sample(density, o);
  const summary_table s = summary(fit);
  std::cout << "rho: " << s["rho"].mean << ", alpha: " << s["alpha"].mean << ", divergent transitions: "
            << fit.total_divergent() << "\n";
  double worst = 0;
  for (int i = 0; i < n; i += 5) {
    const Eigen::MatrixXd fi = fit.posterior.column("f[" + std::to_string(i) + "]");
    const double posterior_rate = fi.array().exp().mean();
    worst = std::max(worst, std::abs(std::log(posterior_rate / rate[i])));
    std::cout << "x = " << x[i] << ": posterior mean rate " << posterior_rate << " (simulated with " << rate[i]
              << ", count " << y[i] << ")\n";
  }
  std::cout << "largest log ratio of posterior to true rate: " << worst << "\n";
  return fit.all_ok() && worst < 0.7 ? 0 : 1;
}
