// The low-rank plus diagonal metric (D136): its algebra against the dense matrix it stands for,
// the estimator's exactness on Gaussians (both of its routes: d <= 2n and the Gram route), the
// adapter's windows, rank 0 being the diagonal metric to the last bit, and NUTS with it on a
// strongly correlated posterior (moments within Monte Carlo error, far more ESS than diag).
#include <catch2/catch.hpp>
#include <cmath>

#include <exmc/nuts/low_rank_adaptation.hpp>
#include <exmc/nuts/nuts.hpp>

#include "support.hpp"

using exmc::low_rank_factors;
using exmc::metric_kind;
using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

// Orthonormal d x k columns from a fixed seed.
MatrixXd orthonormal(Eigen::Index d, Eigen::Index k, std::uint64_t seed) {
  exmc::rng r(seed, 0);
  MatrixXd a(d, k);
  for (Eigen::Index i = 0; i < a.size(); ++i) a.data()[i] = r.normal();
  const Eigen::HouseholderQR<MatrixXd> qr(a);
  return qr.householderQ() * MatrixXd::Identity(d, k);
}

low_rank_factors example_factors() {
  low_rank_factors f;
  f.diag = (VectorXd(5) << 0.5, 2.0, 1.0, 4.0, 0.25).finished();
  f.vectors = orthonormal(5, 2, 3);
  f.values = (VectorXd(2) << 30.0, 0.05).finished();
  return f;
}

MatrixXd dense_of(const low_rank_factors& f) {
  const VectorXd s = f.diag.array().sqrt();
  MatrixXd m = MatrixXd::Identity(f.diag.size(), f.diag.size()) +
               f.vectors * (f.values.array() - 1.0).matrix().asDiagonal() * f.vectors.transpose();
  return s.asDiagonal() * m * s.asDiagonal();
}

// N(mu, Sigma) with an analytic gradient.
struct gaussian {
  using scalar = double;
  VectorXd mu;
  MatrixXd precision;
  std::ptrdiff_t dim() const { return mu.size(); }
  double logp_grad(const VectorXd& q, VectorXd& g) const {
    const VectorXd r = q - mu;
    g.noalias() = -precision * r;
    return 0.5 * r.dot(g);
  }
};

// Sigma with unit-free scales and one pair correlated at rho, as an intercept and a slope on an
// uncentred predictor are.
MatrixXd correlated_sigma(Eigen::Index d, double rho) {
  MatrixXd s = MatrixXd::Identity(d, d);
  for (Eigen::Index i = 0; i < d; ++i) s(i, i) = std::pow(3.0, static_cast<double>(i % 4) - 1.5);
  const double c = rho * std::sqrt(s(0, 0) * s(1, 1));
  s(0, 1) = s(1, 0) = c;
  return s;
}

// n draws from N(0, Sigma) and their gradients -Sigma^-1 q, as rows.
void gaussian_draws(const MatrixXd& sigma, Eigen::Index n, std::uint64_t seed, MatrixXd& q, MatrixXd& g) {
  const Eigen::LLT<MatrixXd> llt(sigma);
  const MatrixXd l = llt.matrixL();
  exmc::rng r(seed, 0);
  const Eigen::Index d = sigma.rows();
  q.resize(n, d);
  for (Eigen::Index i = 0; i < n; ++i) {
    VectorXd z(d);
    for (Eigen::Index j = 0; j < d; ++j) z[j] = r.normal();
    q.row(i) = (l * z).transpose();
  }
  g = -(llt.solve(q.transpose())).transpose();
}

}  // namespace

TEST_CASE("low-rank metric: velocity, diagonal, momenta and energy are those of its dense matrix", "[nuts][low_rank]") {
  const low_rank_factors f = example_factors();
  const MatrixXd inv = dense_of(f);
  exmc::euclidean_metric<double> m(metric_kind::low_rank, 5);
  REQUIRE(m.set_low_rank(f));
  CHECK((m.inv_dense() - inv).cwiseAbs().maxCoeff() < 1e-12);
  CHECK((m.inv_diag() - inv.diagonal()).cwiseAbs().maxCoeff() < 1e-12);
  exmc::rng r(21, 0);
  VectorXd p(5), v(5);
  for (int t = 0; t < 5; ++t) {
    for (Eigen::Index i = 0; i < 5; ++i) p[i] = r.normal();
    m.velocity(p, v);
    CHECK((v - inv * p).cwiseAbs().maxCoeff() < 1e-12 * (1 + (inv * p).cwiseAbs().maxCoeff()));
  }
  // p ~ N(0, M), M = inv^-1: sample covariance entry-wise within 4.5 standard errors.
  const int n = 200000;
  MatrixXd s = MatrixXd::Zero(5, 5);
  double kinetic = 0;
  for (int i = 0; i < n; ++i) {
    m.sample_momentum(r, p);
    s += p * p.transpose() / n;
    m.velocity(p, v);
    kinetic += exmc::euclidean_metric<double>::kinetic(p, v) / n;  // chi^2_5 / 2: mean 2.5
  }
  const MatrixXd target = inv.inverse();
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) {
      const double scale = std::sqrt(target(i, i) * target(j, j));
      CHECK(std::abs(s(i, j) - target(i, j)) < 4.5 * std::sqrt(2.0) * scale / std::sqrt(n));
    }
  CHECK(std::abs(kinetic - 2.5) < 4.5 * std::sqrt(2.5 / n));  // Var(chi^2_5 / 2) = 2.5
}

TEST_CASE("low-rank metric: invalid parts are rejected and the old metric kept; rank 0 is diag", "[nuts][low_rank]") {
  exmc::euclidean_metric<double> m(metric_kind::low_rank, 5);
  const low_rank_factors good = example_factors();
  REQUIRE(m.set_low_rank(good));
  low_rank_factors bad = good;
  bad.vectors.col(1) = bad.vectors.col(0);  // not orthonormal
  CHECK_FALSE(m.set_low_rank(bad));
  bad = good;
  bad.values[0] = -1;
  CHECK_FALSE(m.set_low_rank(bad));
  bad = good;
  bad.diag[2] = 0;
  CHECK_FALSE(m.set_low_rank(bad));
  bad = good;
  bad.vectors = MatrixXd::Zero(4, 2);
  CHECK_FALSE(m.set_low_rank(bad));
  CHECK((m.inv_dense() - dense_of(good)).cwiseAbs().maxCoeff() < 1e-12);
  exmc::euclidean_metric<float> mf(metric_kind::low_rank, 5);
  bad = good;
  bad.values[0] = 1e300;  // overflows float
  CHECK_FALSE(mf.set_low_rank(bad));
  // set_inv_diag sets D and keeps U and Lambda.
  REQUIRE(m.set_inv_diag(VectorXd::Constant(5, 2.0)));
  low_rank_factors scaled = good;
  scaled.diag = VectorXd::Constant(5, 2.0);
  CHECK((m.inv_dense() - dense_of(scaled)).cwiseAbs().maxCoeff() < 1e-12);
  // With rank 0 every product is the diagonal metric's, bit for bit.
  exmc::euclidean_metric<double> lr(metric_kind::low_rank, 5), dg(metric_kind::diag, 5);
  REQUIRE(lr.set_low_rank({good.diag, MatrixXd(5, 0), VectorXd(0)}));
  REQUIRE(dg.set_inv_diag(good.diag));
  exmc::rng r1(4, 0), r2(4, 0);
  VectorXd p1(5), p2(5), v1(5), v2(5);
  for (int t = 0; t < 10; ++t) {
    lr.sample_momentum(r1, p1);
    dg.sample_momentum(r2, p2);
    lr.velocity(p1, v1);
    dg.velocity(p2, v2);
    CHECK(p1 == p2);
    CHECK(v1 == v2);
  }
}

TEST_CASE("the estimate: exact for a Gaussian from enough draws, no spurious directions from few", "[nuts][low_rank]") {
  // With n - 1 >= d draws, the draws' covariance C and the gradients' Sigma^-1 C Sigma^-1 have
  // Sigma as their geometric mean whatever C is, so keeping every direction (cutoff 1) rebuilds
  // Sigma up to the ridge gamma.
  const exmc::low_rank_settings keep_all{.max_rank = 100, .cutoff = 1.0, .gamma = 1e-12};
  MatrixXd q, g;
  const MatrixXd sigma6 = correlated_sigma(6, 0.95);
  gaussian_draws(sigma6, 40, 5, q, g);
  const VectorXd diag6 = VectorXd::LinSpaced(6, 0.5, 2.0);
  auto est = exmc::estimate_low_rank(diag6, q, g, keep_all);
  REQUIRE(est);
  CHECK(est->diag == diag6);
  CHECK((dense_of(*est) - sigma6).cwiseAbs().maxCoeff() < 1e-8 * sigma6.cwiseAbs().maxCoeff());
  CHECK((est->vectors.transpose() * est->vectors - MatrixXd::Identity(est->rank(), est->rank())).cwiseAbs().maxCoeff() < 1e-12);

  // Fewer draws than coordinates, isotropic in the scaled space: whatever the draws, nothing is
  // corrected, on both routes (d <= 2n: all of R^d; d > 2n: the Gram basis of the draws).
  for (const Eigen::Index d : {30, 400}) {
    const VectorXd scales = VectorXd::LinSpaced(d, 0.2, 5.0);
    const MatrixXd sigma = MatrixXd(scales.asDiagonal());
    gaussian_draws(sigma, 20, 7 + static_cast<std::uint64_t>(d), q, g);
    est = exmc::estimate_low_rank(scales, q, g);
    REQUIRE(est);
    INFO("d = " << d << ", values " << est->values.transpose());
    CHECK(est->rank() == 0);
  }
  // ... and a strongly correlated pair is found from as few: in the scaled space its correlation
  // matrix has the eigenvalue 0.001 along (1, -1) / sqrt(2) (and 1.999 along (1, 1)).
  for (const Eigen::Index d : {30, 400}) {
    const MatrixXd sigma = correlated_sigma(d, 0.999);
    gaussian_draws(sigma, 40, 11 + static_cast<std::uint64_t>(d), q, g);
    est = exmc::estimate_low_rank(sigma.diagonal(), q, g);
    REQUIRE(est);
    INFO("d = " << d << ", values " << est->values.transpose());
    REQUIRE(est->rank() >= 1);
    Eigen::Index smallest = 0;
    est->values.minCoeff(&smallest);
    // (shrunk towards 1 by the pseudo-draws when d > n: ~0.05 with 40 draws)
    CHECK(est->values[smallest] < 0.1);
    CHECK(std::abs(est->vectors(0, smallest)) == Approx(std::sqrt(0.5)).epsilon(2e-2));
    CHECK(est->vectors(0, smallest) * est->vectors(1, smallest) < 0);
    CHECK(est->vectors.col(smallest).tail(d - 2).norm() < 0.15);
    CHECK((est->vectors.transpose() * est->vectors - MatrixXd::Identity(est->rank(), est->rank())).cwiseAbs().maxCoeff() < 1e-9);
  }
  // Too few draws: no estimate.
  CHECK_FALSE(exmc::estimate_low_rank(diag6, q.topRows(2).leftCols(6), g.topRows(2).leftCols(6)));
}

TEST_CASE("the adapter re-estimates at the diagonal adapter's window switches only", "[nuts][low_rank]") {
  const MatrixXd sigma = correlated_sigma(4, 0.99);
  MatrixXd q, g;
  gaussian_draws(sigma, 1000, 13, q, g);
  exmc::low_rank_metric_adapter a(4, 1000);
  CHECK(a.freeze_at() == 850);
  low_rank_factors out;
  std::vector<unsigned> updates;
  for (unsigned i = 0; i < 1000; ++i) {
    const VectorXd qi = q.row(i).transpose(), gi = g.row(i).transpose();
    if (a.update(i, qi, gi, false, sigma.diagonal(), out)) updates.push_back(i);
  }
  // At switches (every 10 usable draws in the first 30% of warmup, every 80 after) once 40 draws
  // have come since the last estimate; the first at the first switch; none in the final 15%.
  REQUIRE(updates.size() >= 3);
  CHECK(updates[0] == 9);
  CHECK(updates[1] == 49);
  CHECK(updates[2] == 89);
  CHECK(updates.back() < 850);
  CHECK(updates.back() - updates[updates.size() - 2] == 80);
  CHECK(updates.size() == 14);
  CHECK(out.rank() >= 1);
  // Dimension caps the window (an estimate's d n^2 work), and turns the low-rank part off above
  // 250000 coordinates.
  CHECK(exmc::low_rank_metric_adapter::window_limit(100, {}) == 160);
  CHECK(exmc::low_rank_metric_adapter::window_limit(10000, {}) == 50);
  CHECK(exmc::low_rank_metric_adapter::window_limit(300000, {}) == 0);
}

TEST_CASE("NUTS with the low-rank metric: right moments, and the correlated pair mixes", "[nuts][low_rank][sampling]") {
  const Eigen::Index d = 8;
  const MatrixXd sigma = correlated_sigma(d, 0.999);
  const gaussian target{VectorXd::LinSpaced(d, -1.0, 1.0), sigma.inverse()};
  exmc::sample_options o;
  o.chains = 2;
  o.threads = 2;
  o.seed = 136;
  o.metric = metric_kind::low_rank;
  const exmc::fit f = exmc::sample(target, o);
  REQUIRE(f.all_ok());
  REQUIRE(f.inv_metric_low_rank.size() == 2);
  CHECK(f.inv_metric_low_rank[0].rank() >= 1);
  double worst_ess_lr = 1e300;
  for (Eigen::Index i = 0; i < d; ++i) {
    const MatrixXd x = f.posterior.column(i);
    const auto m = nuts_test::mean_of(x);
    const auto v = nuts_test::second_moment(x, target.mu[i]);
    INFO("coordinate " << i << " mean " << m.value << " +- " << m.mcse << " var " << v.value << " +- " << v.mcse);
    CHECK(std::abs(m.value - target.mu[i]) < 4.5 * m.mcse);
    CHECK(std::abs(v.value - sigma(i, i)) < 4.5 * v.mcse);
    worst_ess_lr = std::min(worst_ess_lr, m.ess);
  }
  o.metric = metric_kind::diag;
  const exmc::fit fd = exmc::sample(target, o);
  const double ess_pair_diag = std::min(nuts_test::mean_of(fd.posterior.column(0)).ess, nuts_test::mean_of(fd.posterior.column(1)).ess);
  const auto grads = [](const exmc::fit& x) {
    double s = 0;
    for (std::size_t c = 0; c < x.grad_evals_sampling.size(); ++c) s += static_cast<double>(x.grad_evals_sampling[c]);
    return s;
  };
  INFO("ESS of the pair: low rank " << worst_ess_lr << ", diag " << ess_pair_diag);
  // At rho = 0.999 the diagonal metric needs ~sqrt(1000) times more steps per independent draw.
  CHECK(worst_ess_lr / grads(f) > 5 * ess_pair_diag / grads(fd));
  // Warm start: the factors come back as they were.
  exmc::sample_options w = o;
  w.metric = metric_kind::low_rank;
  w.warmup = 0;
  w.draws = 50;
  w.warm = exmc::warm_start_from(f, 1);
  const exmc::fit fw = exmc::sample(target, w);
  REQUIRE(fw.all_ok());
  CHECK((fw.inv_metric_low_rank[0].vectors - f.inv_metric_low_rank[1].vectors).norm() == 0.0);
  CHECK((fw.inv_metric_low_rank[0].values - f.inv_metric_low_rank[1].values).norm() == 0.0);
  // Stan's windowed scheme learns the diagonal part only.
  exmc::sample_options windowed = o;
  windowed.metric = metric_kind::low_rank;
  windowed.adaptation = exmc::adaptation_kind::windowed;
  windowed.draws = 100;
  const exmc::fit fwin = exmc::sample(target, windowed);
  REQUIRE(fwin.all_ok());
  CHECK(fwin.inv_metric_low_rank[0].rank() == 0);
  CHECK(fwin.inv_metric_low_rank[0].diag == fwin.inv_metric_diag[0]);
}
