#pragma once
// What scan (scan.hpp) takes besides the step: the shape of its state (states<S>, lags<Q>), time-
// indexed inputs (series(x), lag<k>(x)), an initial state given before the first output
// (presample(x)) and the output's length when no series gives it (horizon(T)).
#include <type_traits>
#include <utility>

#include "build.hpp"

namespace exmc {

// ---- the shape of a scan's state ------------------------------------------------------------
template <int S>
struct states {
  static_assert(S >= 1, "exmc::scan: states<S> needs S >= 1 state components");
  static constexpr int value = S;
};
template <int Q>
struct lags {
  static_assert(Q >= 1, "exmc::scan: lags<Q> needs Q >= 1 previous states");
  static constexpr int value = Q;
};

namespace detail {
template <template <int> class Tag, class X>
struct tag_value : std::integral_constant<int, 0> {};
template <template <int> class Tag, int V>
struct tag_value<Tag, Tag<V>> : std::integral_constant<int, V> {};
// The value given with Tag among the options, or Default.
template <template <int> class Tag, int Default, class... Opts>
constexpr int option_value() {
  int v = Default;
  ((tag_value<Tag, Opts>::value ? (v = tag_value<Tag, Opts>::value) : 0), ...);
  return v;
}
template <class X>
constexpr bool is_shape_option = tag_value<states, X>::value > 0 || tag_value<lags, X>::value > 0;
}  // namespace detail

// ---- argument wrappers -----------------------------------------------------------------------
// A time-indexed input: element t - Lag of a vector expression at step t.
template <int Lag, class E>
struct series_arg {
  static_assert(Lag >= 0, "exmc::scan: lag<k>(x) needs k >= 0");
  static constexpr int lag = Lag;
  using expr = E;
  E e;
};
template <operand X>
auto series(X&& x) {
  return series_arg<0, expr_of<X>>{as_expr(std::forward<X>(x))};
}
template <int K = 1, operand X>
auto lag(X&& x) {
  return series_arg<K, expr_of<X>>{as_expr(std::forward<X>(x))};
}

// The initial state given as the state before the first output (JAX's and PyTensor's carry).
template <class E>
struct presample_arg {
  E e;
};
template <operand X>
auto presample(X&& x) {
  return presample_arg<expr_of<X>>{as_expr(std::forward<X>(x))};
}

// The output's length, for a scan without series.
struct horizon {
  index_t n;
  explicit horizon(index_t length) : n(length) {}
};

template <class X>
struct is_series_arg : std::false_type {};
template <int L, class E>
struct is_series_arg<series_arg<L, E>> : std::true_type {};

// Tangents per evaluation given to the elements of vector parameters; longer vectors take one
// evaluation of the step per chunk.
inline constexpr int vector_chunk = 4;

}  // namespace exmc
