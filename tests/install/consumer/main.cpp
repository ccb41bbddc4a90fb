// A user's program built against an installed exmc.
#include <exmc/exmc.hpp>
#include <iostream>

int main() {
  using namespace exmc;
  Eigen::VectorXd y(4);
  y << 0.5, 1.5, 1.0, 2.0;
  auto mu = param<"mu">(normal(0.0, 5.0));
  auto sigma = param<"sigma">(half_normal(2.0));
  auto ld = compile(model(mu, sigma, observe<"y">(normal(mu, sigma), y)));
  Eigen::VectorXd q = Eigen::VectorXd::Zero(2), g(2);
  const double lp = ld.logp_grad(q, g);
  std::cout << "logp " << lp << "\n";
  return std::isfinite(lp) && ld.dim() == 2 ? 0 : 1;
}
