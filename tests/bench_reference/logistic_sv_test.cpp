// Reference densities logistic and sv against Boost.Math and finite differences.
#include <catch2/catch.hpp>

#include "check_density.hpp"
#include "reference/logistic.hpp"
#include "reference/sv.hpp"

using namespace exmc_test;

static_assert(exmc::WorkspaceLogDensity<exmc::reference::logistic<double>>);
static_assert(exmc::ConstrainedLogDensity<exmc::reference::logistic<float>>);
static_assert(exmc::ConstrainedLogDensity<exmc::reference::sv<double>>);

TEST_CASE("logistic matches Boost.Math and finite differences", "[bench_reference]") {
  const auto file = bench_data("logistic");
  const Eigen::MatrixXd X = file.matrix("X");
  const Eigen::VectorXi y = file.int_vector("y");
  const auto dd = exmc::reference::logistic<double>::from(file);
  const auto dl = exmc::reference::logistic<long double>::from(file);
  const auto df = exmc::reference::logistic<float>::from(file);
  REQUIRE(dd.dim() == 21);
  exmc::rng gen(31, 0);
  for (int rep = 0; rep < 4; ++rep) {
    const auto q = random_point<long double>(21, gen, 0.0, 0.4);
    const Eigen::VectorXd x = q.cast<double>();
    double expected = log_normal(x[0], 0, 10);
    for (int k = 1; k < 21; ++k) expected += log_normal(x[k], 0, 10);
    for (Eigen::Index i = 0; i < X.rows(); ++i) expected += log_bernoulli_logit(y[i], x[0] + X.row(i).dot(x.tail(20)));
    CHECK(logp(dd, x) == Approx(expected).epsilon(1e-11));
    check_gradient(dl, q);
    check_precisions(df, dd, dl, q);
  }
  // Far in the tails the stable form stays finite where a naive log(1 + exp(eta)) would not.
  exmc::vector_t<double> q = exmc::vector_t<double>::Constant(21, 60.0), g(21), g2(21);
  const double lp = dd.logp_grad(q, g);
  CHECK(std::isfinite(lp));
  CHECK(g.allFinite());
  // The workspace form and the allocating form agree exactly.
  auto ws = dd.make_workspace();
  CHECK(dd.logp_grad(q, g2, ws) == lp);
  CHECK(g2 == g);
  CHECK_THROWS_AS(exmc::reference::logistic<double>(X, Eigen::VectorXi::Constant(500, 2)), exmc::model_error);
  CHECK_THROWS_AS(exmc::reference::logistic<double>(X, Eigen::VectorXi::Zero(499)), exmc::model_error);
}

TEST_CASE("sv matches Boost.Math and finite differences", "[bench_reference]") {
  const auto file = bench_data("sv");
  const Eigen::VectorXd r = file.vector("r");
  const auto dd = exmc::reference::sv<double>::from(file);
  const auto dl = exmc::reference::sv<long double>::from(file);
  const auto df = exmc::reference::sv<float>::from(file);
  REQUIRE(dd.dim() == 102);
  exmc::rng gen(32, 0);
  for (int rep = 0; rep < 4; ++rep) {
    auto q = random_point<long double>(102, gen, 0.0, 0.5);
    q[0] = static_cast<long double>(gen.normal(-2.0, 0.5));  // log sigma
    q[1] = static_cast<long double>(gen.normal(1.5, 1.0));   // log nu: nu from about 1 to 30
    const Eigen::VectorXd x = q.cast<double>();
    const double sigma = std::exp(x[0]), nu = std::exp(x[1]);
    double expected = log_exponential(sigma, 50) + x[0] + log_exponential(nu, 0.1) + x[1];
    for (int t = 0; t < 100; ++t) {
      expected += log_normal(x[2 + t], t == 0 ? 0.0 : x[1 + t], sigma);
      expected += log_student_t(r[t], nu, 0.0, std::exp(x[2 + t]));
    }
    CHECK(logp(dd, x) == Approx(expected).epsilon(1e-11));
    check_gradient(dl, q);
    check_precisions(df, dd, dl, q);
  }
  const auto names = dd.param_names();
  CHECK(names[0] == "sigma");
  CHECK(names[1] == "nu");
  CHECK(names[101] == "s[99]");
  // Non-finite nu marks the point invalid through the return value, not an exception.
  exmc::vector_t<double> q = exmc::vector_t<double>::Zero(102), g(102);
  q[1] = -800.0;  // nu underflows to 0
  CHECK_FALSE(std::isfinite(dd.logp_grad(q, g)));
  CHECK_THROWS_AS(exmc::reference::sv<double>(Eigen::VectorXd(0)), exmc::model_error);
}
