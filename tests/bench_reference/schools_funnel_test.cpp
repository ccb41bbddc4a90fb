// Reference densities eight_schools and funnel against Boost.Math and finite differences.
#include <catch2/catch.hpp>

#include "check_density.hpp"
#include "reference/eight_schools.hpp"
#include "reference/funnel.hpp"

using namespace exmc_test;

static_assert(exmc::ConstrainedLogDensity<exmc::reference::eight_schools<double>>);
static_assert(exmc::ConstrainedLogDensity<exmc::reference::funnel<float>>);

TEST_CASE("eight_schools matches Boost.Math and finite differences", "[bench_reference]") {
  const auto file = bench_data("eight_schools");
  const Eigen::VectorXd y = file.vector("y"), sigma = file.vector("sigma");
  const auto dd = exmc::reference::eight_schools<double>::from(file);
  const auto dl = exmc::reference::eight_schools<long double>::from(file);
  const auto df = exmc::reference::eight_schools<float>::from(file);
  REQUIRE(dd.dim() == 10);
  exmc::rng gen(21, 0);
  for (int rep = 0; rep < 5; ++rep) {
    auto q = random_point<long double>(10, gen, 2.0, 3.0);
    q[1] = static_cast<long double>(gen.normal(1.0, 1.0));  // log tau
    const Eigen::VectorXd x = q.cast<double>();
    const double mu = x[0], tau = std::exp(x[1]);
    double expected = log_normal(mu, 0, 5) + log_half_cauchy(tau, 5) + x[1];
    for (int j = 0; j < 8; ++j) expected += log_normal(x[2 + j], mu, tau) + log_normal(y[j], x[2 + j], sigma[j]);
    CHECK(logp(dd, x) == Approx(expected).epsilon(1e-12));
    check_gradient(dl, q);
    check_precisions(df, dd, dl, q);
  }
  CHECK(dd.param_names().back() == "theta[7]");
  CHECK_THROWS_AS(exmc::reference::eight_schools<double>(Eigen::Vector2d(1, 2), Eigen::Vector2d(1, 0)),
                  exmc::model_error);
  CHECK_THROWS_AS(exmc::reference::eight_schools<double>(Eigen::Vector2d(1, 2), Eigen::Vector3d(1, 1, 1)),
                  exmc::model_error);
}

TEST_CASE("funnel matches Boost.Math and finite differences", "[bench_reference]") {
  const auto dd = exmc::reference::funnel<double>::from(bench_data("funnel"));
  const exmc::reference::funnel<long double> dl;
  const exmc::reference::funnel<float> df;
  REQUIRE(dd.dim() == 10);
  exmc::rng gen(22, 0);
  for (int rep = 0; rep < 5; ++rep) {
    const auto q = random_point<long double>(10, gen, 0.0, 1.5);
    const Eigen::VectorXd x = q.cast<double>();
    double expected = log_normal(x[0], 0, 3);
    for (int k = 1; k < 10; ++k) expected += log_normal(x[k], 0, std::exp(x[0] / 2));
    CHECK(logp(dd, x) == Approx(expected).epsilon(1e-12));
    check_gradient(dl, q);
    check_precisions(df, dd, dl, q);
  }
  CHECK(dd.param_names()[1] == "x[0]");
  CHECK_THROWS_AS(exmc::reference::funnel<double>(0), exmc::model_error);
}
