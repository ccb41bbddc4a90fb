#pragma once
// Products with matrix expressions (see matrix.hpp for what a matrix expression is):
//   matrix_vector<A, B>     A x with x a vector: the non-centred GP's f = L * eta
//   matrix_matrix<A, B>     A B: diag_pre_multiply(tau, L_Omega) * z for correlated effects
//   diag_multiply<S, M, P>  diag(v) M (pre) or M diag(v) (post), v a vector or one scale
// The adjoints are the usual ones (A-bar += C-bar B^T, B-bar += A^T C-bar); a lower-triangular
// A is multiplied as triangular and gets adjoints in its lower triangle only. Products run in
// Eigen's kernels through math/cholesky.hpp's tiling, into buffers the node allocates once.
#include <string>

#include "../math/cholesky.hpp"
#include "matrix.hpp"

namespace exmc {

template <class A, class B>
struct matrix_vector : expr_tag, cached_access {
  A a;
  B b;
  matrix_vector(A m, B v) : a(std::move(m)), b(std::move(v)) {}

  static constexpr bool lower = lower_triangular<A>;
  using refs = concat_t<typename A::refs, typename B::refs>;
  template <class Info>
  static constexpr bool is_vec = true;
  template <class Info>
  static constexpr bool has_grad = A::template has_grad<Info> || B::template has_grad<Info>;
  template <class Env>
  struct state {
    typename A::template state<Env> a;
    typename B::template state<Env> b;
    cached<typename Env::scalar, true> c;
  };

  template <class SEnv>
  index_t size(const SEnv& s) const {
    static_assert(B::template is_vec<typename SEnv::info>,
                  "exmc: M * x with a scalar x; write x * M for the matrix scaled by x");
    a.size(s);
    const index_t n = b.size(s);
    if (n != a.cols())
      throw model_error(str_cat({"size mismatch in '", describe(), "': the matrix is ",
                                 detail::shape_text(a.rows(), a.cols()), " but the vector has ", std::to_string(n),
                                 " elements"}));
    return a.rows();
  }
  template <class St, class SEnv>
  void init(St& s, const SEnv& senv) const {
    a.init(s.a, senv);
    b.init(s.b, senv);
    s.c.allocate(a.rows());
  }
  template <class St, class Env>
  void forward(St& s, const Env& env) const {
    a.forward(s.a, env);
    b.forward(s.b, env);
    const auto m = detail::as_matrix_view(a.value(s.a, env), a.rows(), a.cols());
    if constexpr (lower)
      s.c.val.noalias() = m.template triangularView<Eigen::Lower>() * b.value(s.b, env);
    else
      s.c.val.noalias() = m * b.value(s.b, env);
    zero(s.c.adj);
  }
  template <class St, class Env>
  void backward(St& s, Env& env) const {
    using I = typename Env::info;
    const auto& x = b.value(s.b, env);
    if constexpr (A::template has_grad<I>) {  // A-bar += y-bar x^T
      auto g = detail::as_matrix_ref(a.adj(s.a, env), a.rows(), a.cols());
      for (index_t j = 0; j < a.cols(); ++j) {
        const index_t top = lower ? j : 0;
        g.col(j).tail(a.rows() - top) += x[j] * s.c.adj.tail(a.rows() - top);
      }
    }
    if constexpr (B::template has_grad<I>) {  // x-bar += A^T y-bar
      const auto m = detail::as_matrix_view(a.value(s.a, env), a.rows(), a.cols());
      if constexpr (lower)
        b.adj(s.b, env).noalias() += m.template triangularView<Eigen::Lower>().transpose() * s.c.adj;
      else
        b.adj(s.b, env).noalias() += m.transpose() * s.c.adj;
    }
    if constexpr (A::template has_grad<I>) a.backward(s.a, env);
    if constexpr (B::template has_grad<I>) b.backward(s.b, env);
  }
  template <class T>
  auto cast() const {
    return matrix_vector<decltype(a.template cast<T>()), decltype(b.template cast<T>())>(a.template cast<T>(),
                                                                                        b.template cast<T>());
  }
  std::string describe() const { return str_cat({"(", a.describe(), " * ", b.describe(), ")"}); }
};

template <class A, class B>
struct matrix_matrix : expr_tag, cached_access {
  A a;
  B b;
  matrix_matrix(A x, B y) : a(std::move(x)), b(std::move(y)) {
    if (a.cols() != b.rows())
      throw model_error(str_cat({"size mismatch in '", describe(), "': ", detail::shape_text(a.rows(), a.cols()),
                                 " times ", detail::shape_text(b.rows(), b.cols())}));
  }

  static constexpr bool is_matrix = true;
  static constexpr bool lower = lower_triangular<A> && lower_triangular<B>;
  index_t rows() const { return a.rows(); }
  index_t cols() const { return b.cols(); }

  using refs = concat_t<typename A::refs, typename B::refs>;
  template <class Info>
  static constexpr bool is_vec = true;
  template <class Info>
  static constexpr bool has_grad = A::template has_grad<Info> || B::template has_grad<Info>;
  template <class Env>
  struct state {
    typename A::template state<Env> a;
    typename B::template state<Env> b;
    cached<typename Env::scalar, true> c;
  };

  template <class SEnv>
  index_t size(const SEnv& s) const {
    a.size(s);
    b.size(s);
    return rows() * cols();
  }
  template <class St, class SEnv>
  void init(St& s, const SEnv& senv) const {
    a.init(s.a, senv);
    b.init(s.b, senv);
    s.c.allocate(rows() * cols());
  }
  template <class St, class Env>
  void forward(St& s, const Env& env) const {
    a.forward(s.a, env);
    b.forward(s.b, env);
    const auto ma = detail::as_matrix_view(a.value(s.a, env), a.rows(), a.cols());
    const auto mb = detail::as_matrix_view(b.value(s.b, env), b.rows(), b.cols());
    auto mc = detail::as_matrix_ref(s.c.val, rows(), cols());
    if constexpr (lower_triangular<A>) {
      // Columns of B are independent: tiles of them keep Eigen's buffers on the stack.
      constexpr index_t tile = math::detail::product_tile<typename Env::scalar>;
      for (index_t j = 0; j < cols(); j += tile) {
        const index_t w = std::min(tile, cols() - j);
        mc.middleCols(j, w).noalias() = ma.template triangularView<Eigen::Lower>() * mb.middleCols(j, w);
      }
    } else {
      mc.setZero();
      math::detail::add_product<1>(mc, ma, mb);
    }
    zero(s.c.adj);
  }
  template <class St, class Env>
  void backward(St& s, Env& env) const {
    using I = typename Env::info;
    const auto gc = detail::as_matrix_view(s.c.adj, rows(), cols());
    if constexpr (A::template has_grad<I>) {  // A-bar += C-bar B^T
      const auto mb = detail::as_matrix_view(b.value(s.b, env), b.rows(), b.cols());
      auto ga = detail::as_matrix_ref(a.adj(s.a, env), a.rows(), a.cols());
      if constexpr (lower_triangular<A>)
        math::detail::add_product_lower<1>(ga, gc, mb.transpose());
      else
        math::detail::add_product<1>(ga, gc, mb.transpose());
    }
    if constexpr (B::template has_grad<I>) {  // B-bar += A^T C-bar
      const auto ma = detail::as_matrix_view(a.value(s.a, env), a.rows(), a.cols());
      auto gb = detail::as_matrix_ref(b.adj(s.b, env), b.rows(), b.cols());
      if constexpr (lower_triangular<A>) {
        constexpr index_t tile = math::detail::product_tile<typename Env::scalar>;
        for (index_t j = 0; j < cols(); j += tile) {
          const index_t w = std::min(tile, cols() - j);
          gb.middleCols(j, w).noalias() +=
              ma.template triangularView<Eigen::Lower>().transpose() * gc.middleCols(j, w);
        }
      } else {
        math::detail::add_product<1>(gb, ma.transpose(), gc);
      }
    }
    if constexpr (A::template has_grad<I>) a.backward(s.a, env);
    if constexpr (B::template has_grad<I>) b.backward(s.b, env);
  }
  template <class T>
  auto cast() const {
    return matrix_matrix<decltype(a.template cast<T>()), decltype(b.template cast<T>())>(a.template cast<T>(),
                                                                                        b.template cast<T>());
  }
  std::string describe() const { return str_cat({"(", a.describe(), " * ", b.describe(), ")"}); }
};

// diag(v) M (Pre) or M diag(v): v a vector of M's rows (Pre) or columns, or one scale for all.
template <class V, class M, bool Pre>
struct diag_multiply : expr_tag, cached_access {
  V v;
  M m;
  diag_multiply(V d, M x) : v(std::move(d)), m(std::move(x)) {}

  static constexpr bool is_matrix = true;
  static constexpr bool lower = lower_triangular<M>;
  index_t rows() const { return m.rows(); }
  index_t cols() const { return m.cols(); }

  using refs = concat_t<typename V::refs, typename M::refs>;
  template <class Info>
  static constexpr bool is_vec = true;
  template <class Info>
  static constexpr bool has_grad = V::template has_grad<Info> || M::template has_grad<Info>;
  template <class Env>
  struct state {
    typename V::template state<Env> v;
    typename M::template state<Env> m;
    cached<typename Env::scalar, true> c;
  };

  static constexpr const char* name = Pre ? "diag_pre_multiply" : "diag_post_multiply";
  template <class SEnv>
  index_t size(const SEnv& s) const {
    m.size(s);
    const index_t n = v.size(s), want = Pre ? rows() : cols();
    if (V::template is_vec<typename SEnv::info> && n != want)
      throw model_error(str_cat({name, ": '", m.describe(), "' is ", detail::shape_text(rows(), cols()),
                                 " but the scales have ", std::to_string(n), " elements ('", v.describe(), "')"}));
    return rows() * cols();
  }
  template <class St, class SEnv>
  void init(St& s, const SEnv& senv) const {
    v.init(s.v, senv);
    m.init(s.m, senv);
    s.c.allocate(rows() * cols());
  }
  template <class St, class Env>
  void forward(St& s, const Env& env) const {
    v.forward(s.v, env);
    m.forward(s.m, env);
    const auto& d = v.value(s.v, env);
    const auto x = detail::as_matrix_view(m.value(s.m, env), rows(), cols());
    auto y = detail::as_matrix_ref(s.c.val, rows(), cols());
    if constexpr (!V::template is_vec<typename Env::info>)
      y = d * x;
    else if constexpr (Pre)
      y = d.asDiagonal() * x;
    else
      y = x * d.asDiagonal();
    zero(s.c.adj);
  }
  template <class St, class Env>
  void backward(St& s, Env& env) const {
    using I = typename Env::info;
    using T = typename Env::scalar;
    const auto& d = v.value(s.v, env);
    const auto x = detail::as_matrix_view(m.value(s.m, env), rows(), cols());
    const auto g = detail::as_matrix_view(s.c.adj, rows(), cols());
    // Only the lower triangle of a lower-triangular product's adjoint counts.
    if constexpr (V::template has_grad<I>) {
      auto& gv = v.adj(s.v, env);
      T total = 0;
      for (index_t j = 0; j < cols(); ++j) {
        const index_t top = lower ? j : 0, len = rows() - top;
        if (len <= 0) continue;
        if constexpr (!V::template is_vec<I>)
          total += g.col(j).tail(len).dot(x.col(j).tail(len));
        else if constexpr (Pre)
          gv.tail(len).array() += g.col(j).tail(len).array() * x.col(j).tail(len).array();
        else
          gv[j] += g.col(j).tail(len).dot(x.col(j).tail(len));
      }
      if constexpr (!V::template is_vec<I>) gv += total;
    }
    if constexpr (M::template has_grad<I>) {
      auto gm = detail::as_matrix_ref(m.adj(s.m, env), rows(), cols());
      for (index_t j = 0; j < cols(); ++j) {
        const index_t top = lower ? j : 0, len = rows() - top;
        if (len <= 0) continue;
        if constexpr (!V::template is_vec<I>)
          gm.col(j).tail(len) += d * g.col(j).tail(len);
        else if constexpr (Pre)
          gm.col(j).tail(len).array() += d.tail(len).array() * g.col(j).tail(len).array();
        else
          gm.col(j).tail(len) += d[j] * g.col(j).tail(len);
      }
    }
    if constexpr (V::template has_grad<I>) v.backward(s.v, env);
    if constexpr (M::template has_grad<I>) m.backward(s.m, env);
  }
  template <class T>
  auto cast() const {
    return diag_multiply<decltype(v.template cast<T>()), decltype(m.template cast<T>()), Pre>(v.template cast<T>(),
                                                                                             m.template cast<T>());
  }
  std::string describe() const {
    return Pre ? str_cat({name, "(", v.describe(), ", ", m.describe(), ")"})
               : str_cat({name, "(", m.describe(), ", ", v.describe(), ")"});
  }
};

}  // namespace exmc
