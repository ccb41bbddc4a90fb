#pragma once
// Gaussian-process regression (Stan's user's guide, "Gaussian process regression", marginal
// likelihood), hand-written:
//   rho ~ inv_gamma(5, 5); alpha ~ normal+(0, 1); sigma ~ normal+(0, 1)
//   y ~ multi_normal(0, K),  K_ij = alpha^2 exp(-(x_i - x_j)^2 / (2 rho^2)) + sigma^2 [i = j]
// Coordinates: log rho, log alpha, log sigma (log-Jacobians included), full normalising
// constants. The gradient as Rasmussen and Williams give it (2006, Algorithm 2.1 and eq. 5.9):
//   d lp / d theta = tr((a a^T - K^-1) dK/dtheta) / 2,  a = K^-1 y,
// with K^-1 from the Cholesky factor by two triangular solves. Every buffer is allocated once.
#include <Eigen/Cholesky>
#include <cmath>
#include <limits>

#include "reference/common.hpp"

namespace exmc::reference {

class gp_regression {
 public:
  using scalar = double;
  using matrix = Eigen::MatrixXd;

  gp_regression(const Eigen::VectorXd& x, const Eigen::VectorXd& y)
      : y_(y), d2_(x.size(), x.size()), e_(x.size(), x.size()), ed_(x.size(), x.size()), k_(x.size(), x.size()),
        kinv_(x.size(), x.size()), a_(x.size()), t_(x.size()), llt_(x.size()) {
    require(x.size() == y.size() && x.size() > 0, "gp_regression: x and y must have the same, positive size");
    require_finite("gp_regression", "x", x);
    require_finite("gp_regression", "y", y);
    for (Eigen::Index j = 0; j < x.size(); ++j)
      for (Eigen::Index i = 0; i < x.size(); ++i) d2_(i, j) = (x[i] - x[j]) * (x[i] - x[j]);
  }

  Eigen::Index dim() const { return 3; }

  double logp_grad(const Eigen::VectorXd& q, Eigen::VectorXd& grad) const {
    using K = consts<double>;
    check_call<double>("gp_regression", dim(), q, grad);
    const Eigen::Index n = y_.size();
    const double rho = std::exp(q[0]), alpha = std::exp(q[1]), sigma = std::exp(q[2]);
    const double a2 = alpha * alpha, s2 = sigma * sigma;
    // Kernel values on the lower triangle, mirrored.
    const double c = -0.5 / (rho * rho);
    for (Eigen::Index j = 0; j < n; ++j) {
      e_.col(j).tail(n - j) = (c * d2_.col(j).tail(n - j).array()).exp();
      e_.row(j).tail(n - j) = e_.col(j).tail(n - j).transpose();
    }
    k_ = a2 * e_;
    k_.diagonal().array() += s2;
    llt_.compute(k_);
    if (llt_.info() != Eigen::Success) {
      grad.setZero();
      return -std::numeric_limits<double>::infinity();
    }
    a_ = y_;
    llt_.solveInPlace(a_);
    kinv_.setIdentity();
    llt_.solveInPlace(kinv_);
    const double log_det_half = llt_.matrixLLT().diagonal().array().log().sum();
    double lp = -0.5 * y_.dot(a_) - log_det_half - static_cast<double>(n) * K::log_sqrt_2pi;
    // tr(W dK/dtheta) with W = a a^T - K^-1, on the log scale of each parameter:
    // dK/dlog(alpha) = 2 alpha^2 E, dK/dlog(rho) = alpha^2 E .* D2 / rho^2, dK/dlog(sigma) = 2 sigma^2 I.
    ed_ = e_.array() * d2_.array();
    t_.noalias() = e_ * a_;
    const double we = a_.dot(t_) - (kinv_.array() * e_.array()).sum();
    t_.noalias() = ed_ * a_;
    const double wed = a_.dot(t_) - (kinv_.array() * ed_.array()).sum();
    const double wi = a_.squaredNorm() - kinv_.trace();
    grad[0] = 0.5 * a2 * wed / (rho * rho);
    grad[1] = a2 * we;
    grad[2] = s2 * wi;
    // Priors and log-Jacobians.
    lp += 5 * std::log(5.0) - std::lgamma(5.0) - 6 * q[0] - 5 / rho + q[0];  // inv_gamma(5, 5)
    grad[0] += -5 + 5 / rho;
    lp += 2 * (K::log_2 - K::log_sqrt_2pi) - 0.5 * (a2 + s2) + q[1] + q[2];  // half-normals
    grad[1] += 1 - a2;
    grad[2] += 1 - s2;
    return lp;
  }

 private:
  Eigen::VectorXd y_;
  matrix d2_;
  mutable matrix e_, ed_, k_, kinv_;
  mutable Eigen::VectorXd a_, t_;
  mutable Eigen::LLT<matrix> llt_;
};

}  // namespace exmc::reference
