// Compile-time probe: the eight schools model with NUTS sampling and the summary, as a user's
// program would be. Timed by bench/compile_time/measure.sh.
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
  auto ld = compile<double>(model(mu, tau, theta, observe<"y">(normal(theta, sigma), y)));
  std::cout << summary(sample(ld, {.chains = 4, .seed = 1}));
}
