#pragma once
// Test-only: a logistic regression written by hand, usable by NUTS and ADVI (logp_grad) and by
// SMC (prior and likelihood apart). Coefficients beta ~ normal(0, 2.5), y ~ bernoulli_logit(X beta),
// X an intercept and two standard-normal covariates, data simulated with a fixed seed.
#include <Eigen/Core>
#include <cmath>

#include <exmc/core/log_density.hpp>
#include <exmc/core/random.hpp>

namespace test_models {

struct logistic_regression {
  using scalar = double;
  struct workspace {
    Eigen::VectorXd eta;
  };
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  double prior_sd = 2.5;

  static logistic_regression simulate(int n, std::uint64_t seed) {
    logistic_regression m;
    exmc::rng g(seed, 0);
    const Eigen::Vector3d truth(0.3, -1.0, 0.8);
    m.x.resize(n, 3);
    m.y.resize(n);
    for (int i = 0; i < n; ++i) {
      m.x(i, 0) = 1.0;
      m.x(i, 1) = g.normal();
      m.x(i, 2) = g.normal();
      const double p = 1.0 / (1.0 + std::exp(-m.x.row(i).dot(truth)));
      m.y[i] = g.uniform() < p ? 1.0 : 0.0;
    }
    return m;
  }

  std::ptrdiff_t dim() const { return 3; }
  workspace make_workspace() const { return {Eigen::VectorXd(x.rows())}; }

  double log_prior(const exmc::vector_t<double>& q, exmc::vector_t<double>& g, workspace&) const {
    g = -q / (prior_sd * prior_sd);
    return -0.5 * q.squaredNorm() / (prior_sd * prior_sd);
  }
  double log_likelihood(const exmc::vector_t<double>& q, exmc::vector_t<double>& g, workspace& ws) const {
    ws.eta.noalias() = x * q;
    double lp = 0.0;
    for (Eigen::Index i = 0; i < ws.eta.size(); ++i) {
      const double e = ws.eta[i];
      // log sigmoid(e) if y = 1, log sigmoid(-e) if y = 0; residual y - sigmoid(e)
      const double s = y[i] > 0.5 ? e : -e;
      lp -= s > 0 ? std::log1p(std::exp(-s)) : -s + std::log1p(std::exp(s));
      ws.eta[i] = y[i] - 1.0 / (1.0 + std::exp(-e));
    }
    g.noalias() = x.transpose() * ws.eta;
    return lp;
  }
  void draw_prior(exmc::rng& r, exmc::vector_t<double>& q, workspace&) const {
    for (Eigen::Index j = 0; j < q.size(); ++j) q[j] = prior_sd * r.normal();
  }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g, workspace& ws) const {
    exmc::vector_t<double> gl(q.size());
    const double lp = log_prior(q, g, ws) + log_likelihood(q, gl, ws);
    g += gl;
    return lp;
  }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
    workspace ws = make_workspace();
    return logp_grad(q, g, ws);
  }
};

}  // namespace test_models
