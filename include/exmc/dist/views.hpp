#pragma once
// How a family's lpdf reads its variate and arguments and writes analytic partials.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../expr/node.hpp"

namespace exmc {

// ---- views: how lpdf code reads values and writes partials --------------------------------
// Densities are written twice over: element by element (val(i), add(i, d)) where a recursion
// needs it, and as Eigen array expressions (arr(n), add_arr(e)) everywhere else, because Eigen
// vectorises exp, log and reductions that a compiler will not vectorise in a scalar loop.

// Sum of an array expression accumulated in double. Float sums run in blocks of 256 so each
// block is a vectorised float reduction and the running total keeps double precision.
template <class E>
double sum_as_double(const E& e) {
  using S = typename E::Scalar;
  constexpr index_t block = 256;
  if constexpr (std::is_same_v<S, double>) {
    return e.sum();
  } else if constexpr (E::SizeAtCompileTime != Eigen::Dynamic && E::SizeAtCompileTime <= block) {
    return static_cast<double>(e.sum());  // one block, known at compile time (a scalar variate's)
  } else {
    const index_t n = e.size();
    double total = 0;
    for (index_t i = 0; i < n; i += block) total += static_cast<double>(e.segment(i, std::min(block, n - i)).sum());
    return total;
  }
}

// Scalar view: the value broadcasts; partials are summed locally and flushed once.
// One: the variate is a scalar too, so n is 1 and arr() is a fixed-size 1x1 array; Eigen then
// unrolls the family's reductions instead of looping over a run-time length of one (D59).
template <class T, bool Grad, bool One = false>
struct scalar_view {
  static constexpr bool is_vec = false;
  static constexpr bool grad = Grad;
  T v;
  T acc = T(0);
  T lg = T(0);          // log(v) when known in advance (constants, exp(a)): see has_log
  bool has_log = false;
  T inv = T(0);         // 1 / v when known in advance (constants): see has_inv
  bool has_inv = false;
  T val(index_t) const { return v; }
  T log_val() const {
    using std::log;
    return has_log ? lg : log(v);
  }
  T inv_val() const { return has_inv ? inv : T(1) / v; }
  // Takes log(v) from *known when the caller has it without computing it (null: it does not).
  void use_log(const T* known) {
    if (known) {
      lg = *known;
      has_log = true;
    }
  }
  void add(index_t, T d) {
    if constexpr (Grad) acc += d;
  }
  auto arr([[maybe_unused]] index_t n) const {
    if constexpr (One)
      return Eigen::Array<T, 1, 1>::Constant(v);
    else
      return Eigen::Array<T, Eigen::Dynamic, 1>::Constant(n, v);
  }
  // Adds the partials e (one per element); for a scalar that is their sum.
  template <class E>
  void add_arr(const E& e) {
    if constexpr (Grad) acc += e.sum();
  }
  // Adds an already-summed partial.
  void add_total(T d) {
    if constexpr (Grad) acc += d;
  }
  // What a family that takes a log-scale view (below) calls instead of val(0) > 0 and add_total,
  // so one body serves both views.
  static constexpr bool log_form = false;
  bool positive() const { return v > T(0); }
  double inv_double() const {
    if constexpr (std::is_same_v<T, double>)
      return inv_val();
    else
      return 1.0 / static_cast<double>(v);
  }
  // Adds a partial given with respect to log(v): d/dv = d/dlog(v) / v, where inv_v is the 1/v
  // the family already has.
  template <class D>
  void add_dlog(D d, D inv_v) {
    if constexpr (Grad) acc += static_cast<T>(d * inv_v);
  }
};

// A positive scalar argument written exp(a), such as normal(0, exp(v / 2)), seen through its log
// a. Only for a family that declares it takes one at that position (Fn::log_scale_index, see
// dist.hpp): the view holds a and exp(-a), so the model never forms exp(a) nor divides by it,
// and the family's partial comes back with respect to log(v), which is a's own partial (D69).
// It has no val(): a family reads it only through positive(), log_val(), inv_val(), add_dlog().
template <class T, bool Grad>
struct log_scale_view {
  static constexpr bool is_vec = false;
  static constexpr bool grad = Grad;
  static constexpr bool log_form = true;
  T lg;          // log of the value, a
  T inv;         // 1 / value, exp(-a)
  T acc = T(0);  // partial with respect to lg
  // exp(a) > 0 for every a; a NaN a gives a NaN density, which the evaluator rejects.
  static constexpr bool positive() { return true; }
  T log_val() const { return lg; }
  T inv_val() const { return inv; }
  double inv_double() const {
    using std::exp;
    if constexpr (std::is_same_v<T, double>)
      return inv;
    else
      return exp(-static_cast<double>(lg));
  }
  template <class D>
  void add_dlog(D d, D) {
    if constexpr (Grad) acc += static_cast<T>(d);
  }
};

// The value type a view holds (the log-scale view has no val() to ask).
template <class View>
struct view_value {
  using type = std::remove_cvref_t<decltype(std::declval<const View&>().val(0))>;
};
template <class T, bool Grad>
struct view_value<log_scale_view<T, Grad>> {
  using type = T;
};
template <class View>
using view_value_t = typename view_value<View>::type;

// Count, mean and centred sum of squares of a run of constant data, computed once per workspace:
// a family whose density over data depends on nothing else (normal with a scalar mean and scale)
// reads them instead of the data (D65).
// The mean is kept as pivot + delta, pivot one of the values: data far from zero with a small
// spread (1e8 + noise) then keep the digits of mean - mu that a rounded mean would lose.
struct data_moments {
  index_t n = 0;
  double pivot = 0;
  double delta = 0;  // mean - pivot
  double ss = 0;     // sum of (x - mean)^2
};

// Vector view over contiguous values; partials are added in place (the target is zeroed before)
// or, with Store, stored.
// Facts about the values that can be known in advance and save work on every evaluation:
// `logv` points at their logarithms (data vectors cache them; exp(a) has them as a), and `valid`
// says they were already checked against the argument's domain (constant data).
// Store: the view is the first to write these partials in this evaluation, and its family
// writes each element's partial exactly once, so partials are stored, not added, and the target
// needs no zeroing before (D70).
template <class V, class T, bool Grad, bool Store = false>
struct vector_view {
  static constexpr bool is_vec = true;
  static constexpr bool grad = Grad;
  static constexpr bool store = Store;
  const V* v;
  T* g;
  const V* logv = nullptr;
  // Constant data as a scale: the sum of the logs of all `size` values (null when the view is
  // narrowed or shifted, as `moments` is).
  const double* log_sum = nullptr;
  // Observed counts: log(y!) per element, computed when the model is built, so the normalising
  // term of the count families costs one vectorised sum instead of a lookup per element.
  const double* log_fact = nullptr;
  bool valid = false;
  // Moments of exactly these n values, when they are constant data (dist.hpp sets it; anything
  // that narrows or shifts a view leaves it null).
  const data_moments* moments = nullptr;
  index_t size = 0;  // number of values (what a whole-vector argument needs; see dist.hpp)
  V val(index_t i) const { return v[i]; }
  void add(index_t i, T d) {
    if constexpr (Grad && Store)
      g[i] = d;
    else if constexpr (Grad)
      g[i] += d;
  }
  auto arr(index_t n) const {
    if constexpr (std::is_same_v<V, T>)
      return Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>(v, n);
    else
      return Eigen::Map<const Eigen::Array<V, Eigen::Dynamic, 1>>(v, n).template cast<T>();
  }
  template <class E>
  void add_arr(const E& e) {
    if constexpr (Grad && Store)
      Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>(g, e.size()) = e;
    else if constexpr (Grad)
      Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>(g, e.size()) += e;
  }
  // Sum of log(values), from the cached logarithms when there are any.
  double sum_log(index_t n) const {
    if (log_sum && n == size) return *log_sum;
    if (logv) return sum_as_double(Eigen::Map<const Eigen::Array<V, Eigen::Dynamic, 1>>(logv, n));
    return sum_as_double(arr(n).log());
  }
  bool all_positive(index_t n) const { return valid || (arr(n) > T(0)).all(); }
};

// Sum of f(m, views...) over consecutive blocks of at most B elements, each vector view advanced
// to its block (values, partials, cached logs); scalar views are passed through by reference, so
// their partials accumulate as usual. Families use it where the log density and its partial
// share a transcendental (exp(-|a|) in bernoulli_logit, exp(a) in poisson_log): a block's shared
// values fit a stack array of B elements, computed once, with no scratch memory.
template <index_t B, class F, class... Vs>
double sum_over_blocks(index_t n, F&& f, Vs&... vs) {
  auto advance = []<class V>(V& v, V& tmp, index_t b) -> V& {
    if constexpr (V::is_vec) {
      tmp = v;
      tmp.v += b;
      if (tmp.g) tmp.g += b;
      if (tmp.logv) tmp.logv += b;
      if (tmp.log_fact) tmp.log_fact += b;
      tmp.moments = nullptr;
      tmp.log_sum = nullptr;
      return tmp;
    } else {
      return v;
    }
  };
  std::tuple<Vs...> tmp{vs...};
  double total = 0;
  for (index_t b = 0; b < n; b += B)
    total += [&]<std::size_t... I>(std::index_sequence<I...>) {
      return f(std::min(B, n - b), advance(vs, std::get<I>(tmp), b)...);
    }(std::index_sequence_for<Vs...>{});
  return total;
}

// Any argument's value where it is the same for every element: hoisting a log(sigma) out of a
// loop when sigma is a scalar is what makes vectorised lpdfs fast.
template <class View>
inline constexpr bool is_scalar_view = !View::is_vec;

}  // namespace exmc
