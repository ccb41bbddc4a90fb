#pragma once
// log(1 - exp(u)) for u <= 0, the log CDF of families whose survival function is exp(u)
// (weibull, pareto, exponential): accurate both where exp(u) is near 1 and where it is tiny.
#include <cmath>

#include "functions.hpp"

namespace exmc::math {

// Maechler's switch at -log 2: log(-expm1(u)) keeps the digits of 1 - exp(u) for u near 0,
// log1p(-exp(u)) those of a tiny exp(u). u > 0 gives NaN, u = 0 gives -inf.
template <class T>
T log1m_exp(T u) {
  using std::exp, std::expm1, std::log, std::log1p;
  if (u > T(0)) return std::numeric_limits<T>::quiet_NaN();
  return u > T(-0.6931471805599453) ? log(-expm1(u)) : log1p(-exp(u));
}

// d/du log(1 - exp(u)) = -1 / expm1(-u).
template <class T>
T log1m_exp_slope(T u) {
  using std::expm1;
  return T(-1) / expm1(-u);
}

}  // namespace exmc::math
