#pragma once
// exmc::optimize: the mode of a LogDensity by L-BFGS in unconstrained space.
//
//   exmc::optimize_options o;  o.seed = 1;
//   exmc::optimize_result m = exmc::optimize(density, o);
//   if (m.converged()) use(m.value("sigma"));
//
// What the mode means depends on the density handed in (docs/optimization.md):
//   compiled model, default options        mode in unconstrained space (Jacobian included)
//   compile_options::jacobian = false      MAP: mode of the posterior on the constrained scale
//   ... and compile_options::priors = false maximum likelihood
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "../core/error.hpp"
#include "../core/log_density.hpp"
#include "lbfgs.hpp"
#include "objective.hpp"

namespace exmc {

struct optimize_options : start_options {
  int max_iterations = 2000;
  int history = 6;             // L-BFGS (s, y) pairs
  double tol_grad = 1e-8;      // largest |d log p / dq| at convergence
  double tol_rel_obj = 1e-12;  // relative change of log p between iterations
  double tol_step = 1e-12;     // step relative to 1 + max |q|
};

struct optimize_result {
  lbfgs_status status = lbfgs_status::max_iterations;
  std::string message;            // status in words, with the reason when it did not converge
  int iterations = 0;
  std::size_t grad_evals = 0;     // including the search for a starting point
  double lp = 0.0;                // log density at the optimum
  Eigen::VectorXd unconstrained;  // the optimum in unconstrained coordinates
  Eigen::VectorXd gradient;       // d log p / dq there
  std::vector<std::string> names; // of `values`, as in the draws of exmc::sample
  Eigen::VectorXd values;         // the optimum in constrained coordinates
  // When the search did not converge because quantities ran off to the edge of their support
  // (the log density still rising there, so no mode exists): those quantities, e.g. "tau".
  std::vector<std::string> no_mode;

  bool converged() const { return exmc::converged(status); }
  double value(std::string_view name) const {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) throw model_error("optimize_result: no quantity named '" + std::string(name) + "'");
    return values[it - names.begin()];
  }
};

namespace detail {

inline lbfgs_options to_lbfgs(const std::string& who, const optimize_options& o) {
  auto num = [](double x) { return std::to_string(x); };
  if (o.max_iterations < 1) bad_option(who, "max_iterations must be at least 1 (got " + std::to_string(o.max_iterations) + ")");
  if (o.history < 1 || o.history > 1000) bad_option(who, "history must lie in [1, 1000] (got " + std::to_string(o.history) + ")");
  if (!(o.tol_grad >= 0.0)) bad_option(who, "tol_grad must be >= 0 (got " + num(o.tol_grad) + ")");
  if (!(o.tol_rel_obj >= 0.0)) bad_option(who, "tol_rel_obj must be >= 0 (got " + num(o.tol_rel_obj) + ")");
  if (!(o.tol_step >= 0.0)) bad_option(who, "tol_step must be >= 0 (got " + num(o.tol_step) + ")");
  lbfgs_options l;
  l.history = o.history;
  l.max_iterations = o.max_iterations;
  l.tol_grad = o.tol_grad;
  l.tol_rel_obj = o.tol_rel_obj;
  l.tol_step = o.tol_step;
  return l;
}

// A search that ends without converging with unconstrained coordinates beyond +-`far` has been
// following a log density that keeps rising towards the edge of the support (tau -> 0 in a
// hierarchical model's MAP, a scale -> infinity): there is no mode to find, whatever the
// iteration budget. Names those quantities and says so in the message.
inline void explain_no_mode(optimize_result& r, double far = 12.0) {
  if (converged(r.status) || r.status == lbfgs_status::non_finite_start) return;
  const bool named = static_cast<Eigen::Index>(r.names.size()) == r.unconstrained.size() && r.values.size() == r.unconstrained.size();
  std::string list;
  for (Eigen::Index i = 0; i < r.unconstrained.size(); ++i) {
    if (!(std::abs(r.unconstrained[i]) > far)) continue;
    const std::string name = named ? r.names[static_cast<std::size_t>(i)] : "q[" + std::to_string(i) + "]";
    r.no_mode.push_back(name);
    if (r.no_mode.size() <= 5) {
      char value[32];
      std::snprintf(value, sizeof value, "%.3g", named ? r.values[i] : r.unconstrained[i]);
      list += (list.empty() ? "" : ", ") + name + " -> " + value;
    }
  }
  if (r.no_mode.empty()) return;
  if (r.no_mode.size() > 5) list += " and " + std::to_string(r.no_mode.size() - 5) + " more";
  r.message = "the mode does not exist: the log density keeps increasing towards the edge of the support (" + list +
              " after " + std::to_string(r.iterations) + " iterations; " + r.message +
              "). Without the Jacobian a hierarchical scale often runs to 0 like this; the mode in unconstrained "
              "space (with the Jacobian) or sampling does exist";
}

template <LogDensity D>
optimize_result run_optimize(const D& density, const optimize_options& o) {
  const std::string who = "optimize";
  detail::validate_start(who, density, o);
  const lbfgs_options lo = detail::to_lbfgs(who, o);
  detail::double_density<D> f(density);
  const Eigen::VectorXd start = detail::find_start(who, f, o, 0);
  const lbfgs_result l = lbfgs_maximize(f, start, lo);

  optimize_result r;
  r.status = l.status;
  r.message = l.message;
  r.iterations = l.iterations;
  r.grad_evals = f.evals();
  r.lp = l.value;
  r.unconstrained = l.x;
  r.gradient = l.grad;
  r.names = detail::quantity_names(density);
  detail::constrain_point(density, l.x, r.values);
  detail::explain_no_mode(r);
  return r;
}

#ifdef EXMC_SEPARATE_COMPILATION
extern template optimize_result run_optimize(const any_density<double>&, const optimize_options&);
#endif

}  // namespace detail

// Maximises the density. Never throws for numerical trouble during the search: the status says
// how it ended (unbounded, line search failure, ...). Throws model_error for bad options and
// sampling_error when no starting point has a finite log density and gradient. The density is
// seen through any_density, as by exmc::sample (D119).
template <LogDensity D>
optimize_result optimize(const D& density, const optimize_options& o = {}) {
  return detail::run_optimize(any_density<typename D::scalar>(density), o);
}

}  // namespace exmc
