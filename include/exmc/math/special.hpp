#pragma once
// Special functions through Boost.Math, apart from functions.hpp so that a model whose
// families need none of them does not parse Boost.Math at all (D72).
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <numbers>

#include "functions.hpp"

namespace exmc::math {

// lgamma and digamma through Boost.Math; the gradient of lgamma is digamma, never a
// differentiated Lanczos series. Evaluated in double for float arguments (Boost's float
// approximations are not cheaper and lose the last bits).
// Poles and domain errors give inf/NaN instead of exceptions: the sampler turns a non-finite
// log density into a rejected step, which is cheaper and clearer than unwinding.
using quiet_policy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::pole_error<boost::math::policies::ignore_error>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>,
    boost::math::policies::promote_double<false>>;

template <class T>
T lgamma(T x) {
  return static_cast<T>(boost::math::lgamma(static_cast<double>(x), quiet_policy{}));
}
template <class T>
T digamma(T x) {
  return static_cast<T>(boost::math::digamma(static_cast<double>(x), quiet_policy{}));
}

// The standard normal quantile, -sqrt(2) erfc^-1(2p): the same operations as Boost's
// quantile(normal_distribution) (so the same bits), without parsing Boost's distributions.
template <class = void>
double normal_quantile(double p) {
  return -boost::math::erfc_inv(2 * p, quiet_policy{}) * std::numbers::sqrt2;
}

}  // namespace exmc::math
