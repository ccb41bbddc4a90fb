// Reference densities simple, medium and stress against Boost.Math and finite differences.
#include <catch2/catch.hpp>

#include "check_density.hpp"
#include "reference/medium.hpp"
#include "reference/simple.hpp"
#include "reference/stress.hpp"

using namespace exmc_test;

static_assert(exmc::ConstrainedLogDensity<exmc::reference::simple<double>>);
static_assert(exmc::ConstrainedLogDensity<exmc::reference::medium<float>>);
static_assert(exmc::ConstrainedLogDensity<exmc::reference::stress<double>>);

TEST_CASE("simple matches Boost.Math and finite differences", "[bench_reference]") {
  const auto file = bench_data("simple");
  const Eigen::VectorXd y = file.vector("y");
  const auto dd = exmc::reference::simple<double>::from(file);
  const auto dl = exmc::reference::simple<long double>::from(file);
  const auto df = exmc::reference::simple<float>::from(file);
  REQUIRE(dd.dim() == 2);
  exmc::rng gen(11, 0);
  for (int rep = 0; rep < 5; ++rep) {
    const auto q = random_point<long double>(2, gen, 0.5, 0.7);
    const double mu = static_cast<double>(q[0]), u = static_cast<double>(q[1]), sigma = std::exp(u);
    double expected = log_normal(mu, 0, 10) + log_exponential(sigma, 1) + u;
    for (Eigen::Index i = 0; i < y.size(); ++i) expected += log_normal(y[i], mu, sigma);
    CHECK(logp(dd, q.cast<double>()) == Approx(expected).epsilon(1e-12));
    check_gradient(dl, q);
    check_precisions(df, dd, dl, q);
  }
  Eigen::VectorXd out;
  dd.constrain(Eigen::Vector2d(1.5, std::log(2.0)), out);
  CHECK(out[0] == 1.5);
  CHECK(out[1] == Approx(2.0));
  CHECK(dd.param_names() == std::vector<std::string>{"mu", "sigma"});
}

TEST_CASE("medium matches Boost.Math and finite differences", "[bench_reference]") {
  const auto file = bench_data("medium");
  const Eigen::VectorXd y = file.vector("y");
  const Eigen::VectorXi group = file.int_vector("group");  // 1-based in the file
  const auto dd = exmc::reference::medium<double>::from(file);
  const auto dl = exmc::reference::medium<long double>::from(file);
  const auto df = exmc::reference::medium<float>::from(file);
  REQUIRE(dd.dim() == 5);
  exmc::rng gen(12, 0);
  for (int rep = 0; rep < 5; ++rep) {
    const auto q = random_point<long double>(5, gen, 0.5, 0.7);
    const Eigen::VectorXd x = q.cast<double>();
    const double mu = x[0], tau = std::exp(x[1]), sigma = std::exp(x[4]);
    double expected = log_normal(mu, 0, 10) + log_half_normal(tau, 5) + x[1] +
                      log_half_normal(sigma, 5) + x[4];
    for (int g = 0; g < 2; ++g) expected += log_normal(x[2 + g], mu, tau);
    for (Eigen::Index i = 0; i < y.size(); ++i) expected += log_normal(y[i], x[2 + group[i] - 1], sigma);
    CHECK(logp(dd, x) == Approx(expected).epsilon(1e-12));
    check_gradient(dl, q);
    check_precisions(df, dd, dl, q);
  }
  CHECK(dd.param_names() == std::vector<std::string>{"mu", "tau", "alpha[0]", "alpha[1]", "sigma"});
  Eigen::VectorXd out;
  dd.constrain((Eigen::VectorXd(5) << 1, 0, 2, 3, std::log(4.0)).finished(), out);
  CHECK(out[1] == Approx(1.0));
  CHECK(out[3] == 3.0);
  CHECK(out[4] == Approx(4.0));
}

TEST_CASE("stress matches Boost.Math and finite differences", "[bench_reference]") {
  const auto file = bench_data("stress");
  const Eigen::VectorXd y = file.vector("y");
  const Eigen::VectorXi group = file.int_vector("group");
  const auto dd = exmc::reference::stress<double>::from(file);
  const auto dl = exmc::reference::stress<long double>::from(file);
  const auto df = exmc::reference::stress<float>::from(file);
  REQUIRE(dd.dim() == 8);
  exmc::rng gen(13, 0);
  for (int rep = 0; rep < 5; ++rep) {
    const auto q = random_point<long double>(8, gen, 0.8, 0.7);
    const Eigen::VectorXd x = q.cast<double>();
    const double mu = x[0], tau = std::exp(x[1]);
    double expected = log_normal(mu, 0, 10) + log_half_normal(tau, 5) + x[1];
    for (int g = 0; g < 3; ++g)
      expected += log_normal(x[2 + g], mu, tau) + log_half_normal(std::exp(x[5 + g]), 5) + x[5 + g];
    for (Eigen::Index i = 0; i < y.size(); ++i)
      expected += log_normal(y[i], x[2 + group[i] - 1], std::exp(x[5 + group[i] - 1]));
    CHECK(logp(dd, x) == Approx(expected).epsilon(1e-12));
    check_gradient(dl, q);
    check_precisions(df, dd, dl, q);
  }
  const auto names = dd.param_names();
  CHECK(names[2] == "theta[0]");
  CHECK(names[5] == "sigma[0]");
  CHECK(names[7] == "sigma[2]");
}

TEST_CASE("grouped reference densities reject bad data and bad positions", "[bench_reference]") {
  using exmc::model_error;
  const Eigen::VectorXd y = Eigen::VectorXd::Ones(3);
  CHECK_THROWS_AS(exmc::reference::medium<double>(y, Eigen::Vector3i(0, 1, 2), 2), model_error);
  CHECK_THROWS_AS(exmc::reference::stress<double>(y, Eigen::Vector2i(0, 1), 2), model_error);
  CHECK_THROWS_AS(exmc::reference::medium<double>(y, Eigen::Vector3i(0, 1, 1), 0), model_error);
  Eigen::VectorXd bad = y;
  bad[1] = std::nan("");
  CHECK_THROWS_AS(exmc::reference::simple<double>(bad), model_error);
  // 1-based group indices in a data file are range-checked against G and named.
  const auto file = exmc::data_file::parse(R"({"N": 2, "G": 2, "group": [1, 3], "y": [0, 1]})", "g.json");
  CHECK_THROWS_WITH(exmc::reference::medium<double>::from(file),
                    Catch::Contains("g.json") && Catch::Contains("'group'[1]") && Catch::Contains("1..2"));
  CHECK_THROWS_WITH(exmc::reference::stress<double>::from(exmc::data_file::parse(
                        R"({"N": 2, "G": 2, "group": [0, 1], "y": [0, 1]})")),
                    Catch::Contains("group index 0"));
  const exmc::reference::simple<double> d(y);
  exmc::vector_t<double> q(3), g(3);
  q.setZero();
  CHECK_THROWS_WITH(d.logp_grad(q, g), Catch::Contains("simple") && Catch::Contains("size 2"));
}
