// Multivariate families: mv_normal (covariance and Cholesky forms), multinomial, ar1 against
// closed forms, with partials against finite differences, generators, and compiled models.
#include <Eigen/Cholesky>
#include <Eigen/LU>
#include <boost/math/distributions/binomial.hpp>

#include "../support/gradient_check.hpp"
#include "lpdf_harness.hpp"
#include "rng_check.hpp"
#include <exmc/dist/ar1.hpp>
#include <exmc/dist/multinomial.hpp>
#include <exmc/dist/mv_normal.hpp>
#include <exmc/exmc.hpp>

using namespace exmc;
using test::call_lpdf;
using test::check_lpdf_partials;
using test::vec;

namespace {
Eigen::MatrixXd covariance() {
  Eigen::MatrixXd S(3, 3);
  S << 2.0, 0.6, -0.3, 0.6, 1.0, 0.2, -0.3, 0.2, 0.5;
  return S;
}
double mvn_logpdf(const Eigen::VectorXd& x, const Eigen::VectorXd& mu, const Eigen::MatrixXd& S) {
  const Eigen::VectorXd r = x - mu;
  return -0.5 * r.dot(S.inverse() * r) - 0.5 * std::log(S.determinant()) - 0.5 * static_cast<double>(x.size()) * std::log(2 * M_PI);
}
Eigen::VectorXd flat_cholesky() {
  const Eigen::MatrixXd L = Eigen::LLT<Eigen::MatrixXd>(covariance()).matrixL();
  return Eigen::Map<const Eigen::VectorXd>(L.data(), L.size());
}
}  // namespace

TEST_CASE("mv_normal: density, partials, draws, models", "[dist][multivariate]") {
  const Eigen::MatrixXd S = covariance();
  const Eigen::VectorXd mu = vec({0.5, -1.0, 2.0});
  const Eigen::VectorXd x = vec({1.0, 0.0, 1.5, -0.2, -1.3, 2.4});  // two observations
  const double ref = mvn_logpdf(x.head(3), mu, S) + mvn_logpdf(x.tail(3), mu, S);
  CHECK(call_lpdf<mv_normal_fn>(x, {mu, flat_cholesky()}).lp == Approx(ref).epsilon(1e-12));
  check_lpdf_partials<mv_normal_fn>(x, {mu, flat_cholesky()}, true, 1e-6);
  // Draws: each coordinate normal with the right variance, the right covariance between them.
  rng g(3);
  const Eigen::VectorXd L = flat_cholesky();
  const int n = 20000;
  Eigen::MatrixXd d(n, 3);
  for (int i = 0; i < n; ++i) {
    double out[3];
    mv_normal_fn::generate(g, 3, out, std::span<const double>(mu.data(), 3), std::span<const double>(L.data(), 9));
    for (int k = 0; k < 3; ++k) d(i, k) = out[k];
  }
  const Eigen::MatrixXd centred = d.rowwise() - d.colwise().mean();
  const Eigen::MatrixXd cov = centred.transpose() * centred / (n - 1);
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b) CHECK(std::abs(cov(a, b) - S(a, b)) < 5 * std::sqrt((S(a, a) * S(b, b) + S(a, b) * S(a, b)) / n));
  // In models: a parameter vector with an mv_normal prior, and matrix observations.
  auto m = param<"m">(normal(0.0, 3.0), 3);
  Eigen::MatrixXd y(4, 3);
  y << 1, 0, 2, 0.5, -1, 2.2, 0.1, -0.5, 1.9, 0.7, -1.2, 2.5;
  const auto c = compile<double>(model(m, observe<"y">(mv_normal(m, S), y)));
  test::check_gradient(c);
  auto z = param<"z">(mv_normal_cholesky(0.0, Eigen::LLT<Eigen::MatrixXd>(S).matrixL().toDenseMatrix()), 3);
  test::check_gradient(compile<double>(model(z)));
  Eigen::MatrixXd bad = S;
  bad(0, 0) = -1;
  CHECK_THROWS_WITH(mv_normal(m, bad), Catch::Contains("positive definite"));
  // Posterior of m with a flat-ish prior: conjugate, mean close to the sample mean.
  sample_options o;
  o.chains = 2;
  o.seed = 2;
  const fit f = sample(c, o);
  const Eigen::VectorXd ybar = y.colwise().mean();
  const Eigen::MatrixXd post_cov = (Eigen::MatrixXd::Identity(3, 3) / 9.0 + 4 * S.inverse()).inverse();
  const Eigen::VectorXd post_mean = post_cov * (4 * S.inverse() * ybar);
  for (int k = 0; k < 3; ++k) {
    const Eigen::MatrixXd col = f.posterior.column("m[" + std::to_string(k) + "]");
    CHECK(std::abs(col.mean() - post_mean[k]) < 5 * std::sqrt(post_cov(k, k) / ess_bulk(col)));
  }
}

TEST_CASE("multinomial: pmf, partials, draws", "[dist][multivariate]") {
  const Eigen::VectorXd y = vec({3, 0, 5, 2});
  const Eigen::VectorXd theta = vec({0.2, 0.1, 0.4, 0.3});
  const double ref = std::lgamma(11.0) - std::lgamma(4.0) - std::lgamma(6.0) - std::lgamma(3.0) + 3 * std::log(0.2) +
                     5 * std::log(0.4) + 2 * std::log(0.3);
  CHECK(call_lpdf<multinomial_fn>(y, {vec({10}), theta}).lp == Approx(ref).epsilon(1e-12));
  CHECK(call_lpdf<multinomial_fn>(y, {vec({11}), theta}).lp == -std::numeric_limits<double>::infinity());
  CHECK(call_lpdf<multinomial_fn>(y, {vec({10}), vec({0.2, 0.1, 0.4, 0.4})}).lp == -std::numeric_limits<double>::infinity());
  // The derivative in theta off the simplex is the free one (y_k / theta_k).
  const auto r = call_lpdf<multinomial_fn>(y, {vec({10}), theta});
  for (int k = 0; k < 4; ++k) CHECK(r.dargs[1][k] == Approx(y[k] / theta[k]));
  // Each count of a draw is binomial(N, theta_k).
  const auto draws0 = test::draw_many(20000, 5, [&](rng& g) {
    double out[4];
    multinomial_fn::generate(g, 4, out, 10.0, std::span<const double>(theta.data(), 4));
    REQUIRE(out[0] + out[1] + out[2] + out[3] == 10.0);
    return out[2];
  });
  test::check_chi_square(draws0, [](int k) { return boost::math::pdf(boost::math::binomial(10, 0.4), k); }, 0, "multinomial count 2");
  // With a dirichlet prior: the gradient through the simplex.
  auto w = param<"w">(dirichlet(Eigen::VectorXd::Ones(4)), 4);
  test::check_gradient(compile<double>(model(w, observe<"y">(multinomial(10.0, w), Eigen::VectorXi(y.cast<int>())))));
}

TEST_CASE("ar1: stationary AR(1) density, partials, draws", "[dist][multivariate]") {
  const Eigen::VectorXd x = vec({0.3, -0.2, 0.8, 1.1, 0.4});
  const double rho = 0.6, sigma = 0.7;
  double ref = -0.5 * std::log(2 * M_PI) - std::log(sigma / std::sqrt(1 - rho * rho)) - 0.5 * x[0] * x[0] * (1 - rho * rho) / (sigma * sigma);
  for (int t = 1; t < 5; ++t) ref += -0.5 * std::log(2 * M_PI) - std::log(sigma) - 0.5 * std::pow((x[t] - rho * x[t - 1]) / sigma, 2);
  CHECK(call_lpdf<ar1_fn>(x, {vec({rho}), vec({sigma})}).lp == Approx(ref).epsilon(1e-12));
  check_lpdf_partials<ar1_fn>(x, {vec({rho}), vec({sigma})});
  CHECK(call_lpdf<ar1_fn>(x, {vec({1.0}), vec({sigma})}).lp == -std::numeric_limits<double>::infinity());
  // Stationary draws: every x[t] has variance sigma^2 / (1 - rho^2).
  const auto last = test::draw_many(20000, 6, [&](rng& g) {
    double out[5];
    ar1_fn::generate(g, 5, out, rho, sigma);
    return out[4];
  });
  test::check_ks(last, [&](double v) { return 0.5 * std::erfc(-v / (sigma / std::sqrt(1 - rho * rho)) / std::sqrt(2.0)); }, "ar1 x[4]");
  auto r = param<"rho">(uniform(-1.0, 1.0));
  auto s = param<"s">(half_normal(1.0));
  test::check_gradient(compile<double>(model(r, s, observe<"x">(ar1(r, s), x))));
}
