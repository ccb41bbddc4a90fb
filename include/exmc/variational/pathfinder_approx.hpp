#pragma once
// The normal approximation Pathfinder builds at one L-BFGS iterate (Zhang, Carpenter, Gelman
// and Vehtari 2022, section 2): covariance = the L-BFGS inverse Hessian in compact form
// (Byrd, Nocedal and Schnabel 1994), diag(alpha) + beta gamma beta^T, whose diagonal start
// alpha is itself learned from the (s, y) pairs; mean = one quasi-Newton step from the iterate.
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/QR>
#include <cmath>
#include <numbers>
#include <optional>

#include "../core/random.hpp"

namespace exmc::detail {

// N(mu, Sigma) with Sigma = A^1/2 (I + Q (L L^T - I) Q^T) A^1/2, A = diag(alpha), Q orthonormal
// (n x k, k <= 2 * history): draws and log densities in O(n k) without forming Sigma.
struct lowrank_normal {
  Eigen::VectorXd mu, sqrt_alpha;
  Eigen::MatrixXd Q, L;  // L lower triangular, k x k
  double log_norm = 0.0;  // -n/2 log(2 pi) - 1/2 log det Sigma

  // Writes a draw to x and returns its log density. u: scratch of size n.
  template <class = void>
  double draw(rng& r, Eigen::VectorXd& u, Eigen::VectorXd& x) const {
    for (auto& v : u) v = r.normal();
    // v = u + Q (L - I) Q^T u has covariance I + Q (L L^T - I) Q^T, and |u|^2 is its quadratic form.
    x = u;
    if (Q.cols() > 0) {
      const Eigen::VectorXd c = Q.transpose() * u;
      x.noalias() += Q * (L.triangularView<Eigen::Lower>() * c - c);
    }
    x = mu.array() + sqrt_alpha.array() * x.array();
    return log_norm - 0.5 * u.squaredNorm();
  }

  // Marginal variances: diag(Sigma).
  template <class = void>
  Eigen::VectorXd variances() const {
    Eigen::VectorXd v = Eigen::VectorXd::Ones(mu.size());
    if (Q.cols() > 0) {
      const Eigen::MatrixXd ql = Q * L;  // rows of Q (L L^T) Q^T on the diagonal
      v += ql.rowwise().squaredNorm() - Q.rowwise().squaredNorm();
    }
    return v.array() * sqrt_alpha.array().square();
  }
};

// The member functions below are templates that are never given an argument, for the reason of
// D72: a translation unit compiles their dense Eigen products and decompositions only if it calls
// them (otherwise parsing this header cost ~10 s of g++ time in every unit that includes it).

// Pairs s = x_{l+1} - x_l and y = -(grad_{l+1} - grad_l) (gradients of log p), oldest first,
// and the running diagonal estimate alpha of the inverse Hessian.
struct curvature_history {
  Eigen::MatrixXd S, Y;  // n x m
  Eigen::VectorXd alpha;
  int capacity;

  curvature_history(Eigen::Index n, int history) : S(n, 0), Y(n, 0), alpha(Eigen::VectorXd::Ones(n)), capacity(history) {}

  // Returns false (and keeps nothing) when the pair lacks positive curvature.
  bool add(const Eigen::VectorXd& s, const Eigen::VectorXd& y) {
    const double sy = s.dot(y);
    if (!(sy > std::numeric_limits<double>::epsilon() * y.squaredNorm()) || !std::isfinite(sy)) return false;
    // Diagonal of the BFGS update of the Hessian diag(1/alpha): b + y^2/(s'y) - (b s)^2/(s'Bs).
    // BFGS keeps the full update positive definite, so its diagonal stays positive.
    const Eigen::ArrayXd b = alpha.array().inverse();
    const double sbs = (s.array().square() * b).sum();
    const Eigen::ArrayXd b_new = b + y.array().square() / sy - (b * s.array()).square() / sbs;
    if ((b_new > 0.0).all() && b_new.allFinite()) alpha = b_new.inverse().matrix();
    const Eigen::Index m = S.cols();
    if (m < capacity) {
      S.conservativeResize(Eigen::NoChange, m + 1);
      Y.conservativeResize(Eigen::NoChange, m + 1);
    } else {
      S.leftCols(m - 1) = S.rightCols(m - 1).eval();
      Y.leftCols(m - 1) = Y.rightCols(m - 1).eval();
    }
    S.col(S.cols() - 1) = s;
    Y.col(Y.cols() - 1) = y;
    return true;
  }

  // The approximation at iterate x with log-density gradient grad; nullopt when the implied
  // covariance is not positive definite (rounding in nearly dependent pairs).
  template <class = void>
  std::optional<lowrank_normal> approximation(const Eigen::VectorXd& x, const Eigen::VectorXd& grad) const {
    const Eigen::Index n = x.size(), m = S.cols();
    lowrank_normal a;
    a.sqrt_alpha = alpha.array().sqrt();
    double log_det = alpha.array().log().sum();
    Eigen::VectorXd h_grad = alpha.cwiseProduct(grad);  // Sigma * grad, built up below
    if (m == 0) {
      a.Q.resize(n, 0);
      a.L.resize(0, 0);
    } else {
      // Compact inverse BFGS: H = A + [A Y, S] gamma [A Y, S]^T with
      // gamma = [[0, -R^-1], [-R^-T, R^-T (D + Y'AY) R^-1]], R = upper(S'Y), D = diag(S'Y).
      const Eigen::MatrixXd sy = S.transpose() * Y;
      const Eigen::MatrixXd R = sy.triangularView<Eigen::Upper>();
      const Eigen::MatrixXd AY = alpha.asDiagonal() * Y;
      Eigen::MatrixXd Rinv = R.triangularView<Eigen::Upper>().solve(Eigen::MatrixXd::Identity(m, m));
      Eigen::MatrixXd inner = Y.transpose() * AY;
      inner.diagonal() += sy.diagonal();
      Eigen::MatrixXd gamma = Eigen::MatrixXd::Zero(2 * m, 2 * m);
      gamma.topRightCorner(m, m) = -Rinv;
      gamma.bottomLeftCorner(m, m) = -Rinv.transpose();
      gamma.bottomRightCorner(m, m) = Rinv.transpose() * inner * Rinv;
      Eigen::MatrixXd beta(n, 2 * m);
      beta << AY, S;
      if (!gamma.allFinite()) return std::nullopt;
      h_grad += beta * (gamma * (beta.transpose() * grad));
      // A^-1/2 beta = Q R_q, so Sigma = A^1/2 (I + Q R_q gamma R_q^T Q^T) A^1/2.
      const Eigen::MatrixXd scaled = a.sqrt_alpha.cwiseInverse().asDiagonal() * beta;
      const Eigen::Index k = std::min(n, 2 * m);
      const Eigen::HouseholderQR<Eigen::MatrixXd> qr(scaled);
      a.Q = qr.householderQ() * Eigen::MatrixXd::Identity(n, k);
      const Eigen::MatrixXd Rq = qr.matrixQR().topRows(k).triangularView<Eigen::Upper>();
      Eigen::MatrixXd middle = Rq * gamma * Rq.transpose();
      middle.diagonal().array() += 1.0;
      const Eigen::LLT<Eigen::MatrixXd> llt(0.5 * (middle + middle.transpose()));
      if (llt.info() != Eigen::Success) return std::nullopt;
      a.L = llt.matrixL();
      log_det += 2.0 * a.L.diagonal().array().log().sum();
    }
    a.mu = x + h_grad;
    a.log_norm = -0.5 * static_cast<double>(n) * std::log(2.0 * std::numbers::pi) - 0.5 * log_det;
    if (!a.mu.allFinite() || !std::isfinite(a.log_norm)) return std::nullopt;
    return a;
  }
};

}  // namespace exmc::detail
