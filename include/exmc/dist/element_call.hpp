#pragma once
// Calling a family's summed functions (lpdf, lcdf, lccdf) on one element at a time, with each
// argument's partial captured separately: what combinators need when they weight or select
// terms per element (censored, truncated, mixture).
#include <array>
#include <tuple>
#include <utility>

#include "views.hpp"

namespace exmc::detail {

// A view of element i of `v` whose partial lands in `slot` (scalar arguments broadcast).
template <class V, class T>
auto probe(const V& v, index_t i, T& slot) {
  slot = T(0);
  if constexpr (V::is_vec) {
    vector_view<std::remove_cvref_t<decltype(*v.v)>, T, V::grad> e{v.v + i, V::grad ? &slot : nullptr};
    if (v.logv) e.logv = v.logv + i;
    if (v.log_fact) e.log_fact = v.log_fact + i;
    e.valid = v.valid;
    e.size = 1;
    return e;
  } else {
    scalar_view<T, V::grad> e{v.v};
    e.lg = v.lg;
    e.has_log = v.has_log;
    e.inv = v.inv;
    e.has_inv = v.has_inv;
    return e;
  }
}
template <class V, class T>
void collect(const V& probe_view, T& slot) {
  if constexpr (!V::is_vec && V::grad) slot += probe_view.acc;
}

// f(1, x_i, args_i...) with the partials of each argument in `partials`.
template <class T, class F, class X, class... A>
double call_element(F&& f, const X& xi, index_t i, std::array<T, sizeof...(A)>& partials, const A&... args) {
  return [&]<std::size_t... K>(std::index_sequence<K...>) {
    auto views = std::make_tuple(probe(args, i, partials[K])...);
    X x = xi;
    const double v = f(index_t{1}, x, std::get<K>(views)...);
    (collect(std::get<K>(views), partials[K]), ...);
    return v;
  }(std::index_sequence_for<A...>{});
}

// Adds w * partials[k] to argument k at element i.
template <class T, class... A>
void add_partials(const std::array<T, sizeof...(A)>& partials, T w, index_t i, A&... args) {
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    (args.add(i, w * partials[K]), ...);
  }(std::index_sequence_for<A...>{});
}

// A one-element data view holding x (the bound at which a CDF is taken).
template <class T>
struct value_holder {
  T v;
  vector_view<T, T, false> view() const { return vector_view<T, T, false>{&v, nullptr}; }
};

}  // namespace exmc::detail
