#pragma once
#include <array>

#include "../math/normal_cdf.hpp"
#include "dist.hpp"
#include "location_scale.hpp"

namespace exmc {

// normal(mu, sigma): log N(x | mu, sigma) with all constants.
struct normal_fn {
  static constexpr const char* name = "normal";
  static constexpr std::array<const char*, 2> arg_names{"mu", "sigma"};
  static constexpr std::array<domain, 2> domains{domain::real, domain::positive};
  static constexpr support_kind support = support_kind::real;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = false;
  // Location-scale family: x = loc + scale * z with z from the standardised family, which the
  // non-centring pass uses.
  static constexpr std::size_t loc_index = 0;
  static constexpr std::size_t scale_index = 1;
  static bool in_support(double x) { return std::isfinite(x); }

  // Below this many elements one scalar pass does all the work: each of Eigen's vectorised
  // passes pays an alignment prologue and a tail that cost more than its arithmetic (D61).
  static constexpr index_t few = 16;

  // Over constant data with a scalar mean and scale, the density depends on the data only through
  // their count, mean and centred sum of squares: sum (x - mu)^2 = ss + n (mean - mu)^2 (D65).
  static constexpr bool reads_data_moments = true;

  // Every path writes each element's partial of x once, by add(i) or one add_arr (D70).
  static constexpr bool stores_variate_partials = true;
  // sigma may arrive as a log_scale_view when it is written exp(a) (views.hpp, D69).
  static constexpr std::size_t log_scale_index = 1;

  template <class X, class M, class S>
  static double lpdf(index_t n, X& x, M& mu, S& sigma) {
    using T = view_value_t<S>;
    using std::log;
    // (data moments, D65, are read through dist_expr::call_lpdf, the one place that sets them)
    if constexpr (X::is_vec || M::is_vec || S::is_vec)
      if (n <= few) return lpdf_few(n, x, mu, sigma);
    const double dn = static_cast<double>(n);
    const auto r = x.arr(n) - mu.arr(n);
    if constexpr (!S::is_vec) {
      // Scalar sigma: everything reduces to sums of r and r^2 (one vectorised pass each).
      if (!sigma.positive()) return -math::inf<double>;
      // a constant scale brings its own 1/sigma, a log-scale view its exp(-a)
      const T inv_s = sigma.inv_val(), inv_var = inv_s * inv_s;
      const double quad = sum_as_double(r.square()) * static_cast<double>(inv_var);
      if constexpr (X::grad) x.add_arr(-r * inv_var);
      if constexpr (M::grad) mu.add_arr(r * inv_var);
      if constexpr (S::grad) sigma.add_dlog(quad - dn, static_cast<double>(inv_s));
      return -dn * (math::log_sqrt_two_pi + static_cast<double>(sigma.log_val())) - 0.5 * quad;
    } else {
      const auto sa = sigma.arr(n);
      if (!sigma.all_positive(n)) return -math::inf<double>;
      const auto inv_s = sa.inverse();
      const auto z = r * inv_s;
      if constexpr (X::grad) x.add_arr(-z * inv_s);
      if constexpr (M::grad) mu.add_arr(z * inv_s);
      if constexpr (S::grad) sigma.add_arr((z.square() - T(1)) * inv_s);
      return -dn * math::log_sqrt_two_pi - 0.5 * sum_as_double(z.square()) - sigma.sum_log(n);
    }
  }

  template <class M, class S>
  static double lpdf_moments(const data_moments& m, M& mu, S& sigma) {
    using T = view_value_t<S>;
    if (!sigma.positive()) return -math::inf<double>;
    const double dn = static_cast<double>(m.n);
    const double inv_s = sigma.inv_double(), inv_var = inv_s * inv_s;
    const double off = (m.pivot - static_cast<double>(mu.val(0))) + m.delta;  // mean - mu
    const double quad = (m.ss + dn * off * off) * inv_var;
    if constexpr (M::grad) mu.add_total(static_cast<T>(dn * off * inv_var));
    if constexpr (S::grad) sigma.add_dlog(quad - dn, inv_s);
    return -dn * (math::log_sqrt_two_pi + static_cast<double>(sigma.log_val())) - 0.5 * quad;
  }

  // The same density and partials element by element, sums in double. A scalar view's partial is
  // summed in a local: through the view's own member, every `+=` would be a load and a store
  // the compiler must keep in order with the stores into x's partials (they might alias), a
  // chain of store-to-load latencies across the loop (D64).
  template <class X, class M, class S>
  static double lpdf_few(index_t n, X& x, M& mu, S& sigma) {
    using T = view_value_t<S>;
    const double dn = static_cast<double>(n);
    double quad = 0;
    if constexpr (!S::is_vec) {
      if (!sigma.positive()) return -math::inf<double>;
      const T inv_s = sigma.inv_val(), inv_var = inv_s * inv_s;  // see lpdf
      T mu_acc = T(0);  // a scalar mu's partial, summed in a register (see below)
      for (index_t i = 0; i < n; ++i) {
        const T r = static_cast<T>(x.val(i)) - static_cast<T>(mu.val(i));
        quad += static_cast<double>(r * r);
        const T d = r * inv_var;
        if constexpr (X::grad) x.add(i, -d);
        if constexpr (M::grad) {
          if constexpr (M::is_vec)
            mu.add(i, d);
          else
            mu_acc += d;
        }
      }
      if constexpr (M::grad && !M::is_vec) mu.add_total(mu_acc);
      quad *= static_cast<double>(inv_var);
      if constexpr (S::grad) sigma.add_dlog(quad - dn, static_cast<double>(inv_s));
      return -dn * (math::log_sqrt_two_pi + static_cast<double>(sigma.log_val())) - 0.5 * quad;
    } else {
      if (!sigma.all_positive(n)) return -math::inf<double>;
      T mu_acc = T(0);
      for (index_t i = 0; i < n; ++i) {
        const T inv_s = T(1) / static_cast<T>(sigma.val(i));
        const T z = (static_cast<T>(x.val(i)) - static_cast<T>(mu.val(i))) * inv_s;
        quad += static_cast<double>(z * z);
        if constexpr (X::grad) x.add(i, -z * inv_s);
        if constexpr (M::grad) {
          if constexpr (M::is_vec)
            mu.add(i, z * inv_s);
          else
            mu_acc += z * inv_s;
        }
        if constexpr (S::grad) sigma.add(i, (z * z - T(1)) * inv_s);
      }
      if constexpr (M::grad && !M::is_vec) mu.add_total(mu_acc);
      return -dn * math::log_sqrt_two_pi - 0.5 * quad - sigma.sum_log(n);
    }
  }

  // log Phi(z) and log Phi(-z), with the inverse Mills ratio as their slope: both stay exact in
  // the far tails, where Phi underflows or rounds to 1. Evaluated in double, as lgamma is.
  template <class X, class M, class S>
  static double lcdf(index_t n, const X& x, M& mu, S& sigma) {
    using T = decltype(sigma.val(0));
    return location_scale_cdf_sum(n, x, mu, sigma, [](T z) {
      const double zd = static_cast<double>(z);
      return std::pair<T, T>{static_cast<T>(math::log_Phi(zd)), static_cast<T>(math::inv_mills(zd))};
    });
  }
  template <class X, class M, class S>
  static double lccdf(index_t n, const X& x, M& mu, S& sigma) {
    using T = decltype(sigma.val(0));
    return location_scale_cdf_sum(n, x, mu, sigma, [](T z) {
      const double zd = static_cast<double>(z);
      return std::pair<T, T>{static_cast<T>(math::log_Phi(-zd)), static_cast<T>(-math::inv_mills(-zd))};
    });
  }

  static double generate(rng& g, double mu, double sigma) { return g.normal(mu, sigma); }
};

template <class M, class S>
auto normal(M&& mu, S&& sigma) {
  return make_dist<normal_fn>(std::forward<M>(mu), std::forward<S>(sigma));
}

}  // namespace exmc
