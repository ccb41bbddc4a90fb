// Must not compile: with a presample state the first step is t = 0, which has no y[t - 1].
#include <exmc/exmc.hpp>
using namespace exmc;
int main() {
  Eigen::VectorXd y = Eigen::VectorXd::Ones(5);
  auto a = param<"a">(normal(0.0, 1.0));
  auto step = [](auto prev, auto y_prev, auto coef) { return coef * prev + y_prev; };
  auto m = model(a, observe<"y">(normal(scan(step, presample(0.0), lag(y), a), 1.0), y));
  (void)m;
}
