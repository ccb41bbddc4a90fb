#pragma once
// Hand-written densities with known modes and posteriors for the optimize, laplace and
// pathfinder tests.
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/LU>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <exmc/core/log_density.hpp>
#include <exmc/core/random.hpp>

namespace opt_test {

// N(mean, cov) up to a constant: log p = -1/2 (q - mean)' P (q - mean).
struct gaussian {
  using scalar = double;
  Eigen::VectorXd mean;
  Eigen::MatrixXd precision;
  gaussian(Eigen::VectorXd m, const Eigen::MatrixXd& cov) : mean(std::move(m)), precision(cov.inverse()) {}
  std::ptrdiff_t dim() const { return mean.size(); }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
    g.noalias() = -precision * (q - mean);
    return 0.5 * (q - mean).dot(g);
  }
};

// A correlated 5-dimensional covariance with scales from 0.1 to 10.
inline Eigen::MatrixXd test_covariance() {
  const Eigen::Index n = 5;
  Eigen::VectorXd sd(n);
  sd << 0.1, 1.0, 3.0, 10.0, 0.5;
  Eigen::MatrixXd corr(n, n);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j) corr(i, j) = std::pow(0.6, std::abs(static_cast<double>(i - j)));
  return sd.asDiagonal() * corr * sd.asDiagonal();
}
inline Eigen::VectorXd test_mean() {
  Eigen::VectorXd m(5);
  m << 1.0, -2.0, 0.5, 30.0, -0.25;
  return m;
}

// lambda ~ gamma(a, b), y[i] ~ poisson(lambda); coordinate u = log(lambda). The flags mimic
// compile_options: without the Jacobian the mode is the constrained MAP, without the prior the
// MLE. Posterior: gamma(a + sum y, b + n).
struct gamma_poisson {
  using scalar = double;
  double a = 3.0, b = 0.5;
  std::vector<int> y{4, 7, 2, 5, 6, 3, 8, 5};
  bool jacobian = true, priors = true;
  std::ptrdiff_t dim() const { return 1; }
  double sum_y() const {
    double s = 0;
    for (int v : y) s += v;
    return s;
  }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
    const double u = q[0], lambda = std::exp(u), n = static_cast<double>(y.size());
    double lp = sum_y() * u - n * lambda, d = sum_y() - n * lambda;
    if (priors) lp += (a - 1.0) * u - b * lambda, d += (a - 1.0) - b * lambda;
    if (jacobian) lp += u, d += 1.0;
    g[0] = d;
    return lp;
  }
  std::vector<std::string> param_names() const { return {"lambda"}; }
  void constrain(const exmc::vector_t<double>& q, Eigen::VectorXd& out) const {
    out.resize(1);
    out[0] = std::exp(q[0]);
  }
};

// Logistic regression with normal(0, 2.5) priors on the intercept and 2 slopes; simulated data.
struct logistic {
  using scalar = double;
  Eigen::MatrixXd X;  // n x 3 with a column of ones
  Eigen::VectorXd y;
  explicit logistic(int n = 100, std::uint64_t seed = 11) : X(n, 3), y(n) {
    exmc::rng r(seed);
    const Eigen::Vector3d beta(-0.5, 1.2, -0.8);
    for (int i = 0; i < n; ++i) {
      X(i, 0) = 1.0, X(i, 1) = r.normal(), X(i, 2) = r.normal();
      const double p = 1.0 / (1.0 + std::exp(-X.row(i).dot(beta)));
      y[i] = r.uniform() < p ? 1.0 : 0.0;
    }
  }
  std::ptrdiff_t dim() const { return 3; }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
    const Eigen::VectorXd eta = X * q;
    double lp = -0.5 * q.squaredNorm() / 6.25;
    Eigen::VectorXd r(eta.size());
    for (Eigen::Index i = 0; i < eta.size(); ++i) {
      // log sigmoid(eta) = -log1p(exp(-eta)), written stably for either sign.
      const double e = eta[i];
      const double log_p = e > 0 ? -std::log1p(std::exp(-e)) : e - std::log1p(std::exp(e));
      const double log_1mp = log_p - e;
      lp += y[i] * log_p + (1.0 - y[i]) * log_1mp;
      r[i] = y[i] - std::exp(log_p);
    }
    g = X.transpose() * r - q / 6.25;
    return lp;
  }
};

// The Rosenbrock banana, negated: maximum 0 at (1, 1).
struct rosenbrock {
  using scalar = double;
  std::ptrdiff_t dim() const { return 2; }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
    const double x = q[0], y = q[1];
    g[0] = 400.0 * x * (y - x * x) + 2.0 * (1.0 - x);
    g[1] = -200.0 * (y - x * x);
    return -(100.0 * (y - x * x) * (y - x * x) + (1.0 - x) * (1.0 - x));
  }
};

// 10 log(q) - q on q > 0 (mode 10): -inf for q <= 0 and an exception for q < -5, so a long
// line search step lands where the density is invalid.
struct walled {
  using scalar = double;
  std::ptrdiff_t dim() const { return 1; }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
    if (q[0] < -5.0) throw std::domain_error("walled: q < -5");
    g[0] = 10.0 / q[0] - 1.0;
    return q[0] > 0.0 ? 10.0 * std::log(q[0]) - q[0] : -std::numeric_limits<double>::infinity();
  }
};

// Increases without bound along q[0].
struct unbounded {
  using scalar = double;
  std::ptrdiff_t dim() const { return 2; }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
    g[0] = 1.0;
    g[1] = -q[1];
    return q[0] - 0.5 * q[1] * q[1];
  }
};

// Invalid everywhere.
struct nowhere {
  using scalar = double;
  std::ptrdiff_t dim() const { return 2; }
  double logp_grad(const exmc::vector_t<double>&, exmc::vector_t<double>& g) const {
    g.setZero();
    return std::numeric_limits<double>::quiet_NaN();
  }
};

// Independent normals in float.
struct float_normal {
  using scalar = float;
  std::ptrdiff_t dim() const { return 3; }
  double logp_grad(const exmc::vector_t<float>& q, exmc::vector_t<float>& g) const {
    double lp = 0;
    for (int i = 0; i < 3; ++i) {
      const float z = (q[i] - static_cast<float>(i)) / 2.0f;
      lp -= 0.5 * static_cast<double>(z * z);
      g[i] = -z / 2.0f;
    }
    return lp;
  }
};

// Sample covariance of the rows of x.
inline Eigen::MatrixXd covariance_of(const Eigen::MatrixXd& x) {
  const Eigen::MatrixXd c = x.rowwise() - x.colwise().mean();
  return c.transpose() * c / static_cast<double>(x.rows() - 1);
}

}  // namespace opt_test
