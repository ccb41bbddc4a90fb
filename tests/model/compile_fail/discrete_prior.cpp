// Must not compile: a discrete family as the prior of a continuous parameter.
#include <exmc/exmc.hpp>
using namespace exmc;
int main() {
  auto a = param<"a">(bernoulli_logit(0.0));
  (void)a;
}
