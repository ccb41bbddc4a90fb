// exmc::pathfinder on densities with known answers, against a long NUTS run, and as NUTS
// initialisation.
#include <catch2/catch.hpp>
#include <cmath>
#include <exmc/nuts/sample.hpp>
#include <exmc/variational/pathfinder.hpp>
#include <numbers>

#include "../nuts/support.hpp"
#include "../optimize/densities.hpp"

using namespace opt_test;

namespace {

// Standard error of a mean from importance-resampled draws: the weights' ESS plus the
// multinomial resampling noise of `draws` picks.
double resampled_se(double sd, const exmc::pathfinder_result& p) {
  return sd * std::sqrt(1.0 / p.importance_ess + 1.0 / static_cast<double>(p.posterior.num_draws()));
}

}  // namespace

TEST_CASE("single-path pathfinder approximates a correlated Gaussian", "[pathfinder]") {
  const gaussian d(test_mean(), test_covariance());
  const Eigen::MatrixXd cov = test_covariance();
  exmc::pathfinder_options o;
  o.paths = 1;
  o.resample = false;
  o.draws_per_path = 4000;
  o.seed = 3;
  const auto p = exmc::pathfinder(d, o);
  REQUIRE(p.paths.size() == 1);
  const auto& path = p.paths[0];
  INFO(path.message);
  REQUIRE(path.ok());
  REQUIRE(p.posterior.num_draws() == 4000);
  // The chosen approximation is close to the target: its ELBO near log Z (equal for the exact
  // posterior; 25-draw estimates scatter by ~0.1), its mean and variances near the truth.
  const double log_z = 0.5 * 5 * std::log(2 * std::numbers::pi) + 0.5 * std::log(cov.determinant());
  CHECK(std::abs(path.elbo - log_z) < 0.5);
  for (Eigen::Index i = 0; i < 5; ++i) {
    const double sd = std::sqrt(cov(i, i));
    CHECK(std::abs(path.mean[i] - test_mean()[i]) < 0.25 * sd);
    CHECK(path.variances[i] == Approx(cov(i, i)).epsilon(0.25));
  }
  // Unresampled draws come from that approximation: their moments match it within MC error.
  const Eigen::MatrixXd& x = p.posterior.chains[0];
  const Eigen::VectorXd mean = x.colwise().mean();
  const Eigen::MatrixXd c = covariance_of(x);
  for (Eigen::Index i = 0; i < 5; ++i) {
    const double sd = std::sqrt(path.variances[i]);
    CHECK(std::abs(mean[i] - path.mean[i]) < 4.5 * sd / std::sqrt(4000.0));
    CHECK(c(i, i) == Approx(path.variances[i]).epsilon(4.5 * std::sqrt(2.0 / 4000.0)));
  }
  CHECK((p.lp.array() - p.lq.array()).allFinite());
  CHECK(p.pareto_k < 0.7);
}

TEST_CASE("multi-path pathfinder with resampling recovers a Gaussian exactly", "[pathfinder]") {
  const gaussian d(test_mean(), test_covariance());
  const Eigen::MatrixXd cov = test_covariance();
  exmc::pathfinder_options o;
  o.seed = 4;
  o.draws = 4000;
  const auto p = exmc::pathfinder(d, o);
  REQUIRE(p.paths.size() == 4);
  CHECK(p.pareto_k < 0.7);  // the threshold below which PSIS estimates are reliable
  const Eigen::MatrixXd& x = p.posterior.chains[0];
  const Eigen::VectorXd mean = x.colwise().mean();
  const Eigen::MatrixXd c = covariance_of(x);
  for (Eigen::Index i = 0; i < 5; ++i) {
    const double sd = std::sqrt(cov(i, i));
    CHECK(std::abs(mean[i] - test_mean()[i]) < 4.5 * resampled_se(sd, p));
    CHECK(c(i, i) == Approx(cov(i, i)).epsilon(4.5 * std::sqrt(2.0) * resampled_se(1.0, p)));
    CHECK(p.inv_metric_diag[i] == Approx(cov(i, i)).epsilon(0.25));
  }
  CHECK(p.grad_evals > 4u * 1000u);
}

TEST_CASE("pathfinder matches a long NUTS run on a logistic regression", "[pathfinder]") {
  const logistic d;
  exmc::sample_options s;
  s.chains = 4;
  s.threads = 1;
  s.draws = 2500;
  s.seed = 1;
  const auto f = exmc::sample(d, s);
  REQUIRE(f.all_ok());
  exmc::pathfinder_options o;
  o.seed = 2;
  o.draws = 4000;
  const auto p = exmc::pathfinder(d, o);
  CHECK(p.pareto_k < 0.7);
  for (int j = 0; j < 3; ++j) {
    const auto nuts = nuts_test::mean_of(f.posterior.column(j));
    const Eigen::MatrixXd x = f.posterior.column(j);
    const double sd = std::sqrt((x.array() - nuts.value).square().sum() / (x.size() - 1.0));
    const Eigen::VectorXd y = p.posterior.chains[0].col(j);
    const double my = y.mean(), sdy = std::sqrt((y.array() - my).square().sum() / (y.size() - 1.0));
    INFO("coefficient " << j << ": NUTS " << nuts.value << " (sd " << sd << "), pathfinder " << my << " (sd " << sdy << ")");
    CHECK(std::abs(my - nuts.value) < 4.5 * std::hypot(nuts.mcse, resampled_se(sd, p)));
    // Relative standard error of a standard deviation: 1 / sqrt(2 ESS) for near-normal draws.
    CHECK(std::abs(sdy / sd - 1.0) < 4.5 * std::sqrt(0.5 / nuts.ess + 0.5 * std::pow(resampled_se(1.0, p), 2)));
  }
}

TEST_CASE("pathfinder on a constrained conjugate model reports constrained draws", "[pathfinder]") {
  const gamma_poisson d;
  const double A = d.a + d.sum_y(), B = d.b + static_cast<double>(d.y.size());
  exmc::pathfinder_options o;
  o.seed = 8;
  o.draws = 4000;
  const auto p = exmc::pathfinder(d, o);
  REQUIRE(p.posterior.names == std::vector<std::string>{"lambda"});
  const Eigen::VectorXd lambda = p.posterior.chains[0].col(0);
  CHECK((lambda.array() > 0.0).all());
  CHECK((lambda.array() / p.unconstrained.col(0).array().exp() - 1.0).abs().maxCoeff() < 1e-14);
  // Posterior gamma(A, B): mean A / B, sd sqrt(A) / B.
  const double sd = std::sqrt(A) / B;
  CHECK(std::abs(lambda.mean() - A / B) < 4.5 * resampled_se(sd, p));
  const double sd_hat = std::sqrt((lambda.array() - lambda.mean()).square().sum() / (lambda.size() - 1.0));
  CHECK(sd_hat == Approx(sd).epsilon(4.5 * std::sqrt(2.0) * resampled_se(1.0, p)));
}

TEST_CASE("pathfinder copes with invalid regions, exceptions and float densities", "[pathfinder]") {
  // walled: gamma(11, 1) on q > 0, -inf below 0 and throwing below -5.
  exmc::pathfinder_options o;
  o.init_unconstrained = Eigen::VectorXd::Constant(1, 40.0);
  o.draws = 4000;
  const auto p = exmc::pathfinder(walled{}, o);
  CHECK(p.lp.allFinite());
  CHECK(std::abs(p.unconstrained.col(0).mean() - 11.0) < 4.5 * resampled_se(std::sqrt(11.0), p));

  const auto pf = exmc::pathfinder(float_normal{});
  for (int i = 0; i < 3; ++i) CHECK(std::abs(pf.unconstrained.col(i).mean() - i) < 4.5 * resampled_se(2.0, pf));
}

TEST_CASE("pathfinder is reproducible and checks its options", "[pathfinder]") {
  const logistic d;
  exmc::pathfinder_options o;
  o.seed = 9;
  o.draws = 200;
  o.draws_per_path = 200;
  const auto a = exmc::pathfinder(d, o), b = exmc::pathfinder(d, o);
  CHECK(a.posterior.chains[0] == b.posterior.chains[0]);
  CHECK(a.grad_evals == b.grad_evals);
  o.seed = 10;
  CHECK(exmc::pathfinder(d, o).posterior.chains[0] != a.posterior.chains[0]);

  auto thrown = [&](auto set, const char* name) {
    exmc::pathfinder_options bad;
    set(bad);
    CHECK_THROWS_WITH(exmc::pathfinder(d, bad), Catch::Contains(name));
  };
  thrown([](auto& x) { x.paths = 0; }, "paths");
  thrown([](auto& x) { x.draws = 0; }, "draws");
  thrown([](auto& x) { x.draws_per_path = 0; }, "draws_per_path");
  thrown([](auto& x) { x.elbo_draws = 0; }, "elbo_draws");
  thrown([](auto& x) { x.history = 0; }, "history");
  thrown([](auto& x) { x.init_unconstrained = Eigen::VectorXd::Zero(7); }, "init_unconstrained has 7 entries");

  CHECK_THROWS_WITH(exmc::pathfinder(nowhere{}), Catch::Contains("no path") && Catch::Contains("path 3"));
  CHECK_THROWS_AS(exmc::pathfinder_init(exmc::pathfinder_result{}), exmc::model_error);
  CHECK_THROWS_AS(exmc::pathfinder_init(a, {}, -1), exmc::model_error);
}

TEST_CASE("pathfinder_init starts NUTS with a short warmup", "[pathfinder]") {
  const gaussian d(test_mean(), test_covariance());
  exmc::pathfinder_options po;
  po.seed = 12;
  const auto p = exmc::pathfinder(d, po);
  exmc::sample_options s;
  s.chains = 1;
  s.threads = 1;
  s.warmup = 150;
  s.draws = 1500;
  s.seed = 13;
  const auto s0 = exmc::pathfinder_init(p, s, 0), s1 = exmc::pathfinder_init(p, s, 1);
  CHECK(s0.init_unconstrained == p.unconstrained.row(0).transpose());
  CHECK(s1.init_unconstrained == p.unconstrained.row(1).transpose());
  REQUIRE(s0.warm);
  CHECK(s0.warm->inv_metric_diag == p.inv_metric_diag);
  CHECK(s0.warmup == 150);

  const auto f = exmc::sample(d, s0);
  REQUIRE(f.all_ok());
  const Eigen::MatrixXd cov = test_covariance();
  for (int j = 0; j < 5; ++j) {
    const auto m = nuts_test::mean_of(f.posterior.column(j));
    CHECK(std::abs(m.value - test_mean()[j]) < 4.5 * m.mcse);
    const auto v = nuts_test::second_moment(f.posterior.column(j), test_mean()[j]);
    CHECK(std::abs(v.value - cov(j, j)) < 4.5 * v.mcse);
  }
}
