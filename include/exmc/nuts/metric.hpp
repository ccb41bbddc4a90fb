#pragma once
// Euclidean metrics for HMC: kinetic energy K(p) = p' M^-1 p / 2 with M^-1 the inverse metric
// (an estimate of the posterior covariance). Positions and momenta are in the density's scalar
// type; the kinetic energy is accumulated in double so float targets get double energies.
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cmath>
#include <concepts>
#include <string>

#include "../core/error.hpp"
#include "../core/log_density.hpp"
#include "../core/random.hpp"

namespace exmc {

enum class metric_kind { unit, diag, dense };

inline const char* to_string(metric_kind k) {
  switch (k) {
    case metric_kind::unit: return "unit";
    case metric_kind::diag: return "diag";
    case metric_kind::dense: return "dense";
  }
  return "?";
}

template <std::floating_point T>
class euclidean_metric {
 public:
  using vector = vector_t<T>;
  using matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

  euclidean_metric(metric_kind kind, Eigen::Index dim) : kind_(kind), dim_(dim) {
    inv_diag_ = vector::Ones(dim);
    if (kind == metric_kind::dense) {
      inv_dense_ = matrix::Identity(dim, dim);
      chol_ = matrix::Identity(dim, dim);
    }
  }

  metric_kind kind() const { return kind_; }
  Eigen::Index dim() const { return dim_; }

  // Inverse metric as a diagonal (unit and diag) or the diagonal of the dense matrix.
  Eigen::VectorXd inv_diag() const {
    if (kind_ == metric_kind::dense) return inv_dense_.diagonal().template cast<double>();
    return inv_diag_.template cast<double>();
  }
  // Dense inverse metric; for unit/diag the diagonal matrix.
  Eigen::MatrixXd inv_dense() const {
    if (kind_ == metric_kind::dense) return inv_dense_.template cast<double>();
    return inv_diag_.template cast<double>().asDiagonal();
  }

  // Returns false (and keeps the old metric) unless every entry is finite and positive.
  bool set_inv_diag(const Eigen::VectorXd& d) {
    if (kind_ == metric_kind::dense) return set_inv_dense(Eigen::MatrixXd(d.asDiagonal()));
    if (d.size() != dim_ || !d.allFinite() || (d.array() <= 0.0).any()) return false;
    const vector cast = d.template cast<T>();
    if (!cast.allFinite() || (cast.array() <= T(0)).any()) return false;  // float under/overflow
    inv_diag_ = cast;
    return true;
  }
  // Returns false (and keeps the old metric) unless symmetric positive definite and finite.
  bool set_inv_dense(const Eigen::MatrixXd& m) {
    if (kind_ != metric_kind::dense) return set_inv_diag(m.diagonal());
    if (m.rows() != dim_ || m.cols() != dim_ || !m.allFinite()) return false;
    const matrix cast = m.template cast<T>();
    Eigen::LLT<matrix> llt(cast);
    if (llt.info() != Eigen::Success || !llt.matrixL().toDenseMatrix().allFinite()) return false;
    inv_dense_ = cast;
    chol_ = llt.matrixL();
    return true;
  }

  // v = M^-1 p (the "sharp" momentum, dq/dt).
  void velocity(const vector& p, vector& v) const {
    switch (kind_) {
      case metric_kind::unit: v = p; break;
      case metric_kind::diag: v.array() = inv_diag_.array() * p.array(); break;
      case metric_kind::dense: v.noalias() = inv_dense_ * p; break;
    }
  }

  // K = p.v / 2 given v = M^-1 p.
  static double kinetic(const vector& p, const vector& v) {
    if constexpr (std::same_as<T, double>) {
      return 0.5 * p.dot(v);
    } else {
      return 0.5 * p.template cast<double>().dot(v.template cast<double>());
    }
  }

  // p ~ N(0, M). For dense M^-1 = L L', p = L'^-1 z has covariance (L L')^-1 = M.
  void sample_momentum(rng& r, vector& p) const {
    for (Eigen::Index i = 0; i < dim_; ++i) p[i] = static_cast<T>(r.normal());
    switch (kind_) {
      case metric_kind::unit: break;
      case metric_kind::diag: p.array() /= inv_diag_.array().sqrt(); break;
      case metric_kind::dense: chol_.transpose().template triangularView<Eigen::Upper>().solveInPlace(p); break;
    }
  }

 private:
  metric_kind kind_;
  Eigen::Index dim_;
  vector inv_diag_;
  matrix inv_dense_;
  matrix chol_;  // lower Cholesky factor of inv_dense_
};

}  // namespace exmc
