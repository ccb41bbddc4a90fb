// Must not compile: the step takes (state, parameter) but the scan passes a series as well.
#include <exmc/exmc.hpp>
using namespace exmc;
int main() {
  Eigen::VectorXd y = Eigen::VectorXd::Ones(5);
  auto a = param<"a">(normal(0.0, 1.0));
  auto step = [](auto prev, auto coef) { return coef * prev; };
  auto m = model(a, observe<"y">(normal(scan(step, 0.0, lag(y), a), 1.0), y));
  auto c = compile<double>(m);
  Eigen::VectorXd q = Eigen::VectorXd::Zero(1), g(1);
  return c.logp_grad(q, g) > 0;
}
