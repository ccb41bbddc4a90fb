// lkj_corr_cholesky against its closed form (K = 2) and its normalising constant by quadrature
// (K = 3, 4); partials against finite differences; draws against the Beta marginals of the
// correlations; mv_normal with a parameter Cholesky factor or covariance (partials, a Gaussian
// process against a direct implementation); whole models' gradients; the LKJ prior sampled.
#include <Eigen/Cholesky>
#include <Eigen/LU>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/quadrature/gauss.hpp>
#include <boost/math/special_functions/beta.hpp>

#include "../support/gradient_check.hpp"
#include "lpdf_harness.hpp"
#include "rng_check.hpp"
#include <exmc/exmc.hpp>

using namespace exmc;
using test::call_lpdf;
using test::check_lpdf_partials;
using test::vec;

namespace {
// The family's log density, called directly (the quadrature below evaluates it 10^6 times).
double lkj_lpdf(const Eigen::VectorXd& L, double eta) {
  vector_view<double, double, false> x{L.data(), nullptr};
  x.size = L.size();
  scalar_view<double, false> e{eta};
  return lkj_corr_cholesky_fn::lpdf(L.size(), x, e);
}

// Integral of the LKJ density over every K x K correlation matrix, through the canonical partial
// correlations z = sin(theta): the integrand in theta is smooth, so Gauss-Legendre converges fast.
template <int Nodes>
double lkj_total_mass(index_t K, double eta) {
  const index_t m = K * (K - 1) / 2;
  const cholesky_corr_tf tf;
  Eigen::VectorXd theta(m), u(m), x(K * K);
  const double h = M_PI / 2;
  std::function<double(index_t)> level = [&](index_t k) -> double {
    if (k == m) {
      double log_cos = 0;
      for (index_t j = 0; j < m; ++j) {
        u[j] = std::atanh(std::sin(theta[j]));
        log_cos += std::log(std::cos(theta[j]));
      }
      const double lj = tf.constrain(u.data(), x.data(), K * K);  // log |dL/du|
      // du/dtheta = 1 / cos(theta): log |dL/dtheta| = lj - sum log cos(theta)
      return std::exp(lkj_lpdf(x, eta) + lj - log_cos);
    }
    return boost::math::quadrature::gauss<double, Nodes>::integrate(
        [&](double t) {
          theta[k] = t;
          return level(k + 1);
        },
        -h, h);
  };
  return level(0);
}

Eigen::MatrixXd covariance() {
  Eigen::MatrixXd S(3, 3);
  S << 2.0, 0.6, -0.3, 0.6, 1.0, 0.2, -0.3, 0.2, 0.5;
  return S;
}
Eigen::VectorXd flat(const Eigen::MatrixXd& m) { return Eigen::Map<const Eigen::VectorXd>(m.data(), m.size()); }
double mvn_logpdf(const Eigen::VectorXd& x, const Eigen::VectorXd& mu, const Eigen::MatrixXd& S) {
  const Eigen::VectorXd r = x - mu;
  return -0.5 * r.dot(S.inverse() * r) - 0.5 * std::log(S.determinant()) - 0.5 * static_cast<double>(x.size()) * std::log(2 * M_PI);
}

// y: N draws of a 3-vector with correlation 0.6 between the first two coordinates.
Eigen::MatrixXd correlated_data(int N, std::uint64_t seed) {
  Eigen::MatrixXd S(3, 3);
  S << 1.0, 0.6 * 2, 0.0, 0.6 * 2, 4.0, 0.0, 0.0, 0.0, 0.25;
  const Eigen::MatrixXd L = Eigen::LLT<Eigen::MatrixXd>(S).matrixL();
  rng g(seed);
  Eigen::MatrixXd y(N, 3);
  for (int i = 0; i < N; ++i) {
    Eigen::VectorXd z(3);
    for (auto& v : z) v = g.normal();
    y.row(i) = (L * z).transpose() + Eigen::RowVector3d(1.0, -2.0, 0.5);
  }
  return y;
}

auto correlated_model(const Eigen::MatrixXd& y) {
  auto L = param<"L_Omega">(lkj_corr_cholesky(2.0), 3);
  auto tau = param<"tau">(half_normal(3.0), 3);
  auto mu = param<"mu">(normal(0.0, 5.0), 3);
  return model(L, tau, mu, observe<"y">(mv_normal_cholesky(mu, diag_pre_multiply(tau, L)), y));
}
}  // namespace

TEST_CASE("lkj_corr_cholesky: closed form for K = 2, total mass 1 for K = 3 and 4, partials", "[dist][lkj]") {
  for (double eta : {0.5, 1.0, 2.0, 7.3})
    for (double r : {-0.9, 0.0, 0.3, 0.99}) {
      const Eigen::VectorXd L = vec({1.0, r, 0.0, std::sqrt(1 - r * r)});
      const double ref = (eta - 1) * std::log1p(-r * r) - (2 * eta - 1) * std::log(2.0) - std::log(boost::math::beta(eta, eta));
      INFO("eta " << eta << ", r " << r);
      CHECK(lkj_lpdf(L, eta) == Approx(ref).epsilon(1e-12).margin(1e-12));
    }
  for (double eta : {0.5, 1.0, 2.5}) {
    INFO("K = 3, eta " << eta);
    CHECK(lkj_total_mass<24>(3, eta) == Approx(1.0).epsilon(1e-9));
  }
  for (double eta : {1.0, 1.5}) {
    INFO("K = 4, eta " << eta);
    CHECK(lkj_total_mass<10>(4, eta) == Approx(1.0).epsilon(1e-6));
  }
  // Partials in L (the diagonal) and eta, at a random factor.
  rng g(5);
  for (index_t K : {2, 4}) {
    Eigen::VectorXd L(K * K);
    lkj_corr_cholesky_fn::generate(g, K * K, L.data(), 1.3);
    for (double eta : {0.7, 3.0}) check_lpdf_partials<lkj_corr_cholesky_fn>(L, {vec({eta})}, true, 1e-7);
  }
  // Invalid arguments and variates give -inf.
  CHECK(lkj_lpdf(vec({1.0, 0.5, 0.0, std::sqrt(0.75)}), -1.0) == -math::inf<double>);
  CHECK(lkj_lpdf(vec({1.0, 1.0, 0.0, 0.0}), 2.0) == -math::inf<double>);
  CHECK(lkj_lpdf(vec({1.0, 0.5, 0.0}), 2.0) == -math::inf<double>);
}

TEST_CASE("lkj_corr_cholesky: draws are correlation factors with Beta marginals", "[dist][lkj]") {
  const index_t K = 4;
  const double eta = 1.7, a = eta - 1 + K / 2.0;  // r_ij ~ 2 Beta(a, a) - 1
  const boost::math::beta_distribution<> marg(a, a);
  int not_factors = 0;
  for (auto [i, j] : {std::pair<index_t, index_t>{1, 0}, {3, 2}, {3, 0}}) {
    const auto r = test::draw_many(20000, 100 + static_cast<std::uint64_t>(i * K + j), [&](rng& g) {
      Eigen::VectorXd x(K * K);
      lkj_corr_cholesky_fn::generate(g, K * K, x.data(), eta);
      not_factors += first_outside(cholesky_corr_tf{}, x.data(), K * K) != -1;
      const Eigen::Map<const Eigen::MatrixXd> L(x.data(), K, K);
      return L.row(i).dot(L.row(j));
    });
    test::check_ks(r, [&](double v) { return boost::math::cdf(marg, std::clamp((v + 1) / 2, 0.0, 1.0)); }, "lkj marginal");
  }
  CHECK(not_factors == 0);
}

TEST_CASE("mv_normal with a parameter Cholesky factor or covariance: values and partials", "[dist][lkj]") {
  const Eigen::MatrixXd S = covariance();
  const Eigen::MatrixXd L = Eigen::LLT<Eigen::MatrixXd>(S).matrixL();
  const Eigen::VectorXd mu = vec({0.5, -1.0, 2.0});
  const Eigen::VectorXd x = vec({1.0, 0.0, 1.5, -0.2, -1.3, 2.4, 0.3, 0.1, 1.0});  // three observations
  double ref = 0;
  for (int b = 0; b < 3; ++b) ref += mvn_logpdf(x.segment(3 * b, 3), mu, S);
  CHECK(call_lpdf<mv_normal_fn>(x, {mu, flat(L)}).lp == Approx(ref).epsilon(1e-12));
  CHECK(call_lpdf<mv_normal_cov_fn>(x, {mu, flat(S)}).lp == Approx(ref).epsilon(1e-12));
  check_lpdf_partials<mv_normal_fn>(x, {mu, flat(L)}, true, 1e-7);
  check_lpdf_partials<mv_normal_cov_fn>(x, {mu, flat(S)}, true, 1e-7);
  // A covariance is read through its symmetric part; one that is not positive definite is -inf.
  Eigen::MatrixXd skew = S;
  skew(0, 1) += 0.1;
  skew(1, 0) -= 0.1;
  CHECK(call_lpdf<mv_normal_cov_fn>(x, {mu, flat(skew)}).lp == Approx(ref).epsilon(1e-12));
  check_lpdf_partials<mv_normal_cov_fn>(x, {mu, flat(skew)}, true, 1e-7);
  Eigen::MatrixXd indefinite = S;
  indefinite(2, 2) = -0.1;
  CHECK(call_lpdf<mv_normal_cov_fn>(x, {mu, flat(indefinite)}).lp == -math::inf<double>);
  Eigen::MatrixXd negative_diag = L;
  negative_diag(1, 1) = -negative_diag(1, 1);
  CHECK(call_lpdf<mv_normal_fn>(x, {mu, flat(negative_diag)}).lp == -math::inf<double>);
  // Dimensions above the old fixed buffer of 64 work (scratch memory grows).
  const index_t K = 70;
  Eigen::MatrixXd big = Eigen::MatrixXd::Identity(K, K) * 2.0;
  big(3, 5) = big(5, 3) = 0.4;
  const Eigen::VectorXd xb = Eigen::VectorXd::LinSpaced(K, -1, 1), zero = Eigen::VectorXd::Zero(K);
  CHECK(call_lpdf<mv_normal_cov_fn>(xb, {zero, flat(big)}).lp == Approx(mvn_logpdf(xb, zero, big)).epsilon(1e-12));
  const Eigen::MatrixXd Lb = Eigen::LLT<Eigen::MatrixXd>(big).matrixL();
  CHECK(call_lpdf<mv_normal_fn>(xb, {zero, flat(Lb)}).lp == Approx(mvn_logpdf(xb, zero, big)).epsilon(1e-12));
}

TEST_CASE("models with an LKJ prior and a Gaussian process: gradients, names, direct density", "[dist][lkj][model]") {
  const Eigen::MatrixXd y = correlated_data(40, 3);
  const auto m = correlated_model(y);
  const auto c = compile<double>(m);
  REQUIRE(c.dim() == 3 + 3 + 3);
  test::check_gradient(c, 3, 1e-6);
  test::check_float_matches_double(c, compile<float>(m));
  const auto names = c.param_names();
  REQUIRE(names.size() == 9 + 3 + 3);
  CHECK(names[0] == "L_Omega[0,0]");
  CHECK(names[1] == "L_Omega[1,0]");
  CHECK(names[5] == "L_Omega[2,1]");
  // Initial values through the transform, and errors named.
  Eigen::VectorXd q = Eigen::VectorXd::Zero(c.dim());
  const Eigen::MatrixXd L0 = Eigen::LLT<Eigen::MatrixXd>(covariance().diagonal().cwiseInverse().cwiseSqrt().asDiagonal() *
                                                         covariance() *
                                                         covariance().diagonal().cwiseInverse().cwiseSqrt().asDiagonal())
                                 .matrixL();
  c.unconstrain({{"L_Omega", flat(L0)}}, q);
  CHECK((c.constrain(q).head(9) - flat(L0)).cwiseAbs().maxCoeff() < 1e-12);
  CHECK_THROWS_WITH(c.unconstrain({{"L_Omega", flat(2 * L0)}}, q), Catch::Contains("L_Omega"));
  auto tau4 = param<"tau">(half_normal(1.0), 4);
  auto L3 = param<"L">(lkj_corr_cholesky(2.0), 3);
  CHECK_THROWS_WITH(diag_pre_multiply(tau4, L3), Catch::Contains("'L' is 3 x 3 but the scales have 4"));
  CHECK_THROWS_WITH(param<"L">(lkj_corr_cholesky(2.0), 1), Catch::Contains("K >= 2"));
  CHECK_THROWS_WITH(compile<double>(model(param<"L">(lkj_corr_cholesky(-1.0), 3))), Catch::Contains("eta"));

  // A Gaussian process: y ~ mv_normal(0, alpha^2 exp(-d^2 / (2 rho^2)) + sigma^2 I), against a
  // direct implementation of the same density (priors and log-Jacobians included).
  const int N = 7;
  Eigen::VectorXd t = Eigen::VectorXd::LinSpaced(N, 0, 3), yg(N);
  Eigen::MatrixXd D2(N, N);
  for (int i = 0; i < N; ++i) {
    yg[i] = std::sin(2 * t[i]);
    for (int j = 0; j < N; ++j) D2(i, j) = (t[i] - t[j]) * (t[i] - t[j]);
  }
  auto alpha = param<"alpha">(half_normal(2.0));
  auto rho = param<"rho">(inv_gamma(5.0, 5.0));
  auto sigma = param<"sigma">(half_normal(1.0));
  const Eigen::VectorXd d2 = flatten(D2), eye = flatten(Eigen::MatrixXd::Identity(N, N));
  auto gp = model(alpha, rho, sigma,
                  observe<"y">(mv_normal(0.0, square(alpha) * exp(-0.5 * d2 / square(rho)) + square(sigma) * eye), yg));
  const auto cg = compile<double>(gp);
  test::check_gradient(cg, 4, 1e-6);
  test::check_float_matches_double(cg, compile<float>(gp));
  rng r(9);
  for (int p = 0; p < 3; ++p) {
    const Eigen::VectorXd qg = test::random_point(3, r, 1.0);
    const Eigen::VectorXd v = cg.constrain(qg);
    const double a = v[0], rh = v[1], s = v[2];
    Eigen::MatrixXd Kxx = (a * a) * (-0.5 * D2.array() / (rh * rh)).exp().matrix();
    Kxx.diagonal().array() += s * s;
    const double prior = std::log(2.0) - 0.5 * std::log(2 * M_PI) - std::log(2.0) - a * a / 8 +  // half_normal(2)
                         5 * std::log(5.0) - std::lgamma(5.0) - 6 * std::log(rh) - 5 / rh +       // inv_gamma(5, 5)
                         std::log(2.0) - 0.5 * std::log(2 * M_PI) - s * s / 2;                  // half_normal(1)
    const double ref = prior + mvn_logpdf(yg, Eigen::VectorXd::Zero(N), Kxx) + qg.sum();  // log transforms
    CHECK(cg.logp(qg) == Approx(ref).epsilon(1e-11));
  }
}

TEST_CASE("NUTS on an LKJ prior: correlations have the Beta moments; a correlation is recovered",
          "[dist][lkj][nuts]") {
  // Prior alone (a dummy observation keeps the model well formed): E r_ij^2 = 1 / (2a + 1),
  // a = eta - 1 + K / 2.
  auto L = param<"L">(lkj_corr_cholesky(2.0), 3);
  auto mu = param<"mu">(normal(0.0, 1.0));
  const auto m = compile<double>(model(L, mu, observe<"y">(normal(mu, 1.0), Eigen::VectorXd::Zero(1))));
  sample_options o;
  o.chains = 2;
  o.seed = 21;
  o.warmup = 500;
  o.draws = 2000;
  const fit f = sample(m, o);
  REQUIRE(f.all_ok());
  const double a = 2.0 - 1 + 1.5, expected = 1 / (2 * a + 1);
  const Eigen::MatrixXd l10 = f.posterior.column("L[1,0]"), l20 = f.posterior.column("L[2,0]"),
                        l21 = f.posterior.column("L[2,1]"), l11 = f.posterior.column("L[1,1]");
  const Eigen::MatrixXd r21 = l20.cwiseProduct(l10) + l21.cwiseProduct(l11);
  // The correlation matrix per draw through generated quantities and draw_view::matrix.
  const draws omega = generated_quantities(f.posterior, {"r21"}, [](const draw_view& d, rng&, std::span<double> out) {
    const Eigen::MatrixXd Lm = d.matrix("L");
    out[0] = (Lm * Lm.transpose())(2, 1);
  });
  CHECK((omega.column("r21") - r21).cwiseAbs().maxCoeff() < 1e-12);
  for (const auto& [name, r] : {std::pair<const char*, Eigen::MatrixXd>{"r10", l10}, {"r20", l20}, {"r21", r21}}) {
    const Eigen::MatrixXd r2 = r.cwiseProduct(r);
    const double se = std::sqrt((r2.array() - r2.mean()).square().mean() / ess_bulk(r2));
    INFO(name << ": E r^2 " << r2.mean() << ", expected " << expected << ", se " << se);
    CHECK(std::abs(r2.mean() - expected) < 5 * se);
  }
  // Data with correlation 0.6 between the first two coordinates: the posterior finds it.
  const auto c = compile<double>(correlated_model(correlated_data(300, 4)));
  sample_options oc;
  oc.chains = 1;
  oc.seed = 3;
  oc.warmup = 400;
  oc.draws = 400;
  const fit fc = sample(c, oc);
  REQUIRE(fc.all_ok());
  const double r_post = fc.posterior.column("L_Omega[1,0]").mean();
  INFO("posterior mean of the correlation: " << r_post);
  CHECK(std::abs(r_post - 0.6) < 0.1);
  CHECK(std::abs(fc.posterior.column("tau[1]").mean() - 2.0) < 0.3);
}
