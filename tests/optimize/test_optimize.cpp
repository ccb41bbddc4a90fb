// exmc::optimize (L-BFGS) and exmc::laplace on densities with known modes and curvature.
#include <catch2/catch.hpp>
#include <cmath>
#include <exmc/exmc.hpp>
#include <exmc/optimize/laplace.hpp>
#include <exmc/optimize/optimize.hpp>
#include <numbers>

#include "densities.hpp"

using namespace opt_test;

TEST_CASE("lbfgs finds the Rosenbrock minimum from the classic start", "[optimize]") {
  exmc::optimize_options o;
  o.init_unconstrained = Eigen::Vector2d(-1.2, 1.0);
  const auto m = exmc::optimize(rosenbrock{}, o);
  INFO(m.message);
  CHECK(m.converged());
  CHECK(m.unconstrained[0] == Approx(1.0).margin(1e-5));
  CHECK(m.unconstrained[1] == Approx(1.0).margin(1e-5));
  CHECK(m.iterations < 100);
  CHECK(m.names == std::vector<std::string>{"q[0]", "q[1]"});

  o.max_iterations = 3;
  const auto short_run = exmc::optimize(rosenbrock{}, o);
  CHECK(short_run.status == exmc::lbfgs_status::max_iterations);
  CHECK(short_run.iterations == 3);
  CHECK_FALSE(short_run.converged());
}

TEST_CASE("optimize finds the mean of a correlated Gaussian from random starts", "[optimize]") {
  const gaussian d(test_mean(), test_covariance());
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    exmc::optimize_options o;
    o.seed = seed;
    const auto m = exmc::optimize(d, o);
    INFO(m.message);
    REQUIRE(m.converged());
    // The error of the mode is cov * grad: bounded by the largest variance times tol_grad, or
    // by the relative-objective stop (|lp| ~ 1e-12 means |q - mean|^2 / var ~ 1e-12).
    for (Eigen::Index i = 0; i < 5; ++i) CHECK(m.unconstrained[i] == Approx(test_mean()[i]).margin(1e-4 * std::sqrt(test_covariance()(i, i))));
    CHECK(m.lp > -1e-8);
  }
}

TEST_CASE("optimize: MAP, MLE and the unconstrained mode of a gamma-poisson model", "[optimize]") {
  gamma_poisson d;
  const double A = d.a + d.sum_y(), B = d.b + static_cast<double>(d.y.size());
  SECTION("with the Jacobian: mode of log(lambda)") {
    const auto m = exmc::optimize(d);
    REQUIRE(m.converged());
    CHECK(m.value("lambda") == Approx(A / B).epsilon(1e-8));
  }
  SECTION("without the Jacobian: MAP on the lambda scale") {
    d.jacobian = false;
    const auto m = exmc::optimize(d);
    REQUIRE(m.converged());
    CHECK(m.value("lambda") == Approx((A - 1.0) / B).epsilon(1e-8));
  }
  SECTION("without Jacobian and prior: maximum likelihood") {
    d.jacobian = false;
    d.priors = false;
    const auto m = exmc::optimize(d);
    REQUIRE(m.converged());
    CHECK(m.value("lambda") == Approx(d.sum_y() / static_cast<double>(d.y.size())).epsilon(1e-8));
    CHECK_THROWS_AS(m.value("mu"), exmc::model_error);
  }
}

TEST_CASE("optimize backs off from invalid points and exceptions", "[optimize]") {
  exmc::optimize_options o;
  o.init_unconstrained = Eigen::VectorXd::Constant(1, 40.0);
  const auto m = exmc::optimize(walled{}, o);
  INFO(m.message);
  CHECK(m.converged());
  CHECK(m.unconstrained[0] == Approx(10.0).epsilon(1e-6));
}

TEST_CASE("optimize reports unbounded objectives and refuses invalid starts", "[optimize]") {
  const auto m = exmc::optimize(unbounded{});
  CHECK(m.status == exmc::lbfgs_status::unbounded);
  CHECK_FALSE(m.converged());
  CHECK_THAT(m.message, Catch::Contains("unbounded"));

  CHECK_THROWS_WITH(exmc::optimize(nowhere{}), Catch::Contains("no finite starting point") && Catch::Contains("100 tries"));
  exmc::optimize_options o;
  o.init_unconstrained = Eigen::VectorXd::Constant(1, -1.0);
  CHECK_THROWS_AS(exmc::optimize(walled{}, o), exmc::sampling_error);
}

TEST_CASE("optimize works in double on float densities", "[optimize]") {
  const auto m = exmc::optimize(float_normal{});
  INFO(m.message);
  REQUIRE(m.converged());
  for (int i = 0; i < 3; ++i) CHECK(m.values[i] == Approx(i).margin(1e-4));
}

TEST_CASE("optimize and laplace reject bad options by name", "[optimize]") {
  const gaussian d(test_mean(), test_covariance());
  auto thrown = [&](auto set, const char* name) {
    exmc::laplace_options o;
    set(o);
    CHECK_THROWS_WITH(exmc::laplace(d, o), Catch::Contains(name));
  };
  thrown([](auto& o) { o.max_iterations = 0; }, "max_iterations");
  thrown([](auto& o) { o.history = 0; }, "history");
  thrown([](auto& o) { o.tol_grad = -1; }, "tol_grad");
  thrown([](auto& o) { o.init_radius = -1; }, "init_radius");
  thrown([](auto& o) { o.init_unconstrained = Eigen::VectorXd::Zero(2); }, "init_unconstrained has 2 entries");
  thrown([](auto& o) { o.draws = -1; }, "draws");
  thrown([](auto& o) { o.fd_step = 0.5; }, "fd_step");
  thrown([](auto& o) { o.init["x"] = Eigen::VectorXd::Zero(1); }, "no unconstrain()");
}

TEST_CASE("laplace is exact for a Gaussian", "[laplace]") {
  const gaussian d(test_mean(), test_covariance());
  exmc::laplace_options o;
  o.draws = 4000;
  o.seed = 5;
  const auto a = exmc::laplace(d, o);
  const Eigen::MatrixXd cov = test_covariance();
  // Central differences of a linear gradient are exact up to rounding.
  CHECK((a.covariance - cov).cwiseAbs().maxCoeff() < 1e-6 * cov.cwiseAbs().maxCoeff());
  REQUIRE(a.posterior.num_draws() == 4000);
  REQUIRE(a.posterior.names.size() == 5);

  const Eigen::MatrixXd& x = a.posterior.chains[0];
  const Eigen::VectorXd mean = x.colwise().mean();
  const Eigen::MatrixXd c = covariance_of(x);
  const double n = 4000;
  for (Eigen::Index i = 0; i < 5; ++i) {
    const double sd_i = std::sqrt(cov(i, i));
    CHECK(std::abs(mean[i] - test_mean()[i]) < 4.5 * sd_i / std::sqrt(n));
    for (Eigen::Index j = 0; j < 5; ++j) {
      const double sd_j = std::sqrt(cov(j, j)), rho = cov(i, j) / (sd_i * sd_j);
      CHECK(std::abs(c(i, j) - cov(i, j)) / (sd_i * sd_j) < 4.5 * std::sqrt((1.0 + rho * rho) / n));
    }
  }
  // lp - lq is the log normalising constant of the unnormalised density at every draw, up to
  // the Hessian's rounding error: eps |grad| / h ~ 1e-7 per entry, times tr(cov) ~ 100.
  const double log_z = 0.5 * 5 * std::log(2 * std::numbers::pi) + 0.5 * std::log(cov.determinant());
  CHECK(((a.lp - a.lq).array() - log_z).abs().maxCoeff() < 1e-4);

  const auto again = exmc::laplace(d, o);
  CHECK(again.posterior.chains[0] == x);
}

TEST_CASE("laplace of the gamma-poisson posterior of log(lambda)", "[laplace]") {
  // p(u) ~ exp(A u - B e^u): mode log(A / B), curvature -A exactly.
  const gamma_poisson d;
  const double A = d.a + d.sum_y(), B = d.b + static_cast<double>(d.y.size());
  exmc::laplace_options o;
  o.draws = 2000;
  const auto a = exmc::laplace(d, o);
  CHECK(a.mode.unconstrained[0] == Approx(std::log(A / B)).epsilon(1e-8));
  CHECK(a.hessian(0, 0) == Approx(-A).epsilon(1e-6));
  CHECK(a.posterior.names == std::vector<std::string>{"lambda"});
  CHECK((a.posterior.chains[0].array() > 0.0).all());
  // log(lambda) draws have mean log(A / B) and sd 1 / sqrt(A).
  const double se = 1.0 / std::sqrt(A) / std::sqrt(2000.0);
  CHECK(std::abs(a.unconstrained.col(0).mean() - std::log(A / B)) < 4.5 * se);
  CHECK(a.grad_evals > a.mode.grad_evals + 2000);
}

TEST_CASE("laplace refuses a flat direction and an unconverged mode", "[laplace]") {
  struct flat {
    using scalar = double;
    std::ptrdiff_t dim() const { return 2; }
    double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
      g << -q[0], 0.0;
      return -0.5 * q[0] * q[0];
    }
  };
  CHECK_THROWS_WITH(exmc::laplace(flat{}), Catch::Contains("not negative definite"));

  exmc::optimize_options short_run;
  short_run.max_iterations = 1;
  short_run.init_unconstrained = Eigen::Vector2d(-1.2, 1.0);
  const auto m = exmc::optimize(rosenbrock{}, short_run);
  CHECK_THROWS_WITH(exmc::laplace(rosenbrock{}, m), Catch::Contains("did not converge"));
}

TEST_CASE("optimize on a compiled model: unconstrained mode, MAP and MLE", "[optimize]") {
  // sigma ~ exponential(lambda), y[i] ~ normal(0, sigma). With S = sum y^2 the stationary points
  // solve lambda sigma^3 + c sigma^2 - S = 0 with c = n - 1 (Jacobian of log sigma), c = n (MAP);
  // the MLE is sqrt(S / n).
  const Eigen::VectorXd y = (Eigen::VectorXd(6) << 1.5, -0.3, 2.2, -1.7, 0.4, 0.9).finished();
  const double lambda = 2.0, S = y.squaredNorm(), n = 6.0;
  const auto sigma = exmc::param<"sigma">(exmc::exponential(lambda));
  const auto m = exmc::model(sigma, exmc::observe<"y">(exmc::normal(0.0, sigma), y));
  auto root = [&](double c) {  // Newton on the increasing cubic from a point right of its root
    double x = std::sqrt(S);
    for (int i = 0; i < 100; ++i) x -= (lambda * x * x * x + c * x * x - S) / (3 * lambda * x * x + 2 * c * x);
    return x;
  };
  exmc::compile_options co;
  CHECK(exmc::optimize(exmc::compile<double>(m, co)).value("sigma") == Approx(root(n - 1)).epsilon(1e-7));
  co.jacobian = false;
  CHECK(exmc::optimize(exmc::compile<double>(m, co)).value("sigma") == Approx(root(n)).epsilon(1e-7));
  co.priors = false;
  CHECK(exmc::optimize(exmc::compile<double>(m, co)).value("sigma") == Approx(std::sqrt(S / n)).epsilon(1e-7));
}
