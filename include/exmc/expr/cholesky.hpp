#pragma once
// cholesky(K): the lower Cholesky factor L of a square matrix expression K, L L^T = K.
// K is read through its symmetric part (K + K^T) / 2, as mv_normal reads a covariance (D54), so a
// matrix that is symmetric up to rounding factors as the symmetric one it stands for, and the
// adjoint of each off-diagonal pair is split evenly between its two elements. A K that is not
// positive definite (or not finite) gives a factor of NaN, which the model turns into a log
// density of -inf: a rejected step, not an exception. The factor and its adjoint are blocked
// (math/cholesky.hpp, Murray 2016) and run in buffers the node allocates once.
#include <limits>
#include <string>

#include "../math/cholesky.hpp"
#include "matrix.hpp"

namespace exmc {

template <class A>
struct cholesky_node : expr_tag, cached_access {
  A a;
  explicit cholesky_node(A m) : a(std::move(m)) {
    if (a.rows() != a.cols())
      throw model_error(str_cat({"cholesky: the matrix '", a.describe(), "' is ", detail::shape_text(a.rows(), a.cols()),
                                 ", not square"}));
  }

  static constexpr bool is_matrix = true;
  static constexpr bool lower = true;
  index_t rows() const { return a.rows(); }
  index_t cols() const { return a.rows(); }

  using refs = typename A::refs;
  template <class Info>
  static constexpr bool is_vec = true;
  template <class Info>
  static constexpr bool has_grad = A::template has_grad<Info>;
  template <class Env>
  struct state {
    typename A::template state<Env> a;
    cached<typename Env::scalar, true> c;
    vector_t<typename Env::scalar> work;  // the adjoint's cholesky_block^2 scratch
    bool ok = false;
  };

  template <class SEnv>
  index_t size(const SEnv& s) const {
    a.size(s);
    return rows() * rows();
  }
  template <class St, class SEnv>
  void init(St& s, const SEnv& senv) const {
    a.init(s.a, senv);
    s.c.allocate(rows() * rows());
    if constexpr (has_grad<typename SEnv::info>) s.work.setZero(math::cholesky_block * math::cholesky_block);
  }
  template <class St, class Env>
  void forward(St& s, const Env& env) const {
    using T = typename Env::scalar;
    a.forward(s.a, env);
    const index_t n = rows();
    const auto K = detail::as_matrix_view(a.value(s.a, env), n, n);
    auto L = detail::as_matrix_ref(s.c.val, n, n);
    math::symmetric_part_lower(K, L);
    s.ok = math::cholesky_factor<T>(L);
    if (!s.ok) s.c.val.setConstant(std::numeric_limits<T>::quiet_NaN());
    zero(s.c.adj);
  }
  template <class St, class Env>
  void backward(St& s, Env& env) const {
    using T = typename Env::scalar;
    if constexpr (has_grad<typename Env::info>) {
      if (!s.ok) return;  // the density is -inf and its gradient zero
      const index_t n = rows();
      const auto L = detail::as_matrix_view(s.c.val, n, n);
      auto G = detail::as_matrix_ref(s.c.adj, n, n);
      math::cholesky_adjoint<T>(L, G, s.work.data());  // G: d/d(lower triangle of the symmetric part)
      math::add_symmetric_part_adjoint(G, detail::as_matrix_ref(a.adj(s.a, env), n, n));
      a.backward(s.a, env);
    }
  }
  template <class T>
  auto cast() const {
    return cholesky_node<decltype(a.template cast<T>())>(a.template cast<T>());
  }
  std::string describe() const { return str_cat({"cholesky(", a.describe(), ")"}); }
};

}  // namespace exmc
