// Neal's funnel: v ~ normal(0, 3), x ~ normal(0, exp(v / 2)). The scale of x depends on a
// parameter, so the compiler samples x non-centred; forcing the centred form brings back the
// divergences the funnel is known for. Compare the two.
#include <exmc/exmc.hpp>
#include <iostream>

template <class Density>
exmc::fit run(const Density& density) {
  exmc::sample_options o;
  o.warmup = 500;
  o.draws = 500;
  o.seed = 5;
  return exmc::sample(density, o);
}

int main() {
  using namespace exmc;
  auto v = param<"v">(normal(0.0, 3.0));
  auto x = param<"x">(normal(0.0, exp(v / 2.0)), 9);
  auto automatic = compile<double>(model(v, x));
  std::cout << automatic.describe() << "\n";

  auto v_c = param<"v">(normal(0.0, 3.0));
  auto x_c = param<"x">(normal(0.0, exp(v_c / 2.0)), 9, centered);
  auto forced = compile<double>(model(v_c, x_c));

  const fit nc = run(automatic), c = run(forced);
  std::cout << "non-centred: " << nc.total_divergent() << " divergent transitions, sd(v) = " << summary(nc)["v"].sd << "\n";
  std::cout << "centred:     " << c.total_divergent() << " divergent transitions, sd(v) = " << summary(c)["v"].sd << "\n";
  std::cout << "(the true sd(v) is 3)\n";
  return nc.all_ok() ? 0 : 1;
}
