// Must not compile: a's prior depends on b and b's on a.
#include <exmc/exmc.hpp>
using namespace exmc;
int main() {
  auto a = param<"a">(normal(ref<"b">{}, 1.0));
  auto b = param<"b">(normal(a, 1.0));
  auto m = model(a, b);
  (void)m;
}
