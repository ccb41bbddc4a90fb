#pragma once
// The variational Gaussian of ADVI, held as one flat parameter vector so that the step-size
// sequence updates every parameter with a single vector expression:
//   meanfield  [mu (d), omega (d)]                       sd = exp(omega)
//   fullrank   [mu (d), lower triangle of L by columns]  cov = L L^T
// A draw is zeta = mu + S eta with eta ~ N(0, I) and S = diag(exp(omega)) or L; the ELBO
// gradient follows by the reparameterisation trick from the model's gradient at zeta.
#include <Eigen/Core>
#include <cmath>
#include <numbers>

#include "advi_options.hpp"

namespace exmc::detail {

class advi_gaussian {
 public:
  advi_gaussian(advi_family f, Eigen::Index d) : f_(f), d_(d), theta_(Eigen::VectorXd::Zero(num_params(f, d))) {
    if (f_ == advi_family::fullrank)
      for (Eigen::Index j = 0; j < d_; ++j) theta_[tri(j, j)] = 1.0;
    refresh();
  }

  static Eigen::Index num_params(advi_family f, Eigen::Index d) {
    return f == advi_family::meanfield ? 2 * d : d + d * (d + 1) / 2;
  }

  advi_family family() const { return f_; }
  Eigen::Index dim() const { return d_; }
  const Eigen::VectorXd& params() const { return theta_; }
  void set_params(const Eigen::VectorXd& theta) {
    theta_ = theta;
    refresh();
  }
  void set_mean(const Eigen::VectorXd& mu) { theta_.head(d_) = mu; }
  Eigen::VectorXd mean() const { return theta_.head(d_); }
  Eigen::VectorXd log_sd() const { return f_ == advi_family::meanfield ? Eigen::VectorXd(theta_.tail(d_)) : Eigen::VectorXd(); }
  Eigen::MatrixXd cholesky() const {
    if (f_ == advi_family::fullrank) return L_;
    return Eigen::MatrixXd(sd_.asDiagonal());
  }

  void draw(const Eigen::VectorXd& eta, Eigen::VectorXd& zeta) const {
    if (f_ == advi_family::meanfield)
      zeta = theta_.head(d_) + sd_.cwiseProduct(eta);
    else
      zeta = theta_.head(d_) + L_.triangularView<Eigen::Lower>() * eta;
  }

  // log |det S|: the part of the entropy and of log q that depends on the parameters.
  double log_det() const {
    if (f_ == advi_family::meanfield) return theta_.tail(d_).sum();
    return L_.diagonal().cwiseAbs().array().log().sum();
  }
  double entropy() const { return 0.5 * static_cast<double>(d_) * (1.0 + std::log(2.0 * std::numbers::pi)) + log_det(); }
  // log q(mu + S eta).
  double log_density(const Eigen::VectorXd& eta) const {
    return -0.5 * eta.squaredNorm() - 0.5 * static_cast<double>(d_) * std::log(2.0 * std::numbers::pi) - log_det();
  }

  // acc += d log p(mu + S eta) / d theta, given g = grad log p at that point.
  void add_draw_gradient(const Eigen::VectorXd& eta, const Eigen::VectorXd& g, Eigen::VectorXd& acc) const {
    acc.head(d_) += g;
    if (f_ == advi_family::meanfield) {
      acc.tail(d_).array() += g.array() * eta.array() * sd_.array();
    } else {
      for (Eigen::Index j = 0; j < d_; ++j)
        for (Eigen::Index i = j; i < d_; ++i) acc[tri(i, j)] += g[i] * eta[j];
    }
  }
  // acc += d entropy / d theta.
  void add_entropy_gradient(Eigen::VectorXd& acc) const {
    if (f_ == advi_family::meanfield) {
      acc.tail(d_).array() += 1.0;
    } else {
      for (Eigen::Index j = 0; j < d_; ++j) acc[tri(j, j)] += 1.0 / L_(j, j);
    }
  }

 private:
  // Position of L(i, j), i >= j, in theta: after mu, column j starts after the j previous
  // columns of lengths d, d-1, ...
  Eigen::Index tri(Eigen::Index i, Eigen::Index j) const { return d_ + j * d_ - j * (j - 1) / 2 + (i - j); }

  void refresh() {
    if (f_ == advi_family::meanfield) {
      sd_ = theta_.tail(d_).array().exp().matrix();
    } else {
      L_ = Eigen::MatrixXd::Zero(d_, d_);
      for (Eigen::Index j = 0; j < d_; ++j)
        for (Eigen::Index i = j; i < d_; ++i) L_(i, j) = theta_[tri(i, j)];
    }
  }

  advi_family f_;
  Eigen::Index d_;
  Eigen::VectorXd theta_;
  Eigen::VectorXd sd_;  // meanfield: exp(omega)
  Eigen::MatrixXd L_;   // fullrank: unpacked Cholesky factor
};

}  // namespace exmc::detail
