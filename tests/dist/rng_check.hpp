#pragma once
// Goodness-of-fit checks for the families' random generators. Every check uses a fixed seed, so
// it is deterministic; its threshold (a p-value of 1e-4, or 5 standard errors for moments) is one
// a correct generator fails with negligible probability for that seed, while a wrong scale,
// shift or shape fails it outright at the sample sizes used.
#include <boost/math/distributions/chi_squared.hpp>
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include <exmc/core/random.hpp>

namespace exmc::test {

// Draws n values from draw(g).
inline std::vector<double> draw_many(std::size_t n, std::uint64_t seed, const std::function<double(rng&)>& draw) {
  rng g(seed, 0);
  std::vector<double> out(n);
  for (auto& x : out) x = draw(g);
  return out;
}

// Asymptotic p-value of the one-sample Kolmogorov-Smirnov statistic D for n draws
// (Kolmogorov's series with Stephens' small-sample correction of the argument).
inline double ks_p_value(double d, std::size_t n) {
  const double sn = std::sqrt(static_cast<double>(n));
  const double t = (sn + 0.12 + 0.11 / sn) * d;
  if (t < 0.2) return 1.0;
  double p = 0;
  for (int k = 1; k <= 100; ++k) {
    const double term = 2.0 * ((k % 2) ? 1.0 : -1.0) * std::exp(-2.0 * k * k * t * t);
    p += term;
    if (std::abs(term) < 1e-16) break;
  }
  return std::clamp(p, 0.0, 1.0);
}

// Kolmogorov-Smirnov test of continuous draws against cdf: requires p > 1e-4.
inline void check_ks(std::vector<double> x, const std::function<double(double)>& cdf, const char* what) {
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  double d = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double f = cdf(x[i]);
    d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  const double p = ks_p_value(d, x.size());
  INFO(what << ": KS statistic " << d << ", p-value " << p);
  CHECK(p > 1e-4);
}

// Chi-square test of integer draws against pmf on {lo, lo + 1, ...}: cells with expected count
// below 5 are merged into their neighbours, the upper tail into the last cell. Requires p > 1e-4.
inline void check_chi_square(const std::vector<double>& x, const std::function<double(int)>& pmf, int lo,
                             const char* what) {
  const double n = static_cast<double>(x.size());
  std::vector<double> expected, observed;
  std::vector<int> cell_of_value;  // value - lo -> cell
  double acc_e = 0, covered = 0;
  int v = lo;
  for (; covered < 1.0 - 1e-12 && v < lo + 100000; ++v) {
    const double p = pmf(v);
    covered += p;
    acc_e += p * n;
    cell_of_value.push_back(static_cast<int>(expected.size()));
    if (acc_e >= 5) {
      expected.push_back(acc_e);
      acc_e = 0;
    }
  }
  if (expected.empty()) expected.push_back(0);
  expected.back() += acc_e + (1.0 - covered) * n;  // remainder and the upper tail
  observed.assign(expected.size(), 0.0);
  for (double xi : x) {
    const int k = static_cast<int>(xi) - lo;
    if (k < 0) FAIL(what << ": draw " << xi << " below the support's lower end " << lo);
    const int cell = k < static_cast<int>(cell_of_value.size()) ? std::min(cell_of_value[static_cast<std::size_t>(k)], static_cast<int>(expected.size()) - 1)
                                                                : static_cast<int>(expected.size()) - 1;
    observed[static_cast<std::size_t>(cell)] += 1;
  }
  double stat = 0;
  for (std::size_t k = 0; k < expected.size(); ++k)
    stat += (observed[k] - expected[k]) * (observed[k] - expected[k]) / expected[k];
  const double dof = static_cast<double>(expected.size()) - 1;
  const double p = dof > 0 ? boost::math::cdf(boost::math::complement(boost::math::chi_squared(dof), stat)) : 1.0;
  INFO(what << ": chi-square " << stat << " on " << dof << " degrees of freedom, p-value " << p);
  CHECK(p > 1e-4);
}

// Sample mean within 5 standard errors of mean (sd: the distribution's standard deviation).
inline void check_mean(const std::vector<double>& x, double mean, double sd, const char* what) {
  double m = 0;
  for (double v : x) m += v;
  m /= static_cast<double>(x.size());
  INFO(what << ": sample mean " << m << ", expected " << mean);
  CHECK(std::abs(m - mean) < 5 * sd / std::sqrt(static_cast<double>(x.size())));
}

}  // namespace exmc::test
