#pragma once
// Posterior summary table, one row per quantity, like CmdStan's stansummary or posterior's
// summarise_draws: location, spread, quantiles and the convergence diagnostics.
#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "../core/draws.hpp"
#include "convergence.hpp"
#include "mcse.hpp"

namespace exmc {

struct summary_row {
  std::string name;
  double mean, sd;            // posterior mean and standard deviation
  double mcse_mean, mcse_sd;  // Monte Carlo standard errors of mean and sd
  double q5, q50, q95;        // 5%, 50%, 95% quantiles
  double ess_bulk, ess_tail;  // rank-normalised effective sample sizes
  double r_hat;               // rank-normalised split R-hat (max of bulk and tail)
  // Draws that are NaN or infinite. As in posterior: with a NaN every statistic is NaN; with
  // infinities only, the quantiles, bulk ESS and R-hat (all built on ranks) exist, while the
  // moments, their MCSEs and the tail ESS are NaN (the mean may be +-Inf).
  std::size_t non_finite = 0;
  std::size_t draws = 0;      // draws summarised (all chains)
};

struct summary_table {
  std::vector<summary_row> rows;

  std::size_t size() const { return rows.size(); }
  auto begin() const { return rows.begin(); }
  auto end() const { return rows.end(); }
  const summary_row& operator[](std::string_view name) const {
    for (const auto& r : rows)
      if (r.name == name) return r;
    throw model_error("summary: no quantity named '" + std::string(name) + "'");
  }
};

// Any fit object that carries its posterior draws, e.g. the NUTS fit.
template <class Fit>
concept HasPosterior = requires(const Fit& f) {
  { f.posterior } -> std::convertible_to<const draws&>;
};

namespace detail {

// Where entry `position` of a (rows x chains) matrix lands in split_chains(x), or -1 for the
// middle draw that an odd number of rows drops.
template <class = void> inline Eigen::Index split_target(Eigen::Index position, Eigen::Index rows, Eigen::Index chains) {
  if (rows <= 1) return position;
  const Eigen::Index half = rows / 2, c = position / rows, i = position % rows;
  if (i < half) return c * half + i;
  if (i >= rows - half) return (chains + c) * half + (i - (rows - half));
  return -1;
}

}  // namespace detail

// One row from a (draws x chains) matrix. The numbers are those of quantile(), mcse_mean(),
// ess_bulk(), ess_tail() and rhat(), but the draws are sorted once: the quantiles and the
// median are read off the order, the ranks of the split chains follow from it, and so do the
// ranks of the folded draws (|x - median| grows away from the median on both sides, so its
// order is a merge of the two halves). Sorting was most of the cost of a summary.
template <class = void> inline summary_row summarise(std::string name, const Eigen::MatrixXd& x) {
  detail::require_draws(x, "summary");
  const Eigen::Map<const Eigen::VectorXd> all(x.data(), x.size());
  summary_row r;
  r.name = std::move(name);
  r.non_finite = static_cast<std::size_t>((!x.array().isFinite()).count());
  r.draws = static_cast<std::size_t>(x.size());
  const double na = std::numeric_limits<double>::quiet_NaN();
  if (r.non_finite > 0 && detail::has_nan(x)) {  // reported by print(), never averaged in
    r.mean = r.sd = r.mcse_mean = r.mcse_sd = r.q5 = r.q50 = r.q95 = r.ess_bulk = r.ess_tail = r.r_hat = na;
    return r;
  }
  r.mean = x.mean();
  r.sd = r.non_finite > 0 ? na : std::sqrt(detail::sample_variance(all));
  r.mcse_mean = r.non_finite > 0 ? na : mcse_mean(x);
  r.mcse_sd = r.non_finite > 0 ? na : mcse_sd(x);

  const detail::value_order order = detail::sort_values(x);
  const std::size_t s = order.size();
  const auto value = [&](std::size_t k) { return order.value(k); };
  r.q5 = detail::type7_quantile(value, s, 0.05);
  r.q50 = detail::type7_quantile(value, s, 0.5);
  r.q95 = detail::type7_quantile(value, s, 0.95);
  r.ess_tail = detail::not_estimable(x) ? detail::not_available
                                        : detail::min_na(detail::ess_below(x, r.q5), detail::ess_below(x, r.q95));

  const Eigen::Index rows = x.rows(), chains = x.cols();
  const Eigen::Index split_rows = rows <= 1 ? rows : rows / 2, split_cols = rows <= 1 ? chains : 2 * chains;
  Eigen::MatrixXd z(split_rows, split_cols);
  detail::rank_normalise_ordered(
      s, value, [&](std::size_t k) { return detail::split_target(order.positions[k], rows, chains); }, z);
  r.ess_bulk = detail::ess_of_chains(z);
  const double rhat_bulk = detail::rhat_of_chains(z);

  // The folded draws in increasing order: walk down from the median on the left, up on the right.
  const double median = s % 2 == 1 ? value(s / 2) : 0.5 * (value(s / 2 - 1) + value(s / 2));
  if (!std::isfinite(median)) {  // |x - median| is NaN for the infinite draws: no tail R-hat
    r.r_hat = na;
    return r;
  }
  const auto folded = [&](std::size_t k) { return std::abs(value(k) - median); };
  std::vector<std::uint32_t> fold_order(s);  // indices into `order`
  std::size_t right = 0;
  while (right < s && value(right) < median) ++right;
  for (std::size_t left = right, k = 0; k < s; ++k)
    fold_order[k] = static_cast<std::uint32_t>(
        (right == s || (left > 0 && folded(left - 1) <= folded(right))) ? --left : right++);
  detail::rank_normalise_ordered(
      s, [&](std::size_t k) { return folded(fold_order[k]); },
      [&](std::size_t k) { return detail::split_target(order.positions[fold_order[k]], rows, chains); }, z);
  r.r_hat = detail::max_na(rhat_bulk, detail::rhat_of_chains(z));
  return r;
}

namespace detail {

template <class = void> inline void require_consistent(const draws& d, const char* who) {
  if (d.num_chains() == 0) throw model_error(std::string(who) + ": the draws hold no chains");
  for (Eigen::Index c = 0; c < d.num_chains(); ++c)
    if (d.chains[static_cast<std::size_t>(c)].cols() != d.num_quantities())
      throw model_error(std::string(who) + ": chain " + std::to_string(c + 1) + " has " +
                        std::to_string(d.chains[static_cast<std::size_t>(c)].cols()) + " columns but there are " +
                        std::to_string(d.num_quantities()) + " names");
  if (d.num_draws() == 0) throw model_error(std::string(who) + ": the draws hold no iterations");
}

}  // namespace detail

// Summary of every quantity in the draws (chains cut to the shortest one).
// Quantities are independent, so they are summarised on all hardware threads.
template <class = void> inline summary_table summary(const draws& d) {
  detail::require_consistent(d, "summary");
  summary_table t;
  const auto k = static_cast<std::size_t>(d.num_quantities());
  t.rows.resize(k);
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t j = next++; j < k; j = next++)
      t.rows[j] = summarise(d.names[j], d.column(static_cast<Eigen::Index>(j)));
  };
  const std::size_t threads = std::min<std::size_t>(std::max(1u, std::thread::hardware_concurrency()), k);
  if (threads <= 1) {
    work();
  } else {
    std::vector<std::jthread> pool;
    for (std::size_t i = 0; i < threads; ++i) pool.emplace_back(work);
  }
  return t;
}

// With `lp` and sampler statistics (the NUTS fit, or a fit read from Stan CSV) the table starts
// with lp__, the log density up to a constant, as CmdStan's stansummary does (the command line
// prints it so). Off by default: rows stay one per posterior quantity, in order.
template <HasPosterior Fit>
summary_table summary(const Fit& fit, bool lp = false) {
  summary_table t = summary(static_cast<const draws&>(fit.posterior));
  if constexpr (requires { fit.sample_stats.names; fit.sample_stats.column(0); }) {
    if (!lp) return t;
    const auto& names = fit.sample_stats.names;
    const auto lp = std::find(names.begin(), names.end(), "lp__");
    if (lp != names.end() && fit.sample_stats.num_chains() == fit.posterior.num_chains())
      t.rows.insert(t.rows.begin(), summarise("lp__", fit.sample_stats.column(lp - names.begin())));
  }
  return t;
}

namespace detail {

template <class = void> inline std::string format_cell(double v, const char* fmt) {
  if (std::isnan(v)) return "NA";
  if (std::isinf(v)) return v > 0 ? "Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

}  // namespace detail

// Prints the table with right-aligned columns sized to their content. Values get
// `sig_figs` significant digits, ESS whole numbers, R-hat three decimals; NA where a
// diagnostic is undefined (e.g. constant draws).
template <class = void> inline void print(std::ostream& os, const summary_table& t, int sig_figs = 3) {
  const std::string value_fmt = "%." + std::to_string(std::clamp(sig_figs, 1, 17)) + "g";
  const std::vector<std::string> header = {"",   "Mean", "MCSE", "StdDev",   "MCSE_SD",  "5%",
                                           "50%", "95%", "ESS_bulk", "ESS_tail", "R_hat"};
  std::vector<std::vector<std::string>> cells = {header};
  for (const auto& r : t.rows) {
    std::vector<std::string> line = {r.name};
    for (const double v : {r.mean, r.mcse_mean, r.sd, r.mcse_sd, r.q5, r.q50, r.q95})
      line.push_back(detail::format_cell(v, value_fmt.c_str()));
    line.push_back(detail::format_cell(r.ess_bulk, "%.0f"));
    line.push_back(detail::format_cell(r.ess_tail, "%.0f"));
    line.push_back(detail::format_cell(r.r_hat, "%.3f"));
    cells.push_back(std::move(line));
  }
  std::string notes;
  for (const auto& r : t.rows)
    if (r.non_finite > 0)
      notes += r.name + " has " + std::to_string(r.non_finite) + " non-finite draws (NaN or Inf) of " + std::to_string(r.draws) +
               (std::isnan(r.q50) ? "; its statistics are NA\n" : "; its moments, their MCSEs and the tail ESS are NA\n");
  std::vector<std::size_t> width(header.size(), 0);
  for (const auto& line : cells)
    for (std::size_t c = 0; c < line.size(); ++c) width[c] = std::max(width[c], line[c].size());
  std::string out;
  for (const auto& line : cells) {
    // Names left-aligned, numbers right-aligned, two spaces between columns.
    out += line[0] + std::string(width[0] - line[0].size(), ' ');
    for (std::size_t c = 1; c < line.size(); ++c) out += "  " + std::string(width[c] - line[c].size(), ' ') + line[c];
    out += '\n';
  }
  os << out << notes;
}

inline std::ostream& operator<<(std::ostream& os, const summary_table& t) {
  print(os, t);
  return os;
}

}  // namespace exmc
