#pragma once
// log(k!) for counts: the data-only term of the count pmfs (poisson's -log y!, binomial's
// log C(N, y)). A family is stateless, so the term is recomputed on every evaluation; a table
// of the first values, built once per program, turns the per-element lgamma (tens of ns) into a
// load for the counts that occur in practice, and larger counts fall back to lgamma.
#include <array>
#include <cmath>

#include "functions.hpp"

namespace exmc::math {

inline constexpr int log_factorial_table_size = 1024;

inline const std::array<double, log_factorial_table_size>& log_factorial_table() {
  // Each entry from lgamma, not a running sum of logs: a sum accumulates rounding (1e-10 by 1000).
  static const std::array<double, log_factorial_table_size> table = [] {
    std::array<double, log_factorial_table_size> t{};
    for (int k = 0; k < log_factorial_table_size; ++k) t[static_cast<std::size_t>(k)] = lgamma(k + 1.0);
    return t;
  }();
  return table;
}

// log(k!) for an integer-valued k >= 0 (NaN or inf for negative k, as lgamma's poles give).
inline double log_factorial(double k) {
  if (k >= 0 && k < log_factorial_table_size) return log_factorial_table()[static_cast<std::size_t>(k)];
  return lgamma(k + 1.0);
}

}  // namespace exmc::math
