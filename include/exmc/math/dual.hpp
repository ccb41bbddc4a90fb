#pragma once
// Forward-mode automatic differentiation with a fixed number of tangents: dual<T, N> carries a
// value and its N partial derivatives. Exact Jacobians of small user functions (a recurrence's
// step, an ODE's right-hand side) in one evaluation, with no tape and no allocation (D74).
//
//   auto f = [](auto x, auto y) { using std::exp; return x * exp(y); };   // generic in its scalar
//   using D = math::dual<double, 2>;
//   const D r = f(D::variable(1.5, 0), D::variable(0.3, 1));              // r.v, r.d[0], r.d[1]
//
// User code calls the functions unqualified (`exp(x)`, or `using std::exp;` first) so that
// argument-dependent lookup finds the overloads below for duals and std's for plain numbers.
#include <array>
#include <cmath>
#include <concepts>
#include <type_traits>

#include "functions.hpp"

namespace exmc::math {

template <std::floating_point T, int N>
struct dual {
  static_assert(N >= 1, "exmc::math::dual needs at least one tangent");
  using value_type = T;
  static constexpr int tangents = N;

  T v = T(0);
  std::array<T, N> d{};

  constexpr dual() = default;
  // A constant: every partial zero. Implicit, so `x + 1` and `T(0)` read as they do for numbers.
  template <class S>
    requires std::is_arithmetic_v<S>
  constexpr dual(S value) : v(static_cast<T>(value)) {}

  // Independent variable number i (0 <= i < N) at value x: d/dx_i = 1.
  static constexpr dual variable(T x, int i) {
    dual r(x);
    r.d[static_cast<std::size_t>(i)] = T(1);
    return r;
  }

  constexpr dual& operator+=(const dual& o) {
    v += o.v;
    for (int i = 0; i < N; ++i) d[i] += o.d[i];
    return *this;
  }
  constexpr dual& operator-=(const dual& o) {
    v -= o.v;
    for (int i = 0; i < N; ++i) d[i] -= o.d[i];
    return *this;
  }
  constexpr dual& operator*=(const dual& o) {
    for (int i = 0; i < N; ++i) d[i] = d[i] * o.v + v * o.d[i];
    v *= o.v;
    return *this;
  }
  constexpr dual& operator/=(const dual& o) {
    const T inv = T(1) / o.v;
    v *= inv;
    for (int i = 0; i < N; ++i) d[i] = (d[i] - v * o.d[i]) * inv;
    return *this;
  }
};

template <class X>
struct is_dual : std::false_type {};
template <class T, int N>
struct is_dual<dual<T, N>> : std::true_type {};

// The value of a dual or a number, for code that branches on values.
template <class T>
constexpr auto value_of(const T& x) {
  if constexpr (is_dual<T>::value)
    return x.v;
  else
    return x;
}

// f(x) with f'(x) = df: the chain rule applied to every tangent.
template <class T, int N>
constexpr dual<T, N> chain(const dual<T, N>& x, T fx, T df) {
  dual<T, N> r;
  r.v = fx;
  for (int i = 0; i < N; ++i) r.d[i] = df * x.d[i];
  return r;
}

// ---- arithmetic: dual with dual, and with numbers on either side --------------------------
template <class T, int N>
constexpr dual<T, N> operator+(const dual<T, N>& a) {
  return a;
}
template <class T, int N>
constexpr dual<T, N> operator-(const dual<T, N>& a) {
  dual<T, N> r;
  r.v = -a.v;
  for (int i = 0; i < N; ++i) r.d[i] = -a.d[i];
  return r;
}

#define EXMC_DUAL_ARITHMETIC(OP)                                                      \
  template <class T, int N>                                                           \
  constexpr dual<T, N> operator OP(dual<T, N> a, const dual<T, N>& b) {               \
    return a OP## = b;                                                                \
  }                                                                                   \
  template <class T, int N, class S>                                                  \
    requires std::is_arithmetic_v<S>                                                  \
  constexpr dual<T, N> operator OP(dual<T, N> a, S b) {                               \
    return a OP## = dual<T, N>(b);                                                    \
  }                                                                                   \
  template <class T, int N, class S>                                                  \
    requires std::is_arithmetic_v<S>                                                  \
  constexpr dual<T, N> operator OP(S a, const dual<T, N>& b) {                        \
    return dual<T, N>(a) OP## = b;                                                    \
  }
EXMC_DUAL_ARITHMETIC(+)
EXMC_DUAL_ARITHMETIC(-)
EXMC_DUAL_ARITHMETIC(*)
EXMC_DUAL_ARITHMETIC(/)
#undef EXMC_DUAL_ARITHMETIC

// Comparisons look at values only (as branches in user code do).
#define EXMC_DUAL_COMPARE(OP)                                                  \
  template <class T, int N>                                                    \
  constexpr bool operator OP(const dual<T, N>& a, const dual<T, N>& b) {       \
    return a.v OP b.v;                                                         \
  }                                                                            \
  template <class T, int N, class S>                                           \
    requires std::is_arithmetic_v<S>                                           \
  constexpr bool operator OP(const dual<T, N>& a, S b) {                       \
    return a.v OP static_cast<T>(b);                                           \
  }                                                                            \
  template <class T, int N, class S>                                           \
    requires std::is_arithmetic_v<S>                                           \
  constexpr bool operator OP(S a, const dual<T, N>& b) {                       \
    return static_cast<T>(a) OP b.v;                                           \
  }
EXMC_DUAL_COMPARE(<)
EXMC_DUAL_COMPARE(<=)
EXMC_DUAL_COMPARE(>)
EXMC_DUAL_COMPARE(>=)
EXMC_DUAL_COMPARE(==)
EXMC_DUAL_COMPARE(!=)
#undef EXMC_DUAL_COMPARE

// ---- elementary functions -------------------------------------------------------------------
template <class T, int N>
dual<T, N> exp(const dual<T, N>& x) {
  const T e = std::exp(x.v);
  return chain(x, e, e);
}
template <class T, int N>
dual<T, N> log(const dual<T, N>& x) {
  return chain(x, std::log(x.v), T(1) / x.v);
}
template <class T, int N>
dual<T, N> log1p(const dual<T, N>& x) {
  return chain(x, std::log1p(x.v), T(1) / (T(1) + x.v));
}
template <class T, int N>
dual<T, N> expm1(const dual<T, N>& x) {
  return chain(x, std::expm1(x.v), std::exp(x.v));
}
template <class T, int N>
dual<T, N> sqrt(const dual<T, N>& x) {
  const T s = std::sqrt(x.v);
  return chain(x, s, T(0.5) / s);
}
template <class T, int N>
dual<T, N> cbrt(const dual<T, N>& x) {
  const T c = std::cbrt(x.v);
  return chain(x, c, T(1) / (T(3) * c * c));
}
template <class T, int N>
constexpr dual<T, N> square(const dual<T, N>& x) {
  return chain(x, x.v * x.v, T(2) * x.v);
}
// |x| with the subgradient 0 at 0, as the expression node's abs.
template <class T, int N>
dual<T, N> abs(const dual<T, N>& x) {
  return chain(x, std::abs(x.v), x.v > T(0) ? T(1) : (x.v < T(0) ? T(-1) : T(0)));
}
template <class T, int N>
dual<T, N> fabs(const dual<T, N>& x) {
  return abs(x);
}
template <class T, int N>
dual<T, N> sin(const dual<T, N>& x) {
  return chain(x, std::sin(x.v), std::cos(x.v));
}
template <class T, int N>
dual<T, N> cos(const dual<T, N>& x) {
  return chain(x, std::cos(x.v), -std::sin(x.v));
}
template <class T, int N>
dual<T, N> tan(const dual<T, N>& x) {
  const T t = std::tan(x.v);
  return chain(x, t, T(1) + t * t);
}
template <class T, int N>
dual<T, N> asin(const dual<T, N>& x) {
  return chain(x, std::asin(x.v), T(1) / std::sqrt(T(1) - x.v * x.v));
}
template <class T, int N>
dual<T, N> acos(const dual<T, N>& x) {
  return chain(x, std::acos(x.v), T(-1) / std::sqrt(T(1) - x.v * x.v));
}
template <class T, int N>
dual<T, N> atan(const dual<T, N>& x) {
  return chain(x, std::atan(x.v), T(1) / (T(1) + x.v * x.v));
}
template <class T, int N>
dual<T, N> sinh(const dual<T, N>& x) {
  return chain(x, std::sinh(x.v), std::cosh(x.v));
}
template <class T, int N>
dual<T, N> cosh(const dual<T, N>& x) {
  return chain(x, std::cosh(x.v), std::sinh(x.v));
}
template <class T, int N>
dual<T, N> tanh(const dual<T, N>& x) {
  const T t = std::tanh(x.v);
  return chain(x, t, T(1) - t * t);
}
template <class T, int N>
dual<T, N> erf(const dual<T, N>& x) {
  constexpr T two_over_sqrt_pi = T(1.12837916709551257390);
  return chain(x, std::erf(x.v), two_over_sqrt_pi * std::exp(-x.v * x.v));
}

// pow with a number exponent (the common x^2.5), a number base, or both duals. At a base of 0
// the exponent's partial uses the limit 0 (y > 0), as the expression node's pow does.
template <class T, int N, class S>
  requires std::is_arithmetic_v<S>
dual<T, N> pow(const dual<T, N>& x, S e) {
  const T te = static_cast<T>(e);
  return chain(x, std::pow(x.v, te), te * std::pow(x.v, te - T(1)));
}
template <class T, int N, class S>
  requires std::is_arithmetic_v<S>
dual<T, N> pow(S b, const dual<T, N>& e) {
  const T tb = static_cast<T>(b);
  const T y = std::pow(tb, e.v);
  return chain(e, y, tb > T(0) ? y * std::log(tb) : T(0));
}
template <class T, int N>
dual<T, N> pow(const dual<T, N>& x, const dual<T, N>& e) {
  const T y = std::pow(x.v, e.v);
  const T dx = e.v * std::pow(x.v, e.v - T(1));
  const T de = x.v > T(0) ? y * std::log(x.v) : T(0);
  dual<T, N> r;
  r.v = y;
  for (int i = 0; i < N; ++i) r.d[i] = dx * x.d[i] + de * e.d[i];
  return r;
}

// Ties give the whole subgradient to the first argument, as Stan and the expression nodes do.
template <class T, int N>
dual<T, N> fmin(const dual<T, N>& a, const dual<T, N>& b) {
  return a.v <= b.v ? a : b;
}
template <class T, int N>
dual<T, N> fmax(const dual<T, N>& a, const dual<T, N>& b) {
  return a.v >= b.v ? a : b;
}

// The stable functions of functions.hpp, by their closed-form derivatives.
template <class T, int N>
dual<T, N> inv_logit(const dual<T, N>& x) {
  const T p = inv_logit(x.v);
  return chain(x, p, p * (T(1) - p));
}
template <class T, int N>
dual<T, N> log1p_exp(const dual<T, N>& x) {
  return chain(x, log1p_exp(x.v), inv_logit(x.v));
}
template <class T, int N>
dual<T, N> log_inv_logit(const dual<T, N>& x) {
  return chain(x, log_inv_logit(x.v), inv_logit(-x.v));
}

template <class T, int N>
dual<T, N> log_sum_exp(const dual<T, N>& a, const dual<T, N>& b) {
  if (a.v == -inf<T>) return b;
  if (b.v == -inf<T>) return a;
  const T m = a.v > b.v ? a.v : b.v;
  const T ea = std::exp(a.v - m), eb = std::exp(b.v - m), inv = T(1) / (ea + eb);
  dual<T, N> r;
  r.v = m + std::log(ea + eb);
  for (int i = 0; i < N; ++i) r.d[i] = (ea * a.d[i] + eb * b.d[i]) * inv;
  return r;
}

}  // namespace exmc::math
