#pragma once
// exmc::advi: automatic differentiation variational inference (Kucukelbir et al. 2017) as in
// Stan: a mean-field or full-rank Gaussian in unconstrained space, fitted by stochastic
// gradient ascent on the ELBO with reparameterisation gradients and Stan's adaptive
// step-size sequence; convergence by the relative change of the ELBO.
//
//   exmc::advi_options o;  o.family = exmc::advi_family::fullrank;  o.seed = 7;
//   exmc::advi_fit f = exmc::advi(density, o);   // f.posterior: draws like exmc::sample's
//
// Works on any LogDensity; float densities are evaluated in float and the approximation is
// kept in double.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <deque>
#include <exception>
#include <limits>
#include <string>
#include <vector>

#include "../core/any_density.hpp"
#include "../core/draws.hpp"
#include "../core/error.hpp"
#include "../core/log_density.hpp"
#include "../core/random.hpp"
#include "../diagnostics/psis.hpp"
#include "advi_gaussian.hpp"
#include "advi_options.hpp"

namespace exmc {

namespace detail {

[[noreturn]] inline void bad_advi_option(const std::string& what) { throw model_error("advi: " + what); }

template <LogDensity D>
void validate_advi(const D& d, const advi_options& o) {
  const auto dim = static_cast<Eigen::Index>(d.dim());
  auto n = [](auto x) { return std::to_string(x); };
  if (dim < 1) bad_advi_option("the density has no coordinates (dim() = " + n(dim) + ")");
  if (o.grad_samples < 1) bad_advi_option("grad_samples must be at least 1 (got " + n(o.grad_samples) + ")");
  if (o.elbo_samples < 1) bad_advi_option("elbo_samples must be at least 1 (got " + n(o.elbo_samples) + ")");
  if (o.eval_elbo < 1) bad_advi_option("eval_elbo must be at least 1 (got " + n(o.eval_elbo) + ")");
  if (o.max_iterations < 1) bad_advi_option("max_iterations must be at least 1 (got " + n(o.max_iterations) + ")");
  if (!(o.tol_rel_obj > 0.0)) bad_advi_option("tol_rel_obj must be > 0 (got " + n(o.tol_rel_obj) + ")");
  if (o.adapt && o.adapt_iterations < 1) bad_advi_option("adapt_iterations must be at least 1 (got " + n(o.adapt_iterations) + ")");
  if (!o.adapt && !(o.eta > 0.0 && std::isfinite(o.eta))) bad_advi_option("eta must be finite and > 0 (got " + n(o.eta) + ")");
  if (o.output_draws < 1) bad_advi_option("output_draws must be at least 1 (got " + n(o.output_draws) + ")");
  if (!(o.init_radius >= 0.0) || !std::isfinite(o.init_radius)) bad_advi_option("init_radius must be finite and >= 0 (got " + n(o.init_radius) + ")");
  if (o.init_tries < 1) bad_advi_option("init_tries must be at least 1 (got " + n(o.init_tries) + ")");
  if (o.max_redraws < 0) bad_advi_option("max_redraws must be >= 0 (got " + n(o.max_redraws) + ")");
  if (o.init_unconstrained.size() > 0) {
    if (!o.init.empty()) bad_advi_option("give either init (named values) or init_unconstrained, not both");
    if (o.init_unconstrained.size() != dim)
      bad_advi_option("init_unconstrained has " + n(o.init_unconstrained.size()) + " entries, the density has dim() = " + n(dim));
    if (!o.init_unconstrained.allFinite()) bad_advi_option("init_unconstrained has non-finite entries");
  }
  if (!o.init.empty() && !can_unconstrain(d))
    bad_advi_option("init gives named values but the density has no unconstrain(); use init_unconstrained");
}

// Stan's step-size sequence: eta * k^(-1/2) / (tau + sqrt(s_k)), s_k a running average of
// squared gradients (the first one taken as is), element by element.
struct advi_step_sequence {
  explicit advi_step_sequence(double eta_) : eta(eta_) {}
  double eta;
  double tau = 1.0;
  long k = 0;
  Eigen::VectorXd s;
  void apply(Eigen::VectorXd& theta, const Eigen::VectorXd& grad) {
    ++k;
    if (k == 1)
      s = grad.array().square().matrix();
    else
      s = 0.9 * s + 0.1 * grad.array().square().matrix();
    const double scaled = eta / std::sqrt(static_cast<double>(k));
    theta.array() += scaled * grad.array() / (tau + s.array().sqrt());
  }
};

template <LogDensity D>
class advi_engine {
 public:
  using T = typename D::scalar;

  advi_engine(const D& d, const advi_options& o, advi_fit& out)
      : ev_(d), o_(o), out_(out), g_(o.seed, 0), dim_(static_cast<Eigen::Index>(d.dim())),
        qs_(vector_t<T>::Zero(dim_)), gs_(vector_t<T>::Zero(dim_)), zeta_(dim_), eta_(dim_), grad_(dim_) {}

  // log p at zeta into lp and its gradient into grad_; false when the density failed there.
  bool evaluate(const Eigen::VectorXd& zeta, double& lp) {
    ++out_.grad_evals;
    qs_ = zeta.cast<T>();
    try {
      lp = ev_.logp_grad(qs_, gs_);
      if (std::isfinite(lp) && gs_.allFinite()) {
        grad_ = gs_.template cast<double>();
        return true;
      }
      out_.last_fault = "non-finite log density or gradient (log p = " + std::to_string(lp) + ")";
    } catch (const std::exception& e) {
      out_.last_fault = e.what();
    } catch (...) {
      out_.last_fault = "unknown exception (not derived from std::exception)";
    }
    return false;
  }

  void draw_eta() {
    for (Eigen::Index i = 0; i < dim_; ++i) eta_[i] = g_.normal();
  }

  // Monte Carlo ELBO. Failed evaluations are dropped, as Stan does, up to a tenth of the draws;
  // beyond that the ELBO is -inf (the approximation covers too much invalid space).
  double elbo(const advi_gaussian& q) {
    double sum = 0.0;
    int ok = 0, dropped = 0;
    const int max_dropped = o_.elbo_samples / 10;
    while (ok < o_.elbo_samples) {
      draw_eta();
      q.draw(eta_, zeta_);
      double lp = 0.0;
      if (evaluate(zeta_, lp)) {
        sum += lp;
        ++ok;
      } else if (++dropped > max_dropped) {
        return -std::numeric_limits<double>::infinity();
      }
    }
    return sum / ok + q.entropy();
  }

  // Reparameterisation gradient of the ELBO into `out`; a failed draw is redrawn up to
  // max_redraws times, then sampling_error.
  void elbo_grad(const advi_gaussian& q, Eigen::VectorXd& out, const char* phase, long iter) {
    out.setZero(q.params().size());
    for (int s = 0; s < o_.grad_samples; ++s) {
      for (int attempt = 0;; ++attempt) {
        draw_eta();
        q.draw(eta_, zeta_);
        double lp = 0.0;
        if (evaluate(zeta_, lp)) break;
        if (attempt == o_.max_redraws)
          throw sampling_error("advi: the density failed at " + std::to_string(attempt + 1) +
                               " consecutive draws from the approximation (" + phase + ", iteration " +
                               std::to_string(iter) + "); last failure: " + out_.last_fault);
        ++out_.redraws;
      }
      q.add_draw_gradient(eta_, grad_, out);
    }
    out /= static_cast<double>(o_.grad_samples);
    q.add_entropy_gradient(out);
  }

  Eigen::VectorXd initial_mean() {
    if (o_.init_unconstrained.size() > 0) return o_.init_unconstrained;
    Eigen::VectorXd mu(dim_);
    for (int t = 0; t < o_.init_tries; ++t) {
      for (Eigen::Index i = 0; i < dim_; ++i) mu[i] = o_.init_radius > 0.0 ? g_.uniform(-o_.init_radius, o_.init_radius) : 0.0;
      if (!o_.init.empty()) {
        if constexpr (UnconstrainableLogDensity<D>) {
          qs_ = mu.cast<T>();
          ev_.density().unconstrain(o_.init, qs_);
          mu = qs_.template cast<double>();
        }
      }
      double lp = 0.0;
      if (evaluate(mu, lp)) return mu;
    }
    throw sampling_error("advi: no finite log density at " + std::to_string(o_.init_tries) +
                         " initial points; last failure: " + out_.last_fault);
  }

  // Stan's adaptation (a few iterations at each trial eta from the same start, keep the best
  // ELBO) without its early stop: Stan stops at the first eta whose ELBO is worse than the
  // previous one, and one lucky trial of eta = 100 then wins (seen on a 3-d Gaussian). All five
  // trials cost 250 gradient draws, little next to the optimisation.
  double adapt_eta(const advi_gaussian& start) {
    const double elbo_init = elbo(start);
    if (!std::isfinite(elbo_init))
      throw sampling_error("advi: the ELBO of the initial approximation is not finite; last failure: " + out_.last_fault);
    double best_eta = 0.0, best_elbo = -std::numeric_limits<double>::infinity();
    Eigen::VectorXd grad;
    for (double eta : {100.0, 10.0, 1.0, 0.1, 0.01}) {
      advi_gaussian q = start;
      advi_step_sequence seq(eta);
      Eigen::VectorXd theta = q.params();
      double e = -std::numeric_limits<double>::infinity();
      try {
        for (int k = 1; k <= o_.adapt_iterations; ++k) {
          elbo_grad(q, grad, "step size adaptation", k);
          seq.apply(theta, grad);
          if (!theta.allFinite()) break;
          q.set_params(theta);
        }
        if (theta.allFinite()) e = elbo(q);
      } catch (const sampling_error&) {
        // this eta led the approximation where the density fails: it is not a candidate
      }
      if (e > best_elbo) {
        best_elbo = e;
        best_eta = eta;
      }
    }
    if (!(best_eta > 0.0))
      throw sampling_error("advi: every trial step size (100 to 0.01) gave a non-finite ELBO; last failure: " + out_.last_fault);
    return best_eta;
  }

  void run() {
    advi_gaussian q(o_.family, dim_);
    q.set_mean(initial_mean());
    out_.eta = o_.adapt ? adapt_eta(q) : o_.eta;

    double prev = elbo(q);
    if (!std::isfinite(prev))
      throw sampling_error("advi: the ELBO of the initial approximation is not finite; last failure: " + out_.last_fault);
    out_.elbo_iterations.push_back(0);
    out_.elbo.push_back(prev);
    out_.rel_change.push_back(std::numeric_limits<double>::quiet_NaN());

    const auto window = static_cast<std::size_t>(std::max(0.1 * o_.max_iterations / o_.eval_elbo, 2.0));
    std::deque<double> recent;
    advi_step_sequence seq(out_.eta);
    Eigen::VectorXd theta = q.params(), grad;
    out_.message = "maximum iterations reached without convergence";
    for (int k = 1; k <= o_.max_iterations; ++k) {
      elbo_grad(q, grad, "optimisation", k);
      seq.apply(theta, grad);
      if (!theta.allFinite())
        throw sampling_error("advi: the variational parameters became non-finite at iteration " + std::to_string(k) +
                             " (eta = " + std::to_string(out_.eta) + "); try a smaller eta");
      q.set_params(theta);
      out_.iterations = k;
      if (k % o_.eval_elbo != 0) continue;
      const double e = elbo(q);
      if (!std::isfinite(e))
        throw sampling_error("advi: the ELBO became non-finite at iteration " + std::to_string(k) +
                             "; last failure: " + out_.last_fault);
      const double rel = std::abs((e - prev) / prev);
      prev = e;
      out_.elbo_iterations.push_back(k);
      out_.elbo.push_back(e);
      out_.rel_change.push_back(rel);
      recent.push_back(rel);
      if (recent.size() > window) recent.pop_front();
      double mean = 0.0;
      for (double r : recent) mean += r;
      mean /= static_cast<double>(recent.size());
      std::vector<double> sorted(recent.begin(), recent.end());
      std::sort(sorted.begin(), sorted.end());
      const std::size_t m = sorted.size();
      const double median = m % 2 ? sorted[m / 2] : 0.5 * (sorted[m / 2 - 1] + sorted[m / 2]);
      if (mean < o_.tol_rel_obj || median < o_.tol_rel_obj) {
        out_.converged = true;
        out_.message = mean < o_.tol_rel_obj ? "mean ELBO converged" : "median ELBO converged";
        break;
      }
    }
    finish(q);
  }

  void finish(const advi_gaussian& q) {
    out_.family = o_.family;
    out_.mean = q.mean();
    out_.log_sd = q.log_sd();
    out_.cholesky = q.cholesky();
    const D& d = ev_.density();
    if constexpr (ConstrainedLogDensity<D>) {
      out_.posterior.names = d.param_names();
    } else {
      for (Eigen::Index i = 0; i < dim_; ++i) out_.posterior.names.push_back("q[" + std::to_string(i) + "]");
    }
    const auto n = static_cast<Eigen::Index>(o_.output_draws);
    Eigen::MatrixXd m(n, static_cast<Eigen::Index>(out_.posterior.names.size()));
    out_.log_p.resize(n);
    out_.log_q.resize(n);
    Eigen::VectorXd c;
    for (Eigen::Index r = 0; r < n; ++r) {
      draw_eta();
      q.draw(eta_, zeta_);
      out_.log_q[r] = q.log_density(eta_);
      double lp = 0.0;
      out_.log_p[r] = evaluate(zeta_, lp) ? lp : -std::numeric_limits<double>::infinity();
      if constexpr (ConstrainedLogDensity<D>) {
        qs_ = zeta_.cast<T>();
        try {
          d.constrain(qs_, c);
        } catch (const std::exception& e) {
          throw sampling_error(std::string("advi: constrain() failed on an output draw: ") + e.what());
        }
        if (c.size() != m.cols())
          throw sampling_error("advi: constrain() gave " + std::to_string(c.size()) + " values for " +
                               std::to_string(m.cols()) + " names");
        m.row(r) = c.transpose();
      } else {
        m.row(r) = zeta_.transpose();
      }
    }
    out_.posterior.chains = {std::move(m)};
    out_.pareto_k = approximation_pareto_k(out_.log_p, out_.log_q);
  }

 private:
  evaluator<D> ev_;
  const advi_options& o_;
  advi_fit& out_;
  rng g_;
  Eigen::Index dim_;
  vector_t<T> qs_, gs_;
  Eigen::VectorXd zeta_, eta_, grad_;
};

template <LogDensity D>
advi_fit run_advi(const D& density, const advi_options& options) {
  validate_advi(density, options);
  advi_fit out;
  advi_engine<D>(density, options, out).run();
  return out;
}

#ifdef EXMC_SEPARATE_COMPILATION
extern template advi_fit run_advi(const any_density<double>&, const advi_options&);
#endif

}  // namespace detail

// Fits the variational Gaussian; throws model_error for bad options and sampling_error when the
// density keeps failing (the message says where) or the optimisation diverges. The density is
// seen through any_density, as by exmc::sample (D119).
template <LogDensity D>
advi_fit advi(const D& density, const advi_options& options = {}) {
  return detail::run_advi(any_density<typename D::scalar>(density), options);
}

}  // namespace exmc
