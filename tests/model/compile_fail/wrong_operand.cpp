// Must not compile: integer data as an operand (it must be converted to doubles first).
#include <exmc/exmc.hpp>
using namespace exmc;
int main() {
  auto mu = param<"mu">(normal(0.0, 1.0));
  Eigen::VectorXi counts(3);
  auto m = model(mu, let<"e">(mu * counts));
  (void)m;
}
