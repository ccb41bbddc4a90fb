#pragma once
// Building expressions: what may appear as an operand, the arithmetic operators and the named
// functions (exp, log, sum, dot, ...). Parameters and deterministics enter as references by name
// (anything with a nested `ref_type`); numbers become constants; Eigen vectors become data.
#include <Eigen/Core>
#include <string_view>
#include <type_traits>
#include <vector>

#include "elementwise.hpp"
#include "leaf.hpp"
#include "linear.hpp"
#include "reduce.hpp"

namespace exmc {

template <class X>
concept named_node = requires { typename std::remove_cvref_t<X>::ref_type; };

template <class X>
concept data_vector = std::is_base_of_v<Eigen::DenseBase<std::remove_cvref_t<X>>, std::remove_cvref_t<X>> &&
                      std::remove_cvref_t<X>::ColsAtCompileTime == 1 &&
                      std::is_floating_point_v<typename std::remove_cvref_t<X>::Scalar>;

template <class X>
concept data_matrix = std::is_base_of_v<Eigen::DenseBase<std::remove_cvref_t<X>>, std::remove_cvref_t<X>> &&
                      std::remove_cvref_t<X>::ColsAtCompileTime == Eigen::Dynamic &&
                      std::is_floating_point_v<typename std::remove_cvref_t<X>::Scalar>;

// Something that can stand where an expression is expected.
template <class X>
concept operand = expression<X> || named_node<X> || std::is_arithmetic_v<std::remove_cvref_t<X>> ||
                  data_vector<X> || std::is_same_v<std::remove_cvref_t<X>, std::vector<double>>;

// An operand that is not plain data: operators only apply when one side is one of these, so
// exmc never hijacks arithmetic between numbers or Eigen objects.
template <class X>
concept symbolic = expression<X> || named_node<X>;

// A declaration known to be a scalar where it is written (a parameter declared without a size),
// so that misuse is reported there, before the model is assembled.
template <class X>
concept scalar_declaration = named_node<X> && requires { std::remove_cvref_t<X>::vec; } && !std::remove_cvref_t<X>::vec;

// The rule the operand checks state (below and in dist.hpp's make_dist); a plain bool, not the
// concept itself, so the compiler adds one line to the message rather than the concept's anatomy.
template <class... X>
inline constexpr bool all_operands = (operand<X> && ... && true);
#define EXMC_OPERAND_RULE                                                                      \
  "an operand must be a number, a vector of doubles (Eigen::VectorXd, std::vector<double>), a " \
  "parameter, a let or an expression of them; convert integer data with .cast<double>()"

template <operand X>
auto as_expr(X&& x) {
  using D = std::remove_cvref_t<X>;
  if constexpr (expression<D>)
    return D(std::forward<X>(x));
  else if constexpr (named_node<D>)
    return typename D::ref_type{};
  else if constexpr (std::is_arithmetic_v<D>)
    return constant(static_cast<double>(x));
  else if constexpr (std::is_same_v<D, std::vector<double>>)
    return vec_data<double>(Eigen::Map<const Eigen::VectorXd>(x.data(), static_cast<index_t>(x.size())));
  else
    return vec_data<double>(Eigen::VectorXd(x.template cast<double>()));
}

template <operand X>
using expr_of = decltype(as_expr(std::declval<X>()));

// ---- linear combinations: alpha + beta[0] * x1 + beta[1] * x2 (lin_comb, expr/linear.hpp) ----
// A product of a scalar known as such where it is written (an element beta[k], a scalar
// parameter) and a data vector starts a linear combination; `+` with a linear combination on
// either side extends it (another one's terms are appended, anything else joins the offset).
template <class X>
concept known_scalar = scalar_declaration<X> || requires { std::remove_cvref_t<X>::always_scalar; };
template <class X>
concept data_operand = data_vector<X> || std::is_same_v<std::remove_cvref_t<X>, std::vector<double>>;
template <class X>
concept linear_map = has_offset_slot<std::remove_cvref_t<X>>::value;

namespace detail {
template <class Cf, class D>
auto linear_term(Cf&& c, D&& x) {
  Eigen::MatrixXd X = as_expr(std::forward<D>(x)).v;  // one column
  using E = expr_of<Cf>;
  return lin_comb<double, no_offset, E>(std::move(X), no_offset{}, std::tuple<E>(as_expr(std::forward<Cf>(c))));
}
template <class O1, class O2>
auto join_offsets(O1 a, O2 b) {
  if constexpr (std::is_same_v<O1, no_offset>)
    return b;
  else if constexpr (std::is_same_v<O2, no_offset>)
    return a;
  else
    return binary<op::add, O1, O2>(std::move(a), std::move(b));
}
// l + r with a linear map on one side at least: two combinations merge, anything else joins
// the map's offset (the left one's, when both are maps).
template <class L, class R>
auto add_linear(L&& l, R&& r) {
  using LD = std::remove_cvref_t<L>;
  using RD = std::remove_cvref_t<R>;
  if constexpr (!has_offset_slot<LD>::value) {
    return add_linear(std::forward<R>(r), std::forward<L>(l));  // the map first
  } else if constexpr (!(is_lin_comb<LD>::value && is_lin_comb<RD>::value)) {  // r joins the offset
    auto off = join_offsets(l.off, as_expr(std::forward<R>(r)));
    if constexpr (is_lin_comb<LD>::value) {
      return [&]<class S, class O, class... C>(const lin_comb<S, O, C...>& a) {
        return lin_comb<S, decltype(off), C...>(a.X, std::move(off), a.c, a.mismatch);
      }(l);
    } else {
      return [&]<class S, class B, class O>(const mat_vec<S, B, O>& a) {
        return mat_vec<S, B, decltype(off)>(a.X, a.b, std::move(off));
      }(l);
    }
  } else {  // two combinations: columns side by side
    return [&]<class S, class O1, class... C1, class O2, class... C2>(const lin_comb<S, O1, C1...>& a,
                                                                      const lin_comb<S, O2, C2...>& b) {
      auto off = join_offsets(a.off, b.off);
      std::string bad = a.mismatch.empty() ? b.mismatch : a.mismatch;
      Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic> X;
      if (a.X.rows() == b.X.rows()) {
        X.resize(a.X.rows(), a.X.cols() + b.X.cols());
        X << a.X, b.X;
      } else {
        X = a.X;  // (unused: size() reports the mismatch)
        if (bad.empty()) bad = str_cat({std::to_string(a.X.rows()), " vs ", std::to_string(b.X.rows()), " elements"});
      }
      return lin_comb<S, decltype(off), C1..., C2...>(std::move(X), std::move(off), std::tuple_cat(a.c, b.c),
                                                       std::move(bad));
    }(l, r);
  }
}
}  // namespace detail

#define EXMC_BINARY_OPERATOR(SYM, OP)                                         \
  template <operand A, operand B>                                             \
    requires(symbolic<A> || symbolic<B>)                                      \
  auto operator SYM(A&& a, B&& b) {                                           \
    return binary<op::OP, expr_of<A>, expr_of<B>>(as_expr(std::forward<A>(a)), \
                                                   as_expr(std::forward<B>(b))); \
  }
EXMC_BINARY_OPERATOR(-, sub)
EXMC_BINARY_OPERATOR(/, div)
#undef EXMC_BINARY_OPERATOR

template <operand A, operand B>
  requires(symbolic<A> || symbolic<B>)
auto operator+(A&& a, B&& b) {
  if constexpr (linear_map<A> || linear_map<B>)
    return detail::add_linear(std::forward<A>(a), std::forward<B>(b));
  else
    return binary<op::add, expr_of<A>, expr_of<B>>(as_expr(std::forward<A>(a)), as_expr(std::forward<B>(b)));
}
template <operand A, operand B>
  requires(symbolic<A> || symbolic<B>)
auto operator*(A&& a, B&& b) {
  if constexpr (known_scalar<A> && data_operand<B>)
    return detail::linear_term(std::forward<A>(a), std::forward<B>(b));
  else if constexpr (data_operand<A> && known_scalar<B>)
    return detail::linear_term(std::forward<B>(b), std::forward<A>(a));
  else
    return binary<op::mul, expr_of<A>, expr_of<B>>(as_expr(std::forward<A>(a)), as_expr(std::forward<B>(b)));
}

// Each operator has a second overload for a symbolic operand beside data of a kind that is not
// an operand (integer vectors, std::vector<int>, strings): it is chosen instead of a page of
// failed candidates, states the rule and returns a valid expression, so the compiler prints that
// message and nothing more. Written out, not by a macro, so that the message is not followed by
// notes on the macro's expansion. (Only these kinds: other types stay free for other overloads.)
namespace detail {
template <class X>
struct is_std_vector : std::false_type {};
template <class T, class A>
struct is_std_vector<std::vector<T, A>> : std::true_type {};
}  // namespace detail
template <class X>
concept wrong_data = !operand<X> &&
                     ((std::is_base_of_v<Eigen::DenseBase<std::remove_cvref_t<X>>, std::remove_cvref_t<X>> &&
                       !std::is_floating_point_v<typename std::remove_cvref_t<X>::Scalar>) ||
                      detail::is_std_vector<std::remove_cvref_t<X>>::value ||
                      std::is_convertible_v<X, std::string_view>);
template <class A, class B>
concept misused_operands = (symbolic<A> && wrong_data<B>) || (wrong_data<A> && symbolic<B>);
template <class A, class B>
  requires misused_operands<A, B>
constant operator+(A&&, B&&) {
  static_assert(all_operands<A, B>, "exmc: " EXMC_OPERAND_RULE);
  return constant(0.0);
}
template <class A, class B>
  requires misused_operands<A, B>
constant operator-(A&&, B&&) {
  static_assert(all_operands<A, B>, "exmc: " EXMC_OPERAND_RULE);
  return constant(0.0);
}
template <class A, class B>
  requires misused_operands<A, B>
constant operator*(A&&, B&&) {
  static_assert(all_operands<A, B>, "exmc: " EXMC_OPERAND_RULE);
  return constant(0.0);
}
template <class A, class B>
  requires misused_operands<A, B>
constant operator/(A&&, B&&) {
  static_assert(all_operands<A, B>, "exmc: " EXMC_OPERAND_RULE);
  return constant(0.0);
}

// `*` is elementwise (above); a data matrix on the left instead gives a matrix-vector product.
template <data_matrix M, symbolic B>
auto operator*(M&& m, B&& b) {
  if constexpr (scalar_declaration<B>) {
    static_assert(!scalar_declaration<B>, "exmc: matrix * x needs a vector x; this parameter is a scalar");
    return constant(0.0);
  } else {
    return mat_vec<double, expr_of<B>>(Eigen::MatrixXd(m.template cast<double>()), as_expr(std::forward<B>(b)));
  }
}

template <symbolic A>
auto operator-(A&& a) {
  return unary<op::neg, expr_of<A>>(as_expr(std::forward<A>(a)));
}

#define EXMC_UNARY_FUNCTION(NAME)                                  \
  template <symbolic A>                                            \
  auto NAME(A&& a) {                                               \
    return unary<op::NAME, expr_of<A>>(as_expr(std::forward<A>(a))); \
  }
EXMC_UNARY_FUNCTION(exp)
EXMC_UNARY_FUNCTION(log)
EXMC_UNARY_FUNCTION(log1p)
EXMC_UNARY_FUNCTION(expm1)
EXMC_UNARY_FUNCTION(sqrt)
EXMC_UNARY_FUNCTION(square)
EXMC_UNARY_FUNCTION(abs)
EXMC_UNARY_FUNCTION(inv_logit)
EXMC_UNARY_FUNCTION(log_inv_logit)
EXMC_UNARY_FUNCTION(log1p_exp)
#undef EXMC_UNARY_FUNCTION

#define EXMC_BINARY_FUNCTION(NAME)                                                          \
  template <operand A, operand B>                                                           \
    requires(symbolic<A> || symbolic<B>)                                                    \
  auto NAME(A&& a, B&& b) {                                                                 \
    return binary<op::NAME, expr_of<A>, expr_of<B>>(as_expr(std::forward<A>(a)),             \
                                                     as_expr(std::forward<B>(b)));           \
  }
EXMC_BINARY_FUNCTION(pow)
EXMC_BINARY_FUNCTION(fmin)
EXMC_BINARY_FUNCTION(fmax)
#undef EXMC_BINARY_FUNCTION

template <symbolic A>
auto sum(A&& a) {
  return reduce_sum<expr_of<A>, false>(as_expr(std::forward<A>(a)));
}
template <symbolic A>
auto mean(A&& a) {
  return reduce_sum<expr_of<A>, true>(as_expr(std::forward<A>(a)));
}
template <operand A, operand B>
  requires(symbolic<A> || symbolic<B>)
auto dot(A&& a, B&& b) {
  if constexpr (scalar_declaration<A> || scalar_declaration<B>) {
    static_assert(!(scalar_declaration<A> || scalar_declaration<B>),
                  "exmc: dot(a, b) needs two vectors; one of these parameters is a scalar (a * b multiplies)");
    return constant(0.0);
  } else {
    return dot_product<expr_of<A>, expr_of<B>>(as_expr(std::forward<A>(a)), as_expr(std::forward<B>(b)));
  }
}

// a[idx] for any vector expression; parameters and lets also offer operator[].
template <symbolic A>
auto at(A&& a, Eigen::VectorXi idx) {
  if constexpr (scalar_declaration<A>) {
    static_assert(!scalar_declaration<A>, "exmc: only a vector can be indexed; this parameter is a scalar");
    return constant(0.0);
  } else {
    return gather<expr_of<A>>(as_expr(std::forward<A>(a)), std::move(idx));
  }
}

}  // namespace exmc
