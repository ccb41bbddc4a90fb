#pragma once
// The reweighting half of tempered SMC: choosing the next temperature, the evidence increment,
// and systematic resampling. Pure functions of the particles' log likelihoods.
#include <Eigen/Core>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "../core/random.hpp"

namespace exmc::smc_detail {

// log(mean(exp(x))), stable.
inline double log_mean_exp(const Eigen::VectorXd& x) {
  const double m = x.maxCoeff();
  if (!std::isfinite(m)) return m;
  return m + std::log((x.array() - m).exp().mean());
}

// Effective sample size (sum w)^2 / sum w^2 of weights w = exp(delta * ll), delta > 0; entries
// ll = -inf (zero likelihood) get weight 0.
inline double weights_ess(const Eigen::VectorXd& ll, double delta) {
  const Eigen::ArrayXd lw = delta * ll.array();
  const double m = lw.maxCoeff();
  const Eigen::ArrayXd w = (lw - m).exp();
  return w.sum() * w.sum() / w.square().sum();
}

// Largest increment delta in (0, 1 - beta] whose weights exp(delta * ll) keep an ESS of at least
// `target` particles, by bisection (the ESS falls as delta grows). When even a vanishing step
// falls below the target (a likelihood spread beyond double range) the smallest step that
// bisection separates from zero is taken, so tempering always progresses.
inline double next_increment(const Eigen::VectorXd& ll, double beta, double target) {
  const double room = 1.0 - beta;
  if (weights_ess(ll, room) >= target) return room;
  double lo = 0.0, hi = room;
  for (int i = 0; i < 200 && hi - lo > 1e-14 * room; ++i) {
    const double mid = 0.5 * (lo + hi);
    (weights_ess(ll, mid) >= target ? lo : hi) = mid;
  }
  return lo > 0.0 ? lo : hi;
}

// Systematic resampling: one uniform u, parent of slot i is the particle whose cumulative
// normalised weight first exceeds (i + u) / n. Low variance, and the number of copies of each
// particle differs from n w_i by less than one.
inline std::vector<std::size_t> systematic_resample(const Eigen::VectorXd& log_w, rng& g) {
  const auto n = static_cast<std::size_t>(log_w.size());
  const double m = log_w.maxCoeff();
  Eigen::ArrayXd w = (log_w.array() - m).exp();
  w /= w.sum();
  std::vector<std::size_t> parent(n);
  const double u = g.uniform_pos();  // never 0, so a leading zero-weight particle is never chosen
  double cum = w[0];
  std::size_t j = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double point = (static_cast<double>(i) + u) / static_cast<double>(n);
    while (point > cum && j + 1 < n) cum += w[static_cast<Eigen::Index>(++j)];
    parent[i] = j;
  }
  return parent;
}

}  // namespace exmc::smc_detail
