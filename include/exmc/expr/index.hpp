#pragma once
// Scalar elements and contiguous slices of vector expressions:
//   beta[0], at(e, 2)                 one element, a scalar expression
//   s.head(n), s.tail(n), s.segment(i, n), head(e, n), ...
//                                     n consecutive elements, a vector expression
// Both are windows onto their operand: the value is read where the operand keeps it and the
// adjoint is the operand's own adjoint at those positions, so they cache nothing, copy nothing
// and allocate nothing. Parents add into that adjoint directly; backward only passes on to the
// operand. Positions are 0-based and checked when the model is built (model_error naming the
// expression, the position and the size).
#include <concepts>
#include <new>

#include "build.hpp"

namespace exmc {

// a[i] with a compile-time-unknown but fixed i.
template <class A>
struct element : expr_tag {
  A a;
  index_t i;
  element(A x, index_t k) : a(std::move(x)), i(k) {}

  using refs = typename A::refs;
  static constexpr bool always_scalar = true;  // whatever the model (expr/build.hpp)
  template <class Info>
  static constexpr bool is_vec = false;
  template <class Info>
  static constexpr bool has_grad = A::template has_grad<Info>;
  template <class Env>
  struct state {
    typename A::template state<Env> a;
  };

  template <class SEnv>
  index_t size(const SEnv& s) const {
    static_assert(A::template is_vec<typename SEnv::info>,
                  "exmc: only a vector can be indexed (an element [i] of a scalar parameter or expression)");
    const index_t n = a.size(s);
    if (i < 0 || i >= n)
      throw model_error(str_cat({"index out of range in '", describe(), "': index ", std::to_string(i), " but '",
                                 a.describe(), "' has ", std::to_string(n), " elements (indices are 0-based)"}));
    return 1;
  }
  template <class St, class SEnv>
  void init(St& s, const SEnv& senv) const {
    a.init(s.a, senv);
  }
  template <class St, class Env>
  void forward(St& s, const Env& env) const {
    a.forward(s.a, env);  // a zeroes its own adjoint, which is this node's
  }
  template <class St, class Env>
  typename Env::scalar value(const St& s, const Env& env) const {
    if constexpr (A::template is_vec<typename Env::info>)
      return a.value(s.a, env).coeff(i);
    else
      return typename Env::scalar(0);  // (unreachable: size() rejected the model)
  }
  template <class St, class Env>
  auto& adj(St& s, Env& env) const {
    if constexpr (A::template is_vec<typename Env::info>)
      return a.adj(s.a, env).coeffRef(i);
    else
      return a.adj(s.a, env);  // (unreachable: size() rejected the model)
  }
  template <class St, class Env>
  void backward(St& s, Env& env) const {
    if constexpr (has_grad<typename Env::info>) a.backward(s.a, env);
  }
  template <class T>
  auto cast() const {
    return element<decltype(a.template cast<T>())>(a.template cast<T>(), i);
  }
  std::string describe() const { return str_cat({a.describe(), "[", std::to_string(i), "]"}); }
};

// A view onto n consecutive values and adjoints of another node, re-pointed by every forward
// pass. A copy views nothing until then (a copied Map would otherwise point into the state it
// was copied from).
template <class T>
struct window {
  using map_type = Eigen::Map<vector_t<T>>;
  map_type val{nullptr, 0};
  map_type adj{nullptr, 0};
  window() = default;
  window(const window&) {}
  window& operator=(const window&) { return *this; }
  ~window() = default;
  // Values are only read through val; one Map type serves values and adjoints (as in env.hpp).
  void bind_val(const T* v, index_t n) { new (&val) map_type(const_cast<T*>(v), n); }
  void bind_adj(T* a, index_t n) { new (&adj) map_type(a, n); }
};

// a.segment(start, n); with FromEnd, a.tail(n) (start = size - n, known once sizes are).
template <class A, bool FromEnd = false>
struct slice : expr_tag {
  A a;
  index_t start;  // unused with FromEnd
  index_t len;
  slice(A x, index_t s, index_t n) : a(std::move(x)), start(s), len(n) {}

  using refs = typename A::refs;
  template <class Info>
  static constexpr bool is_vec = true;
  template <class Info>
  static constexpr bool has_grad = A::template has_grad<Info>;
  template <class Env>
  struct state {
    typename A::template state<Env> a;
    window<typename Env::scalar> w;
    index_t off = 0;
  };

  template <class SEnv>
  index_t size(const SEnv& s) const {
    static_assert(A::template is_vec<typename SEnv::info>,
                  "exmc: head/tail/segment take a vector (this operand is a scalar)");
    const index_t n = a.size(s);
    const index_t off = FromEnd ? n - len : start;
    if (len < 0 || off < 0 || off + len > n)
      throw model_error(str_cat({"slice out of range in '", describe(), "': elements [", std::to_string(off), ", ",
                                 std::to_string(off + len), ") of '", a.describe(), "', which has ",
                                 std::to_string(n), " elements (indices are 0-based)"}));
    return len;
  }
  template <class St, class SEnv>
  void init(St& s, const SEnv& senv) const {
    a.init(s.a, senv);
    s.off = FromEnd ? a.size(senv) - len : start;
  }
  template <class St, class Env>
  void forward(St& s, const Env& env) const {
    a.forward(s.a, env);  // a zeroes its own adjoint, which this node's is part of
    if constexpr (A::template is_vec<typename Env::info>) s.w.bind_val(a.value(s.a, env).data() + s.off, len);
  }
  template <class St, class Env>
  const auto& value(const St& s, const Env&) const {
    return s.w.val;
  }
  // Pointed at a's adjoint when asked for (here the environment is writable; in forward it is not).
  template <class St, class Env>
  auto& adj(St& s, Env& env) const {
    if constexpr (A::template is_vec<typename Env::info>) s.w.bind_adj(a.adj(s.a, env).data() + s.off, len);
    return s.w.adj;
  }
  template <class St, class Env>
  void backward(St& s, Env& env) const {
    if constexpr (has_grad<typename Env::info>) a.backward(s.a, env);
  }
  template <class T>
  auto cast() const {
    return slice<decltype(a.template cast<T>()), FromEnd>(a.template cast<T>(), start, len);
  }
  std::string describe() const {
    if constexpr (FromEnd)
      return str_cat({a.describe(), ".tail(", std::to_string(len), ")"});
    else
      return str_cat({a.describe(), ".segment(", std::to_string(start), ", ", std::to_string(len), ")"});
  }
};

// ---- building them -------------------------------------------------------------------------
// On any vector expression; parameters and lets also have them as members (declarations.hpp).
template <symbolic A, std::integral I>
auto at(A&& a, I i) {
  return element<expr_of<A>>(as_expr(std::forward<A>(a)), static_cast<index_t>(i));
}
template <symbolic A>
auto head(A&& a, index_t n) {
  return slice<expr_of<A>>(as_expr(std::forward<A>(a)), 0, n);
}
template <symbolic A>
auto tail(A&& a, index_t n) {
  return slice<expr_of<A>, true>(as_expr(std::forward<A>(a)), 0, n);
}
template <symbolic A>
auto segment(A&& a, index_t start, index_t n) {
  return slice<expr_of<A>>(as_expr(std::forward<A>(a)), start, n);
}

}  // namespace exmc
