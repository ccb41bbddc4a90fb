#pragma once
// Shared pieces of the location-scale families (logistic, double_exponential, gumbel, ...):
// checking and summing the log of a scale that is a scalar or a vector, and the element loop of
// a log CDF written in the standardised variable z = (x - loc) / scale.
#include <cmath>
#include <utility>

#include "views.hpp"
#include "../math/functions.hpp"

namespace exmc {

// Every scale element is > 0 (a NaN fails too).
template <class S>
bool scale_valid(index_t n, const S& scale) {
  using T = decltype(scale.val(0));
  if constexpr (S::is_vec)
    return scale.all_positive(n);
  else
    return scale.val(0) > T(0);
}

// sum_i log(scale_i), hoisted to one log for a scalar scale.
template <class S>
double sum_log_scale(index_t n, const S& scale) {
  if constexpr (S::is_vec)
    return scale.sum_log(n);
  else
    return static_cast<double>(n) * static_cast<double>(scale.log_val());
}

// sum_i f(z_i) for a log CDF or log CCDF f, with z = (x - loc) / scale and f(z) returning
// {f, df/dz}; the partials for loc and scale follow from dz/dloc = -1/scale, dz/dscale = -z/scale.
// x is data here: it gets no partial.
template <class X, class L, class S, class F>
double location_scale_cdf_sum(index_t n, const X& x, L& loc, S& scale, F&& f) {
  using T = decltype(scale.val(0));
  if (!scale_valid(n, scale)) return -math::inf<double>;
  double total = 0;
  for (index_t i = 0; i < n; ++i) {
    const T inv_s = T(1) / scale.val(i);
    const T z = (static_cast<T>(x.val(i)) - loc.val(i)) * inv_s;
    const std::pair<T, T> fd = f(z);
    total += static_cast<double>(fd.first);
    loc.add(i, -fd.second * inv_s);
    scale.add(i, -fd.second * z * inv_s);
  }
  return total;
}

}  // namespace exmc
