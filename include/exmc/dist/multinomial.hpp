#pragma once
// multinomial(N, theta): counts y[0..K) of N trials over K categories with probabilities theta
// (a simplex: a parameter with a dirichlet prior, or data). The variate is the whole count
// vector, which must sum to N (N is what the generator needs; Stan's multinomial_rng takes it
// too). Stan: multinomial; PyMC: Multinomial(n, p).
#include <algorithm>
#include <array>
#include <span>

#include "binomial.hpp"
#include "dist.hpp"
#include "../math/special.hpp"

namespace exmc {

struct multinomial_fn {
  static constexpr const char* name = "multinomial";
  static constexpr std::array<const char*, 2> arg_names{"N", "theta"};
  static constexpr std::array<domain, 2> domains{domain::nonneg_int, domain::unit};
  static constexpr std::array<bool, 2> whole{false, true};
  static constexpr support_kind support = support_kind::nonneg_int;
  static constexpr bool elementwise = false;
  static constexpr bool discrete = true;
  static bool in_support(double y) { return y >= 0 && y == std::floor(y) && y < 2147483647.0; }

  template <class Y, class N, class P>
  static double lpdf(index_t n, Y& y, N& trials, P& theta) {
    using T = decltype(theta.val(0));
    using std::log;
    if constexpr (P::is_vec)
      if (theta.size != n) return -math::inf<double>;
    double total = 0, sum_theta = 0, lp = 0;
    for (index_t k = 0; k < n; ++k) {
      const T p = theta.val(k);
      if (!(p >= T(0) && p <= T(1))) return -math::inf<double>;
      sum_theta += static_cast<double>(p);
    }
    if (std::abs(sum_theta - 1) > (std::is_same_v<T, float> ? 1e-4 : 1e-8)) return -math::inf<double>;
    for (index_t k = 0; k < n; ++k) {
      const double yk = static_cast<double>(y.val(k));
      const T p = theta.val(k);
      total += yk;
      lp -= static_cast<double>(math::lgamma(yk + 1));
      if (yk > 0) {
        lp += yk * static_cast<double>(log(p));
        if constexpr (P::grad) theta.add(k, static_cast<T>(yk) / p);
      }
    }
    if (total != static_cast<double>(trials.val(0))) return -math::inf<double>;
    return lp + static_cast<double>(math::lgamma(total + 1));
  }

  // Conditional binomials: y[k] ~ binomial(N - sum y[<k], theta[k] / remaining mass).
  static void generate(rng& g, index_t n, double* out, double trials, std::span<const double> theta) {
    double left = trials, mass = 1;
    for (index_t k = 0; k < n; ++k) {
      const double p = k + 1 == n ? 1.0 : std::clamp(theta[static_cast<std::size_t>(k)] / mass, 0.0, 1.0);
      out[k] = left > 0 ? binomial_fn::generate(g, left, p) : 0.0;
      left -= out[k];
      mass -= theta[static_cast<std::size_t>(k)];
    }
  }
};

template <class N, class P>
auto multinomial(N&& trials, P&& theta) {
  return make_dist<multinomial_fn>(std::forward<N>(trials), std::forward<P>(theta));
}

}  // namespace exmc
