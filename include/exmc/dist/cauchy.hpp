#pragma once
#include <array>
#include <cmath>
#include <utility>

#include "dist.hpp"
#include "location_scale.hpp"

namespace exmc {

namespace detail {
// log of the standard Cauchy CDF and its slope pdf / CDF. The CDF is atan2(1, -z) / pi, which
// keeps full relative precision in the lower tail (about 1 / (pi |z|), no 1/2 + atan(z) / pi
// cancellation); above 0 it is 1 - atan2(1, z) / pi, whose log goes through log1p so it keeps the
// digits of the small complement. (1 + z^2) may overflow far out, where the slope is ~0 anyway.
inline std::pair<double, double> cauchy_log_cdf(double z) {
  const double pi = std::numbers::pi;
  const double lo = std::atan2(1.0, -z);  // pi * CDF
  const double value = z < 0 ? std::log(lo) - math::log_pi : std::log1p(-std::atan2(1.0, z) / pi);
  return {value, 1.0 / ((1.0 + z * z) * lo)};
}
// The same for the half-Cauchy at z >= 0: CDF 2 atan(z) / pi, CCDF 2 atan2(1, z) / pi; the log of
// whichever is below 1/2 is taken directly, the other through log1p.
inline std::pair<double, double> half_cauchy_log_cdf(double z, bool upper) {
  const double pi = std::numbers::pi;
  const double lo = std::atan(z), hi = std::atan2(1.0, z);  // pi/2 * CDF, pi/2 * CCDF
  const double mine = upper ? hi : lo, other = upper ? lo : hi;
  const double value = mine < other ? std::log(mine) + math::log_two - math::log_pi : std::log1p(-2.0 * other / pi);
  const double slope = 1.0 / ((1.0 + z * z) * mine);
  return {value, upper ? -slope : slope};
}
}  // namespace detail

// cauchy(mu, sigma): 1 / (pi sigma (1 + z^2)).
struct cauchy_fn {
  static constexpr const char* name = "cauchy";
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

  template <class X, class M, class S>
  static double lpdf(index_t n, X& x, M& mu, S& sigma) {
    using T = decltype(sigma.val(0));
    using std::log, std::log1p;
    double lp = -math::log_pi * static_cast<double>(n);
    bool ok = true;
    for (index_t i = 0; i < n; ++i) {
      const T s = sigma.val(i);
      ok &= s > T(0);
      const T inv_s = T(1) / s;
      const T z = (x.val(i) - mu.val(i)) * inv_s;
      const T q = T(1) / (T(1) + z * z);
      lp -= static_cast<double>(log1p(z * z));
      if constexpr (S::is_vec) lp -= static_cast<double>(log(s));
      x.add(i, -T(2) * z * q * inv_s);
      mu.add(i, T(2) * z * q * inv_s);
      sigma.add(i, (z * z - T(1)) * q * inv_s);
    }
    if constexpr (!S::is_vec) lp -= static_cast<double>(n) * static_cast<double>(sigma.log_val());
    return ok ? lp : -math::inf<double>;
  }

  template <class X, class M, class S>
  static double lcdf(index_t n, const X& x, M& mu, S& sigma) {
    using T = decltype(sigma.val(0));
    return location_scale_cdf_sum(n, x, mu, sigma, [](T z) {
      const auto [v, d] = detail::cauchy_log_cdf(static_cast<double>(z));
      return std::pair<T, T>{static_cast<T>(v), static_cast<T>(d)};
    });
  }
  // The law is symmetric: log CCDF(z) = log CDF(-z).
  template <class X, class M, class S>
  static double lccdf(index_t n, const X& x, M& mu, S& sigma) {
    using T = decltype(sigma.val(0));
    return location_scale_cdf_sum(n, x, mu, sigma, [](T z) {
      const auto [v, d] = detail::cauchy_log_cdf(-static_cast<double>(z));
      return std::pair<T, T>{static_cast<T>(v), static_cast<T>(-d)};
    });
  }

  // Inversion; uniform_pos keeps the tangent finite.
  static double generate(rng& g, double mu, double sigma) {
    return mu + sigma * std::tan(std::numbers::pi * (g.uniform_pos() - 0.5));
  }
};

template <class M, class S>
auto cauchy(M&& mu, S&& sigma) {
  return make_dist<cauchy_fn>(std::forward<M>(mu), std::forward<S>(sigma));
}

// half_cauchy(sigma): 2 / (pi sigma (1 + (x/sigma)^2)) on x >= 0.
struct half_cauchy_fn {
  static constexpr const char* name = "half_cauchy";
  static constexpr std::array<const char*, 1> arg_names{"sigma"};
  static constexpr std::array<domain, 1> domains{domain::positive};
  static constexpr support_kind support = support_kind::positive;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = false;
  static bool in_support(double x) { return std::isfinite(x) && x >= 0; }

  template <class X, class S>
  static double lpdf(index_t n, X& x, S& sigma) {
    using T = decltype(sigma.val(0));
    using std::log, std::log1p;
    double lp = (math::log_two - math::log_pi) * static_cast<double>(n);
    bool ok = true;
    for (index_t i = 0; i < n; ++i) {
      const T s = sigma.val(i);
      const T xi = x.val(i);
      ok &= (s > T(0)) & (xi >= T(0));
      const T inv_s = T(1) / s;
      const T z = xi * inv_s;
      const T q = T(1) / (T(1) + z * z);
      lp -= static_cast<double>(log1p(z * z));
      if constexpr (S::is_vec) lp -= static_cast<double>(log(s));
      x.add(i, -T(2) * z * q * inv_s);
      sigma.add(i, (z * z - T(1)) * q * inv_s);
    }
    if constexpr (!S::is_vec) lp -= static_cast<double>(n) * static_cast<double>(sigma.log_val());
    return ok ? lp : -math::inf<double>;
  }

  // Data at or below 0: the CDF is 0 there (log CDF -inf) and the CCDF 1.
  template <class X, class S>
  static double lcdf(index_t n, const X& x, S& sigma) {
    for (index_t i = 0; i < n; ++i)
      if (!(x.val(i) > 0)) return -math::inf<double>;
    return cdf_sum(n, x, sigma, false);
  }
  template <class X, class S>
  static double lccdf(index_t n, const X& x, S& sigma) {
    return cdf_sum(n, x, sigma, true);
  }
  template <class X, class S>
  static double cdf_sum(index_t n, const X& x, S& sigma, bool upper) {
    using T = decltype(sigma.val(0));
    scalar_view<T, false> zero{T(0)};
    return location_scale_cdf_sum(n, x, zero, sigma, [upper](T z) {
      if (!(z > T(0))) return std::pair<T, T>{T(0), T(0)};  // only the CCDF gets here: log 1
      const auto [v, d] = detail::half_cauchy_log_cdf(static_cast<double>(z), upper);
      return std::pair<T, T>{static_cast<T>(v), static_cast<T>(d)};
    });
  }

  static double generate(rng& g, double sigma) { return sigma * std::tan(0.5 * std::numbers::pi * g.uniform_pos()); }
};

template <class S>
auto half_cauchy(S&& sigma) {
  return make_dist<half_cauchy_fn>(std::forward<S>(sigma));
}

}  // namespace exmc
