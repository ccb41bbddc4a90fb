// Must not compile: an element of a scalar parameter.
#include <exmc/exmc.hpp>
using namespace exmc;
int main() {
  auto mu = param<"mu">(normal(0.0, 1.0));
  auto m = model(mu, let<"e">(mu[0] + 1.0));
  (void)m;
}
