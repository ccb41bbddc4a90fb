// Quick start: a hierarchical normal model. Five groups with their own means drawn around a
// common mean; simulated data, NUTS, a posterior summary. Run: build/release/examples/quick_start
#include <exmc/exmc.hpp>
#include <iostream>

int main() {
  using namespace exmc;
  // Simulate 5 groups x 20 observations with exmc's reproducible generator.
  const int groups = 5, per_group = 20;
  rng gen(1);
  Eigen::VectorXd y(groups * per_group);
  Eigen::VectorXi group(groups * per_group);
  for (int g = 0; g < groups; ++g)
    for (int i = 0; i < per_group; ++i) {
      group[g * per_group + i] = g;
      y[g * per_group + i] = 2.0 + 0.5 * g + gen.normal();
    }

  auto mu = param<"mu">(normal(0.0, 10.0));           // common mean
  auto tau = param<"tau">(half_normal(2.0));           // spread of the group means
  auto alpha = param<"alpha">(normal(mu, tau), groups);
  auto sigma = param<"sigma">(half_normal(2.0));
  auto m = model(mu, tau, alpha, sigma, observe<"y">(normal(alpha[group], sigma), y));
  auto density = compile<double>(m);

  sample_options o;
  o.chains = 4;
  o.warmup = 300;
  o.draws = 300;
  o.seed = 1;
  const fit f = sample(density, o);
  std::cout << summary(f) << "\n" << diagnose(f).verdict() << "\n";
  return f.all_ok() ? 0 : 1;
}
