#pragma once
// Reading views the same way whether they are scalars or vectors, and re-expressing one family
// through another: chi_square(nu) is gamma(nu / 2, 1 / 2), so its lpdf is gamma's called with
// nu seen through a view scaled by 1/2 (no copy; partials flow back scaled the same way).
#include <cmath>
#include <utility>

#include "views.hpp"

namespace exmc {

// Every value is > 0 (NaN fails). Works for the variate too, which may be a scalar view.
template <class V>
bool all_positive(index_t n, const V& v) {
  using T = decltype(v.val(0));
  if constexpr (V::is_vec)
    return v.all_positive(n);
  else
    return v.val(0) > T(0);
}

// sum_i log(v_i), one log for a scalar; cached logarithms of data are used when there are any.
template <class V>
double sum_log(index_t n, const V& v) {
  if constexpr (V::is_vec)
    return v.sum_log(n);
  else
    return static_cast<double>(n) * static_cast<double>(v.log_val());
}

// Calls f with an array expression of log(v_i) in the views' scalar type T: the cached
// logarithms when the view has them, else log of the values.
template <class T, class V, class F>
decltype(auto) with_log(index_t n, const V& v, F&& f) {
  using A = Eigen::Array<T, Eigen::Dynamic, 1>;
  if constexpr (V::is_vec) {
    using S = std::remove_cvref_t<decltype(*v.v)>;
    if (v.logv) return f(Eigen::Map<const Eigen::Array<S, Eigen::Dynamic, 1>>(v.logv, n).template cast<T>());
    return f(v.arr(n).template cast<T>().log());
  } else {
    return f(A::Constant(n, static_cast<T>(v.log_val())));
  }
}

// Adds per-element partials e: in place for a vector, summed in double for a scalar (a float
// sum of many elements would lose the digits a scalar's partial needs).
template <class V, class E>
void add_sum(V& v, const E& e) {
  using T = decltype(v.val(0));
  if constexpr (V::grad) {
    if constexpr (V::is_vec)
      v.add_arr(e);
    else
      v.add_total(static_cast<T>(sum_as_double(e)));
  }
}

// View of factor * inner (factor > 0), with partials passed back multiplied by factor.
template <class V>
struct scaled_view {
  static constexpr bool is_vec = V::is_vec;
  static constexpr bool grad = V::grad;
  using T = decltype(std::declval<const V&>().val(0));
  V& inner;
  T factor;

  T val(index_t i) const { return factor * inner.val(i); }
  T log_val() const {
    using std::log;
    return log(factor) + inner.log_val();
  }
  auto arr(index_t n) const { return inner.arr(n) * factor; }
  void add(index_t i, T d) { inner.add(i, factor * d); }
  template <class E>
  void add_arr(const E& e) {
    inner.add_arr(e * factor);
  }
  void add_total(T d) { inner.add_total(factor * d); }
  double sum_log(index_t n) const {
    using std::log;
    return static_cast<double>(n) * static_cast<double>(log(factor)) + inner.sum_log(n);
  }
  bool all_positive(index_t n) const { return inner.all_positive(n); }
};

template <class V, class T>
scaled_view<V> scaled(V& inner, T factor) {
  return scaled_view<V>{inner, static_cast<typename scaled_view<V>::T>(factor)};
}

// A constant argument with no partials (gamma's rate 1/2 for chi_square).
template <class T>
scalar_view<T, false> constant_view(double value) {
  scalar_view<T, false> v{static_cast<T>(value)};
  v.lg = static_cast<T>(std::log(value));
  v.has_log = true;
  return v;
}

}  // namespace exmc
