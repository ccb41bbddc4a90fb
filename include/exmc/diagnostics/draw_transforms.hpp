#pragma once
// Transformations of a (draws x chains) matrix that the convergence diagnostics share:
// splitting chains in halves, rank normalisation, folding, and R's type-7 quantile.
#include <Eigen/Core>
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "../core/error.hpp"
#include "../math/special.hpp"

namespace exmc {

namespace detail {

inline constexpr double not_available = std::numeric_limits<double>::quiet_NaN();

template <class = void> inline void require_draws(const Eigen::MatrixXd& x, const char* who) {
  if (x.rows() == 0 || x.cols() == 0)
    throw model_error(std::string(who) + ": the draws matrix is empty (" + std::to_string(x.rows()) +
                      " draws x " + std::to_string(x.cols()) + " chains); need at least one draw");
}

template <class = void> inline bool has_nan(const Eigen::MatrixXd& x) { return x.array().isNaN().any(); }

// The quantities a diagnostic cannot estimate: anything non-finite, or a (numerically)
// constant set of draws, whose variance is zero. Mirrors posterior's should_return_NA.
template <class = void> inline bool not_estimable(const Eigen::MatrixXd& x) {
  if (!x.allFinite()) return true;
  return std::abs(x.maxCoeff() - x.minCoeff()) < std::numeric_limits<double>::epsilon();
}

// Each chain cut in two halves, so that a chain drifting within itself shows up as two
// chains that disagree. With an odd number of draws the middle draw is dropped.
template <class = void> inline Eigen::MatrixXd split_chains(const Eigen::MatrixXd& x) {
  const Eigen::Index n = x.rows();
  if (n <= 1) return x;
  const Eigen::Index half = n / 2;
  Eigen::MatrixXd out(half, 2 * x.cols());
  out.leftCols(x.cols()) = x.topRows(half);
  out.rightCols(x.cols()) = x.bottomRows(half);
  return out;
}

// Order-preserving map of a double (not NaN) to an unsigned integer: negatives get all bits
// flipped, the rest only the sign bit. -0.0 is mapped as +0.0 so that equal values share a key.
inline std::uint64_t order_key(double v) {
  const auto bits = std::bit_cast<std::uint64_t>(v == 0.0 ? 0.0 : v);
  return (bits >> 63) != 0 ? ~bits : bits | (std::uint64_t{1} << 63);
}

// The inverse of order_key (-0.0 comes back as +0.0).
template <class = void> inline double key_value(std::uint64_t key) {
  return std::bit_cast<double>((key >> 63) != 0 ? key & ~(std::uint64_t{1} << 63) : ~key);
}

// The entries of a matrix in increasing order: their order keys and their (column-major)
// positions, kept in two arrays because the radix passes below move both.
struct value_order {
  std::vector<std::uint64_t> keys;
  std::vector<std::uint32_t> positions;
  std::size_t size() const { return keys.size(); }
  double value(std::size_t k) const { return key_value(keys[k]); }  // the k-th smallest
};

// Least-significant-digit radix sort on the order keys, 8-bit digits. A summary ranks hundreds
// of thousands of draws per quantity; there this is about three times faster than sorting
// (value, position) pairs with std::sort. A digit on which every key agrees (the sign and the
// top of the exponent, typically) costs its share of one counting pass and no scatter.
template <class = void> inline value_order sort_values(const Eigen::MatrixXd& x) {
  const auto s = static_cast<std::size_t>(x.size());
  if (s > std::numeric_limits<std::uint32_t>::max())
    throw model_error(str_cat({"ranks: ", std::to_string(s), " draws of one quantity are more than 2^32 - 1"}));
  value_order o;
  o.keys.resize(s);
  o.positions.resize(s);
  for (std::size_t i = 0; i < s; ++i) {
    o.keys[i] = order_key(x.data()[i]);
    o.positions[i] = static_cast<std::uint32_t>(i);
  }
  constexpr int digit_bits = 8;
  constexpr int passes = 64 / digit_bits;
  constexpr std::size_t buckets = std::size_t{1} << digit_bits;
  std::vector<std::size_t> count(passes * buckets, 0);
  for (const std::uint64_t k : o.keys)
    for (int p = 0; p < passes; ++p) ++count[p * buckets + ((k >> (p * digit_bits)) & (buckets - 1))];
  std::vector<std::uint64_t> keys(s);
  std::vector<std::uint32_t> positions(s);
  for (int p = 0; p < passes; ++p) {
    std::size_t* c = count.data() + p * buckets;
    if (std::find(c, c + buckets, s) != c + buckets) continue;  // one digit value for all keys
    std::size_t offset = 0;
    for (std::size_t b = 0; b < buckets; ++b) offset += std::exchange(c[b], offset);
    for (std::size_t i = 0; i < s; ++i) {
      const std::size_t to = c[(o.keys[i] >> (p * digit_bits)) & (buckets - 1)]++;
      keys[to] = o.keys[i];
      positions[to] = o.positions[i];
    }
    o.keys.swap(keys);
    o.positions.swap(positions);
  }
  return o;
}

// The normal scores of ranks 1..s with Blom's offset 3/8, per thread for the last s seen:
// without ties these are the same s numbers for every quantity of a summary (only their order
// differs), and the normal quantile is the costliest step of rank normalisation after the sort.
// Double precision throughout: Boost would otherwise promote to long double.
template <class = void> inline double normal_score(double rank, std::size_t s) {
  constexpr double c = 3.0 / 8.0;
  return math::normal_quantile((rank - c) / (static_cast<double>(s) - 2.0 * c + 1.0));
}
inline const std::vector<double>& normal_scores(std::size_t s) {
  thread_local std::vector<double> scores;
  if (scores.size() != s) {
    scores.resize(s);
    for (std::size_t r = 0; r < s; ++r) scores[r] = normal_score(static_cast<double>(r + 1), s);
  }
  return scores;
}

// Rank normalisation from an ordering: entries are visited in increasing order of their value,
// value(k) and target(k) being the value and the destination in `out` of the k-th (-1 for an
// entry left out). Ranks count only the entries kept; ties get the score of their average rank.
template <class Value, class Target>
void rank_normalise_ordered(std::size_t count, Value&& value, Target&& target, Eigen::MatrixXd& out) {
  const auto s = static_cast<std::size_t>(out.size());
  const std::vector<double>& scores = normal_scores(s);
  std::vector<Eigen::Index> group;  // destinations of the current group of equal values
  double group_value = 0.0;
  std::size_t rank0 = 0;  // 0-based rank of the group's first entry
  const auto flush = [&] {
    const std::size_t n = group.size();
    const double z = n == 1 ? scores[rank0] : normal_score(0.5 * static_cast<double>(2 * rank0 + 1 + n), s);
    for (const Eigen::Index i : group) out.data()[i] = z;
    rank0 += n;
    group.clear();
  };
  for (std::size_t k = 0; k < count; ++k) {
    const Eigen::Index to = target(k);
    if (to < 0) continue;
    const double v = value(k);
    if (!group.empty() && v != group_value) flush();
    group_value = v;
    group.push_back(to);
  }
  if (!group.empty()) flush();
}

// Rank normalisation (Vehtari et al. 2021): ranks mapped through the normal quantile with
// Blom's offset 3/8. The result has the same ranks but no heavy tails, so R-hat and ESS
// computed on it exist even when the draws have no finite variance.
template <class = void> inline Eigen::MatrixXd z_scale(const Eigen::MatrixXd& x) {
  if (has_nan(x)) return Eigen::MatrixXd::Constant(x.rows(), x.cols(), not_available);
  const value_order o = sort_values(x);
  Eigen::MatrixXd z(x.rows(), x.cols());
  rank_normalise_ordered(
      o.size(), [&](std::size_t k) { return o.value(k); },
      [&](std::size_t k) { return static_cast<Eigen::Index>(o.positions[k]); }, z);
  return z;
}

// Sorted copy of all entries.
template <class = void> inline std::vector<double> sorted_values(const Eigen::MatrixXd& x) {
  std::vector<double> v(x.data(), x.data() + x.size());
  std::sort(v.begin(), v.end());
  return v;
}

// R's type-7 quantile from order statistics: at(k) is the k-th smallest of s values (0-based),
// asked only for k = floor((s - 1) p) and the one after it.
template <class At>
double type7_quantile(At&& at, std::size_t s, double p) {
  const double index = static_cast<double>(s - 1) * p;
  const auto lo = static_cast<std::size_t>(std::floor(index));
  double q = at(lo);
  const double h = index - std::floor(index);
  if (h > 0 && lo + 1 < s) {
    const double next = at(lo + 1);
    if (next != q) q = (1.0 - h) * q + h * next;
  }
  return q;
}

// Type-7 quantile by selection, O(n): after nth_element puts the lo-th smallest in place, the
// next order statistic is the smallest value above it.
template <class = void> inline double quantile_select(std::vector<double> v, double p) {
  const auto lo = static_cast<std::size_t>(std::floor(static_cast<double>(v.size() - 1) * p));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(lo), v.end());
  const auto at = [&](std::size_t k) {
    return k == lo ? v[lo] : *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(lo) + 1, v.end());
  };
  return type7_quantile(at, v.size(), p);
}

template <class = void> inline double median(const Eigen::MatrixXd& x) {
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
template <class = void> inline Eigen::MatrixXd fold(const Eigen::MatrixXd& x) { return (x.array() - median(x)).abs().matrix(); }

}  // namespace detail

// The p-quantile of all draws (R's type 7, which posterior's summaries use).
template <class = void> inline double quantile(const Eigen::MatrixXd& x, double p) {
  detail::require_draws(x, "quantile");
  if (!(p >= 0.0 && p <= 1.0)) throw model_error("quantile: probability " + std::to_string(p) + " is not in [0, 1]");
  if (detail::has_nan(x)) return detail::not_available;
  return detail::quantile_select(std::vector<double>(x.data(), x.data() + x.size()), p);
}

}  // namespace exmc
