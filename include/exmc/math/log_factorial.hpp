#pragma once
// log(k!) for counts: the data-only term of the count pmfs (poisson's -log y!, binomial's
// log C(N, y)). A family is stateless, so the term is recomputed on every evaluation; a table
// of the first values, built once per program, turns the per-element lgamma (tens of ns) into a
// load for the counts that occur in practice.
//
// Written without Boost.Math (D72): the model layer precomputes log(y!) for every discrete
// observation, so this header is in every model's include tree. Factorials up to 17! are exact
// in double (below 2^53), so their logs are correctly rounded; from 18 on, Stirling's series
// with five correction terms is exact to well below double rounding (the first omitted term is
// under 2e-17 at 19). std::lgamma is avoided: glibc's writes the global signgam, a data race
// when chains evaluate in parallel.
#include <array>
#include <cmath>
#include <limits>

#include "functions.hpp"

namespace exmc::math {

inline constexpr int log_factorial_table_size = 1024;

namespace detail {
// log Gamma(z) for z >= 19 by Stirling's series.
inline double stirling_lgamma(double z) {
  const double r = 1.0 / z;
  const double r2 = r * r;
  const double series =
      r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 * (1.0 / 1680 - r2 * (1.0 / 1188)))));
  return (z - 0.5) * std::log(z) - z + log_sqrt_two_pi + series;
}

inline double log_factorial_uncached(double k) {
  if (!(k >= 0)) return std::numeric_limits<double>::quiet_NaN();
  if (k < 18) {
    double f = 1;
    for (double i = 2; i <= k; ++i) f *= i;
    return std::log(f);
  }
  return stirling_lgamma(k + 1);
}
}  // namespace detail

inline const std::array<double, log_factorial_table_size>& log_factorial_table() {
  static const std::array<double, log_factorial_table_size> table = [] {
    std::array<double, log_factorial_table_size> t{};
    for (int k = 0; k < log_factorial_table_size; ++k) t[static_cast<std::size_t>(k)] = detail::log_factorial_uncached(k);
    return t;
  }();
  return table;
}

// log(k!) for an integer-valued k >= 0 (NaN for negative k, which validated data never has).
inline double log_factorial(double k) {
  if (k >= 0 && k < log_factorial_table_size) return log_factorial_table()[static_cast<std::size_t>(k)];
  return detail::log_factorial_uncached(k);
}

}  // namespace exmc::math
