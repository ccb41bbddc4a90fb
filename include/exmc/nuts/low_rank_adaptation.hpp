#pragma once
// Low-rank plus diagonal metric adaptation (metric_kind::low_rank, D136), after the idea of
// nutpie's low-rank mass matrix. The diagonal D is the gradient-based one of
// gradient_adaptation.hpp, sqrt(Var(q) / Var(grad)), updated after every draw exactly as for the
// diag metric. In the space D scales to, the posterior covariance is estimated along the
// directions the recent draws and their gradients span, as the geometric mean of the draws'
// covariance and the inverse of the gradients' covariance (exact for a Gaussian from any d + 1
// draws in general position: there the draws' covariance is Sigma and the gradients' Sigma^-1).
// Its eigenvectors whose eigenvalues lie outside [1/c, c] become U; when none does, the metric is
// the diagonal one, to the last bit.
//
// Windows as for the diagonal adapter: a foreground window (the draws since the previous switch
// and the ones before it) and a background one restarted at each switch, 10 draws early in
// warmup and 80 later; U is re-estimated from the foreground at a switch once 40 usable draws
// have come since the last estimate (the first at the first switch), from at most 2 x 80 draws:
// about 15 estimates a warmup, each O(d n^2), never one per draw.
#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "gradient_adaptation.hpp"
#include "metric.hpp"

namespace exmc {

struct low_rank_settings {
  int max_rank = 10;      // at most this many corrected directions
  double cutoff = 3.0;    // keep an eigenvalue lambda when lambda > cutoff or lambda < 1 / cutoff
  double gamma = 1e-5;    // ridge on both covariances in the scaled space (where variances are ~1)
};

// The low-rank part for the diagonal `diag`, from n draws and their gradients (rows of q and g,
// n x d); nullopt when n < 3 or the estimate is degenerate.
inline std::optional<low_rank_factors> estimate_low_rank(const Eigen::VectorXd& diag, const Eigen::MatrixXd& q,
                                                         const Eigen::MatrixXd& g, const low_rank_settings& s = {}) {
  using Eigen::MatrixXd;
  using Eigen::VectorXd;
  const Eigen::Index n = q.rows(), d = q.cols();
  if (n < 3 || g.rows() != n || g.cols() != d || diag.size() != d) return std::nullopt;
  low_rank_factors out;
  out.diag = diag;
  const VectorXd scale = diag.array().sqrt();
  // Scaled space: x = q / D^1/2 (draws), D^1/2 g (gradients), centred.
  const MatrixXd xs = (q.rowwise() - q.colwise().mean()).array().rowwise() / scale.transpose().array();
  const MatrixXd gs = (g.rowwise() - g.colwise().mean()).array().rowwise() * scale.transpose().array();
  // The covariances on an orthonormal basis Q (d x m) of the span of both sets; outside it
  // nothing is learned and the metric stays the diagonal. With 2n >= d the span is (generically)
  // everything and Q = I. Otherwise Q comes from the Gram matrix K = B B' of the 2n vectors
  // B = [xs; gs]: with K = W S W', Q = B' W S^-1/2, and xs Q, gs Q are rows of K W S^-1/2, so
  // the only O(d) work is K itself (d (2n)^2) and U at the end: no d x d and no d x 2n factorisation.
  MatrixXd px, pg, b, to_basis;  // Gram route only: b = [xs; gs], and U = b' to_basis V
  if (d <= 2 * n) {
    px = xs;
    pg = gs;
  } else {
    b.resize(2 * n, d);
    b << xs, gs;
    MatrixXd k = MatrixXd::Zero(2 * n, 2 * n);
    k.selfadjointView<Eigen::Lower>().rankUpdate(b);
    k = k.selfadjointView<Eigen::Lower>();
    const Eigen::SelfAdjointEigenSolver<MatrixXd> ek(k);
    if (ek.info() != Eigen::Success) return std::nullopt;
    const double top = ek.eigenvalues().maxCoeff();
    std::vector<Eigen::Index> cols;
    for (Eigen::Index j = 0; j < 2 * n; ++j)
      if (ek.eigenvalues()[j] > 1e-8 * top) cols.push_back(j);  // rounding-level directions would not be orthonormal
    if (cols.empty()) return std::nullopt;
    to_basis.resize(2 * n, static_cast<Eigen::Index>(cols.size()));
    for (std::size_t j = 0; j < cols.size(); ++j)
      to_basis.col(static_cast<Eigen::Index>(j)) = ek.eigenvectors().col(cols[j]) / std::sqrt(ek.eigenvalues()[cols[j]]);
    const MatrixXd kq = k * to_basis;  // rows: xs Q, then gs Q
    px = kq.topRows(n);
    pg = kq.bottomRows(n);
  }
  const Eigen::Index m = px.cols();
  // With fewer draws than coordinates (n - 1 < d) the two covariances are singular on the joint
  // span, each on the directions only the other set reaches, and their geometric mean is
  // undetermined there: a ridge alone would put eigenvalues near 0 and infinity on exactly those
  // directions. So each is then shrunk towards the identity (the diagonal metric, in this space)
  // with the weight of 2n pseudo-draws: a direction one set leaves empty gets a value near 1 and
  // stays out, while strong structure (a correlation of 0.999 gives 0.001) is still seen.
  const double draws = static_cast<double>(n - 1), prior = n - 1 < d ? 2.0 * static_cast<double>(n) : 0.0;
  MatrixXd cx = px.transpose() * px / (draws + prior);
  MatrixXd cg = pg.transpose() * pg / (draws + prior);
  cx.diagonal().array() += prior / (draws + prior) + s.gamma;
  cg.diagonal().array() += prior / (draws + prior) + s.gamma;
  // Geometric mean of cx and cg^-1: the A with A cg A = cx,
  // A = cg^-1/2 (cg^1/2 cx cg^1/2)^1/2 cg^-1/2.
  const Eigen::SelfAdjointEigenSolver<MatrixXd> eg(cg);
  if (eg.info() != Eigen::Success || (eg.eigenvalues().array() <= 0.0).any()) return std::nullopt;
  const VectorXd root = eg.eigenvalues().array().sqrt();
  const MatrixXd cg_half = eg.eigenvectors() * root.asDiagonal() * eg.eigenvectors().transpose();
  const MatrixXd cg_inv_half = eg.eigenvectors() * root.cwiseInverse().asDiagonal() * eg.eigenvectors().transpose();
  const Eigen::SelfAdjointEigenSolver<MatrixXd> em(cg_half * cx * cg_half);
  if (em.info() != Eigen::Success) return std::nullopt;
  const VectorXd mu = em.eigenvalues().cwiseMax(0.0).cwiseSqrt();
  MatrixXd a = cg_inv_half * (em.eigenvectors() * mu.asDiagonal() * em.eigenvectors().transpose()) * cg_inv_half;
  a = 0.5 * (a + a.transpose()).eval();
  const Eigen::SelfAdjointEigenSolver<MatrixXd> ea(a);
  if (ea.info() != Eigen::Success) return std::nullopt;
  // The directions furthest from 1 on the log scale, outside [1/c, c], at most max_rank.
  std::vector<Eigen::Index> keep;
  for (Eigen::Index j = 0; j < m; ++j) {
    const double l = ea.eigenvalues()[j];
    if (std::isfinite(l) && l > 0 && (l > s.cutoff || l < 1 / s.cutoff)) keep.push_back(j);
  }
  std::sort(keep.begin(), keep.end(), [&](Eigen::Index i, Eigen::Index j) {
    return std::abs(std::log(ea.eigenvalues()[i])) > std::abs(std::log(ea.eigenvalues()[j]));
  });
  if (static_cast<int>(keep.size()) > s.max_rank) keep.resize(static_cast<std::size_t>(std::max(0, s.max_rank)));
  const auto k = static_cast<Eigen::Index>(keep.size());
  out.values.resize(k);
  MatrixXd v(m, k);
  for (Eigen::Index j = 0; j < k; ++j) {
    v.col(j) = ea.eigenvectors().col(keep[static_cast<std::size_t>(j)]);
    out.values[j] = ea.eigenvalues()[keep[static_cast<std::size_t>(j)]];
  }
  if (to_basis.size() == 0) {
    out.vectors = v;
  } else {
    out.vectors.noalias() = b.transpose() * (to_basis * v);
    // Orthonormal up to rounding amplified by the Gram matrix's spread (<= 1e8): restore it
    // (modified Gram-Schmidt over k <= max_rank columns, O(d k^2)).
    for (Eigen::Index j = 0; j < k; ++j) {
      for (Eigen::Index i = 0; i < j; ++i) out.vectors.col(j) -= out.vectors.col(i).dot(out.vectors.col(j)) * out.vectors.col(i);
      out.vectors.col(j).normalize();
    }
  }
  return out;
}

class low_rank_metric_adapter {
 public:
  low_rank_metric_adapter(Eigen::Index dim, unsigned num_warmup, low_rank_settings lr = {},
                          gradient_adaptation_settings s = {})
      : lr_(lr), s_(s), capacity_(window_limit(dim, s)), q_(capacity_, dim), g_(capacity_, dim) {
    early_end_ = static_cast<unsigned>(s.early_share * num_warmup);
    freeze_at_ = num_warmup - static_cast<unsigned>(s.final_step_share * num_warmup);
  }

  unsigned freeze_at() const { return freeze_at_; }

  // How many recent draws an estimate uses: the whole foreground window (at most twice the
  // longest window), but no more than keeps an estimate's d n^2 work under 2.5e7 (about 0.05 s),
  // so a warmup's 14 or so estimates cost about a second at most; 0 (no low-rank part, no buffers) where
  // fewer than 10 draws would fit, above 250000 coordinates.
  static Eigen::Index window_limit(Eigen::Index dim, const gradient_adaptation_settings& s) {
    const auto longest = 2 * static_cast<Eigen::Index>(std::max(s.switch_every, s.early_switch_every));
    const auto affordable = static_cast<Eigen::Index>(std::sqrt(2.5e7 / static_cast<double>(std::max<Eigen::Index>(dim, 1))));
    const Eigen::Index n = std::min(longest, affordable);
    return n < 10 ? 0 : n;
  }

  // Feed warmup iteration `iter` (its draw q with gradient g). Returns true and writes the new
  // metric, for the current diagonal `diag`, when it was re-estimated. Divergent draws are not used.
  template <class V>
  bool update(unsigned iter, const V& q, const V& g, bool divergent, const Eigen::VectorXd& diag, low_rank_factors& out) {
    if (iter >= freeze_at_ || capacity_ == 0) return false;
    if (!divergent) {
      const Eigen::Index row = static_cast<Eigen::Index>(count_ % static_cast<std::size_t>(capacity_));
      q_.row(row) = q.template cast<double>().transpose();
      g_.row(row) = g.template cast<double>().transpose();
      ++count_;
    }
    const unsigned every = iter < early_end_ ? s_.early_switch_every : s_.switch_every;
    if (count_ - background_start_ < every) return false;
    // Switch: estimate from the foreground (since foreground_start_, the most recent capacity_ of
    // it), then the background becomes it.
    const auto n = std::min(static_cast<Eigen::Index>(count_ - foreground_start_), capacity_);
    foreground_start_ = background_start_;
    background_start_ = count_;
    if (estimated_at_ > 0 && count_ - estimated_at_ < estimate_every) return false;
    estimated_at_ = count_;
    Eigen::MatrixXd wq(n, q_.cols()), wg(n, g_.cols());
    for (Eigen::Index i = 0; i < n; ++i) {
      const auto row = static_cast<Eigen::Index>((count_ - static_cast<std::size_t>(n) + static_cast<std::size_t>(i)) %
                                                 static_cast<std::size_t>(capacity_));
      wq.row(i) = q_.row(row);
      wg.row(i) = g_.row(row);
    }
    auto est = estimate_low_rank(diag, wq, wg, lr_);
    if (!est) return false;
    out = std::move(*est);
    return true;
  }

 private:
  low_rank_settings lr_;
  gradient_adaptation_settings s_;
  unsigned early_end_ = 0, freeze_at_ = 0;
  Eigen::Index capacity_;
  Eigen::MatrixXd q_, g_;  // ring buffers of the last capacity_ usable draws and gradients
  std::size_t count_ = 0, foreground_start_ = 0, background_start_ = 0;  // in usable draws
  std::size_t estimated_at_ = 0;                // count_ at the last estimate
  static constexpr std::size_t estimate_every = 40;  // usable draws between estimates, at least
};

}  // namespace exmc
