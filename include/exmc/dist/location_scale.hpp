#pragma once
// Shared pieces of the location-scale families (logistic, double_exponential, gumbel, ...): the
// element loop of a log CDF written in the standardised variable z = (x - loc) / scale. Checking
// and summing the log of a scale use all_positive / sum_log (view_adaptors.hpp).
#include <cmath>
#include <utility>

#include "view_adaptors.hpp"
#include "views.hpp"
#include "../math/functions.hpp"

namespace exmc {

// sum_i f(z_i) for a log CDF or log CCDF f, with z = (x - loc) / scale and f(z) returning
// {f, df/dz}; the partials for loc and scale follow from dz/dloc = -1/scale, dz/dscale = -z/scale.
// x is data here: it gets no partial.
template <class X, class L, class S, class F>
double location_scale_cdf_sum(index_t n, const X& x, L& loc, S& scale, F&& f) {
  using T = decltype(scale.val(0));
  if (!all_positive(n, scale)) return -math::inf<double>;
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
