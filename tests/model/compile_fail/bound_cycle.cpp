// Must not compile: two parameters whose bounds depend on each other.
#include <exmc/exmc.hpp>
using namespace exmc;
int main() {
  auto a = param<"a">(flat(), lower(param<"b">(flat())));
  auto b = param<"b">(flat(), upper(a));
  auto m = model(a, b);
  (void)m;
}
