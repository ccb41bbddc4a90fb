#pragma once
// Euclidean metrics for HMC: kinetic energy K(p) = p' M^-1 p / 2 with M^-1 the inverse metric
// (an estimate of the posterior covariance). Positions and momenta are in the density's scalar
// type; the kinetic energy is accumulated in double so float targets get double energies.
//   unit       M^-1 = I
//   diag       M^-1 = D
//   dense      M^-1 = S, any symmetric positive definite matrix: O(d^2) per leapfrog step
//   low_rank   M^-1 = D^1/2 (I + U (Lambda - I) U') D^1/2, U d x k with orthonormal columns:
//              a diagonal corrected along k directions (nutpie's low-rank mass matrix, D136),
//              O(d k) per step
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cmath>
#include <concepts>
#include <string>

#include "../core/error.hpp"
#include "../core/log_density.hpp"
#include "../core/random.hpp"

namespace exmc {

enum class metric_kind { unit, diag, dense, low_rank };

inline const char* to_string(metric_kind k) {
  switch (k) {
    case metric_kind::unit: return "unit";
    case metric_kind::diag: return "diag";
    case metric_kind::dense: return "dense";
    case metric_kind::low_rank: return "low_rank";
  }
  return "?";
}

// The low-rank metric's parts: M^-1 = D^1/2 (I + U diag(values - 1) U') D^1/2 with D = diag,
// U = vectors (d x k, orthonormal columns), k = values.size() (0: the diagonal D alone).
struct low_rank_factors {
  Eigen::VectorXd diag;
  Eigen::MatrixXd vectors;
  Eigen::VectorXd values;
  Eigen::Index rank() const { return values.size(); }
};

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
    if (kind == metric_kind::low_rank) {
      sqrt_diag_ = inv_diag_;  // sqrt(1)
      vectors_.resize(dim, 0);
    }
  }

  metric_kind kind() const { return kind_; }
  Eigen::Index dim() const { return dim_; }

  // The diagonal of the inverse metric, whatever its kind.
  Eigen::VectorXd inv_diag() const {
    if (kind_ == metric_kind::dense) return inv_dense_.diagonal().template cast<double>();
    if (kind_ == metric_kind::low_rank && values_.size() > 0)
      return (inv_diag_.template cast<double>().array() *
              (1.0 + (vectors_.array().square().matrix() * (values_.array() - 1.0).matrix()).array()))
          .matrix();
    return inv_diag_.template cast<double>();
  }
  // The inverse metric as a matrix (d x d: for writers and tests, not for large d).
  Eigen::MatrixXd inv_dense() const {
    if (kind_ == metric_kind::dense) return inv_dense_.template cast<double>();
    if (kind_ == metric_kind::low_rank && values_.size() > 0) {
      const Eigen::VectorXd sd = inv_diag_.template cast<double>().array().sqrt();
      Eigen::MatrixXd m = vectors_ * (values_.array() - 1.0).matrix().asDiagonal() * vectors_.transpose();
      m.diagonal().array() += 1.0;
      return sd.asDiagonal() * m * sd.asDiagonal();
    }
    return inv_diag_.template cast<double>().asDiagonal();
  }
  // The low-rank metric's parts (for the others: their diagonal, rank 0).
  low_rank_factors low_rank() const {
    if (kind_ == metric_kind::low_rank) return {inv_diag_.template cast<double>(), vectors_, values_};
    return {inv_diag(), Eigen::MatrixXd(dim_, 0), Eigen::VectorXd(0)};
  }

  // Returns false (and keeps the old metric) unless every entry is finite and positive. For the
  // low-rank metric it sets D and keeps U and Lambda.
  bool set_inv_diag(const Eigen::VectorXd& d) {
    if (kind_ == metric_kind::dense) return set_inv_dense(Eigen::MatrixXd(d.asDiagonal()));
    if (d.size() != dim_ || !d.allFinite() || (d.array() <= 0.0).any()) return false;
    const vector cast = d.template cast<T>();
    if (!cast.allFinite() || (cast.array() <= T(0)).any()) return false;  // float under/overflow
    inv_diag_ = cast;
    if (kind_ == metric_kind::low_rank) sqrt_diag_ = cast.array().sqrt().matrix();
    return true;
  }
  // Returns false (and keeps the old metric) unless D is finite and positive, U has d rows and
  // orthonormal columns, and the values are finite and positive. Other kinds take D alone.
  bool set_low_rank(const low_rank_factors& f) {
    if (kind_ != metric_kind::low_rank) return set_inv_diag(f.diag);
    const Eigen::Index k = f.values.size();
    if (f.vectors.rows() != dim_ || f.vectors.cols() != k || !f.vectors.allFinite() || !f.values.allFinite() ||
        (f.values.array() <= 0.0).any())
      return false;
    if (k > 0 && !(f.vectors.transpose() * f.vectors).isIdentity(1e-6)) return false;
    const matrix v_cast = f.vectors.template cast<T>();
    const vector stretch = (f.values.array() - 1.0).matrix().template cast<T>();
    const vector shrink = (f.values.array().rsqrt() - 1.0).matrix().template cast<T>();
    if (!v_cast.allFinite() || !stretch.allFinite() || !shrink.allFinite()) return false;  // float overflow
    if (!set_inv_diag(f.diag)) return false;
    vectors_ = f.vectors;
    values_ = f.values;
    u_ = v_cast;
    stretch_ = stretch;
    shrink_ = shrink;
    work_.resize(k);
    return true;
  }
  // Returns false (and keeps the old metric) unless symmetric positive definite and finite. The
  // others take its diagonal (the low-rank metric as D, keeping U and Lambda).
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
      case metric_kind::low_rank:
        if (u_.cols() == 0) {  // rank 0 is the diagonal metric, to the last bit
          v.array() = inv_diag_.array() * p.array();
          break;
        }
        v.array() = sqrt_diag_.array() * p.array();
        work_.noalias() = u_.transpose() * v;
        work_.array() *= stretch_.array();
        v.noalias() += u_ * work_;
        v.array() *= sqrt_diag_.array();
        break;
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

  // p ~ N(0, M). For dense M^-1 = L L', p = L'^-1 z has covariance (L L')^-1 = M. For low rank,
  // p = D^-1/2 (I + U (Lambda^-1/2 - I) U') z: that matrix squared is I + U (Lambda^-1 - I) U',
  // the inverse of I + U (Lambda - I) U' (U has orthonormal columns).
  void sample_momentum(rng& r, vector& p) const {
    for (Eigen::Index i = 0; i < dim_; ++i) p[i] = static_cast<T>(r.normal());
    switch (kind_) {
      case metric_kind::unit: break;
      case metric_kind::diag: p.array() /= inv_diag_.array().sqrt(); break;
      case metric_kind::dense: chol_.transpose().template triangularView<Eigen::Upper>().solveInPlace(p); break;
      case metric_kind::low_rank:
        if (u_.cols() > 0) {
          work_.noalias() = u_.transpose() * p;
          work_.array() *= shrink_.array();
          p.noalias() += u_ * work_;
        }
        p.array() /= sqrt_diag_.array();
        break;
    }
  }

 private:
  metric_kind kind_;
  Eigen::Index dim_;
  vector inv_diag_;
  matrix inv_dense_;
  matrix chol_;  // lower Cholesky factor of inv_dense_
  // low_rank (D is inv_diag_): U and Lambda as given, and in T: D^1/2, U, Lambda - 1,
  // Lambda^-1/2 - 1, and U'x scratch (a metric belongs to one chain, so its const products may
  // share it).
  Eigen::MatrixXd vectors_;
  Eigen::VectorXd values_;
  vector sqrt_diag_, stretch_, shrink_;
  matrix u_;
  mutable vector work_;
};

}  // namespace exmc
