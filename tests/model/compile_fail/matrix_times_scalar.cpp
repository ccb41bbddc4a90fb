// Must not compile: a data matrix times a scalar parameter (a vector is needed).
#include <exmc/exmc.hpp>
using namespace exmc;
int main() {
  auto s = param<"s">(half_normal(1.0));
  Eigen::MatrixXd X(4, 3);
  Eigen::VectorXd y(4);
  auto d = compile<double>(model(s, observe<"y">(normal(X * s, 1.0), y)));
  (void)d;
}
