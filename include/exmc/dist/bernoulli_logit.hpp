#pragma once
#include <array>

#include "dist.hpp"

namespace exmc {

// bernoulli_logit(alpha): P(y = 1) = inv_logit(alpha), y in {0, 1}.
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
    double lp = 0;
    for (index_t i = 0; i < n; ++i) {
      const T sign = y.val(i) ? T(1) : T(-1);
      const T sa = sign * alpha.val(i);
      // log inv_logit(sa) and its derivative sign * inv_logit(-sa), both stable for large |sa|.
      lp += static_cast<double>(math::log_inv_logit(sa));
      alpha.add(i, sign * math::inv_logit(-sa));
    }
    return lp;
  }
};

template <class A>
auto bernoulli_logit(A&& alpha) {
  return make_dist<bernoulli_logit_fn>(std::forward<A>(alpha));
}

}  // namespace exmc
