#pragma once
// The multi-chain driver behind exmc::sample (sample.hpp): options checked up front (model_error
// naming the culprit), chains run in parallel threads, their results assembled into a fit. Faults
// inside a chain never escape: they become divergences, or that chain's status is `failed` with
// the reason. In separate compilation (core/separate_compilation.hpp) libexmc instantiates
// sample_nuts for any_density<float> and <double>, and user code does not include this header.
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "../core/any_density.hpp"
#include "../core/error.hpp"
#include "../core/log_density.hpp"
#include "chain.hpp"
#include "fit.hpp"
#include "options.hpp"
#include "sample.hpp"

namespace exmc {

namespace detail {

[[noreturn]] inline void bad_option(const std::string& what) { throw model_error("sample: " + what); }

template <LogDensity D>
output_layout make_layout(const D& d, const sample_options& o) {
  output_layout l;
  if constexpr (ConstrainedLogDensity<D>) {
    l.all_names = d.param_names();
  } else {
    for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(d.dim()); ++i) l.all_names.push_back("q[" + std::to_string(i) + "]");
  }
  if (o.keep.empty()) {
    for (std::size_t i = 0; i < l.all_names.size(); ++i) l.kept.push_back(static_cast<Eigen::Index>(i));
  } else {
    for (const auto& name : o.keep) {
      const auto it = std::find(l.all_names.begin(), l.all_names.end(), name);
      if (it != l.all_names.end()) {
        l.kept.push_back(static_cast<Eigen::Index>(it - l.all_names.begin()));
        continue;
      }
      // A vector's or matrix's name keeps all its elements: "theta" is theta[0], theta[1], ...
      const std::size_t before = l.kept.size();
      for (std::size_t i = 0; i < l.all_names.size(); ++i)
        if (l.all_names[i].size() > name.size() + 1 && l.all_names[i].starts_with(name) && l.all_names[i][name.size()] == '[')
          l.kept.push_back(static_cast<Eigen::Index>(i));
      if (l.kept.size() == before) bad_option("keep names '" + name + "', which is not a quantity of this density");
    }
  }
  for (auto i : l.kept) l.kept_names.push_back(l.all_names[static_cast<std::size_t>(i)]);
  return l;
}

template <LogDensity D>
void validate(const D& d, const sample_options& o) {
  const auto dim = static_cast<Eigen::Index>(d.dim());
  auto num = [](double x) { return std::to_string(x); };
  if (dim < 1) bad_option("the density has no coordinates (dim() = " + std::to_string(dim) + ")");
  if (o.chains < 1) bad_option("chains must be at least 1 (got " + std::to_string(o.chains) + ")");
  if (o.warmup < 0) bad_option("warmup must be >= 0 (got " + std::to_string(o.warmup) + ")");
  if (o.draws < 0) bad_option("draws must be >= 0 (got " + std::to_string(o.draws) + ")");
  if (o.thin < 1) bad_option("thin must be at least 1 (got " + std::to_string(o.thin) + ")");
  if (o.threads < 0) bad_option("threads must be >= 0 (got " + std::to_string(o.threads) + ")");
  if (!(o.target_accept > 0.0 && o.target_accept < 1.0))
    bad_option("target_accept must lie in (0, 1) (got " + num(o.target_accept) + ")");
  if (o.max_depth < 1 || o.max_depth > 30) bad_option("max_depth must lie in [1, 30] (got " + std::to_string(o.max_depth) + ")");
  if (!(o.init_radius >= 0.0) || !std::isfinite(o.init_radius)) bad_option("init_radius must be finite and >= 0 (got " + num(o.init_radius) + ")");
  if (!(o.step_size > 0.0) || !std::isfinite(o.step_size)) bad_option("step_size must be finite and > 0 (got " + num(o.step_size) + ")");
  if (!(o.max_delta_h > 0.0)) bad_option("max_delta_h must be > 0 (got " + num(o.max_delta_h) + ")");
  if (o.init_tries < 1) bad_option("init_tries must be at least 1");
  if (o.max_consecutive_faults < 1) bad_option("max_consecutive_faults must be at least 1");
  if (o.adaptation == adaptation_kind::gradient && o.metric != metric_kind::diag && o.metric != metric_kind::low_rank)
    bad_option(std::string("gradient-based adaptation estimates a diagonal or low-rank metric; metric is ") + to_string(o.metric));

  if (o.init_unconstrained.size() > 0) {
    if (!o.init.empty()) bad_option("give either init (named values) or init_unconstrained, not both");
    if (o.init_unconstrained.size() != dim)
      bad_option("init_unconstrained has " + std::to_string(o.init_unconstrained.size()) + " entries, the density has dim() = " + std::to_string(dim));
    if (!o.init_unconstrained.allFinite()) bad_option("init_unconstrained has non-finite entries");
  }
  if (!o.init.empty()) {
    if (!can_unconstrain(d)) bad_option("init gives named values but the density has no unconstrain(); use init_unconstrained");
    if constexpr (UnconstrainableLogDensity<D>) {
      vector_t<typename D::scalar> q = vector_t<typename D::scalar>::Zero(dim);
      d.unconstrain(o.init, q);  // throws model_error for unknown names, sizes, support
    }
  }
  if (o.warm) {
    const warm_start& w = *o.warm;
    if (!(w.step_size > 0.0) || !std::isfinite(w.step_size)) bad_option("warm.step_size must be finite and > 0 (got " + num(w.step_size) + ")");
    if (w.inv_metric_diag.size() > 0) {
      if (w.inv_metric_diag.size() != dim)
        bad_option("warm.inv_metric_diag has " + std::to_string(w.inv_metric_diag.size()) + " entries, expected " + std::to_string(dim));
      if (!w.inv_metric_diag.allFinite() || (w.inv_metric_diag.array() <= 0.0).any())
        bad_option("warm.inv_metric_diag must be finite and positive");
    }
    if (w.inv_metric_dense.size() > 0) {
      if (w.inv_metric_dense.rows() != dim || w.inv_metric_dense.cols() != dim)
        bad_option("warm.inv_metric_dense must be " + std::to_string(dim) + " x " + std::to_string(dim));
      if (!w.inv_metric_dense.allFinite() || !w.inv_metric_dense.isApprox(w.inv_metric_dense.transpose()) ||
          Eigen::LLT<Eigen::MatrixXd>(w.inv_metric_dense).info() != Eigen::Success)
        bad_option("warm.inv_metric_dense must be symmetric positive definite");
    }
    const low_rank_factors& lr = w.inv_metric_low_rank;
    if (lr.diag.size() > 0) {
      if (lr.diag.size() != dim || lr.vectors.rows() != dim || lr.vectors.cols() != lr.values.size())
        bad_option("warm.inv_metric_low_rank must have a diag of " + std::to_string(dim) + " entries and " +
                   std::to_string(dim) + " x k vectors for k values");
      if (!lr.diag.allFinite() || (lr.diag.array() <= 0.0).any() || !lr.values.allFinite() || (lr.values.array() <= 0.0).any())
        bad_option("warm.inv_metric_low_rank: diag and values must be finite and positive");
      if (lr.values.size() > 0 && !(lr.vectors.transpose() * lr.vectors).isIdentity(1e-6))
        bad_option("warm.inv_metric_low_rank: vectors must have orthonormal columns");
    }
  }
}

inline draws gather(const std::vector<chain_result>& results, const std::vector<int>& ids,
                    const std::vector<std::string>& names, Eigen::MatrixXd chain_result::*member) {
  draws out;
  out.names = names;
  for (int id : ids) out.chains.push_back(results[static_cast<std::size_t>(id)].*member);
  return out;
}

// The options a run actually uses: `automatic` adaptation resolved to the scheme it stands for.
inline sample_options resolve(const sample_options& requested) {
  sample_options o = requested;
  if (o.adaptation == adaptation_kind::automatic)
    o.adaptation = o.metric == metric_kind::diag || o.metric == metric_kind::low_rank ? adaptation_kind::gradient
                                                                                      : adaptation_kind::windowed;
  return o;
}

// Runs the chains numbered `ids` (each from rng(seed, id), so its draws do not depend on where
// or beside what it runs) on up to options.threads threads. results[i] belongs to ids[i];
// `done(i)`, if given, is called from the worker thread right after results[i] is complete.
// `options` must have passed resolve() and validate().
template <LogDensity D>
void run_chains(const D& density, const sample_options& options, const output_layout& layout,
                const std::vector<int>& ids, shared_run_state& shared, std::vector<chain_result>& results,
                const std::function<void(std::size_t)>& done = {}) {
  results.resize(ids.size());
  if (ids.empty()) return;
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next.fetch_add(1); i < ids.size(); i = next.fetch_add(1)) {
      const int c = ids[i];
      auto& out = results[i];
      if (shared.stop.load() || options.stop.stop_requested()) {  // stopped before its turn came
        out.status.outcome = chain_outcome::stopped;
        out.status.message = chain_label(c) + ": never started: the run was stopped first";
        if (done) done(i);
        continue;
      }
      try {  // run() isolates faults itself; this catches setup failures (e.g. make_workspace)
        chain_runner<D>(density, options, layout, c, shared, out).run();
      } catch (const std::exception& e) {
        out.status.outcome = chain_outcome::failed;
        out.status.message = chain_label(c) + ": " + e.what();
      }
      if (done) done(i);
    }
  };
  int threads = options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::min(threads, static_cast<int>(ids.size()));
  if (threads == 1) {
    worker();
  } else {
    std::vector<std::jthread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  }  // jthreads join here
}

// One fit from the results of every chain, results[c] being chain c.
inline fit assemble_fit(const sample_options& options, const output_layout& layout, std::vector<chain_result>& results) {
  fit f;
  f.metric = options.metric;
  f.adaptation = options.adaptation;
  f.max_depth = options.max_depth;
  for (std::size_t c = 0; c < results.size(); ++c) {
    auto& r = results[c];
    // Failed chains, and chains stopped before their first draw, contribute no draws.
    if (r.status.outcome != chain_outcome::failed && r.post.rows() > 0) f.chain_ids.push_back(static_cast<int>(c));
    f.step_size.push_back(r.step_size);
    f.inv_metric_diag.push_back(std::move(r.inv_diag));
    f.inv_metric_dense.push_back(std::move(r.inv_dense));
    f.inv_metric_low_rank.push_back(std::move(r.low_rank));
    f.warmup_seconds.push_back(r.warmup_seconds);
    f.sampling_seconds.push_back(r.sampling_seconds);
    f.grad_evals_warmup.push_back(r.grad_evals_warmup);
    f.grad_evals_sampling.push_back(r.grad_evals_sampling);
    f.status.push_back(r.status);
  }
  const auto& stats = stat_names();
  f.posterior = gather(results, f.chain_ids, layout.kept_names, &chain_result::post);
  f.sample_stats = gather(results, f.chain_ids, stats, &chain_result::stats);
  if (options.save_warmup) {
    f.warmup_posterior = gather(results, f.chain_ids, layout.kept_names, &chain_result::warm_post);
    f.warmup_sample_stats = gather(results, f.chain_ids, stats, &chain_result::warm_stats);
  }
  return f;
}

template <LogDensity D>
void check_nuts_options(const D& density, const sample_options& requested) {
  const sample_options options = detail::resolve(requested);
  detail::validate(density, options);
  detail::make_layout(density, options);
}

template <LogDensity D>
fit sample_nuts(const D& density, const sample_options& requested) {
  const sample_options options = detail::resolve(requested);
  detail::validate(density, options);
  const detail::output_layout layout = detail::make_layout(density, options);
  std::vector<int> ids(static_cast<std::size_t>(options.chains));
  for (int c = 0; c < options.chains; ++c) ids[static_cast<std::size_t>(c)] = c;
  std::vector<detail::chain_result> results;
  detail::shared_run_state shared;
  std::function<void(std::size_t)> ended;
  if (options.on_chain_end)
    ended = [&](std::size_t i) {
      try {
        options.on_chain_end(ids[i], results[i].status);
      } catch (...) {  // an observer's fault never ends a run
      }
    };
  detail::run_chains(density, options, layout, ids, shared, results, ended);
  return detail::assemble_fit(options, layout, results);
}

}  // namespace detail
}  // namespace exmc
