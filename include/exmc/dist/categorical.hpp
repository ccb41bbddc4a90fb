#pragma once
#include <array>
#include <limits>
#include <span>
#include <vector>

#include "dist.hpp"

namespace exmc {

namespace detail {
// Outcomes are 1-based (Stan's convention): y in 1..K.
inline bool is_outcome(double y) { return std::isfinite(y) && y >= 1 && y <= 2147483647.0 && y == std::floor(y); }

// Index of draw u * total in the running sums of weights(0..K-1): inversion for a finite
// distribution, 1-based.
template <class W>
double invert_weights(double u, double total, std::size_t k_count, W weight) {
  double target = u * total, acc = 0;
  for (std::size_t k = 0; k < k_count; ++k) {
    acc += weight(k);
    if (target < acc) return static_cast<double>(k + 1);
  }
  // Rounding left target at or above the last running sum: the last category with weight.
  for (std::size_t k = k_count; k > 0; --k)
    if (weight(k - 1) > 0) return static_cast<double>(k);
  return std::numeric_limits<double>::quiet_NaN();
}
}  // namespace detail

// categorical(theta): P(y = k) = theta[k] for k = 1..K (1-based, as in Stan), theta a simplex
// taken whole (every observation shares it). Stan: categorical; PyMC: Categorical (p), whose
// outcomes are 0-based: this y is PyMC's plus 1.
struct categorical_fn {
  static constexpr const char* name = "categorical";
  static constexpr std::array<const char*, 1> arg_names{"theta"};
  static constexpr std::array<domain, 1> domains{domain::unit};
  static constexpr std::array<bool, 1> whole{true};
  static constexpr support_kind support = support_kind::nonneg_int;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = true;
  // Entries may be off a simplex by this much in total: a simplex transform's rounding (Stan's
  // 1e-8 in double; float sums of a few hundred entries need more).
  template <class T>
  static constexpr double simplex_tolerance = std::is_same_v<T, float> ? 1e-4 : 1e-8;
  static bool in_support(double y) { return detail::is_outcome(y); }

  // The number of categories: a scalar is a single one (whole arguments normally arrive as vectors).
  template <class P>
  static index_t categories(const P& theta) {
    if constexpr (P::is_vec)
      return theta.size;
    else
      return 1;
  }
  // Entries in [0, 1] summing to 1 within the tolerance.
  template <class P>
  static bool on_simplex(const P& theta, index_t k_count) {
    using T = decltype(theta.val(0));
    double total = 0;
    for (index_t k = 0; k < k_count; ++k) {
      const T t = theta.val(k);
      if (!(t >= T(0) && t <= T(1))) return false;
      total += static_cast<double>(t);
    }
    return std::abs(total - 1) <= simplex_tolerance<T>;
  }

  template <class Y, class P>
  static double lpdf(index_t n, Y& y, P& theta) {
    using T = decltype(theta.val(0));
    const index_t k_count = categories(theta);
    if (!on_simplex(theta, k_count)) return -math::inf<double>;
    // Logs of a short theta are taken once, not once per observation.
    constexpr index_t cached = 256;
    std::array<T, cached> log_theta;
    const bool cache = k_count <= cached;
    if (cache)
      for (index_t k = 0; k < k_count; ++k) log_theta[static_cast<std::size_t>(k)] = std::log(theta.val(k));
    double lp = 0;
    for (index_t i = 0; i < n; ++i) {
      const auto yi = static_cast<double>(y.val(i));
      if (!(yi >= 1 && yi <= static_cast<double>(k_count))) return -math::inf<double>;
      const auto k = static_cast<index_t>(yi) - 1;
      const T t = theta.val(k);
      lp += static_cast<double>(cache ? log_theta[static_cast<std::size_t>(k)] : std::log(t));
      if constexpr (P::grad) theta.add(k, T(1) / t);
    }
    return lp;
  }

  // P(Y <= y) = theta_1 + ... + theta_y and P(Y > y) = theta_{y+1} + ... + theta_K, each summed
  // directly (the CCDF is not 1 - CDF, which would lose a small tail), for y = floor(data).
  // d log P / d theta_k = 1 / P for the entries in the sum. Outside 1 <= y < K the CDF and CCDF
  // are exactly 0 or 1 (y < 1: CDF 0; y >= K: CCDF 0) with zero partials.
  template <bool Lower, class Y, class P>
  static double cdf_sum(index_t n, const Y& y, P& theta) {
    using T = decltype(theta.val(0));
    const index_t k_count = categories(theta);
    if (!on_simplex(theta, k_count)) return -math::inf<double>;
    // prefix[j] = theta_1 + ... + theta_j, suffix[j] = theta_{j+1} + ... + theta_K.
    std::vector<double> part(static_cast<std::size_t>(k_count) + 1, 0.0);
    if constexpr (Lower) {
      for (index_t k = 0; k < k_count; ++k) part[static_cast<std::size_t>(k) + 1] = part[static_cast<std::size_t>(k)] + static_cast<double>(theta.val(k));
    } else {
      for (index_t k = k_count; k > 0; --k) part[static_cast<std::size_t>(k) - 1] = part[static_cast<std::size_t>(k)] + static_cast<double>(theta.val(k - 1));
    }
    // weight[j]: sum of 1 / P over the observations whose sum ends (Lower) or starts at j.
    std::vector<double> weight(static_cast<std::size_t>(k_count) + 1, 0.0);
    double lp = 0;
    for (index_t i = 0; i < n; ++i) {
      const double yi = static_cast<double>(y.val(i));
      if (std::isnan(yi)) return -math::inf<double>;
      if (yi < 1 || yi >= static_cast<double>(k_count)) {
        if ((yi < 1) == Lower) return -math::inf<double>;
        continue;
      }
      const auto j = static_cast<std::size_t>(std::floor(yi));
      const double pr = part[j];
      if (!(pr > 0)) return -math::inf<double>;
      lp += std::log(pr);
      weight[j] += 1 / pr;
    }
    if constexpr (P::grad) {
      // Entry k (0-based) is in the CDF sums ending at j >= k + 1 and the CCDF sums starting at j <= k.
      double running = 0;
      if constexpr (Lower) {
        for (index_t k = k_count; k > 0; --k) {
          running += weight[static_cast<std::size_t>(k)];
          if (running != 0) theta.add(k - 1, static_cast<T>(running));
        }
      } else {
        for (index_t k = 0; k < k_count; ++k) {
          running += weight[static_cast<std::size_t>(k)];
          if (running != 0) theta.add(k, static_cast<T>(running));
        }
      }
    }
    return lp;
  }
  template <class Y, class P>
  static double lcdf(index_t n, const Y& y, P& theta) {
    return cdf_sum<true>(n, y, theta);
  }
  template <class Y, class P>
  static double lccdf(index_t n, const Y& y, P& theta) {
    return cdf_sum<false>(n, y, theta);
  }

  static double generate(rng& g, std::span<const double> theta) {
    for (double t : theta)
      if (!(t >= 0 && t <= 1)) return std::numeric_limits<double>::quiet_NaN();
    double total = 0;
    for (double t : theta) total += t;
    return detail::invert_weights(g.uniform(), total, theta.size(), [&](std::size_t k) { return theta[k]; });
  }
};

template <class P>
auto categorical(P&& theta) {
  return make_dist<categorical_fn>(std::forward<P>(theta));
}

}  // namespace exmc
