// Must not compile: two declarations named "mu".
#include <exmc/exmc.hpp>
using namespace exmc;
int main() {
  auto a = param<"mu">(normal(0.0, 1.0));
  auto b = param<"mu">(normal(0.0, 2.0));
  auto m = model(a, b);
  (void)m;
}
