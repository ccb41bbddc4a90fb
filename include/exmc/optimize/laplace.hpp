#pragma once
// exmc::laplace: a normal approximation at the mode in unconstrained space, N(mode, (-H)^-1),
// with H the Hessian of log p from central differences of the exact gradient; draws are mapped
// to the constrained scale like NUTS draws.
//
//   exmc::laplace_options o;  o.draws = 2000;  o.seed = 3;
//   exmc::laplace_result a = exmc::laplace(density, o);
//   exmc::summary(a.posterior);  // one "chain" of independent draws
//
// Each draw carries lp (the true log density) and lq (the approximation's normalised log
// density): lp - lq are importance log ratios, e.g. for exmc::psis.
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "../core/draws.hpp"
#include "../core/error.hpp"
#include "../core/log_density.hpp"
#include "../core/random.hpp"
#include "../diagnostics/psis.hpp"
#include "objective.hpp"
#include "optimize.hpp"

namespace exmc {

struct laplace_options : optimize_options {
  int draws = 1000;
  double fd_step = 0.0;  // relative finite-difference step; 0: cbrt(machine epsilon) ~ 6e-6
};

struct laplace_result {
  optimize_result mode;
  Eigen::MatrixXd hessian;     // of log p at the mode, unconstrained, symmetrised
  Eigen::MatrixXd covariance;  // (-hessian)^-1
  draws posterior;             // one chain: draws x constrained quantities
  Eigen::MatrixXd unconstrained;  // draws x dim()
  Eigen::VectorXd lp;          // log density of each draw (-inf where the density is invalid)
  Eigen::VectorXd lq;          // log density of each draw under the approximation
  // How well the normal fits (approximation_pareto_k of lp and lq, Yao et al. 2018): above 0.7
  // the approximation is poor and its draws should not be trusted; -inf: exact. NaN with fewer
  // than 25 draws.
  double pareto_k = std::numeric_limits<double>::quiet_NaN();
  std::size_t grad_evals = 0;  // optimisation + Hessian + log densities of the draws
};

namespace detail {

inline void validate_laplace(const laplace_options& o) {
  if (o.draws < 0) bad_option("laplace", "draws must be >= 0 (got " + std::to_string(o.draws) + ")");
  if (!(o.fd_step >= 0.0) || !(o.fd_step < 0.1))
    bad_option("laplace", "fd_step must lie in [0, 0.1) (got " + std::to_string(o.fd_step) + ")");
}

// Central differences of the exact gradient, column by column, then symmetrised.
template <LogDensity D>
Eigen::MatrixXd fd_hessian(double_density<D>& f, const Eigen::VectorXd& q, double rel_step) {
  const Eigen::Index n = q.size();
  const double h0 = rel_step > 0.0 ? rel_step : std::cbrt(std::numeric_limits<double>::epsilon());
  Eigen::MatrixXd h(n, n);
  Eigen::VectorXd x = q, gp(n), gm(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    const double step = h0 * std::max(1.0, std::abs(q[j]));
    x[j] = q[j] + step;
    const double lp_plus = f.safe(x, gp);
    x[j] = q[j] - step;
    const double lp_minus = f.safe(x, gm);
    x[j] = q[j];
    if (!std::isfinite(lp_plus) || !std::isfinite(lp_minus))
      throw sampling_error("laplace: the log density is not finite within " + std::to_string(step) +
                           " of the mode along coordinate " + std::to_string(j) + "; no Hessian");
    h.col(j) = (gp - gm) / (2.0 * step);
  }
  return 0.5 * (h + h.transpose());
}

template <LogDensity D>
laplace_result run_laplace(const D& density, const optimize_result& mode, const laplace_options& o) {
  detail::validate_laplace(o);
  const auto n = static_cast<Eigen::Index>(density.dim());
  if (mode.unconstrained.size() != n)
    throw model_error("laplace: the mode has " + std::to_string(mode.unconstrained.size()) +
                      " coordinates, the density has dim() = " + std::to_string(n));
  if (!mode.converged())
    throw sampling_error("laplace: the optimisation did not converge (" + mode.message + ")");

  detail::double_density<D> f(density);
  laplace_result r;
  r.mode = mode;
  r.hessian = detail::fd_hessian(f, mode.unconstrained, o.fd_step);
  const Eigen::MatrixXd precision = -r.hessian;
  const Eigen::LLT<Eigen::MatrixXd> llt(precision);
  if (llt.info() != Eigen::Success) {
    const double smallest = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(precision, Eigen::EigenvaluesOnly).eigenvalues()[0];
    throw sampling_error("laplace: the Hessian of log p at the mode is not negative definite (largest eigenvalue " +
                         std::to_string(-smallest) + "); the mode may be a saddle or the density flat in some direction");
  }
  r.covariance = llt.solve(Eigen::MatrixXd::Identity(n, n));
  const Eigen::MatrixXd lower = llt.matrixL();
  const double log_norm = lower.diagonal().array().log().sum() - 0.5 * static_cast<double>(n) * std::log(2.0 * std::numbers::pi);

  // q = mode + L^-T z has covariance (L L^T)^-1 = (-H)^-1.
  rng r_draws(o.seed, 1);
  const auto m = static_cast<Eigen::Index>(o.draws);
  r.unconstrained.resize(m, n);
  r.lp.resize(m);
  r.lq.resize(m);
  r.posterior.names = detail::quantity_names(density);
  Eigen::MatrixXd out(m, static_cast<Eigen::Index>(r.posterior.names.size()));
  Eigen::VectorXd z(n), q(n), g(n), constrained;
  for (Eigen::Index i = 0; i < m; ++i) {
    for (auto& v : z) v = r_draws.normal();
    q = mode.unconstrained + llt.matrixU().solve(z);
    r.unconstrained.row(i) = q.transpose();
    r.lq[i] = log_norm - 0.5 * z.squaredNorm();
    r.lp[i] = f.safe(q, g);
    detail::constrain_point(density, q, constrained);
    out.row(i) = constrained.transpose();
  }
  r.posterior.chains.push_back(std::move(out));
  r.pareto_k = approximation_pareto_k(r.lp, r.lq);
  r.grad_evals = mode.grad_evals + f.evals();
  return r;
}

#ifdef EXMC_SEPARATE_COMPILATION
extern template laplace_result run_laplace(const any_density<double>&, const optimize_result&, const laplace_options&);
#endif

}  // namespace detail

// Approximation around a mode found earlier (mode.unconstrained must be a converged optimum of
// this density). Throws sampling_error when -H is not positive definite there. The density is
// seen through any_density, as by exmc::sample (D119).
template <LogDensity D>
laplace_result laplace(const D& density, const optimize_result& mode, const laplace_options& o = {}) {
  return detail::run_laplace(any_density<typename D::scalar>(density), mode, o);
}

// Finds the mode with exmc::optimize (same options), then approximates there.
template <LogDensity D>
laplace_result laplace(const D& density, const laplace_options& o = {}) {
  detail::validate_laplace(o);
  return laplace(density, optimize(density, static_cast<const optimize_options&>(o)), o);
}

}  // namespace exmc
