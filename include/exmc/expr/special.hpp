#pragma once
// lgamma in expressions, apart from build.hpp because it needs Boost.Math (math/special.hpp),
// which a model that never writes lgamma should not pay to parse (D72). exmc.hpp includes it;
// a translation unit that includes only the layers it uses includes this header to write
// lgamma(x) for an expression x.
#include <utility>

#include "../math/special.hpp"
#include "build.hpp"

namespace exmc {

namespace op {
// d/dx lgamma(x) = digamma(x): the analytic partial, not a differentiated series.
struct lgamma {
  static constexpr const char* name = "lgamma";
  template <class T>
  static T f(T x) {
    return math::lgamma(x);
  }
  template <class T>
  static T df(T x, [[maybe_unused]] T y) {
    return math::digamma(x);
  }
};
}  // namespace op

template <symbolic A>
auto lgamma(A&& a) {
  return unary<op::lgamma, expr_of<A>>(as_expr(std::forward<A>(a)));
}

}  // namespace exmc
