#pragma once
#include <array>
#include <limits>
#include <span>
#include <vector>

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

  // log P(Y <= y) = lse(beta_1..y) - lse(beta) and log P(Y > y) = lse(beta_{y+1}..K) - lse(beta)
  // (lse: log-sum-exp), the partial lse's built once as running log-sum-exps, each from its own
  // end so a small tail keeps its digits. d/dbeta_k = [k in the sum] e^(beta_k - partial lse)
  // - softmax_k per observation. Outside 1 <= y < K the CDF and CCDF are exactly 0 or 1 (zero
  // partials), for y = floor(data).
  template <bool Lower, class Y, class B>
  static double cdf_sum(index_t n, const Y& y, B& beta) {
    using T = decltype(beta.val(0));
    index_t k_count = 1;
    if constexpr (B::is_vec) k_count = beta.size;
    const auto kc = static_cast<std::size_t>(k_count);
    std::vector<double> b(kc);
    for (std::size_t k = 0; k < kc; ++k) {
      b[k] = static_cast<double>(beta.val(static_cast<index_t>(k)));
      if (!std::isfinite(b[k])) return -math::inf<double>;
    }
    auto add_log = [](double acc, double v) {  // log(e^acc + e^v)
      if (acc == -math::inf<double>) return v;
      return std::max(acc, v) + std::log1p(std::exp(-std::abs(acc - v)));
    };
    // part[j]: lse of beta_1..j (Lower) or of beta_{j+1}..K; part[0] or part[K] is the total.
    std::vector<double> part(kc + 1, -math::inf<double>);
    if constexpr (Lower) {
      for (std::size_t k = 0; k < kc; ++k) part[k + 1] = add_log(part[k], b[k]);
    } else {
      for (std::size_t k = kc; k > 0; --k) part[k - 1] = add_log(part[k], b[k - 1]);
    }
    const double lse = Lower ? part[kc] : part[0];
    std::vector<double> count(kc + 1, 0.0);  // observations per y
    double lp = 0, counted = 0;
    for (index_t i = 0; i < n; ++i) {
      const double yi = static_cast<double>(y.val(i));
      if (std::isnan(yi)) return -math::inf<double>;
      if (yi < 1 || yi >= static_cast<double>(k_count)) {
        if ((yi < 1) == Lower) return -math::inf<double>;
        continue;
      }
      const auto j = static_cast<std::size_t>(std::floor(yi));
      lp += part[j] - lse;
      count[j] += 1;
      counted += 1;
    }
    if constexpr (B::grad) {
      if (counted > 0) {
        std::vector<double> g(kc, 0.0);
        for (std::size_t j = 1; j < kc; ++j) {
          if (count[j] == 0) continue;
          if constexpr (Lower) {
            for (std::size_t k = 0; k < j; ++k) g[k] += count[j] * std::exp(b[k] - part[j]);
          } else {
            for (std::size_t k = j; k < kc; ++k) g[k] += count[j] * std::exp(b[k] - part[j]);
          }
        }
        for (std::size_t k = 0; k < kc; ++k)
          beta.add(static_cast<index_t>(k), static_cast<T>(g[k] - counted * std::exp(b[k] - lse)));
      }
    }
    return lp;
  }
  template <class Y, class B>
  static double lcdf(index_t n, const Y& y, B& beta) {
    return cdf_sum<true>(n, y, beta);
  }
  template <class Y, class B>
  static double lccdf(index_t n, const Y& y, B& beta) {
    return cdf_sum<false>(n, y, beta);
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
