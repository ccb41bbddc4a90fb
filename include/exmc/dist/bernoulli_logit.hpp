#pragma once
#include <algorithm>
#include <array>
#include <cmath>

#include "../math/vectorised.hpp"
#include "dist.hpp"

namespace exmc {

// bernoulli_logit(alpha): P(y = 1) = inv_logit(alpha), y in {0, 1}.
// Stan: bernoulli_logit; PyMC: Bernoulli (logit_p).
struct bernoulli_logit_fn {
  static constexpr const char* name = "bernoulli_logit";
  static constexpr std::array<const char*, 1> arg_names{"alpha"};
  static constexpr std::array<domain, 1> domains{domain::real};
  static constexpr support_kind support = support_kind::binary;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = true;
  static bool in_support(double y) { return y == 0 || y == 1; }

  template <class Y, class A>
  static double lpdf(index_t n, Y& y, A& alpha) {
    using T = decltype(alpha.val(0));
    // log p = y a - log(1 + exp(a)) = y a - max(a, 0) - log(1 + exp(-|a|)) and d/da = y - inv_logit(a),
    // both through e = exp(-|a|) <= 1. log(1 + e) instead of log1p(e) costs under one ulp of 1 per
    // term and lets Eigen vectorise.
    if constexpr (!A::is_vec) {
      const T a = alpha.val(0);
      const T e = std::exp(-std::abs(a));
      const double sy = sum_as_double(y.arr(n)), dn = static_cast<double>(n);
      if constexpr (A::grad) alpha.add_total(static_cast<T>(sy - dn * static_cast<double>(math::inv_logit(a))));
      return sy * static_cast<double>(a) - dn * static_cast<double>(std::max(a, T(0)) + std::log(T(1) + e));
    } else {
      // Block by block, so the log density and the partial share one exp per element: the exp
      // is this family's cost (logistic regression's largest).
      return sum_over_blocks<256>(n, [](index_t m, auto& yb, auto& ab) { return lpdf_block(m, yb, ab); }, y, alpha);
    }
  }

  template <class Y, class A>
  static double lpdf_block(index_t n, Y& y, A& alpha) {
    using T = decltype(alpha.val(0));
    // Materialised: Eigen 3.4 has no packet cast from the integer data, and one scalar operand
    // makes the whole expression scalar, its log included (D134).
    const Eigen::Array<T, Eigen::Dynamic, 1, 0, 256, 1> ya = y.arr(n);
    const auto a = alpha.arr(n);
    const Eigen::Array<T, Eigen::Dynamic, 1, 0, 256, 1> e = (-a.abs()).exp();
    const double lp = sum_as_double(ya * a - a.max(T(0)) - math::vlog(T(1) + e));
    if constexpr (A::grad) alpha.add_arr(ya - math::vinv_logit_from_exp(a, e));  // one packet path (D134)
    return lp;
  }

  static double generate(rng& g, double alpha) { return g.uniform() < math::inv_logit(alpha) ? 1.0 : 0.0; }
};

template <class A>
auto bernoulli_logit(A&& alpha) {
  return make_dist<bernoulli_logit_fn>(std::forward<A>(alpha));
}

}  // namespace exmc
