// The Cholesky-correlation transform: round trip, the log-Jacobian against a numerical Jacobian
// determinant of the strictly lower entries, chain() against finite differences, and extreme
// coordinates giving a rejectable value rather than NaN, in double and float.
#include <Eigen/LU>

#include "../support/gradient_check.hpp"
#include <exmc/exmc.hpp>

using namespace exmc;

namespace {
// The strictly lower entries of a K x K factor stored column by column, row by row (the order
// of the free coordinates).
Eigen::VectorXd strictly_lower(const Eigen::VectorXd& x, index_t K) {
  Eigen::VectorXd out(K * (K - 1) / 2);
  index_t k = 0;
  for (index_t i = 1; i < K; ++i)
    for (index_t j = 0; j < i; ++j) out[k++] = x[i + j * K];
  return out;
}
}  // namespace

TEST_CASE("cholesky_corr: round trip, log-Jacobian, chain rule", "[transform]") {
  const cholesky_corr_tf tf;
  rng r(11);
  for (index_t K : {2, 3, 5}) {
    const index_t n = K * K, m = K * (K - 1) / 2;
    REQUIRE(free_size(tf, n) == m);
    for (int rep = 0; rep < 3; ++rep) {
      INFO("K = " << K << ", rep " << rep);
      Eigen::VectorXd u(m), x(n), c(n);
      for (auto& v : u) v = r.uniform(-2, 2);
      for (auto& v : c) v = r.uniform(-1, 1);
      const double lj = tf.constrain(u.data(), x.data(), n);
      // L is a Cholesky factor of a correlation matrix: unit diagonal of L L^T, zero upper part.
      const Eigen::Map<const Eigen::MatrixXd> L(x.data(), K, K);
      const Eigen::MatrixXd R = L * L.transpose();
      CHECK((R.diagonal().array() - 1).abs().maxCoeff() < 1e-14);
      CHECK(L.triangularView<Eigen::StrictlyUpper>().toDenseMatrix().cwiseAbs().maxCoeff() == 0.0);
      CHECK(L.diagonal().minCoeff() > 0);
      REQUIRE(first_outside(tf, x.data(), n) == -1);
      Eigen::VectorXd back(m);
      unconstrain_all(tf, x.data(), back.data(), n);
      CHECK((back - u).cwiseAbs().maxCoeff() < 1e-10);
      // log |det d(strictly lower entries) / du|
      Eigen::MatrixXd J(m, m);
      const double h = 1e-6;
      for (index_t k = 0; k < m; ++k) {
        Eigen::VectorXd up = u, dn = u, xu(n), xd(n);
        up[k] += h;
        dn[k] -= h;
        tf.constrain(up.data(), xu.data(), n);
        tf.constrain(dn.data(), xd.data(), n);
        J.col(k) = (strictly_lower(xu, K) - strictly_lower(xd, K)) / (2 * h);
      }
      CHECK(lj == Approx(std::log(std::abs(J.determinant()))).epsilon(1e-7).margin(1e-7));
      for (bool jac : {true, false}) {
        Eigen::VectorXd g(m);
        tf.chain(u.data(), x.data(), c.data(), g.data(), n, jac);
        auto total = [&](const Eigen::VectorXd& v) {
          Eigen::VectorXd y(n);
          const double l = tf.constrain(v.data(), y.data(), n);
          return c.dot(y) + (jac ? l : 0.0);
        };
        for (index_t k = 0; k < m; ++k)
          CHECK(g[k] == Approx(test::central_difference(total, u, k, 1e-5)).epsilon(1e-8).margin(1e-8));
      }
    }
  }
}

TEST_CASE("cholesky_corr: u = 0 is the identity, far coordinates stay finite, bad values are named",
          "[transform]") {
  const cholesky_corr_tf tf;
  Eigen::VectorXd u = Eigen::VectorXd::Zero(3), x(9);
  CHECK(tf.constrain(u.data(), x.data(), 9) == 0.0);
  CHECK((Eigen::Map<Eigen::MatrixXd>(x.data(), 3, 3) - Eigen::MatrixXd::Identity(3, 3)).cwiseAbs().maxCoeff() == 0.0);
  // Far out, the diagonal underflows to 0 (the LKJ density rejects it) but nothing is NaN.
  for (double far : {30.0, 400.0, 1e4}) {
    u << far, -far, far;
    const double lj = tf.constrain(u.data(), x.data(), 9);
    CHECK(!std::isnan(lj));
    CHECK(x.allFinite());
    Eigen::VectorXd g(3), adj = Eigen::VectorXd::Ones(9);
    tf.chain(u.data(), x.data(), adj.data(), g.data(), 9);
    CHECK(g.allFinite());
    Eigen::VectorXf uf = u.cast<float>(), xf(9), gf(3), adjf = Eigen::VectorXf::Ones(9);
    CHECK(!std::isnan(tf.constrain(uf.data(), xf.data(), 9)));
    CHECK(xf.allFinite());
    tf.chain(uf.data(), xf.data(), adjf.data(), gf.data(), 9);
    CHECK(gf.allFinite());
  }
  // check() names the first bad element: upper triangle, diagonal, row length.
  Eigen::MatrixXd L = Eigen::MatrixXd::Identity(3, 3);
  CHECK(first_outside(tf, L.data(), 9) == -1);
  L(0, 2) = 0.1;
  CHECK(first_outside(tf, L.data(), 9) == 6);
  L(0, 2) = 0;
  L(1, 0) = 0.5;
  CHECK(first_outside(tf, L.data(), 9) == 4);  // row 1 no longer has length 1
  L(1, 1) = -std::sqrt(0.75);
  CHECK(first_outside(tf, L.data(), 9) == 4);
}
