#pragma once
// Transformations of a (draws x chains) matrix that the convergence diagnostics share:
// splitting chains in halves, rank normalisation, folding, and R's type-7 quantile.
#include <Eigen/Core>
#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "../core/error.hpp"

namespace exmc {

namespace detail {

inline constexpr double not_available = std::numeric_limits<double>::quiet_NaN();

inline void require_draws(const Eigen::MatrixXd& x, const char* who) {
  if (x.rows() == 0 || x.cols() == 0)
    throw model_error(std::string(who) + ": the draws matrix is empty (" + std::to_string(x.rows()) +
                      " draws x " + std::to_string(x.cols()) + " chains); need at least one draw");
}

inline bool has_nan(const Eigen::MatrixXd& x) { return x.array().isNaN().any(); }

// The quantities a diagnostic cannot estimate: anything non-finite, or a (numerically)
// constant set of draws, whose variance is zero. Mirrors posterior's should_return_NA.
inline bool not_estimable(const Eigen::MatrixXd& x) {
  if (!x.allFinite()) return true;
  return std::abs(x.maxCoeff() - x.minCoeff()) < std::numeric_limits<double>::epsilon();
}

// Each chain cut in two halves, so that a chain drifting within itself shows up as two
// chains that disagree. With an odd number of draws the middle draw is dropped.
inline Eigen::MatrixXd split_chains(const Eigen::MatrixXd& x) {
  const Eigen::Index n = x.rows();
  if (n <= 1) return x;
  const Eigen::Index half = n / 2;
  Eigen::MatrixXd out(half, 2 * x.cols());
  out.leftCols(x.cols()) = x.topRows(half);
  out.rightCols(x.cols()) = x.bottomRows(half);
  return out;
}

// Ranks 1..S of all entries together, ties replaced by their average rank.
inline Eigen::MatrixXd average_ranks(const Eigen::MatrixXd& x) {
  const Eigen::Index s = x.size();
  // Sorting (value, position) pairs keeps the values next to their indices (cache friendly);
  // stability does not matter because ties receive their average rank.
  std::vector<std::pair<double, Eigen::Index>> order(static_cast<std::size_t>(s));
  for (Eigen::Index i = 0; i < s; ++i) order[static_cast<std::size_t>(i)] = {x.data()[i], i};
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  Eigen::MatrixXd ranks(x.rows(), x.cols());
  double* r = ranks.data();
  for (Eigen::Index i = 0; i < s;) {
    Eigen::Index j = i + 1;
    while (j < s && order[static_cast<std::size_t>(j)].first == order[static_cast<std::size_t>(i)].first) ++j;
    const double average = 0.5 * static_cast<double>(i + 1 + j);  // mean of ranks i+1..j
    for (Eigen::Index k = i; k < j; ++k) r[order[static_cast<std::size_t>(k)].second] = average;
    i = j;
  }
  return ranks;
}

// Rank normalisation (Vehtari et al. 2021): ranks mapped through the normal quantile with
// Blom's offset 3/8. The result has the same ranks but no heavy tails, so R-hat and ESS
// computed on it exist even when the draws have no finite variance.
inline Eigen::MatrixXd z_scale(const Eigen::MatrixXd& x) {
  if (has_nan(x)) return Eigen::MatrixXd::Constant(x.rows(), x.cols(), not_available);
  const double s = static_cast<double>(x.size());
  constexpr double c = 3.0 / 8.0;
  // Double precision throughout: Boost would otherwise promote to long double, the most
  // expensive step of a summary after the sorts.
  using fast = boost::math::policies::policy<boost::math::policies::promote_double<false>>;
  const boost::math::normal_distribution<double, fast> standard;
  Eigen::MatrixXd z = average_ranks(x);
  for (Eigen::Index i = 0; i < z.size(); ++i)
    z.data()[i] = boost::math::quantile(standard, (z.data()[i] - c) / (s - 2.0 * c + 1.0));
  return z;
}

// Sorted copy of all entries.
inline std::vector<double> sorted_values(const Eigen::MatrixXd& x) {
  std::vector<double> v(x.data(), x.data() + x.size());
  std::sort(v.begin(), v.end());
  return v;
}

// Type-7 quantile by selection, O(n): the order statistic at floor((n - 1) p) and the smallest
// value above it are all the interpolation needs.
inline double quantile_select(std::vector<double> v, double p) {
  const double index = static_cast<double>(v.size() - 1) * p;  // 0-based
  const auto lo_i = static_cast<std::size_t>(std::floor(index));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(lo_i), v.end());
  double q = v[lo_i];
  const double h = index - std::floor(index);
  if (h > 0 && lo_i + 1 < v.size()) {
    const double next = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(lo_i) + 1, v.end());
    if (next != q) q = (1.0 - h) * q + h * next;
  }
  return q;
}

inline double median(const Eigen::MatrixXd& x) {
  if (has_nan(x)) return not_available;
  std::vector<double> v(x.data(), x.data() + x.size());
  const std::size_t n = v.size();
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(v.begin(), mid, v.end());
  if (n % 2 == 1) return *mid;
  return 0.5 * (*std::max_element(v.begin(), mid) + *mid);
}

// |x - median|: its spread is large when the tails of the chains disagree, so R-hat of the
// folded draws detects differences in scale that the location R-hat misses.
inline Eigen::MatrixXd fold(const Eigen::MatrixXd& x) { return (x.array() - median(x)).abs().matrix(); }

}  // namespace detail

// The p-quantile of all draws (R's type 7, which posterior's summaries use).
inline double quantile(const Eigen::MatrixXd& x, double p) {
  detail::require_draws(x, "quantile");
  if (!(p >= 0.0 && p <= 1.0)) throw model_error("quantile: probability " + std::to_string(p) + " is not in [0, 1]");
  if (detail::has_nan(x)) return detail::not_available;
  return detail::quantile_select(std::vector<double>(x.data(), x.data() + x.size()), p);
}

}  // namespace exmc
