// A Gelman & Hill style regression with flat priors, as a Stan program with no `~` statement on
// its coefficients would state it:
//
//   data { int N; vector[N] floor; vector[N] log_uranium; vector[N] log_radon; }
//   parameters { real alpha; vector[2] beta; real<lower=0> sigma; }
//   model { log_radon ~ normal(alpha + beta[1] * floor + beta[2] * log_uranium, sigma); }
//
// The data are simulated in the shape of the radon survey (Gelman & Hill, ch. 12): a basement
// indicator per house and the county's log uranium, 300 houses. Under flat priors the posterior
// means of the coefficients are the least-squares estimates and their posterior standard
// deviations are the classical standard errors times sqrt((n - k) / (n - k - 3)) (a flat prior on
// sigma, not on log sigma, leaves n - k - 1 degrees of freedom); the example
// prints both side by side.
#include <exmc/exmc.hpp>
#include <cmath>
#include <iostream>

int main() {
  using namespace exmc;
  const int n = 300;
  rng gen(12);
  Eigen::VectorXd floor(n), log_uranium(n), log_radon(n);
  for (int i = 0; i < n; ++i) {
    floor[i] = gen.uniform() < 0.2 ? 1.0 : 0.0;  // 1: measured on the first floor
    log_uranium[i] = gen.normal(0.0, 0.35);
    log_radon[i] = 1.45 - 0.65 * floor[i] + 0.72 * log_uranium[i] + gen.normal(0.0, 0.76);
  }

  auto alpha = param<"alpha">(flat());
  auto beta = param<"beta">(flat(), 2);
  auto sigma = param<"sigma">(flat(), lower(0.0));
  auto m = model(alpha, beta, sigma,
                 observe<"log_radon">(normal(alpha + beta[0] * floor + beta[1] * log_uranium, sigma), log_radon));
  auto density = compile<double>(m);
  std::cout << density.describe() << "\n";

  sample_options o;
  o.seed = 12;
  const fit f = sample(density, o);
  const summary_table s = summary(f);
  std::cout << s << "\n";

  // Least squares, the flat-prior posterior mean.
  Eigen::MatrixXd X(n, 3);
  X << Eigen::VectorXd::Ones(n), floor, log_uranium;
  const Eigen::MatrixXd XtX_inv = (X.transpose() * X).inverse();
  const Eigen::VectorXd b = XtX_inv * X.transpose() * log_radon;
  const double s2 = (log_radon - X * b).squaredNorm() / (n - 3);
  const char* names[] = {"alpha", "beta[0]", "beta[1]"};
  for (int j = 0; j < 3; ++j) {
    const auto& row = s[names[j]];
    const double sd = std::sqrt(s2 * XtX_inv(j, j) * (n - 3.0) / (n - 6.0));
    std::cout << names[j] << ": posterior mean " << row.mean << " sd " << row.sd << "; least squares " << b[j]
              << " sd " << sd << "\n";
  }
  return f.all_ok() ? 0 : 1;
}
