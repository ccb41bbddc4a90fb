#pragma once
// exmc::pathfinder: variational inference along the L-BFGS optimisation path (Zhang, Carpenter,
// Gelman and Vehtari 2022). Each path runs L-BFGS from a random start; at every iterate it
// forms a diagonal-plus-low-rank normal approximation, estimates its ELBO by Monte Carlo, and
// keeps the best one. Several paths pool their draws and importance-resample them with
// Pareto-smoothed weights.
//
//   exmc::pathfinder_options o;  o.paths = 4;  o.seed = 7;
//   exmc::pathfinder_result p = exmc::pathfinder(density, o);
//   exmc::summary(p.posterior);                          // one "chain" of draws
//   exmc::sample_options s;  s.chains = 1;  s.warmup = 300;
//   exmc::fit f = exmc::sample(density, exmc::pathfinder_init(p, s));  // NUTS started from it
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "../core/any_density.hpp"
#include "../core/draws.hpp"
#include "../core/error.hpp"
#include "../core/log_density.hpp"
#include "../core/random.hpp"
#include "../diagnostics/psis.hpp"
#include "../nuts/options.hpp"
#include "../optimize/lbfgs.hpp"
#include "../optimize/objective.hpp"
#include "pathfinder_approx.hpp"

namespace exmc {

struct pathfinder_options : start_options {
  int paths = 4;             // independent L-BFGS paths, each from its own random start
  int draws_per_path = 1000; // draws from each path's best approximation
  int draws = 1000;          // draws returned after importance resampling
  bool resample = true;      // false: return the pooled draws of all paths unweighted
  int elbo_draws = 25;       // Monte Carlo draws per ELBO estimate
  int history = 6;           // L-BFGS (s, y) pairs, also the rank / 2 of the approximation
  int max_iterations = 1000;
  double tol_grad = 1e-8;
  double tol_rel_obj = 1e-12;
  double tol_step = 1e-12;
};

// What one path found.
struct pathfinder_path {
  lbfgs_status status = lbfgs_status::non_finite_start;
  std::string message;
  int iterations = 0;           // L-BFGS iterations
  int best_iterate = -1;        // iterate whose approximation was chosen (0 = start); -1: none
  double elbo = -std::numeric_limits<double>::infinity();  // of the chosen approximation
  Eigen::VectorXd elbos;        // per iterate (-inf where no approximation could be formed)
  Eigen::VectorXd mean;         // of the chosen approximation, unconstrained
  Eigen::VectorXd variances;    // its marginal variances
  bool ok() const { return best_iterate >= 0; }
};

struct pathfinder_result {
  draws posterior;                // one chain: draws x constrained quantities
  Eigen::MatrixXd unconstrained;  // the same draws, unconstrained (draws x dim())
  Eigen::VectorXd lp;             // log density of each draw
  Eigen::VectorXd lq;             // log density under the path approximation that drew it
  // Of the pooled importance ratios (approximation_pareto_k): <= 0.7 good, -inf exact.
  double pareto_k = std::numeric_limits<double>::infinity();
  double importance_ess = 0.0;    // effective sample size of the smoothed importance weights
  std::vector<pathfinder_path> paths;
  Eigen::VectorXd inv_metric_diag;  // variances of the mixture of the paths' approximations
  std::size_t grad_evals = 0;       // everything: starts, L-BFGS, ELBO and final draws
};

namespace detail {

inline void validate_pathfinder(const pathfinder_options& o) {
  const std::string who = "pathfinder";
  auto at_least = [&](const char* name, int v, int lo) {
    if (v < lo) bad_option(who, std::string(name) + " must be at least " + std::to_string(lo) + " (got " + std::to_string(v) + ")");
  };
  at_least("paths", o.paths, 1);
  at_least("draws_per_path", o.draws_per_path, 1);
  at_least("draws", o.draws, 1);
  at_least("elbo_draws", o.elbo_draws, 1);
  at_least("history", o.history, 1);
  at_least("max_iterations", o.max_iterations, 1);
  if (o.history > 1000) bad_option(who, "history must be at most 1000 (got " + std::to_string(o.history) + ")");
  if (!(o.tol_grad >= 0.0) || !(o.tol_rel_obj >= 0.0) || !(o.tol_step >= 0.0))
    bad_option(who, "tol_grad, tol_rel_obj and tol_step must be >= 0");
}

struct path_draws {
  Eigen::MatrixXd q;  // draws x n
  Eigen::VectorXd lp, lq;
};

// One path: L-BFGS from its own start, an approximation and ELBO per iterate, then draws from
// the best. Streams 2p (start) and 2p + 1 (Monte Carlo) of the seed make paths independent of
// each other and of how many there are.
template <LogDensity D>
pathfinder_path run_path(double_density<D>& f, const pathfinder_options& o, int p, path_draws& out) {
  pathfinder_path res;
  const auto stream = static_cast<std::uint64_t>(p);
  Eigen::VectorXd start;
  try {
    start = find_start("pathfinder", f, o, 2 * stream);
  } catch (const sampling_error& e) {
    res.message = e.what();
    return res;
  }
  lbfgs_options lo;
  lo.history = o.history;
  lo.max_iterations = o.max_iterations;
  lo.tol_grad = o.tol_grad;
  lo.tol_rel_obj = o.tol_rel_obj;
  lo.tol_step = o.tol_step;
  const lbfgs_result l = lbfgs_maximize(f, start, lo, true);
  res.status = l.status;
  res.message = l.message;
  res.iterations = l.iterations;

  rng r(o.seed, 2 * stream + 1);
  const Eigen::Index n = f.dim();
  curvature_history hist(n, o.history);
  Eigen::VectorXd u(n), x(n), g(n);
  std::optional<lowrank_normal> best;
  res.elbos = Eigen::VectorXd::Constant(static_cast<Eigen::Index>(l.path.size()), -std::numeric_limits<double>::infinity());
  for (std::size_t i = 1; i < l.path.size(); ++i) {
    const auto& prev = l.path[i - 1];
    const auto& cur = l.path[i];
    if (!hist.add(cur.x - prev.x, prev.grad - cur.grad)) continue;
    const std::optional<lowrank_normal> a = hist.approximation(cur.x, cur.grad);
    if (!a) continue;
    double elbo = 0.0;
    for (int k = 0; k < o.elbo_draws; ++k) {
      const double lq = a->draw(r, u, x);
      elbo += f.safe(x, g) - lq;  // an invalid draw makes the ELBO -inf: q leaves the support
    }
    elbo /= o.elbo_draws;
    res.elbos[static_cast<Eigen::Index>(i)] = std::isnan(elbo) ? -std::numeric_limits<double>::infinity() : elbo;
    if (res.elbos[static_cast<Eigen::Index>(i)] > res.elbo) {
      res.elbo = elbo;
      res.best_iterate = static_cast<int>(i);
      best = a;
    }
  }
  if (!best) {
    res.message += "; no iterate gave an approximation with finite ELBO";
    return res;
  }
  res.mean = best->mu;
  res.variances = best->variances();
  const auto m = static_cast<Eigen::Index>(o.draws_per_path);
  out.q.resize(m, n);
  out.lp.resize(m);
  out.lq.resize(m);
  for (Eigen::Index i = 0; i < m; ++i) {
    out.lq[i] = best->draw(r, u, x);
    out.lp[i] = f.safe(x, g);
    out.q.row(i) = x.transpose();
  }
  return res;
}

// Indices drawn with replacement in proportion to exp(log_w) (normalised), by inversion of the
// cumulative weights at sorted uniforms; reproducible with exmc::rng.
inline std::vector<Eigen::Index> resample_indices(const Eigen::VectorXd& log_w, int count, rng& r) {
  const Eigen::VectorXd w = log_w.array().exp();
  std::vector<double> cum(static_cast<std::size_t>(w.size()));
  double acc = 0.0;
  for (Eigen::Index i = 0; i < w.size(); ++i) cum[static_cast<std::size_t>(i)] = acc += w[i];
  std::vector<Eigen::Index> idx;
  idx.reserve(static_cast<std::size_t>(count));
  for (int k = 0; k < count; ++k) {
    const double t = r.uniform() * acc;
    auto it = std::upper_bound(cum.begin(), cum.end(), t);
    if (it == cum.end()) --it;
    idx.push_back(static_cast<Eigen::Index>(it - cum.begin()));
  }
  return idx;
}

template <LogDensity D>
pathfinder_result run_pathfinder(const D& density, const pathfinder_options& o) {
  detail::validate_start("pathfinder", density, o);
  detail::validate_pathfinder(o);
  detail::double_density<D> f(density);
  const Eigen::Index n = f.dim();
  pathfinder_result res;
  std::vector<detail::path_draws> pooled;
  for (int p = 0; p < o.paths; ++p) {
    detail::path_draws d;
    res.paths.push_back(detail::run_path(f, o, p, d));
    if (res.paths.back().ok()) pooled.push_back(std::move(d));
  }
  if (pooled.empty()) {
    std::string why;
    for (std::size_t p = 0; p < res.paths.size(); ++p) why += "\n  path " + std::to_string(p) + ": " + res.paths[p].message;
    throw sampling_error("pathfinder: no path produced a usable approximation" + why);
  }

  // Mixture of the successful paths' approximations, equally weighted: its marginal variances
  // make a metric that does not depend on (possibly degenerate) importance weights.
  Eigen::VectorXd mean_mix = Eigen::VectorXd::Zero(n), second = Eigen::VectorXd::Zero(n);
  for (const auto& p : res.paths) {
    if (!p.ok()) continue;
    mean_mix += p.mean;
    second += p.variances + p.mean.cwiseAbs2();
  }
  const auto ok_paths = static_cast<double>(pooled.size());
  mean_mix /= ok_paths;
  res.inv_metric_diag = (second / ok_paths - mean_mix.cwiseAbs2()).cwiseMax(1e-10);

  Eigen::Index total = 0;
  for (const auto& d : pooled) total += d.q.rows();
  Eigen::MatrixXd q(total, n);
  Eigen::VectorXd lp(total), lq(total);
  Eigen::Index row = 0;
  for (const auto& d : pooled) {
    q.middleRows(row, d.q.rows()) = d.q;
    lp.segment(row, d.q.rows()) = d.lp;
    lq.segment(row, d.q.rows()) = d.lq;
    row += d.q.rows();
  }

  // Importance ratios of the valid draws (an invalid draw has weight 0).
  std::vector<Eigen::Index> valid;
  for (Eigen::Index i = 0; i < total; ++i)
    if (std::isfinite(lp[i])) valid.push_back(i);
  if (valid.empty()) throw sampling_error("pathfinder: the log density is invalid at every approximate draw");
  Eigen::VectorXd log_ratio(static_cast<Eigen::Index>(valid.size()));
  for (std::size_t i = 0; i < valid.size(); ++i) log_ratio[static_cast<Eigen::Index>(i)] = lp[valid[i]] - lq[valid[i]];
  const psis_result smoothed = psis(log_ratio);
  // All ratios equal means the approximation is exact: report k = -inf (a perfect fit), not the
  // +inf psis gives a tail it cannot fit.
  res.pareto_k = approximation_pareto_k(lp, lq);
  if (std::isnan(res.pareto_k)) res.pareto_k = smoothed.pareto_k;
  res.importance_ess = smoothed.n_eff;

  std::vector<Eigen::Index> chosen;
  if (o.resample) {
    rng r(o.seed, 2 * static_cast<std::uint64_t>(o.paths) + 1);
    for (Eigen::Index k : detail::resample_indices(smoothed.log_weights, o.draws, r)) chosen.push_back(valid[static_cast<std::size_t>(k)]);
  } else {
    for (Eigen::Index i = 0; i < total; ++i) chosen.push_back(i);
  }

  const auto m = static_cast<Eigen::Index>(chosen.size());
  res.posterior.names = detail::quantity_names(density);
  Eigen::MatrixXd out(m, static_cast<Eigen::Index>(res.posterior.names.size()));
  res.unconstrained.resize(m, n);
  res.lp.resize(m);
  res.lq.resize(m);
  Eigen::VectorXd constrained;
  for (Eigen::Index i = 0; i < m; ++i) {
    const Eigen::Index j = chosen[static_cast<std::size_t>(i)];
    res.unconstrained.row(i) = q.row(j);
    res.lp[i] = lp[j];
    res.lq[i] = lq[j];
    detail::constrain_point(density, q.row(j).transpose().eval(), constrained);
    out.row(i) = constrained.transpose();
  }
  res.posterior.chains.push_back(std::move(out));
  res.grad_evals = f.evals();
  return res;
}

#ifdef EXMC_SEPARATE_COMPILATION
extern template pathfinder_result run_pathfinder(const any_density<double>&, const pathfinder_options&);
#endif

}  // namespace detail

// Runs options.paths paths in sequence (each is cheap next to sampling). Throws model_error for
// bad options and sampling_error when no path produced an approximation (every path's message
// is in the error). The density is seen through any_density, as by exmc::sample (D119).
template <LogDensity D>
pathfinder_result pathfinder(const D& density, const pathfinder_options& o = {}) {
  return detail::run_pathfinder(any_density<typename D::scalar>(density), o);
}

// Options for exmc::sample starting from a Pathfinder result: the initial point is draw
// `chain` of the result (so chains run one at a time get different starts) and the initial
// inverse metric is the approximation's marginal variances. Everything else is taken from base.
inline sample_options pathfinder_init(const pathfinder_result& p, sample_options base = {}, int chain = 0) {
  if (p.unconstrained.rows() == 0) throw model_error("pathfinder_init: the pathfinder result has no draws");
  if (chain < 0) throw model_error("pathfinder_init: chain must be >= 0 (got " + std::to_string(chain) + ")");
  base.init.clear();
  base.init_unconstrained = p.unconstrained.row(chain % p.unconstrained.rows()).transpose();
  // The approximation's variances seed the metric only when importance sampling says it is
  // close to the posterior (Pareto k <= 0.7): on the stochastic volatility model (k = 3.8) they
  // left NUTS stuck (docs/optimization.md), while a start point from the approximation is
  // still better than a random one.
  if (p.pareto_k <= 0.7) {
    warm_start w;
    w.step_size = base.step_size;
    w.inv_metric_diag = p.inv_metric_diag;
    base.warm = w;
  }
  return base;
}

}  // namespace exmc
