#pragma once
// The node protocol shared by every expression.
//
// An expression is a small value type deriving from expr_tag. Its shape (scalar or vector) and
// whether it depends on parameters are compile-time facts, given the model's name table `Info`.
// Run-time scratch (cached values, adjoints) lives in a `state<Env>` that mirrors the expression
// tree, so the expression itself is immutable and one compiled model serves many threads.
//
//   refs                               name_list of the parameters/deterministics it reads
//   is_vec<Info>, has_grad<Info>       shape; whether adjoints must flow through it
//   size(senv)                         run-time length (1 for scalars); validates, throws model_error
//   init(state, senv)                  allocates the state's buffers once
//   forward(state, env)                computes its value (children first); zeroes its adjoint
//   value(state, env)                  T, or vector_t<T> const& (a declaration's: Map<vector_t<T>>)
//   adj(state, env)                    T& or vector_t<T>& (Map) into which the parent accumulates
//   backward(state, env)               pushes its accumulated adjoint into its children
//   cast<T>()                          the same expression with its data stored as T
//   describe()                         human-readable form, for errors and graph dumps
// Optional members:
//   always_scalar                      (static) scalar in every model (an element beta[i]), known
//                                      where the expression is written (expr/build.hpp)
//   forward_term(state, env)           evaluates the node as a model term, whose adjoint is 1:
//                                      value returned, every partial pushed on (dist/lpdf.hpp)
#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include "../core/error.hpp"
#include "../core/fixed_string.hpp"
#include "../core/log_density.hpp"

namespace exmc {

using index_t = Eigen::Index;

struct expr_tag {};

template <class E>
concept expression = std::is_base_of_v<expr_tag, std::remove_cvref_t<E>>;

// ---- compile-time lists of names ------------------------------------------------------------
template <class... Names>
struct name_list {
  static constexpr std::size_t size = sizeof...(Names);
  static constexpr std::array<std::string_view, sizeof...(Names)> values{Names::value...};
};

namespace detail {
template <class... Ls>
struct concat;
template <>
struct concat<> {
  using type = name_list<>;
};
template <class... A>
struct concat<name_list<A...>> {
  using type = name_list<A...>;
};
template <class... A, class... B, class... Rest>
struct concat<name_list<A...>, name_list<B...>, Rest...> {
  using type = typename concat<name_list<A..., B...>, Rest...>::type;
};
}  // namespace detail

template <class... Ls>
using concat_t = typename detail::concat<Ls...>::type;

// ---- values -------------------------------------------------------------------------------
template <class T, bool Vec>
using value_t = std::conditional_t<Vec, vector_t<T>, T>;

// Element i of a scalar (broadcast) or of a vector.
template <class T>
  requires std::is_arithmetic_v<T>
inline T elem(T v, index_t) {
  return v;
}
template <class T>
inline T elem(const vector_t<T>& v, index_t i) {
  return v.coeff(i);
}
template <class T>
inline T elem(const Eigen::Map<vector_t<T>>& v, index_t i) {
  return v.coeff(i);
}

// A scalar broadcast to n elements, or a vector, as an Eigen array expression.
template <class T>
  requires std::is_arithmetic_v<T>
inline auto as_array(T v, index_t n) {
  return Eigen::Array<T, Eigen::Dynamic, 1>::Constant(n, v);
}
template <class T>
inline auto as_array(const vector_t<T>& v, index_t) {
  return v.array();
}
template <class T>
inline auto as_array(const Eigen::Map<vector_t<T>>& v, index_t) {
  return v.array();
}

template <class V>
inline index_t length(const V& v) {
  if constexpr (std::is_arithmetic_v<V>)
    return 1;
  else
    return v.size();
}

// Zero for a scalar; for a vector buffer or a view of one, all its elements.
template <class T>
inline void zero(T& v) {
  v = T(0);
}
// One memset: Eigen's setZero peels to 16-byte alignment and g++ turns each part into its own
// memset call, two or three calls for a short vector (a tenth of a small model's gradient, D66).
// All-zero bits are +0.0 in IEEE float and double.
template <class T>
inline void zero_n(T* p, index_t n) {
  if (n <= 0) return;  // (an empty vector's data() may be null, which memset does not accept)
  if constexpr (std::is_floating_point_v<T>)
    std::memset(static_cast<void*>(p), 0, static_cast<std::size_t>(n) * sizeof(T));
  else
    std::fill_n(p, n, T(0));
}
template <class T>
inline void zero(vector_t<T>& v) {
  zero_n(v.data(), v.size());
}
template <class T>
inline void zero(Eigen::Map<vector_t<T>>& v) {
  zero_n(v.data(), v.size());
}

// A node's state when it caches nothing.
struct empty_state {};

// State of a node that caches a value and an adjoint of its own shape.
template <class T, bool Vec>
struct cached {
  value_t<T, Vec> val{};
  value_t<T, Vec> adj{};
  void allocate(index_t n) {
    if constexpr (Vec) {
      val.setZero(n);
      adj.setZero(n);
    }
  }
};


}  // namespace exmc
