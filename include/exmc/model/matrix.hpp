#pragma once
// Matrices in models (docs/dsl.md, "Gaussian processes and matrix expressions"). A matrix is
// rows * cols values column by column (Eigen's and Stan's order) with its shape attached, so it
// goes wherever a flat vector does (mv_normal's covariance, mv_normal_cholesky's factor, let<>)
// and products know it is a matrix:
//   param<"z">(normal(0.0, 1.0), K, J)      a K x J matrix parameter, values z[i,j]
//   as_matrix(x)                            a matrix parameter, a let<> of a matrix, an Eigen
//                                           matrix (data) or a matrix expression, as a matrix
//   to_matrix(v, rows, cols)                a vector expression's values as a matrix
//   gp_exp_quad_cov(x, alpha, rho)          covariance functions (expr/gp_cov.hpp); x the data
//   gp_matern32_cov, gp_matern52_cov,       inputs: a vector or std::vector<double> (1-D), an
//   gp_exponential_cov                      N x D Eigen matrix or std::vector of points
//   add_diag(K, d)                          K + diag(d), d one value or a vector
//   cholesky(K)                             the lower Cholesky factor (expr/cholesky.hpp)
//   M * v, M * N                            matrix-vector and matrix products; s * M scales
//   M + N, M - N, M / s, -M, exp(M), ...    element by element, keeping the shape
//   diag_pre_multiply(v, M), diag_post_multiply(M, v)
//   flatten(M)                              an Eigen matrix's values as a data vector
#include <Eigen/Core>
#include <cmath>
#include <type_traits>
#include <vector>

#include "../expr/cholesky.hpp"
#include "../expr/gp_cov.hpp"
#include "../expr/matrix_product.hpp"
#include "declarations.hpp"

namespace exmc {

// ---- matrix parameters ----------------------------------------------------------------------
// A parameter declared with a shape: the declaration param<> makes for rows * cols values, with
// the shape kept for products and for the output names (name[i,j], column by column).
template <class Base>
struct matrix_param_decl : Base {
  index_t rows = 0, cols = 0;
  std::array<index_t, 2> shape() const { return {rows, cols}; }
  template <class T>
  auto cast() const {
    using C = decltype(Base::template cast<T>());
    return matrix_param_decl<C>{Base::template cast<T>(), rows, cols};
  }
};

namespace detail {
template <class D>
concept decl_is_param = requires { std::remove_cvref_t<D>::kind; } && std::remove_cvref_t<D>::kind == decl_kind::param;
template <class D>
concept decl_is_let = requires { std::remove_cvref_t<D>::kind; } && std::remove_cvref_t<D>::kind == decl_kind::let;

template <fixed_string Name, class Base>
auto with_shape(Base base, index_t rows, index_t cols) {
  static_assert(decltype(Base::dist)::support != support_kind::cholesky_corr,
                "exmc::param: lkj_corr_cholesky takes only the dimension K: param<\"L\">(lkj_corr_cholesky(eta), K)");
  if (rows < 1 || cols < 1)
    throw model_error(str_cat({"param<\"", Name.view(), "\">: a matrix needs at least one row and one column, got ",
                               shape_text(rows, cols)}));
  return matrix_param_decl<Base>{std::move(base), rows, cols};
}
}  // namespace detail

template <fixed_string Name, distribution D>
auto param(D&& d, index_t rows, index_t cols, parameterization p = parameterization::automatic) {
  return detail::with_shape<Name>(param<Name>(std::forward<D>(d), std::max<index_t>(rows * cols, 1), p), rows, cols);
}
template <fixed_string Name, distribution D, class C>
  requires(transform<C> || bound_spec<C>)
auto param(D&& d, index_t rows, index_t cols, C constraint, parameterization p = parameterization::automatic) {
  return detail::with_shape<Name>(param<Name>(std::forward<D>(d), std::max<index_t>(rows * cols, 1), constraint, p),
                                  rows, cols);
}

// ---- what stands for a matrix -----------------------------------------------------------------
namespace detail {
template <class X>
constexpr bool matrix_declaration() {
  using D = std::remove_cvref_t<X>;
  if constexpr (decl_is_param<D>)
    return requires(const D& d) { d.shape(); } || requires(const D& d) { d.tf.matrix_dim(index_t{1}); };
  else if constexpr (decl_is_let<D>)
    return matrix_expression<decltype(D::expr)>;
  else
    return false;
}
}  // namespace detail

// A symbolic matrix: a matrix expression, a matrix parameter (a shaped one or a Cholesky factor)
// or a let<> of a matrix expression.
template <class X>
concept matrix_operand = matrix_expression<X> || detail::matrix_declaration<X>();

template <class X>
  requires matrix_operand<X> || data_matrix<X>
auto as_matrix(X&& x) {
  using D = std::remove_cvref_t<X>;
  if constexpr (matrix_expression<D>) {
    return D(std::forward<X>(x));
  } else if constexpr (data_matrix<D>) {
    const Eigen::MatrixXd m = x.template cast<double>();
    return matrix_of<vec_data<double>>(vec_data<double>(Eigen::Map<const Eigen::VectorXd>(m.data(), m.size())), m.rows(),
                                       m.cols());
  } else if constexpr (detail::decl_is_let<D>) {
    using E = decltype(D::expr);
    return matrix_of<typename D::ref_type, lower_triangular<E>>({}, x.expr.rows(), x.expr.cols());
  } else if constexpr (requires { x.shape(); }) {
    return matrix_of<typename D::ref_type>({}, x.rows, x.cols);
  } else {  // a Cholesky factor of a correlation matrix: lower triangular
    const index_t K = x.tf.matrix_dim(x.n);
    return matrix_of<typename D::ref_type, true>({}, K, K);
  }
}
template <class X>
using matrix_expr_of = decltype(as_matrix(std::declval<X>()));

// v's values as a rows x cols matrix, column by column (Stan's to_matrix).
template <class V>
  requires symbolic<V> || data_vector<V>
auto to_matrix(V&& v, index_t rows, index_t cols) {
  if (rows < 0 || cols < 0) throw model_error(str_cat({"to_matrix: negative shape ", detail::shape_text(rows, cols)}));
  using E = expr_of<V>;
  return matrix_of<E>(as_expr(std::forward<V>(v)), rows, cols);
}

// ---- element-wise operations keep the shape --------------------------------------------------
namespace detail {
// The element-wise result of matrix operands A, B (one of them may be a scalar) as a matrix.
template <class Op, class A, class B>
auto elementwise(A&& a, B&& b, [[maybe_unused]] const char* sym) {
  if constexpr (matrix_operand<A> && matrix_operand<B>) {
    auto x = as_matrix(std::forward<A>(a));
    auto y = as_matrix(std::forward<B>(b));
    if (x.rows() != y.rows() || x.cols() != y.cols())
      throw model_error(str_cat({"size mismatch in '", x.describe(), " ", sym, " ", y.describe(), "': ",
                                 shape_text(x.rows(), x.cols()), " and ", shape_text(y.rows(), y.cols())}));
    const index_t r = x.rows(), c = x.cols();
    using X = decltype(x);
    using Y = decltype(y);
    using E = binary<Op, X, Y>;
    constexpr bool lower = lower_triangular<X> && lower_triangular<Y>;
    return matrix_of<E, lower>(E(std::move(x), std::move(y)), r, c);
  } else if constexpr (matrix_operand<A>) {
    auto x = as_matrix(std::forward<A>(a));
    const index_t r = x.rows(), c = x.cols();
    using X = decltype(x);
    using S = scalar_arg<expr_of<B>>;
    using E = binary<Op, X, S>;
    // Scaling keeps a triangular matrix triangular; adding a scalar does not.
    if constexpr (std::is_same_v<Op, op::mul> || std::is_same_v<Op, op::div>)
      return matrix_of<E, lower_triangular<X>>(E(std::move(x), S(as_expr(std::forward<B>(b)))), r, c);
    else
      return matrix_of<E>(E(std::move(x), S(as_expr(std::forward<B>(b)))), r, c);
  } else {
    auto y = as_matrix(std::forward<B>(b));
    const index_t r = y.rows(), c = y.cols();
    using Y = decltype(y);
    using S = scalar_arg<expr_of<A>>;
    using E = binary<Op, S, Y>;
    if constexpr (std::is_same_v<Op, op::mul>)
      return matrix_of<E, lower_triangular<Y>>(E(S(as_expr(std::forward<A>(a))), std::move(y)), r, c);
    else
      return matrix_of<E>(E(S(as_expr(std::forward<A>(a))), std::move(y)), r, c);
  }
}

// Whether x is a scalar as written (a number or a scalar parameter), so M * x scales M.
template <class X>
constexpr bool known_scalar() {
  using D = std::remove_cvref_t<X>;
  if constexpr (std::is_arithmetic_v<D>)
    return true;
  else if constexpr (decl_is_param<D>)
    return !D::vec;
  else
    return false;
}
}  // namespace detail

#define EXMC_MATRIX_ELEMENTWISE(SYM, OP)                                                      \
  template <operand A, operand B>                                                             \
    requires(symbolic<A> || symbolic<B>) && (matrix_operand<A> || matrix_operand<B>)          \
  auto operator SYM(A&& a, B&& b) {                                                           \
    return detail::elementwise<op::OP>(std::forward<A>(a), std::forward<B>(b), #SYM); \
  }
EXMC_MATRIX_ELEMENTWISE(+, add)
EXMC_MATRIX_ELEMENTWISE(-, sub)
EXMC_MATRIX_ELEMENTWISE(/, div)
#undef EXMC_MATRIX_ELEMENTWISE

template <symbolic A>
  requires matrix_operand<A>
auto operator-(A&& a) {
  auto x = as_matrix(std::forward<A>(a));
  const index_t r = x.rows(), c = x.cols();
  using X = decltype(x);
  return matrix_of<unary<op::neg, X>, lower_triangular<X>>(unary<op::neg, X>(std::move(x)), r, c);
}

#define EXMC_MATRIX_UNARY(NAME)                                                              \
  template <symbolic A>                                                                      \
    requires matrix_operand<A>                                                               \
  auto NAME(A&& a) {                                                                         \
    auto x = as_matrix(std::forward<A>(a));                                                  \
    const index_t r = x.rows(), c = x.cols();                                                \
    return matrix_of<unary<op::NAME, decltype(x)>>(unary<op::NAME, decltype(x)>(std::move(x)), r, c); \
  }
EXMC_MATRIX_UNARY(exp)
EXMC_MATRIX_UNARY(log)
EXMC_MATRIX_UNARY(log1p)
EXMC_MATRIX_UNARY(expm1)
EXMC_MATRIX_UNARY(sqrt)
EXMC_MATRIX_UNARY(square)
EXMC_MATRIX_UNARY(abs)
EXMC_MATRIX_UNARY(inv_logit)
EXMC_MATRIX_UNARY(log_inv_logit)
EXMC_MATRIX_UNARY(log1p_exp)
#undef EXMC_MATRIX_UNARY

// ---- products ----------------------------------------------------------------------------------
namespace detail {
template <class A, class B>
auto matrix_product(A&& a, B&& b) {
  auto x = as_matrix(std::forward<A>(a));
  auto y = as_matrix(std::forward<B>(b));
  return matrix_matrix<decltype(x), decltype(y)>(std::move(x), std::move(y));
}
}  // namespace detail

// M * N is the matrix product; M * v the matrix-vector product (v must be a vector once the model
// is known); M * s and s * M, s a number or a scalar parameter, scale M.
template <operand A, operand B>
  requires(symbolic<A> || symbolic<B>) && (matrix_operand<A> || matrix_operand<B>)
auto operator*(A&& a, B&& b) {
  if constexpr (matrix_operand<A> && matrix_operand<B>) {
    return detail::matrix_product(std::forward<A>(a), std::forward<B>(b));
  } else if constexpr (matrix_operand<A> && !detail::known_scalar<B>()) {
    auto x = as_matrix(std::forward<A>(a));
    return matrix_vector<decltype(x), expr_of<B>>(std::move(x), as_expr(std::forward<B>(b)));
  } else {
    return detail::elementwise<op::mul>(std::forward<A>(a), std::forward<B>(b), "*");
  }
}
// A data matrix times a matrix expression, or a matrix expression times a data matrix.
template <data_matrix M, symbolic B>
  requires matrix_operand<B>
auto operator*(M&& m, B&& b) {
  return detail::matrix_product(std::forward<M>(m), std::forward<B>(b));
}
template <symbolic A, data_matrix M>
  requires matrix_operand<A>
auto operator*(A&& a, M&& m) {
  return detail::matrix_product(std::forward<A>(a), std::forward<M>(m));
}

// ---- covariance functions, add_diag, cholesky ---------------------------------------------------
namespace detail {
// Data inputs as N points (rows) of dimension D.
inline Eigen::MatrixXd input_points(const Eigen::MatrixXd& x) { return x; }
inline Eigen::MatrixXd input_points(const Eigen::VectorXd& x) { return x; }
inline Eigen::MatrixXd input_points(const std::vector<double>& x) {
  return Eigen::Map<const Eigen::VectorXd>(x.data(), static_cast<index_t>(x.size()));
}
template <class = void>
Eigen::MatrixXd input_points(const std::vector<Eigen::VectorXd>& x) {
  Eigen::MatrixXd out(static_cast<index_t>(x.size()), x.empty() ? 0 : x[0].size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (x[i].size() != out.cols())
      throw model_error(str_cat({"covariance function: input ", std::to_string(i), " has ", std::to_string(x[i].size()),
                                 " coordinates but input 0 has ", std::to_string(out.cols())}));
    out.row(static_cast<index_t>(i)) = x[i].transpose();
  }
  return out;
}

template <class Kernel, class X, class A, class R>
auto make_gp_cov(const X& x, A&& alpha, R&& rho) {
  const Eigen::MatrixXd pts = input_points(x);
  if (pts.rows() < 1) throw model_error(str_cat({Kernel::name, ": no inputs"}));
  if (!pts.allFinite()) throw model_error(str_cat({Kernel::name, ": the inputs x are not all finite"}));
  auto a = as_expr(std::forward<A>(alpha));
  auto r = as_expr(std::forward<R>(rho));
  check_positive_constant(a, Kernel::name, "the magnitude alpha");
  check_positive_constant(r, Kernel::name, "the length scale rho");
  return gp_cov<Kernel, double, decltype(a), decltype(r)>(packed_distances(pts, Kernel::squared), pts.rows(), std::move(a),
                                                          std::move(r));
}

template <class X>
concept gp_inputs = std::is_same_v<X, Eigen::MatrixXd> || std::is_same_v<X, Eigen::VectorXd> ||
                    std::is_same_v<X, std::vector<double>> || std::is_same_v<X, std::vector<Eigen::VectorXd>>;
}  // namespace detail

#define EXMC_GP_COV(NAME, KERNEL)                                                   \
  template <class X, operand A, operand R>                                          \
    requires detail::gp_inputs<X>                                                   \
  auto NAME(const X& x, A&& alpha, R&& rho) {                                       \
    return detail::make_gp_cov<gp::KERNEL>(x, std::forward<A>(alpha), std::forward<R>(rho)); \
  }
EXMC_GP_COV(gp_exp_quad_cov, exp_quad)
EXMC_GP_COV(gp_matern32_cov, matern32)
EXMC_GP_COV(gp_matern52_cov, matern52)
EXMC_GP_COV(gp_exponential_cov, exponential)
#undef EXMC_GP_COV

template <class K, operand D>
  requires matrix_operand<K>
auto add_diag(K&& k, D&& d) {
  auto m = as_matrix(std::forward<K>(k));
  return add_diag_node<decltype(m), expr_of<D>>(std::move(m), as_expr(std::forward<D>(d)));
}

template <class K>
  requires matrix_operand<K>
auto cholesky(K&& k) {
  auto m = as_matrix(std::forward<K>(k));
  return cholesky_node<decltype(m)>(std::move(m));
}

// ---- diag(v) M and M diag(v) -------------------------------------------------------------------
namespace detail {
// How many values x has as written (a vector parameter's size, a data vector's length); -1 when
// only the model knows, 0 for a scalar.
template <class X>
index_t written_size(const X& x) {
  using D = std::remove_cvref_t<X>;
  if constexpr (std::is_arithmetic_v<D>)
    return 0;
  else if constexpr (decl_is_param<D>)
    return D::vec ? x.n : 0;
  else if constexpr (data_vector<D> || std::is_same_v<D, std::vector<double>>)
    return static_cast<index_t>(x.size());
  else
    return -1;
}

template <bool Pre, class V, class M>
auto diag_multiply_of(V&& v, M&& m) {
  auto x = as_matrix(std::forward<M>(m));
  const index_t want = Pre ? x.rows() : x.cols(), got = written_size(v);
  if (got > 0 && got != want)
    throw model_error(str_cat({Pre ? "diag_pre_multiply: '" : "diag_post_multiply: '", x.describe(), "' is ",
                               shape_text(x.rows(), x.cols()), " but the scales have ", std::to_string(got),
                               " elements"}));
  return diag_multiply<expr_of<V>, decltype(x), Pre>(as_expr(std::forward<V>(v)), std::move(x));
}
}  // namespace detail

// diag(v) M: row i of M times v[i] (v one value for all). With L_Omega the Cholesky factor of a
// correlation matrix, diag_pre_multiply(tau, L_Omega) is the Cholesky factor of the covariance
// diag(tau) Omega diag(tau), for mv_normal_cholesky or for the product with a matrix of
// standard normals (correlated random effects).
template <operand V, class M>
  requires matrix_operand<M> || data_matrix<M>
auto diag_pre_multiply(V&& v, M&& m) {
  return detail::diag_multiply_of<true>(std::forward<V>(v), std::forward<M>(m));
}
// M diag(v): column j of M times v[j].
template <class M, operand V>
  requires matrix_operand<M> || data_matrix<M>
auto diag_post_multiply(M&& m, V&& v) {
  return detail::diag_multiply_of<false>(std::forward<V>(v), std::forward<M>(m));
}

// The values of a matrix column by column, as data in expressions.
inline Eigen::VectorXd flatten(const Eigen::MatrixXd& m) { return Eigen::Map<const Eigen::VectorXd>(m.data(), m.size()); }

}  // namespace exmc
