// Must not compile: theta's prior refers to tau, which the model does not contain.
#include <exmc/exmc.hpp>
using namespace exmc;
int main() {
  auto mu = param<"mu">(normal(0.0, 1.0));
  auto tau = param<"tau">(half_normal(1.0));
  auto theta = param<"theta">(normal(mu, tau), 3);
  auto m = model(mu, theta);
  (void)m;
}
