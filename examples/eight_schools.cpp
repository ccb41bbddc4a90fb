// Eight schools (Rubin 1981): the hierarchical model written centred, as in the textbook. The
// compiler sees that each school has one observation and samples theta non-centred (the graph
// dump says so), which removes the funnel's divergences. Sampled with NUTS, summarised like
// stansummary. Run: build/release/examples/eight_schools
#include <exmc/exmc.hpp>
#include <iostream>

int main() {
  using namespace exmc;
  Eigen::VectorXd y(8), sigma(8);
  y << 28, 8, -3, 7, -1, 1, 18, 12;
  sigma << 15, 10, 16, 11, 9, 11, 10, 18;

  auto mu = param<"mu">(normal(0.0, 5.0));
  auto tau = param<"tau">(half_cauchy(5.0));
  auto theta = param<"theta">(normal(mu, tau), 8);
  auto m = model(mu, tau, theta, observe<"y">(normal(theta, sigma), y));
  auto ld = compile<double>(m);
  std::cout << ld.describe() << "\n";

  sample_options opt;
  opt.chains = 4;
  opt.seed = 2026;
  opt.target_accept = 0.9;  // a common choice for hierarchical models
  const fit f = sample(ld, opt);

  std::cout << summary(f) << "\n";
  std::cout << diagnose(f).verdict() << "\n";
  std::cout << "gradient evaluations: ";
  std::size_t total = 0;
  for (std::size_t c = 0; c < f.grad_evals_sampling.size(); ++c) total += f.grad_evals_warmup[c] + f.grad_evals_sampling[c];
  std::cout << total << "\n";
  return f.all_ok() ? 0 : 1;
}
