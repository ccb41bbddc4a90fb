#pragma once
// Numerically stable scalar functions shared by expressions, distributions and transforms.
// Free of Boost.Math on purpose (D72): every model includes this header, and Boost's gamma
// headers alone cost a second of compile time; lgamma and digamma live in special.hpp.
#include <cmath>
#include <limits>
#include <numbers>

namespace exmc::math {

template <class T>
inline constexpr T inf = std::numeric_limits<T>::infinity();

inline constexpr double log_two = std::numbers::ln2;
inline constexpr double log_pi = 1.1447298858494002;
inline constexpr double log_sqrt_two_pi = 0.91893853320467274178;  // log(sqrt(2 pi))

// Largest argument whose exp is finite in T, with a margin so products stay finite too.
template <class T>
inline constexpr T max_exp_arg = std::is_same_v<T, float> ? T(80) : T(700);

// log(1 + exp(x)) without overflow: max(x, 0) + log1p(exp(-|x|)).
template <class T>
T log1p_exp(T x) {
  using std::abs, std::exp, std::log1p;
  return (x > T(0) ? x : T(0)) + log1p(exp(-abs(x)));
}

template <class T>
T inv_logit(T x) {
  using std::exp;
  if (x >= T(0)) return T(1) / (T(1) + exp(-x));
  const T e = exp(x);
  return e / (T(1) + e);
}

// log(inv_logit(x)) = -log1p_exp(-x)
template <class T>
T log_inv_logit(T x) {
  return -log1p_exp(-x);
}

// log(1 - inv_logit(x)) = -log1p_exp(x)
template <class T>
T log1m_inv_logit(T x) {
  return -log1p_exp(x);
}

template <class T>
T log_sum_exp(T a, T b) {
  using std::exp, std::log1p;
  if (a == -inf<T>) return b;
  if (b == -inf<T>) return a;
  const T m = a > b ? a : b;
  return m + log1p(exp(-(a > b ? a - b : b - a)));
}

}  // namespace exmc::math
