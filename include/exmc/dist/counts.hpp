#pragma once
// Shared pieces of the count families (poisson, binomial, neg_binomial_2, geometric, ...).
#include <cmath>

#include "../math/log_factorial.hpp"
#include "views.hpp"

namespace exmc::detail {

// A count as observed data: a non-negative integer that fits the int the model stores it in.
inline bool is_count(double y) { return std::isfinite(y) && y >= 0 && y <= 2147483647.0 && y == std::floor(y); }

// Sum of log(y!) over the data, the pmfs' data-only term. A family is stateless, so this is
// paid per evaluation: one table load per element below 1024 (see math/log_factorial.hpp).
template <class Y>
double sum_log_factorial(index_t n, const Y& y) {
  if constexpr (requires { y.log_fact; })
    if (y.log_fact) return Eigen::Map<const Eigen::VectorXd>(y.log_fact, n).sum();
  double s = 0;
  for (index_t i = 0; i < n; ++i) s += math::log_factorial(static_cast<double>(y.val(i)));
  return s;
}

// c * log(v) with 0 * log(0) = 0: a probability of 0 is fine as long as no count needs it.
inline double xlogy(double c, double log_v) { return c == 0 ? 0.0 : c * log_v; }

}  // namespace exmc::detail
