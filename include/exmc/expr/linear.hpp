#pragma once
// Linear maps from data: matrix-vector products with a data matrix, gathers by an integer
// index vector (theta[group]) whose adjoint is a scatter-add, and linear combinations of data
// vectors with scalar coefficients (alpha + beta[0] * x1 + beta[1] * x2).
#include <string>
#include <tuple>
#include <utility>

#include "node.hpp"

namespace exmc {

// The offset of a linear map that has none (below): an inert scalar node, so that the maps
// treat every offset alike.
struct no_offset : expr_tag {
  using refs = name_list<>;
  template <class Info>
  static constexpr bool is_vec = false;
  template <class Info>
  static constexpr bool has_grad = false;
  template <class Env>
  using state = empty_state;
  template <class SEnv>
  index_t size(const SEnv&) const {
    return 1;
  }
  template <class SEnv>
  void init(empty_state&, const SEnv&) const {}
  template <class Env>
  void forward(empty_state&, const Env&) const {}
  template <class Env>
  typename Env::scalar value(const empty_state&, const Env&) const {
    return 0;
  }
  template <class Env>
  void backward(empty_state&, Env&) const {}
  template <class T>
  no_offset cast() const {
    return *this;
  }
  std::string describe() const { return "0"; }
};

namespace detail {
// A linear map's offset: a vector one must have the map's length; its adjoint is the map's (a
// scalar one's, summed).
template <class Off, class SEnv>
void check_offset(const Off& off, const SEnv& s, index_t rows, const std::string& who) {
  const index_t m = off.size(s);
  if (Off::template is_vec<typename SEnv::info> && m != rows)
    throw model_error(str_cat({"size mismatch in '", who, "': ", std::to_string(m), " vs ", std::to_string(rows)}));
}
template <class Off, class St, class Env, class Adj>
void push_offset(const Off& off, St& s, Env& env, const Adj& adj) {
  using I = typename Env::info;
  if constexpr (Off::template has_grad<I>) {
    if constexpr (Off::template is_vec<I>)
      off.adj(s, env) += adj;
    else
      off.adj(s, env) += adj.sum();
    off.backward(s, env);
  }
}
}  // namespace detail

// X * b with X a data matrix owned by the node: forward X*b, backward X^T * adjoint (Eigen GEMV,
// written into preallocated buffers, so no allocation per evaluation). An offset added to it
// (alpha + X * beta, expr/build.hpp) is kept here, scalar or vector, rather than in a node of
// its own with a buffer and passes of its own.
template <class S, class B, class Off = no_offset>
struct mat_vec : expr_tag {
  static constexpr bool has_off = !std::is_same_v<Off, no_offset>;
  Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic> X;
  B b;
  Off off;
  mat_vec(Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic> m, B y, Off o = {})
      : X(std::move(m)), b(std::move(y)), off(std::move(o)) {}

  using refs = concat_t<typename B::refs, typename Off::refs>;
  template <class Info>
  static constexpr bool is_vec = true;
  template <class Info>
  static constexpr bool has_grad = B::template has_grad<Info> || Off::template has_grad<Info>;
  template <class Env>
  struct state {
    typename B::template state<Env> b;
    typename Off::template state<Env> off;
    cached<typename Env::scalar, true> c;
  };

  template <class SEnv>
  index_t size(const SEnv& s) const {
    static_assert(B::template is_vec<typename SEnv::info>, "exmc: matrix * x needs a vector x");
    const index_t n = b.size(s);
    if (X.cols() != n)
      throw model_error(str_cat({"size mismatch in '", describe(), "': the matrix has ", std::to_string(X.cols()),
                                 " columns but the vector has ", std::to_string(n), " elements"}));
    if (!X.allFinite()) throw model_error(str_cat({"data matrix in '", describe(), "' has non-finite entries"}));
    detail::check_offset(off, s, X.rows(), describe());
    return X.rows();
  }
  template <class St, class SEnv>
  void init(St& s, const SEnv& senv) const {
    b.init(s.b, senv);
    off.init(s.off, senv);
    s.c.allocate(X.rows());
  }
  // (With a scalar b, size() has stopped the model at its static_assert; the passes below are
  // then compiled empty, so that no further errors follow it.)
  template <class St, class Env>
  void forward(St& s, const Env& env) const {
    b.forward(s.b, env);
    if constexpr (has_off) {
      off.forward(s.off, env);
      s.c.val.array() = as_array(off.value(s.off, env), X.rows());
      if constexpr (B::template is_vec<typename Env::info>) s.c.val.noalias() += X * b.value(s.b, env);
    } else if constexpr (B::template is_vec<typename Env::info>) {
      s.c.val.noalias() = X * b.value(s.b, env);
    }
    zero(s.c.adj);
  }
  template <class St, class Env>
  const auto& value(const St& s, const Env&) const {
    return s.c.val;
  }
  template <class St, class Env>
  auto& adj(St& s, Env&) const {
    return s.c.adj;
  }
  template <class St, class Env>
  void backward(St& s, Env& env) const {
    using I = typename Env::info;
    if constexpr (B::template has_grad<I> && B::template is_vec<I>) {
      b.adj(s.b, env).noalias() += X.transpose() * s.c.adj;
      b.backward(s.b, env);
    }
    detail::push_offset(off, s.off, env, s.c.adj);
  }
  template <class T>
  auto cast() const {
    using CO = decltype(off.template cast<T>());
    return mat_vec<T, decltype(b.template cast<T>()), CO>(X.template cast<T>(), b.template cast<T>(),
                                                         off.template cast<T>());
  }
  std::string describe() const {
    const std::string p = str_cat({"X[", std::to_string(X.rows()), "x", std::to_string(X.cols()), "] * ", b.describe()});
    if constexpr (has_off)
      return str_cat({"(", off.describe(), " + ", p, ")"});
    else
      return p;
  }
};

// a[idx]: element i is a[idx[i]] (0-based). Indices are checked against a's size at construction.
template <class A>
struct gather : expr_tag {
  A a;
  Eigen::VectorXi idx;
  gather(A x, Eigen::VectorXi i) : a(std::move(x)), idx(std::move(i)) {}

  using refs = typename A::refs;
  template <class Info>
  static constexpr bool is_vec = true;
  template <class Info>
  static constexpr bool has_grad = A::template has_grad<Info>;
  template <class Env>
  struct state {
    typename A::template state<Env> a;
    cached<typename Env::scalar, true> c;
  };

  template <class SEnv>
  index_t size(const SEnv& s) const {
    static_assert(A::template is_vec<typename SEnv::info>, "exmc: only a vector can be indexed");
    const index_t n = a.size(s);
    for (index_t i = 0; i < idx.size(); ++i)
      if (idx[i] < 0 || idx[i] >= n)
        throw model_error(str_cat({"index out of range in '", describe(), "': index vector element ", std::to_string(i),
                                   " is ", std::to_string(idx[i]), " but '", a.describe(), "' has ", std::to_string(n),
                                   " elements (indices are 0-based)"}));
    return idx.size();
  }
  template <class St, class SEnv>
  void init(St& s, const SEnv& senv) const {
    a.init(s.a, senv);
    s.c.allocate(idx.size());
  }
  template <class St, class Env>
  void forward(St& s, const Env& env) const {
    a.forward(s.a, env);
    if constexpr (A::template is_vec<typename Env::info>) {  // (else size() stopped the model)
      const auto& x = a.value(s.a, env);
      for (index_t i = 0; i < idx.size(); ++i) s.c.val[i] = x[idx[i]];
    }
    zero(s.c.adj);
  }
  template <class St, class Env>
  const auto& value(const St& s, const Env&) const {
    return s.c.val;
  }
  template <class St, class Env>
  auto& adj(St& s, Env&) const {
    return s.c.adj;
  }
  template <class St, class Env>
  void backward(St& s, Env& env) const {
    if constexpr (A::template has_grad<typename Env::info> && A::template is_vec<typename Env::info>) {
      auto& g = a.adj(s.a, env);
      for (index_t i = 0; i < idx.size(); ++i) g[idx[i]] += s.c.adj[i];
      a.backward(s.a, env);
    }
  }
  template <class T>
  auto cast() const {
    return gather<decltype(a.template cast<T>())>(a.template cast<T>(), idx);
  }
  std::string describe() const { return str_cat({a.describe(), "[index[", std::to_string(idx.size()), "]]"}); }
};

}  // namespace exmc

namespace exmc {

// offset + c_0 x_0 + ... + c_{K-1} x_{K-1}: scalar coefficients c_k (expressions: beta[0], a
// scalar parameter) times data vectors x_k, the columns of X, plus an offset (an expression,
// scalar or vector, or none). The operators build it from `alpha + beta[0] * x1 + beta[1] * x2`
// (expr/build.hpp), so a regression written with scalar coefficients costs one pass forward and
// one X^T adj backward, as X * beta does, instead of a node and two buffers per product and sum.
template <class S, class Off, class... C>
struct lin_comb : expr_tag {
  static constexpr std::size_t K = sizeof...(C);
  static constexpr bool has_off = !std::is_same_v<Off, no_offset>;
  Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic> X;
  Off off;
  std::tuple<C...> c;
  std::string mismatch;  // set when data vectors of different lengths were combined
  lin_comb(Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic> x, Off o, std::tuple<C...> cs, std::string bad = {})
      : X(std::move(x)), off(std::move(o)), c(std::move(cs)), mismatch(std::move(bad)) {}

  using refs = concat_t<typename Off::refs, typename C::refs...>;
  template <class Info>
  static constexpr bool is_vec = true;
  template <class Info>
  static constexpr bool has_grad = Off::template has_grad<Info> || (C::template has_grad<Info> || ...);
  template <class Env>
  struct state {
    using T = typename Env::scalar;
    typename Off::template state<Env> off;
    std::tuple<typename C::template state<Env>...> c;
    cached<T, true> v;
    Eigen::Matrix<T, static_cast<int>(K), 1> coef, cadj;
  };

  template <class SEnv>
  index_t size(const SEnv& s) const {
    using I = typename SEnv::info;
    if (!mismatch.empty()) throw model_error(str_cat({"size mismatch in '", describe(), "': ", mismatch}));
    static_assert((!C::template is_vec<I> && ...), "exmc: a coefficient of a linear combination must be a scalar");
    std::apply([&](const auto&... e) { (e.size(s), ...); }, c);  // validates them
    detail::check_offset(off, s, X.rows(), describe());
    if (!X.allFinite()) throw model_error(str_cat({"data in '", describe(), "' has non-finite entries"}));
    return X.rows();
  }
  template <class St, class SEnv>
  void init(St& s, const SEnv& senv) const {
    off.init(s.off, senv);
    for_each_coef([&](auto ic) { std::get<ic>(c).init(std::get<ic>(s.c), senv); });
    s.v.allocate(X.rows());
  }
  template <class St, class Env>
  void forward(St& s, const Env& env) const {
    for_each_coef([&](auto ic) {
      constexpr std::size_t k = ic;
      std::get<k>(c).forward(std::get<k>(s.c), env);
      s.coef[k] = std::get<k>(c).value(std::get<k>(s.c), env);
    });
    const index_t n = X.rows();
    // One pass: Eigen fuses the sum of the K scaled columns (and the offset) into one loop.
    [&]<std::size_t... k>(std::index_sequence<k...>) {
      if constexpr (has_off) {
        off.forward(s.off, env);
        s.v.val.array() = as_array(off.value(s.off, env), n) + ((X.col(k).array() * s.coef[k]) + ...);
      } else {
        s.v.val.array() = ((X.col(k).array() * s.coef[k]) + ...);
      }
    }(std::make_index_sequence<K>{});
    zero(s.v.adj);
  }
  template <class St, class Env>
  const auto& value(const St& s, const Env&) const {
    return s.v.val;
  }
  template <class St, class Env>
  auto& adj(St& s, Env&) const {
    return s.v.adj;
  }
  template <class St, class Env>
  void backward(St& s, Env& env) const {
    using I = typename Env::info;
    if constexpr ((C::template has_grad<I> || ...)) {
      for_each_coef([&](auto ic) { s.cadj[ic] = X.col(ic).dot(s.v.adj); });
      for_each_coef([&](auto ic) {
        constexpr std::size_t k = ic;
        using E = std::tuple_element_t<k, std::tuple<C...>>;
        if constexpr (E::template has_grad<I>) {
          std::get<k>(c).adj(std::get<k>(s.c), env) += s.cadj[k];
          std::get<k>(c).backward(std::get<k>(s.c), env);
        }
      });
    }
    detail::push_offset(off, s.off, env, s.v.adj);
  }
  template <class T>
  auto cast() const {
    auto co = off.template cast<T>();
    auto cc = std::apply([](const auto&... e) { return std::make_tuple(e.template cast<T>()...); }, c);
    return lin_comb<T, decltype(co), decltype(e_cast<T, C>())...>(X.template cast<T>(), std::move(co), std::move(cc),
                                                                    mismatch);
  }
  std::string describe() const {
    std::string out = "(";
    if constexpr (has_off) out = str_cat({out, off.describe()});
    for_each_coef([&](auto ic) {
      out = str_cat({out, out.size() > 1 ? " + " : "", std::get<ic>(c).describe(), " * data[",
                     std::to_string(X.rows()), "]"});
    });
    return str_cat({out, ")"});
  }

 private:
  template <class T, class E>
  static auto e_cast() -> decltype(std::declval<const E&>().template cast<T>());
  template <class F>
  static void for_each_coef(F&& f) {
    [&]<std::size_t... k>(std::index_sequence<k...>) {
      (f(std::integral_constant<std::size_t, k>{}), ...);
    }(std::make_index_sequence<K>{});
  }
};

template <class X>
struct is_lin_comb : std::false_type {};
template <class S, class Off, class... C>
struct is_lin_comb<lin_comb<S, Off, C...>> : std::true_type {};

// The linear maps that keep an offset added to them.
template <class X>
struct has_offset_slot : is_lin_comb<X> {};
template <class S, class B, class Off>
struct has_offset_slot<mat_vec<S, B, Off>> : std::true_type {};

}  // namespace exmc
