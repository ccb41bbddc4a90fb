#pragma once
#include <array>
#include <cmath>

#include "gamma.hpp"

namespace exmc {

// chi_square(nu): nu degrees of freedom, x^(nu/2-1) e^(-x/2) / (2^(nu/2) Gamma(nu/2)) on x > 0,
// which is gamma(nu / 2, 1 / 2): every function forwards to gamma's with nu seen through a view
// scaled by 1/2. Stan: chi_square; PyMC: ChiSquared(nu).
struct chi_square_fn {
  static constexpr const char* name = "chi_square";
  static constexpr std::array<const char*, 1> arg_names{"nu"};
  static constexpr std::array<domain, 1> domains{domain::positive};
  static constexpr support_kind support = support_kind::positive;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = false;
  static bool in_support(double x) { return gamma_fn::in_support(x); }

  template <class X, class N>
  static double lpdf(index_t n, X& x, N& nu) {
    using T = decltype(nu.val(0));
    auto alpha = scaled(nu, 0.5);
    auto beta = constant_view<T>(0.5);
    return gamma_fn::lpdf(n, x, alpha, beta);
  }
  template <class X, class N>
  static double lcdf(index_t n, const X& x, N& nu) {
    using T = decltype(nu.val(0));
    auto alpha = scaled(nu, 0.5);
    auto beta = constant_view<T>(0.5);
    return gamma_fn::lcdf(n, x, alpha, beta);
  }
  template <class X, class N>
  static double lccdf(index_t n, const X& x, N& nu) {
    using T = decltype(nu.val(0));
    auto alpha = scaled(nu, 0.5);
    auto beta = constant_view<T>(0.5);
    return gamma_fn::lccdf(n, x, alpha, beta);
  }

  static double generate(rng& g, double nu) { return 2 * draw_gamma(g, 0.5 * nu); }
};

template <class N>
auto chi_square(N&& nu) {
  return make_dist<chi_square_fn>(std::forward<N>(nu));
}

}  // namespace exmc
