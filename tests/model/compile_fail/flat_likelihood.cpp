// Must not compile: flat() is an improper prior, not a likelihood.
#include <exmc/exmc.hpp>
using namespace exmc;
int main() {
  Eigen::VectorXd y(4);
  auto o = observe<"y">(flat(), y);
  (void)o;
}
