// Must compile: the same shapes as the failing cases, written correctly (guards the harness).
#include <exmc/exmc.hpp>
using namespace exmc;
int main() {
  auto mu = param<"mu">(normal(0.0, 1.0));
  auto tau = param<"tau">(half_normal(1.0));
  auto theta = param<"theta">(normal(mu, tau), 3);
  auto m = model(mu, tau, theta);
  (void)m;
}
