// A user's program built against an installed exmc: a model sampled with NUTS and summarised.
#include <exmc/exmc.hpp>
#include <iostream>

int main() {
  using namespace exmc;
  Eigen::VectorXd y(4);
  y << 0.5, 1.5, 1.0, 2.0;
  auto mu = param<"mu">(normal(0.0, 5.0));
  auto sigma = param<"sigma">(half_normal(2.0));
  auto ld = compile(model(mu, sigma, observe<"y">(normal(mu, sigma), y)));
  const fit f = sample(ld, {.chains = 2, .warmup = 200, .draws = 200, .seed = 3});
  const summary_table t = summary(f);
  std::cout << MODE << ": mu " << t.rows[0].mean << "\n";
  return f.all_ok() && t.rows[0].name == "mu" ? 0 : 1;
}
