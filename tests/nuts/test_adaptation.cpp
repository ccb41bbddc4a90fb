// Warmup machinery: Stan's window schedule, dual averaging, Welford estimators, the metric's
// momentum distribution and the gradient-based diagonal estimate.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include <Eigen/LU>

#include <exmc/nuts/gradient_adaptation.hpp>
#include <exmc/nuts/metric.hpp>
#include <exmc/nuts/step_size.hpp>
#include <exmc/nuts/windowed_adaptation.hpp>

namespace {
// Iterations at which a slow window ends, and how many draws each window collected.
struct schedule {
  std::vector<unsigned> ends, sizes;
};
schedule run_windows(unsigned warmup, exmc::window_settings s = {}) {
  exmc::warmup_windows w(warmup, s);
  schedule out;
  unsigned collected = 0;
  for (unsigned i = 0; i < warmup; ++i) {
    if (w.in_slow_window()) ++collected;
    if (w.at_window_end()) {
      out.ends.push_back(i);
      out.sizes.push_back(collected);
      collected = 0;
    }
    w.advance();
  }
  return out;
}
}  // namespace

TEST_CASE("Stan's default schedule for 1000 warmup iterations", "[nuts][adaptation]") {
  const auto s = run_windows(1000);
  CHECK(s.ends == std::vector<unsigned>{99, 149, 249, 449, 949});
  CHECK(s.sizes == std::vector<unsigned>{25, 50, 100, 200, 500});  // last window stretched
}

TEST_CASE("short warmups are rescaled 15% / 75% / 10%", "[nuts][adaptation]") {
  exmc::warmup_windows w(100);
  CHECK(w.init_buffer() == 15);
  CHECK(w.term_buffer() == 10);
  CHECK(w.base_window() == 75);
  const auto s = run_windows(100);
  CHECK(s.ends == std::vector<unsigned>{89});
  CHECK(s.sizes == std::vector<unsigned>{75});
}

TEST_CASE("fewer than 20 warmup iterations: no metric windows", "[nuts][adaptation]") {
  CHECK(run_windows(19).ends.empty());
  CHECK(run_windows(0).ends.empty());
}

TEST_CASE("window schedule for 2000 warmup iterations", "[nuts][adaptation]") {
  // 75 + 25, 50, 100, 200, 400, then 800 would overrun: the 400 window stretches to 1949.
  const auto s = run_windows(2000);
  CHECK(s.ends == std::vector<unsigned>{99, 149, 249, 449, 849, 1949});
  CHECK(s.sizes.back() == 1100);
}

TEST_CASE("dual averaging drives the acceptance statistic to its target", "[nuts][adaptation]") {
  // Synthetic acceptance curve a(eps) = exp(-eps^2 / 2): the target 0.8 is at eps* = sqrt(-2 ln 0.8).
  exmc::dual_averaging da;
  da.delta = 0.8;
  double eps = 1.0;
  da.restart(eps);
  for (int i = 0; i < 2000; ++i) eps = da.learn(std::exp(-0.5 * eps * eps));
  CHECK(da.final_step_size() == Approx(std::sqrt(-2.0 * std::log(0.8))).epsilon(0.02));
  CHECK(da.iterations() == 2000);
}

TEST_CASE("dual averaging: first update matches the closed form", "[nuts][adaptation]") {
  exmc::dual_averaging da;
  da.restart(0.5);  // mu = log 5
  const double a = 0.3;
  const double eps = da.learn(a);
  const double s_bar = (0.8 - a) / 11.0;
  const double x = std::log(5.0) - s_bar / 0.05;
  CHECK(eps == Approx(std::exp(x)));
  CHECK(da.final_step_size() == Approx(std::exp(x)));  // x_eta = 1 at n = 1
  CHECK(da.learn(std::nan("")) < eps);                 // NaN counts as zero acceptance: shrink
}

TEST_CASE("Welford estimators and Stan's regularisation", "[nuts][adaptation]") {
  exmc::welford_variance v(2);
  exmc::welford_covariance c(2);
  const std::vector<Eigen::Vector2d> xs{{1, 2}, {3, 1}, {0, -1}, {4, 6}};
  for (const auto& x : xs) {
    v.add(x);
    c.add(x);
  }
  Eigen::MatrixXd m(4, 2);
  for (int i = 0; i < 4; ++i) m.row(i) = xs[static_cast<std::size_t>(i)].transpose();
  const Eigen::MatrixXd centred = m.rowwise() - m.colwise().mean();
  const Eigen::MatrixXd cov = centred.transpose() * centred / 3.0;
  CHECK(v.count() == 4);
  CHECK((v.variance() - cov.diagonal()).norm() < 1e-12);
  CHECK((c.covariance() - cov).norm() < 1e-12);
  const Eigen::VectorXd r = exmc::regularise_variance(v.variance(), 4);
  CHECK(r[0] == Approx(4.0 / 9.0 * cov(0, 0) + 1e-3 * 5.0 / 9.0));
  const Eigen::MatrixXd rc = exmc::regularise_covariance(cov, 4);
  CHECK(rc(0, 1) == Approx(4.0 / 9.0 * cov(0, 1)));
  CHECK(rc(1, 1) == Approx(4.0 / 9.0 * cov(1, 1) + 1e-3 * 5.0 / 9.0));
}

TEST_CASE("momenta have covariance M = inverse of the inverse metric", "[nuts][adaptation]") {
  Eigen::MatrixXd inv(3, 3);
  inv << 4.0, 1.0, 0.5, 1.0, 2.0, 0.3, 0.5, 0.3, 1.0;
  exmc::euclidean_metric<double> dense(exmc::metric_kind::dense, 3);
  REQUIRE(dense.set_inv_dense(inv));
  exmc::euclidean_metric<double> diag(exmc::metric_kind::diag, 3);
  REQUIRE(diag.set_inv_diag(inv.diagonal()));
  exmc::rng r(11, 0);
  const int n = 200000;
  Eigen::MatrixXd s_dense = Eigen::MatrixXd::Zero(3, 3), s_diag = s_dense;
  Eigen::VectorXd p(3), v(3);
  double kinetic = 0.0;
  for (int i = 0; i < n; ++i) {
    dense.sample_momentum(r, p);
    s_dense += p * p.transpose() / n;
    dense.velocity(p, v);
    kinetic += exmc::euclidean_metric<double>::kinetic(p, v) / n;  // chi^2_3 / 2: mean 1.5
    diag.sample_momentum(r, p);
    s_diag += p * p.transpose() / n;
  }
  const Eigen::MatrixXd m_dense = inv.inverse();
  // Entry-wise tolerance: sd of a sample second moment of a normal is <= sqrt(2) * scale / sqrt(n).
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      const double scale = std::sqrt(m_dense(i, i) * m_dense(j, j));
      CHECK(std::abs(s_dense(i, j) - m_dense(i, j)) < 4.5 * std::sqrt(2.0) * scale / std::sqrt(n));
    }
  for (int i = 0; i < 3; ++i) CHECK(std::abs(s_diag(i, i) - 1.0 / inv(i, i)) < 4.5 * std::sqrt(2.0 / n) / inv(i, i));
  CHECK(std::abs(kinetic - 1.5) < 4.5 * std::sqrt(1.5 / n));  // Var(chi^2_3 / 2) = 1.5
}

TEST_CASE("metric rejects invalid estimates and keeps the old one", "[nuts][adaptation]") {
  exmc::euclidean_metric<double> diag(exmc::metric_kind::diag, 2);
  CHECK_FALSE(diag.set_inv_diag(Eigen::Vector2d(1.0, -1.0)));
  CHECK_FALSE(diag.set_inv_diag(Eigen::Vector2d(1.0, std::nan(""))));
  CHECK(diag.inv_diag() == Eigen::VectorXd::Ones(2));
  exmc::euclidean_metric<double> dense(exmc::metric_kind::dense, 2);
  Eigen::Matrix2d not_pd;
  not_pd << 1.0, 2.0, 2.0, 1.0;
  CHECK_FALSE(dense.set_inv_dense(not_pd));
  CHECK(dense.inv_dense() == Eigen::MatrixXd::Identity(2, 2));
  exmc::euclidean_metric<float> f(exmc::metric_kind::diag, 1);
  CHECK_FALSE(f.set_inv_diag(Eigen::VectorXd::Constant(1, 1e300)));  // overflows float
}

TEST_CASE("gradient-based estimate is exact for a Gaussian", "[nuts][adaptation]") {
  // For N(0, diag(s^2)), grad = -q / s^2, so sqrt(Var q / Var grad) = s^2, the variance, from any
  // set of (non-degenerate) draws.
  const Eigen::Vector3d s(1e-2, 1.0, 30.0);
  exmc::gradient_metric_adapter a(3, 1000);
  exmc::rng r(12, 0);
  Eigen::VectorXd inv = Eigen::VectorXd::Ones(3);
  bool changed = false;
  for (unsigned i = 0; i < 50; ++i) {
    Eigen::Vector3d q;
    for (int k = 0; k < 3; ++k) q[k] = s[k] * r.normal();
    const Eigen::Vector3d g = -q.cwiseQuotient(s.cwiseProduct(s));
    changed = a.update(i, q, g, false, inv) || changed;
  }
  CHECK(changed);
  for (int k = 0; k < 3; ++k) CHECK(inv[k] == Approx(s[k] * s[k]).epsilon(1e-9));
  CHECK(a.freeze_at() == 850);
  CHECK_FALSE(a.update(900, Eigen::Vector3d(1, 1, 1), Eigen::Vector3d(1, 1, 1), false, inv));
  const Eigen::VectorXd init = exmc::gradient_metric_adapter::initial(Eigen::Vector3d(-4.0, 0.0, 0.5));
  CHECK(init[0] == Approx(0.25));
  CHECK(init[1] == 1.0);
  CHECK(init[2] == Approx(2.0));
}
