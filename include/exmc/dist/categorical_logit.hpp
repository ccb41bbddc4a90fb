#pragma once
#include <array>
#include <limits>
#include <span>

#include "categorical.hpp"

namespace exmc {

// categorical_logit(beta): P(y = k) = softmax(beta)[k] for k = 1..K (1-based, as in Stan), beta
// a real vector taken whole (every observation shares it); log_softmax is computed from
// beta - max(beta), so any finite beta is safe. Stan: categorical_logit; PyMC: Categorical
// (logit_p), 0-based.
struct categorical_logit_fn {
  static constexpr const char* name = "categorical_logit";
  static constexpr std::array<const char*, 1> arg_names{"beta"};
  static constexpr std::array<domain, 1> domains{domain::real};
  static constexpr std::array<bool, 1> whole{true};
  static constexpr support_kind support = support_kind::nonneg_int;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = true;
  static bool in_support(double y) { return detail::is_outcome(y); }

  // sum_i beta[y_i] - n log_sum_exp(beta); d/dbeta_k = count_k - n softmax_k, so no per-category
  // buffer is needed: each observation adds 1 to its own entry.
  template <class Y, class B>
  static double lpdf(index_t n, Y& y, B& beta) {
    using T = decltype(beta.val(0));
    // A scalar is a single category (whole arguments normally arrive as vectors).
    index_t k_count = 1;
    if constexpr (B::is_vec) k_count = beta.size;
    double max_b = -math::inf<double>;
    for (index_t k = 0; k < k_count; ++k) {
      const double b = static_cast<double>(beta.val(k));
      if (!std::isfinite(b)) return -math::inf<double>;
      max_b = std::max(max_b, b);
    }
    double sum_exp = 0;
    for (index_t k = 0; k < k_count; ++k) sum_exp += std::exp(static_cast<double>(beta.val(k)) - max_b);
    const double lse = max_b + std::log(sum_exp);
    double lp = 0;
    for (index_t i = 0; i < n; ++i) {
      const auto yi = static_cast<double>(y.val(i));
      if (!(yi >= 1 && yi <= static_cast<double>(k_count))) return -math::inf<double>;
      const auto k = static_cast<index_t>(yi) - 1;
      lp += static_cast<double>(beta.val(k));
      if constexpr (B::grad) beta.add(k, T(1));
    }
    const double dn = static_cast<double>(n);
    if constexpr (B::grad)
      for (index_t k = 0; k < k_count; ++k)
        beta.add(k, static_cast<T>(-dn * std::exp(static_cast<double>(beta.val(k)) - lse)));
    return lp - dn * lse;
  }

  static double generate(rng& g, std::span<const double> beta) {
    double max_b = -math::inf<double>;
    for (double b : beta) {
      if (!std::isfinite(b)) return std::numeric_limits<double>::quiet_NaN();
      max_b = std::max(max_b, b);
    }
    double total = 0;
    for (double b : beta) total += std::exp(b - max_b);
    return detail::invert_weights(g.uniform(), total, beta.size(), [&](std::size_t k) { return std::exp(beta[k] - max_b); });
  }
};

template <class B>
auto categorical_logit(B&& beta) {
  return make_dist<categorical_logit_fn>(std::forward<B>(beta));
}

}  // namespace exmc
