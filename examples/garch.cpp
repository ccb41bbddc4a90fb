// GARCH(1,1) volatility (Bollerslev 1986), the Stan user guide's model with a recurrence written as
// scan: simulates 1000 returns from known parameters, samples the posterior with NUTS and checks
// that each parameter's 90% posterior interval covers the value it was simulated with.
//   sigma2[t] = alpha0 + alpha1 * (r[t-1] - mu)^2 + beta1 * sigma2[t-1],   r[t] ~ normal(mu, sigma[t])
// Stationarity (alpha1 + beta1 < 1) comes from the parameterisation: persistence = alpha1 + beta1
// in (0, 1), and the share of it that is alpha1 in (0, 1). persistence ~ beta(2, 1) and share ~
// uniform make (alpha1, beta1) uniform on the stationary triangle, the prior of Stan's user guide
// program with its bounds. The first variance is the stationary one, alpha0 / (1 - persistence). (Once parameter-dependent bounds exist, beta1 can instead be
// declared with upper(1 - alpha1), as in Stan.) A 90% interval misses its truth one time in ten;
// bench/custom/scan_coverage measures that rate over many simulated data sets
// (docs/benchmarks.md). Run: build/release/examples/garch
#include <exmc/exmc.hpp>
#include <iostream>

int main() {
  using namespace exmc;
  const double mu_true = 0.05, alpha0_true = 0.1, alpha1_true = 0.12, beta1_true = 0.8;
  const int T = 1000;
  Eigen::VectorXd r(T);
  rng g(2);
  double s2 = alpha0_true / (1 - alpha1_true - beta1_true);
  for (int t = 0; t < T; ++t) {
    if (t > 0) s2 = alpha0_true + alpha1_true * (r[t - 1] - mu_true) * (r[t - 1] - mu_true) + beta1_true * s2;
    r[t] = mu_true + std::sqrt(s2) * g.normal();
  }

  // The step: the new variance from the previous one, the previous return and the parameters,
  // written once for any number type (exmc differentiates it with dual numbers).
  auto garch = [](auto sigma2, auto r_prev, auto alpha0, auto alpha1, auto beta1, auto mu) {
    return alpha0 + alpha1 * square(r_prev - mu) + beta1 * sigma2;
  };
  auto mu = param<"mu">(normal(0.0, 1.0));
  auto alpha0 = param<"alpha0">(half_normal(1.0));
  auto persistence = param<"persistence">(beta(2.0, 1.0));
  auto share = param<"share">(beta(1.0, 1.0));
  auto alpha1 = let<"alpha1">(persistence * share);
  auto beta1 = let<"beta1">(persistence * (1.0 - share));
  auto sigma2 = let<"sigma2">(scan(garch, alpha0 / (1.0 - persistence), lag(r), alpha0, alpha1, beta1, mu));
  auto m = model(mu, alpha0, persistence, share, alpha1, beta1, sigma2, observe<"r">(normal(mu, sqrt(sigma2)), r));
  const auto density = compile<double>(m);

  sample_options o;
  o.seed = 11;
  o.keep = {"mu", "alpha0", "alpha1", "beta1", "persistence", "sigma2[999]"};
  const fit f = sample(density, o);
  const summary_table s = summary(f);
  std::cout << s << "\n" << diagnose(f).verdict() << "\n";

  bool covered = true;
  for (const auto& [name, truth] : {std::pair{"mu", mu_true}, {"alpha0", alpha0_true}, {"alpha1", alpha1_true},
                                    {"beta1", beta1_true}}) {
    const bool in = s[name].q5 <= truth && truth <= s[name].q95;
    std::cout << name << ": true " << truth << ", 90% interval [" << s[name].q5 << ", " << s[name].q95 << "]"
              << (in ? "" : "  NOT COVERED") << "\n";
    covered &= in;
  }
  std::cout << (covered ? "recovered all parameters" : "missed a parameter") << "\n";
  return f.all_ok() && covered ? 0 : 1;
}
