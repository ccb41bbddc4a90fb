#pragma once
// What a family states about its variate and arguments: the support (which picks a parameter's
// transform), each argument's domain (checked on constants when the model is built), and which
// arguments are taken whole (`whole`, see dist.hpp).
#include <cmath>
#include <cstddef>

namespace exmc {

// bounded / lower_bounded / upper_bounded: the bounds are the family's lower_arg / upper_arg
// arguments; simplex: the variate is a probability vector (dirichlet); cholesky_corr: the
// variate is the K x K Cholesky factor of a correlation matrix, stored column by column
// (lkj_corr_cholesky).
enum class support_kind {
  real, positive, unit, nonneg_int, binary, bounded, lower_bounded, upper_bounded, simplex, cholesky_corr
};
// extended: any value, infinities included (a bound that may be absent).
enum class domain { real, positive, nonneg, unit, nonneg_int, extended };

inline bool in_domain(domain d, double v) {
  switch (d) {
    case domain::real: return std::isfinite(v);
    case domain::positive: return std::isfinite(v) && v > 0;
    case domain::nonneg: return std::isfinite(v) && v >= 0;
    case domain::unit: return v >= 0 && v <= 1;
    case domain::nonneg_int: return std::isfinite(v) && v >= 0 && v == std::floor(v);
    case domain::extended: return !std::isnan(v);
  }
  return false;
}
inline const char* domain_text(domain d) {
  switch (d) {
    case domain::real: return "finite";
    case domain::positive: return "finite and > 0";
    case domain::nonneg: return "finite and >= 0";
    case domain::unit: return "in [0, 1]";
    case domain::nonneg_int: return "a non-negative integer";
    case domain::extended: return "a number (infinities allowed)";
  }
  return "";
}

// Whether argument K of family Fn is taken whole (see `whole` above).
template <class Fn, std::size_t K>
constexpr bool whole_arg() {
  if constexpr (requires { Fn::whole; })
    return Fn::whole[K];
  else
    return false;
}
template <class Fn>
constexpr bool has_whole_args() {
  if constexpr (requires { Fn::whole; }) {
    for (bool b : Fn::whole)
      if (b) return true;
  }
  return false;
}

}  // namespace exmc
