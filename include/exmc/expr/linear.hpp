#pragma once
// Linear maps from data: matrix-vector products with a data matrix, and gathers by an integer
// index vector (theta[group]) whose adjoint is a scatter-add.
#include "node.hpp"

namespace exmc {

// X * b with X a data matrix owned by the node: forward X*b, backward X^T * adjoint (Eigen GEMV,
// written into preallocated buffers, so no allocation per evaluation).
template <class S, class B>
struct mat_vec : expr_tag {
  Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic> X;
  B b;
  mat_vec(Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic> m, B y) : X(std::move(m)), b(std::move(y)) {}

  using refs = typename B::refs;
  template <class Info>
  static constexpr bool is_vec = true;
  template <class Info>
  static constexpr bool has_grad = B::template has_grad<Info>;
  template <class Env>
  struct state {
    typename B::template state<Env> b;
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
    return X.rows();
  }
  template <class St, class SEnv>
  void init(St& s, const SEnv& senv) const {
    b.init(s.b, senv);
    s.c.allocate(X.rows());
  }
  // (With a scalar b, size() has stopped the model at its static_assert; the passes below are
  // then compiled empty, so that no further errors follow it.)
  template <class St, class Env>
  void forward(St& s, const Env& env) const {
    b.forward(s.b, env);
    if constexpr (B::template is_vec<typename Env::info>) s.c.val.noalias() = X * b.value(s.b, env);
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
    if constexpr (B::template has_grad<typename Env::info> && B::template is_vec<typename Env::info>) {
      b.adj(s.b, env).noalias() += X.transpose() * s.c.adj;
      b.backward(s.b, env);
    }
  }
  template <class T>
  auto cast() const {
    return mat_vec<T, decltype(b.template cast<T>())>(X.template cast<T>(), b.template cast<T>());
  }
  std::string describe() const {
    return str_cat({"X[", std::to_string(X.rows()), "x", std::to_string(X.cols()), "] * ", b.describe()});
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
