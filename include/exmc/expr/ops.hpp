#pragma once
// Scalar operations with their analytic derivatives. Each unary op has f(x) and df(x, y) with
// y = f(x) (so exp reuses its value); each binary op has f(a, b), da and db given (a, b, y).
#include <cmath>

#include "../math/functions.hpp"

namespace exmc::op {

#define EXMC_UNARY_OP(NAME, F, DF)                 \
  struct NAME {                                    \
    static constexpr const char* name = #NAME;     \
    template <class T>                             \
    static T f(T x) {                              \
      using namespace std;                         \
      return F;                                    \
    }                                              \
    template <class T>                             \
    static T df([[maybe_unused]] T x, [[maybe_unused]] T y) { \
      using namespace std;                         \
      return DF;                                   \
    }                                              \
  };

EXMC_UNARY_OP(neg, -x, T(-1))
EXMC_UNARY_OP(exp, std::exp(x), y)
EXMC_UNARY_OP(log, std::log(x), T(1) / x)
EXMC_UNARY_OP(log1p, std::log1p(x), T(1) / (T(1) + x))
EXMC_UNARY_OP(expm1, std::expm1(x), y + T(1))
EXMC_UNARY_OP(sqrt, std::sqrt(x), T(0.5) / y)
EXMC_UNARY_OP(square, x * x, T(2) * x)
EXMC_UNARY_OP(abs, std::abs(x), x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0)))
EXMC_UNARY_OP(inv_logit, math::inv_logit(x), y * (T(1) - y))
EXMC_UNARY_OP(log_inv_logit, math::log_inv_logit(x), T(1) - math::inv_logit(x))
EXMC_UNARY_OP(log1p_exp, math::log1p_exp(x), math::inv_logit(x))
#undef EXMC_UNARY_OP

// Vectorised forms (Eigen array expressions) for the ops Eigen vectorises; the nodes use them
// when present and fall back to the scalar f/df loop otherwise.
template <class Op>
struct vec_form {
  static constexpr bool unary = false;
  static constexpr bool binary = false;
};
#define EXMC_VEC_UNARY(NAME, VF, VDF)                                 \
  template <>                                                          \
  struct vec_form<NAME> {                                              \
    static constexpr bool unary = true;                                \
    template <class X>                                                 \
    static auto f(const X& x) {                                        \
      return VF;                                                       \
    }                                                                  \
    template <class X, class Y>                                        \
    static auto df([[maybe_unused]] const X& x, [[maybe_unused]] const Y& y) { \
      return VDF;                                                      \
    }                                                                  \
  };
EXMC_VEC_UNARY(neg, -x, -x.Ones(x.size()))
EXMC_VEC_UNARY(exp, x.exp(), y)
EXMC_VEC_UNARY(log, x.log(), x.inverse())
EXMC_VEC_UNARY(sqrt, x.sqrt(), typename X::Scalar(0.5) * y.inverse())
EXMC_VEC_UNARY(square, x.square(), typename X::Scalar(2) * x)
#undef EXMC_VEC_UNARY

#define EXMC_BINARY_OP(NAME, SYM, F, DA, DB)                                   \
  struct NAME {                                                                \
    static constexpr const char* name = SYM;                                   \
    template <class T>                                                         \
    static T f(T a, T b) {                                                     \
      using namespace std;                                                     \
      return F;                                                                \
    }                                                                          \
    template <class T>                                                         \
    static T da([[maybe_unused]] T a, [[maybe_unused]] T b, [[maybe_unused]] T y) { \
      using namespace std;                                                     \
      return DA;                                                               \
    }                                                                          \
    template <class T>                                                         \
    static T db([[maybe_unused]] T a, [[maybe_unused]] T b, [[maybe_unused]] T y) { \
      using namespace std;                                                     \
      return DB;                                                               \
    }                                                                          \
  };

EXMC_BINARY_OP(add, "+", a + b, T(1), T(1))
EXMC_BINARY_OP(sub, "-", a - b, T(1), T(-1))
EXMC_BINARY_OP(mul, "*", a * b, b, a)
EXMC_BINARY_OP(div, "/", a / b, T(1) / b, -y / b)
// d/db a^b = a^b log a; at a == 0 the limit used is 0 (b > 0), which keeps pow(0, 2) finite.
EXMC_BINARY_OP(pow, "pow", std::pow(a, b), b * std::pow(a, b - T(1)), a > T(0) ? y * std::log(a) : T(0))
// Subgradient at ties: all to the first argument, as Stan does.
EXMC_BINARY_OP(fmin, "fmin", std::fmin(a, b), a <= b ? T(1) : T(0), a <= b ? T(0) : T(1))
EXMC_BINARY_OP(fmax, "fmax", std::fmax(a, b), a >= b ? T(1) : T(0), a >= b ? T(0) : T(1))
#undef EXMC_BINARY_OP

#define EXMC_VEC_BINARY(NAME, VF, VDA, VDB)                                                   \
  template <>                                                                                  \
  struct vec_form<NAME> {                                                                      \
    static constexpr bool binary = true;                                                       \
    template <class A, class B>                                                                \
    static auto f(const A& a, const B& b) {                                                    \
      return VF;                                                                               \
    }                                                                                          \
    /* partials times the incoming adjoint g */                                                \
    template <class A, class B, class Y, class G>                                              \
    static auto ga([[maybe_unused]] const A& a, [[maybe_unused]] const B& b, [[maybe_unused]] const Y& y, const G& g) { \
      return VDA;                                                                              \
    }                                                                                          \
    template <class A, class B, class Y, class G>                                              \
    static auto gb([[maybe_unused]] const A& a, [[maybe_unused]] const B& b, [[maybe_unused]] const Y& y, const G& g) { \
      return VDB;                                                                              \
    }                                                                                          \
  };
EXMC_VEC_BINARY(add, a + b, g, g)
EXMC_VEC_BINARY(sub, a - b, g, -g)
EXMC_VEC_BINARY(mul, a * b, g * b, g * a)
EXMC_VEC_BINARY(div, a / b, g / b, -g * y / b)
#undef EXMC_VEC_BINARY

}  // namespace exmc::op
