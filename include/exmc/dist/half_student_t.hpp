#pragma once
#include <array>
#include <cmath>

#include "gamma.hpp"
#include "student_t.hpp"

namespace exmc {

// half_student_t(nu, sigma): twice the student_t(nu, 0, sigma) density on x >= 0, the usual
// weakly informative prior for a scale. Stan has no such family (student_t(nu, 0, sigma) on a
// parameter declared <lower=0>, which differs by the constant log 2); PyMC: HalfStudentT(nu, sigma).
struct half_student_t_fn {
  static constexpr const char* name = "half_student_t";
  static constexpr std::array<const char*, 2> arg_names{"nu", "sigma"};
  static constexpr std::array<domain, 2> domains{domain::positive, domain::positive};
  static constexpr support_kind support = support_kind::positive;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = false;
  static bool in_support(double x) { return std::isfinite(x) && x >= 0; }

  // student_t's density at location 0 (its scalar-nu fast path included), plus log 2.
  template <class X, class N, class S>
  static double lpdf(index_t n, X& x, N& nu, S& sigma) {
    using T = decltype(sigma.val(0));
    if (!(x.arr(n) >= T(0)).all()) return -math::inf<double>;
    scalar_view<T, false> zero{T(0)};
    return static_cast<double>(n) * math::log_two + student_t_fn::lpdf(n, x, nu, zero, sigma);
  }

  // sigma |Z| / sqrt(G / (nu / 2)) with G ~ gamma(nu / 2, 1): the absolute value of a t draw.
  static double generate(rng& g, double nu, double sigma) {
    return sigma * std::abs(g.normal()) * std::sqrt(0.5 * nu / draw_gamma(g, 0.5 * nu));
  }
};

template <class N, class S>
auto half_student_t(N&& nu, S&& sigma) {
  return make_dist<half_student_t_fn>(std::forward<N>(nu), std::forward<S>(sigma));
}

}  // namespace exmc
