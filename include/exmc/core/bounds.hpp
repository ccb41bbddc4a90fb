#pragma once
// Bounds as the user writes them: on a parameter (param<"p">(normal(0, 1), lower(0.0))) and on
// a distribution (truncated(normal(mu, s), lower(0.0)), censored(..., bounds(lo, hi))). They are
// plain values here; the model layer turns a parameter's bounds into a transform.
#include <cmath>
#include <string>

#include "error.hpp"

namespace exmc {

struct lower_bound {
  double lo;
};
struct upper_bound {
  double hi;
};
struct interval_bound {
  double lo, hi;
};

inline lower_bound lower(double lo) {
  if (std::isnan(lo)) throw model_error("lower(): the bound is NaN");
  return {lo};
}
inline upper_bound upper(double hi) {
  if (std::isnan(hi)) throw model_error("upper(): the bound is NaN");
  return {hi};
}
inline interval_bound bounds(double lo, double hi) {
  if (!(lo < hi) || !std::isfinite(lo) || !std::isfinite(hi))
    throw model_error("bounds(" + std::to_string(lo) + ", " + std::to_string(hi) + "): need finite lo < hi");
  return {lo, hi};
}

template <class B>
concept bound_spec = std::is_same_v<B, lower_bound> || std::is_same_v<B, upper_bound> || std::is_same_v<B, interval_bound>;

}  // namespace exmc
