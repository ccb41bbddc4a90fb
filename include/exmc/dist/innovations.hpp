#pragma once
// Families whose non-centred form is not x = loc + scale * z elementwise, but x built from
// standard-normal innovations z (mv_normal: x = mu + L z; gaussian_random_walk and ar1: x by a
// recursion over z), share the prior term of z and how they reach the variate's storage.
#include <type_traits>

#include "../math/functions.hpp"
#include "views.hpp"

namespace exmc::detail {

// z ~ normal(0, 1), element by element; its partials go into z's view.
template <class Z>
double standard_normal_term(Z& z, index_t n) {
  const auto v = z.arr(n);
  z.add_arr(-v);
  return -0.5 * sum_as_double(v.square()) - static_cast<double>(n) * math::log_sqrt_two_pi;
}

// The variate's values: one number (a scalar parameter) or a vector's storage.
template <class X>
auto* variate_data(X& x) {
  if constexpr (std::is_arithmetic_v<X>)
    return &x;
  else
    return x.data();
}

}  // namespace exmc::detail
