#pragma once
// Comparison of several models fitted to the same observations by their expected log
// predictive density, as loo::loo_compare: best model first, differences paired by
// observation so that their standard error accounts for the correlation between models.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <numeric>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loo.hpp"

namespace exmc {

struct comparison_row {
  std::string name;
  double elpd_diff;  // elpd of this model minus elpd of the best (0 for the best, else < 0)
  double se_diff;    // standard error of the paired difference
  double elpd, se_elpd;
  double p, se_p;  // effective number of parameters (p_loo or p_waic)
};

struct comparison {
  std::vector<comparison_row> rows;  // best model first
  std::vector<std::string> warnings;

  const comparison_row& operator[](std::string_view name) const {
    for (const auto& r : rows)
      if (r.name == name) return r;
    throw model_error("comparison: no model named '" + std::string(name) + "'");
  }
};

namespace detail {

template <class = void> inline double elpd_of(const loo_result& r) { return r.elpd_loo; }
template <class = void> inline double elpd_of(const waic_result& r) { return r.elpd_waic; }
template <class = void> inline std::pair<double, double> p_of(const loo_result& r) { return {r.p_loo, r.se_p_loo}; }
template <class = void> inline std::pair<double, double> p_of(const waic_result& r) { return {r.p_waic, r.se_p_waic}; }
template <class = void> inline double se_elpd_of(const loo_result& r) { return r.se_elpd_loo; }
template <class = void> inline double se_elpd_of(const waic_result& r) { return r.se_elpd_waic; }

template <class Result>
comparison compare_results(const std::vector<std::pair<std::string, Result>>& models) {
  if (models.size() < 2) throw model_error("compare: need at least two models, got " + std::to_string(models.size()));
  const Eigen::Index n = models.front().second.pointwise_elpd.size();
  for (const auto& [name, r] : models)
    if (r.pointwise_elpd.size() != n)
      throw model_error("compare: model '" + name + "' has " + std::to_string(r.pointwise_elpd.size()) +
                        " observations, model '" + models.front().first + "' has " + std::to_string(n) +
                        "; models must be compared on the same data");

  std::vector<std::size_t> order(models.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Stable, so ties keep the order given (as R's order()).
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return elpd_of(models[a].second) > elpd_of(models[b].second); });

  comparison out;
  const Eigen::VectorXd& best = models[order.front()].second.pointwise_elpd;
  for (const std::size_t m : order) {
    const auto& [name, r] = models[m];
    const Eigen::VectorXd diff = r.pointwise_elpd - best;
    const auto [p, se_p] = p_of(r);
    out.rows.push_back({name, diff.sum(), std::sqrt(static_cast<double>(n)) * std::sqrt(sample_variance(diff)),
                        elpd_of(r), se_elpd_of(r), p, se_p});
    for (const auto& w : r.warnings()) out.warnings.push_back("model '" + name + "': " + w);
  }
  return out;
}

}  // namespace detail

// compare({{"normal", loo(ll_a)}, {"student", loo(ll_b)}}).
template <class = void> inline comparison compare(const std::vector<std::pair<std::string, loo_result>>& models) {
  return detail::compare_results(models);
}
template <class = void> inline comparison compare(const std::vector<std::pair<std::string, waic_result>>& models) {
  return detail::compare_results(models);
}

inline std::ostream& operator<<(std::ostream& os, const comparison& c) {
  std::size_t width = 5;
  for (const auto& r : c.rows) width = std::max(width, r.name.size());
  std::ostringstream s;
  s << std::left << std::setw(static_cast<int>(width)) << "model" << std::right;
  for (const char* h : {"elpd_diff", "se_diff", "elpd", "se_elpd", "p", "se_p"}) s << std::setw(11) << h;
  s << '\n' << std::fixed << std::setprecision(1);
  for (const auto& r : c.rows) {
    s << std::left << std::setw(static_cast<int>(width)) << r.name << std::right;
    for (const double v : {r.elpd_diff, r.se_diff, r.elpd, r.se_elpd, r.p, r.se_p}) s << std::setw(11) << v;
    s << '\n';
  }
  for (const auto& w : c.warnings) s << "Warning: " << w << '\n';
  return os << s.str();
}

}  // namespace exmc
