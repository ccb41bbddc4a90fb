#pragma once
// Covariance matrices of Gaussian processes, Stan's names and conventions:
//   gp_exp_quad_cov(x, alpha, rho)      alpha^2 exp(-d^2 / (2 rho^2))
//   gp_matern32_cov(x, alpha, rho)      alpha^2 (1 + sqrt(3) d / rho) exp(-sqrt(3) d / rho)
//   gp_matern52_cov(x, alpha, rho)      alpha^2 (1 + s + s^2 / 3) exp(-s),  s = sqrt(5) d / rho
//   gp_exponential_cov(x, alpha, rho)   alpha^2 exp(-d / rho)
// with d the Euclidean distance between two of the N data inputs x (one- or multi-dimensional)
// and alpha (magnitude) and rho (length scale) scalar expressions; and
//   add_diag(K, d)                      K plus d on its diagonal (one value or a vector)
// The pairwise distances are computed once, when the expression is built, and stored packed
// (the N (N - 1) / 2 below the diagonal, column by column); an evaluation takes one vectorised
// pass over them for the kernel values and, backwards, one for the two partials. A magnitude or
// length scale that is not positive makes the matrix NaN, which the model turns into a log
// density of -inf (a rejected step).
#include <cmath>
#include <limits>
#include <string>

#include "matrix.hpp"

namespace exmc {

namespace gp {
// A kernel: its unit-magnitude correlation k over packed distances given 1 / rho (with e, a
// second buffer, for what the partial reuses), and sum_p g_p dk_p / drho.
struct exp_quad {
  static constexpr const char* name = "gp_exp_quad_cov";
  static constexpr bool squared = true;  // takes squared distances
  static constexpr bool uses_e = false;
  template <class D, class K, class E, class T>
  static void eval(const D& d2, T inv_rho, K&& k, E&&) {
    k = (T(-0.5) * inv_rho * inv_rho * d2).exp();
  }
  template <class D, class K, class E, class G, class T>
  static T drho(const D& d2, T inv_rho, const K& k, const E&, const G& g) {
    return (g * k * d2).sum() * inv_rho * inv_rho * inv_rho;  // dk/drho = k d^2 / rho^3
  }
};
// Matern nu = 3/2: with s = sqrt(3) d / rho, k = (1 + s) e^-s and dk/drho = s^2 e^-s / rho.
struct matern32 {
  static constexpr const char* name = "gp_matern32_cov";
  static constexpr bool squared = false;
  static constexpr bool uses_e = true;
  template <class T>
  static constexpr T c = T(1.7320508075688772935274463415058723669L);  // sqrt(3)
  template <class D, class K, class E, class T>
  static void eval(const D& d, T inv_rho, K&& k, E&& e) {
    e = (-(c<T> * inv_rho) * d).exp();
    k = (T(1) + (c<T> * inv_rho) * d) * e;
  }
  template <class D, class K, class E, class G, class T>
  static T drho(const D& d, T inv_rho, const K&, const E& e, const G& g) {
    return (g * e * d.square()).sum() * (c<T> * c<T>) * inv_rho * inv_rho * inv_rho;
  }
};
// Matern nu = 5/2: with s = sqrt(5) d / rho, k = (1 + s + s^2 / 3) e^-s and
// dk/drho = s^2 (1 + s) e^-s / (3 rho).
struct matern52 {
  static constexpr const char* name = "gp_matern52_cov";
  static constexpr bool squared = false;
  static constexpr bool uses_e = true;
  template <class T>
  static constexpr T c = T(2.2360679774997896964091736687312762354L);  // sqrt(5)
  template <class D, class K, class E, class T>
  static void eval(const D& d, T inv_rho, K&& k, E&& e) {
    const T a = c<T> * inv_rho;
    e = (-a * d).exp();
    k = (T(1) + a * d + (a * a / T(3)) * d.square()) * e;
  }
  template <class D, class K, class E, class G, class T>
  static T drho(const D& d, T inv_rho, const K&, const E& e, const G& g) {
    const T a = c<T> * inv_rho;
    return (g * e * d.square() * (T(1) + a * d)).sum() * (a * a / T(3)) * inv_rho;
  }
};
// Matern nu = 1/2: k = e^-s with s = d / rho, dk/drho = s e^-s / rho.
struct exponential {
  static constexpr const char* name = "gp_exponential_cov";
  static constexpr bool squared = false;
  static constexpr bool uses_e = false;
  template <class D, class K, class E, class T>
  static void eval(const D& d, T inv_rho, K&& k, E&&) {
    k = (-inv_rho * d).exp();
  }
  template <class D, class K, class E, class G, class T>
  static T drho(const D& d, T inv_rho, const K& k, const E&, const G& g) {
    return (g * k * d).sum() * inv_rho * inv_rho;
  }
};
}  // namespace gp

namespace detail {
// Distances (or squared distances) between the rows of x (N points of dimension D), packed:
// the pairs (i, j), i > j, column by column.
template <class = void>
Eigen::VectorXd packed_distances(const Eigen::MatrixXd& x, bool squared) {
  const index_t n = x.rows();
  Eigen::VectorXd out(n * (n - 1) / 2);
  index_t p = 0;
  for (index_t j = 0; j < n; ++j)
    for (index_t i = j + 1; i < n; ++i) {
      const double d2 = (x.row(i) - x.row(j)).squaredNorm();
      out[p++] = squared ? d2 : std::sqrt(d2);
    }
  return out;
}
// A positive, finite constant argument is checked when the model is built.
template <class X>
void check_positive_constant(const X& x, const char* fn, const char* what) {
  if constexpr (std::is_same_v<X, constant>)
    if (!(x.v > 0) || !std::isfinite(x.v))
      throw model_error(str_cat({fn, ": ", what, " must be positive and finite, got ", std::to_string(x.v)}));
}
}  // namespace detail

template <class Kernel, class S, class A, class R>
struct gp_cov : expr_tag, cached_access {
  vector_t<S> dist;  // packed distances, squared for Kernel::squared
  index_t n;
  A alpha;
  R rho;
  gp_cov(vector_t<S> d, index_t points, A a, R r) : dist(std::move(d)), n(points), alpha(std::move(a)), rho(std::move(r)) {}

  static constexpr bool is_matrix = true;
  index_t rows() const { return n; }
  index_t cols() const { return n; }

  using refs = concat_t<typename A::refs, typename R::refs>;
  template <class Info>
  static constexpr bool is_vec = true;
  template <class Info>
  static constexpr bool has_grad = A::template has_grad<Info> || R::template has_grad<Info>;
  template <class Env>
  struct state {
    using T = typename Env::scalar;
    typename A::template state<Env> a;
    typename R::template state<Env> r;
    cached<T, true> c;
    vector_t<T> k, e, g;  // unit-magnitude kernel, the kernel's extra buffer, packed adjoints
    bool ok = false;
  };

  template <class SEnv>
  index_t size(const SEnv& s) const {
    using I = typename SEnv::info;
    static_assert(!A::template is_vec<I> && !R::template is_vec<I>,
                  "exmc: a covariance function's magnitude alpha and length scale rho are scalars");
    alpha.size(s);
    rho.size(s);
    detail::check_positive_constant(alpha, Kernel::name, "the magnitude alpha");
    detail::check_positive_constant(rho, Kernel::name, "the length scale rho");
    return n * n;
  }
  template <class St, class SEnv>
  void init(St& s, const SEnv& senv) const {
    alpha.init(s.a, senv);
    rho.init(s.r, senv);
    s.c.allocate(n * n);
    s.k.setZero(dist.size());
    if constexpr (Kernel::uses_e) s.e.setZero(dist.size());
    if constexpr (has_grad<typename SEnv::info>) s.g.setZero(dist.size());
  }
  template <class St, class Env>
  void forward(St& s, const Env& env) const {
    using T = typename Env::scalar;
    using std::isfinite;
    alpha.forward(s.a, env);
    rho.forward(s.r, env);
    const T a = alpha.value(s.a, env), r = rho.value(s.r, env);
    zero(s.c.adj);
    s.ok = a > T(0) && r > T(0) && isfinite(a) && isfinite(r);
    if (!s.ok) {
      s.c.val.setConstant(std::numeric_limits<T>::quiet_NaN());
      return;
    }
    Kernel::eval(dist.array(), T(1) / r, s.k.array(), s.e.array());
    const T a2 = a * a;
    T* const K = s.c.val.data();
    const T* k = s.k.data();
    for (index_t j = 0; j < n; ++j) {
      K[j + j * n] = a2;
      for (index_t i = j + 1; i < n; ++i) K[i + j * n] = K[j + i * n] = a2 * *k++;
    }
  }
  template <class St, class Env>
  void backward(St& s, Env& env) const {
    using T = typename Env::scalar;
    using I = typename Env::info;
    if (!s.ok) return;  // the density is -inf and its gradient zero
    const T a = alpha.value(s.a, env), r = rho.value(s.r, env);
    // K_ij and K_ji are one value: their adjoints add up.
    const T* const G = s.c.adj.data();
    T* g = s.g.data();
    T diag = 0;
    for (index_t j = 0; j < n; ++j) {
      diag += G[j + j * n];
      for (index_t i = j + 1; i < n; ++i) *g++ = G[i + j * n] + G[j + i * n];
    }
    if constexpr (A::template has_grad<I>) {  // dK/dalpha = 2 alpha k (k = 1 on the diagonal)
      alpha.adj(s.a, env) += T(2) * a * ((s.g.array() * s.k.array()).sum() + diag);
      alpha.backward(s.a, env);
    }
    if constexpr (R::template has_grad<I>) {
      rho.adj(s.r, env) += a * a * Kernel::drho(dist.array(), T(1) / r, s.k.array(), s.e.array(), s.g.array());
      rho.backward(s.r, env);
    }
  }
  template <class T>
  auto cast() const {
    using CA = decltype(alpha.template cast<T>());
    using CR = decltype(rho.template cast<T>());
    return gp_cov<Kernel, T, CA, CR>(dist.template cast<T>(), n, alpha.template cast<T>(), rho.template cast<T>());
  }
  std::string describe() const {
    return str_cat({Kernel::name, "(x[", std::to_string(n), "], ", alpha.describe(), ", ", rho.describe(), ")"});
  }
};

// K + diag(d), d one value or a vector of K's rows.
template <class M, class D>
struct add_diag_node : expr_tag, cached_access {
  M m;
  D d;
  add_diag_node(M x, D y) : m(std::move(x)), d(std::move(y)) {
    if (m.rows() != m.cols())
      throw model_error(str_cat({"add_diag: the matrix '", m.describe(), "' is ", detail::shape_text(m.rows(), m.cols()),
                                 ", not square"}));
  }

  static constexpr bool is_matrix = true;
  static constexpr bool lower = lower_triangular<M>;
  index_t rows() const { return m.rows(); }
  index_t cols() const { return m.cols(); }

  using refs = concat_t<typename M::refs, typename D::refs>;
  template <class Info>
  static constexpr bool is_vec = true;
  template <class Info>
  static constexpr bool has_grad = M::template has_grad<Info> || D::template has_grad<Info>;
  template <class Env>
  struct state {
    typename M::template state<Env> m;
    typename D::template state<Env> d;
    cached<typename Env::scalar, true> c;
  };

  template <class SEnv>
  index_t size(const SEnv& s) const {
    m.size(s);
    const index_t nd = d.size(s);
    if (D::template is_vec<typename SEnv::info> && nd != rows())
      throw model_error(str_cat({"add_diag: the matrix '", m.describe(), "' is ", detail::shape_text(rows(), cols()),
                                 " but the diagonal '", d.describe(), "' has ", std::to_string(nd), " elements"}));
    return rows() * cols();
  }
  template <class St, class SEnv>
  void init(St& s, const SEnv& senv) const {
    m.init(s.m, senv);
    d.init(s.d, senv);
    s.c.allocate(rows() * cols());
  }
  template <class St, class Env>
  void forward(St& s, const Env& env) const {
    m.forward(s.m, env);
    d.forward(s.d, env);
    s.c.val = m.value(s.m, env);
    auto diag = detail::as_matrix_ref(s.c.val, rows(), cols()).diagonal();
    if constexpr (D::template is_vec<typename Env::info>)
      diag += d.value(s.d, env);
    else
      diag.array() += d.value(s.d, env);
    if constexpr (!M::template has_grad<typename Env::info>) zero(s.c.adj);
  }
  // K's adjoint is the sum's (d(K + D)/dK is the identity): the parent adds into K's buffer
  // directly, which saves a pass over n^2 values each way.
  template <class St, class Env>
  auto& adj(St& s, Env& env) const {
    if constexpr (M::template has_grad<typename Env::info>)
      return m.adj(s.m, env);
    else
      return s.c.adj;
  }
  template <class St, class Env>
  void backward(St& s, Env& env) const {
    using I = typename Env::info;
    if constexpr (D::template has_grad<I>) {
      const auto diag = detail::as_matrix_view(adj(s, env), rows(), cols()).diagonal();
      if constexpr (D::template is_vec<I>)
        d.adj(s.d, env) += diag;
      else
        d.adj(s.d, env) += diag.sum();
      d.backward(s.d, env);
    }
    if constexpr (M::template has_grad<I>) m.backward(s.m, env);
  }
  template <class T>
  auto cast() const {
    return add_diag_node<decltype(m.template cast<T>()), decltype(d.template cast<T>())>(m.template cast<T>(),
                                                                                        d.template cast<T>());
  }
  std::string describe() const { return str_cat({"add_diag(", m.describe(), ", ", d.describe(), ")"}); }
};

}  // namespace exmc
