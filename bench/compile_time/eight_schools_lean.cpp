// Compile-time probe: the eight schools model of eight_schools_model.cpp, including only the
// headers it uses (its two families and the model layer) instead of the umbrella exmc.hpp,
// which also brings every other family, NUTS, diagnostics and the predictive layer.
// Timed by bench/compile_time/measure.sh.
#include <exmc/dist/cauchy.hpp>
#include <exmc/dist/normal.hpp>
#include <exmc/model/compiled.hpp>
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
  Eigen::VectorXd q = Eigen::VectorXd::Zero(10), g(10);
  std::cout << ld.logp_grad(q, g) << "\n";
}
