#pragma once
#include <array>
#include <span>

#include "dist.hpp"
#include "../math/special.hpp"

namespace exmc {

// dirichlet(alpha): density Gamma(sum alpha) / prod Gamma(alpha_k) prod x_k^(alpha_k - 1) on the
// simplex. alpha is a vector of the variate's size (or one number, the symmetric Dirichlet).
// A parameter with this prior is sampled through the stick-breaking simplex transform.
// Stan: dirichlet; PyMC: Dirichlet.
struct dirichlet_fn {
  static constexpr const char* name = "dirichlet";
  static constexpr std::array<const char*, 1> arg_names{"alpha"};
  static constexpr std::array<domain, 1> domains{domain::positive};
  static constexpr std::array<bool, 1> whole{true};
  static constexpr support_kind support = support_kind::simplex;
  static constexpr bool elementwise = false;
  static constexpr bool discrete = false;
  static bool in_support(double x) { return x >= 0 && x <= 1; }

  template <class X, class A>
  static double lpdf(index_t n, X& x, A& alpha) {
    using T = decltype(alpha.val(0));
    using std::log;
    if constexpr (A::is_vec)
      if (alpha.size != n) return -math::inf<double>;
    double sum_a = 0, lp = 0;
    for (index_t k = 0; k < n; ++k) {
      const T a = alpha.val(k), xk = static_cast<T>(x.val(k));
      if (!(a > T(0)) || !(xk >= T(0))) return -math::inf<double>;
      sum_a += static_cast<double>(a);
      lp += -static_cast<double>(math::lgamma(a)) + static_cast<double>((a - T(1)) * log(xk));
    }
    lp += static_cast<double>(math::lgamma(static_cast<T>(sum_a)));
    const T dg_sum = math::digamma(static_cast<T>(sum_a));
    for (index_t k = 0; k < n; ++k) {
      const T a = alpha.val(k), xk = static_cast<T>(x.val(k));
      if constexpr (X::grad) x.add(k, (a - T(1)) / xk);
      if constexpr (A::grad) alpha.add(k, dg_sum - math::digamma(a) + log(xk));
    }
    return lp;
  }

  // Normalised independent Gamma(alpha_k) draws.
  static void generate(rng& g, index_t n, double* out, std::span<const double> alpha) {
    double total = 0;
    for (index_t k = 0; k < n; ++k) total += out[k] = g.gamma(alpha[alpha.size() == 1 ? 0 : static_cast<std::size_t>(k)]);
    for (index_t k = 0; k < n; ++k) out[k] /= total;
  }
  static void generate(rng& g, index_t n, double* out, double alpha) {
    generate(g, n, out, std::span<const double>(&alpha, 1));
  }
};

template <class A>
auto dirichlet(A&& alpha) {
  return make_dist<dirichlet_fn>(std::forward<A>(alpha));
}

}  // namespace exmc
