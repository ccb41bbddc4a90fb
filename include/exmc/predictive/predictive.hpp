#pragma once
// Prior and posterior predictive draws and pointwise log-likelihoods of a compiled model.
//
//   auto prior = exmc::prior_predictive(compiled, {.draws = 1000, .seed = 1});
//   auto ppc   = exmc::posterior_predictive(compiled, fit, {.seed = 2});
//   auto ll    = exmc::log_likelihood(compiled, fit);       // draws named y[0], y[1], ...
//   auto res   = exmc::loo(exmc::log_lik_matrix(ll), exmc::relative_eff(...));
//
// Every chain of output c uses rng(seed, c) and visits its draws in order, so results do not
// depend on how many threads run them.
#include <Eigen/Core>
#include <algorithm>
#include <cstdint>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../core/draws.hpp"
#include "../core/error.hpp"
#include "../core/random.hpp"

namespace exmc {

// What predictive code needs of a compiled model (model/compiled.hpp provides all of it).
template <class C>
concept PredictiveModel = requires(const C& c, typename C::workspace& ws, rng& g, const double* row,
                                   std::vector<Eigen::VectorXd>& out, typename C::vector_type& q) {
  c.make_workspace();
  c.param_names();
  c.constrained_size();
  c.observed();
  c.load_constrained(row, ws);
  c.simulate_observed(g, ws, out);
  c.pointwise_log_lik(ws, out);
};

struct predictive_options {
  int draws = 1000;         // prior_predictive only: draws per chain
  int chains = 1;           // prior_predictive only
  std::uint64_t seed = 0;
  int threads = 0;          // 0: one per chain up to the hardware's
};

namespace detail {

// Runs body(c) for c in [0, chains) on up to `threads` threads; the first exception any chain
// throws is rethrown here once all threads have stopped.
template <class F>
void for_each_chain(int chains, int threads, F&& body) {
  int t = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  t = std::min(t, chains);
  if (t <= 1) {
    for (int c = 0; c < chains; ++c) body(c);
    return;
  }
  std::exception_ptr error;
  std::mutex error_mutex;
  {
    std::vector<std::jthread> pool;
    for (int k = 0; k < t; ++k)
      pool.emplace_back([&, k] {
        try {
          for (int c = k; c < chains; c += t) body(c);
        } catch (...) {
          std::lock_guard lock(error_mutex);
          if (!error) error = std::current_exception();
        }
      });
  }
  if (error) std::rethrow_exception(error);
}

// Column of each of the model's constrained quantities in `d` (every parameter must be there).
template <class C>
std::vector<Eigen::Index> constrained_columns(const C& model, const draws& d) {
  std::vector<Eigen::Index> cols;
  for (const auto& name : model.param_names()) {
    const auto it = std::find(d.names.begin(), d.names.end(), name);
    cols.push_back(it == d.names.end() ? -1 : static_cast<Eigen::Index>(it - d.names.begin()));
  }
  return cols;
}

inline std::vector<std::string> observed_names(const std::vector<std::pair<std::string, Eigen::Index>>& obs) {
  std::vector<std::string> names;
  for (const auto& [name, n] : obs)
    for (Eigen::Index i = 0; i < n; ++i) names.push_back(name + "[" + std::to_string(i) + "]");
  return names;
}

// Applies f(row, ws, out_row) to every draw of every chain of `posterior`, filling a draws
// object with `names` columns.
template <class C, class F>
draws map_posterior(const C& model, const draws& posterior, std::vector<std::string> names, int threads,
                    const char* who, F&& f) {
  const auto cols = constrained_columns(model, posterior);
  const auto pnames = model.param_names();
  // Deterministics may be missing (recomputed anyway); parameters may not.
  for (std::size_t k = 0; k < cols.size(); ++k)
    if (cols[k] < 0 && model.is_parameter_name(pnames[k]))
      throw model_error(std::string(who) + ": the draws have no column '" + pnames[k] +
                        "' (a parameter of the model; was it dropped with sample_options::keep?)");
  draws out;
  out.names = std::move(names);
  out.chains.resize(posterior.chains.size());
  const auto width = static_cast<Eigen::Index>(out.names.size());
  for_each_chain(static_cast<int>(posterior.chains.size()), threads, [&](int c) {
    auto ws = model.make_workspace();
    const Eigen::MatrixXd& in = posterior.chains[static_cast<std::size_t>(c)];
    Eigen::MatrixXd& res = out.chains[static_cast<std::size_t>(c)];
    res.resize(in.rows(), width);
    std::vector<double> row(static_cast<std::size_t>(model.constrained_size()), 0.0);
    Eigen::VectorXd out_row(width);
    for (Eigen::Index d = 0; d < in.rows(); ++d) {
      for (std::size_t k = 0; k < cols.size(); ++k)
        if (cols[k] >= 0) row[k] = in(d, cols[k]);
      model.load_constrained(row.data(), ws);
      f(c, d, ws, out_row);
      res.row(d) = out_row.transpose();
    }
  });
  return out;
}

inline void flatten(const std::vector<Eigen::VectorXd>& parts, Eigen::VectorXd& out) {
  Eigen::Index k = 0;
  for (const auto& p : parts) {
    out.segment(k, p.size()) = p;
    k += p.size();
  }
}

}  // namespace detail

// Prior predictive: parameters drawn from their priors in topological order, deterministics
// evaluated, then every observed node simulated. Columns: param_names() then the observed
// nodes' elements (y[0], y[1], ...).
template <PredictiveModel C>
draws prior_predictive(const C& model, const predictive_options& o = {}) {
  if (o.draws < 1) throw model_error("prior_predictive: draws must be at least 1 (got " + std::to_string(o.draws) + ")");
  if (o.chains < 1) throw model_error("prior_predictive: chains must be at least 1 (got " + std::to_string(o.chains) + ")");
  draws out;
  out.names = model.param_names();
  const auto obs_names = detail::observed_names(model.observed());
  out.names.insert(out.names.end(), obs_names.begin(), obs_names.end());
  out.chains.resize(static_cast<std::size_t>(o.chains));
  const Eigen::Index np = model.constrained_size();
  const auto width = static_cast<Eigen::Index>(out.names.size());
  detail::for_each_chain(o.chains, o.threads, [&](int c) {
    rng g(o.seed, static_cast<std::uint64_t>(c));
    auto ws = model.make_workspace();
    typename C::vector_type q;
    Eigen::VectorXd constrained;
    std::vector<Eigen::VectorXd> sims;
    Eigen::MatrixXd& res = out.chains[static_cast<std::size_t>(c)];
    res.resize(o.draws, width);
    Eigen::VectorXd obs(width - np);
    for (int d = 0; d < o.draws; ++d) {
      model.draw_prior(g, q, ws);  // leaves the drawn values loaded in ws
      model.constrain_loaded(ws, constrained);
      model.simulate_observed(g, ws, sims);
      detail::flatten(sims, obs);
      res.row(d).head(np) = constrained.transpose();
      res.row(d).tail(width - np) = obs.transpose();
    }
  });
  return out;
}

// Posterior predictive: one simulated data set per posterior draw (chains as in `posterior`).
// Columns: the observed nodes' elements.
template <PredictiveModel C>
draws posterior_predictive(const C& model, const draws& posterior, const predictive_options& o = {}) {
  std::vector<rng> gens;
  for (std::size_t c = 0; c < posterior.chains.size(); ++c) gens.emplace_back(o.seed, c);
  return detail::map_posterior(model, posterior, detail::observed_names(model.observed()), o.threads,
                               "posterior_predictive", [&](int c, Eigen::Index, auto& ws, Eigen::VectorXd& row) {
                                 std::vector<Eigen::VectorXd> sims;
                                 model.simulate_observed(gens[static_cast<std::size_t>(c)], ws, sims);
                                 detail::flatten(sims, row);
                               });
}

// Pointwise log-likelihood of every observation at every posterior draw, named like the data
// (y[0], ...); a family that is not elementwise contributes one column named after its node.
template <PredictiveModel C>
draws log_likelihood(const C& model, const draws& posterior, int threads = 0) {
  auto ws0 = model.make_workspace();
  std::vector<double> row(static_cast<std::size_t>(model.constrained_size()), 0.0);
  // Column names come from one evaluation's shapes (non-elementwise nodes give one value).
  std::vector<std::string> names;
  {
    const auto obs = model.observed();
    std::vector<Eigen::VectorXd> parts;
    model.load_constrained(row.data(), ws0);
    model.pointwise_log_lik(ws0, parts);
    for (std::size_t k = 0; k < obs.size(); ++k) {
      if (parts[k].size() == obs[k].second)
        for (Eigen::Index i = 0; i < obs[k].second; ++i) names.push_back(obs[k].first + "[" + std::to_string(i) + "]");
      else
        names.push_back(obs[k].first);
    }
  }
  return detail::map_posterior(model, posterior, std::move(names), threads, "log_likelihood",
                               [&](int, Eigen::Index, auto& ws, Eigen::VectorXd& out) {
                                 std::vector<Eigen::VectorXd> parts;
                                 model.pointwise_log_lik(ws, parts);
                                 detail::flatten(parts, out);
                               });
}

// All chains stacked: the (total draws x observations) matrix loo() and waic() take, and the
// chain of each row for relative_eff().
inline Eigen::MatrixXd log_lik_matrix(const draws& ll) {
  Eigen::Index rows = 0;
  for (const auto& c : ll.chains) rows += c.rows();
  Eigen::MatrixXd out(rows, ll.num_quantities());
  Eigen::Index r = 0;
  for (const auto& c : ll.chains) {
    out.middleRows(r, c.rows()) = c;
    r += c.rows();
  }
  return out;
}
inline std::vector<int> chain_of_rows(const draws& ll) {
  std::vector<int> ids;
  for (std::size_t c = 0; c < ll.chains.size(); ++c) ids.insert(ids.end(), static_cast<std::size_t>(ll.chains[c].rows()), static_cast<int>(c) + 1);
  return ids;
}

}  // namespace exmc
