// The modelling language's general constructs: free log-density terms (potential<>), and the
// others of issue 25 as they arrive. Values against hand-written formulas, gradients against
// finite differences, float against double.
#include <catch2/catch.hpp>
#include <cmath>
#include <exmc/exmc.hpp>

#include "../support/gradient_check.hpp"

using namespace exmc;

namespace {
constexpr double log_sqrt_2pi = 0.91893853320467274178;
double log_normal(double x, double mu, double s) { return -log_sqrt_2pi - std::log(s) - 0.5 * std::pow((x - mu) / s, 2); }
}  // namespace

TEST_CASE("potential adds a scalar expression of parameters and lets, with its gradient", "[model][potential]") {
  auto mu = param<"mu">(normal(0.0, 1.0));
  auto s = param<"s">(half_normal(2.0));
  auto d = let<"d">(mu - 2.0);
  auto m = model(mu, s, d, potential<"pen">(-0.5 * square(d) / square(s) - log(s)));
  const auto cd = compile<double>(m);
  REQUIRE(cd.dim() == 2);
  // Outputs are the parameters and the let; the potential is neither output nor observation.
  CHECK(cd.param_names() == std::vector<std::string>{"mu", "s", "d"});
  CHECK(cd.observed().empty());
  auto direct = [&](const Eigen::VectorXd& q) {
    const double x = q[0], sv = std::exp(q[1]);
    return log_normal(x, 0, 1) + std::log(2.0) + log_normal(sv, 0, 2) + q[1] - 0.5 * std::pow((x - 2) / sv, 2) - std::log(sv);
  };
  exmc::rng r(11);
  for (int p = 0; p < 4; ++p) {
    const Eigen::VectorXd q = test::random_point(cd.dim(), r, 1.5);
    Eigen::VectorXd g(cd.dim());
    CHECK(cd.logp_grad(q, g) == Approx(direct(q)).epsilon(1e-13));
  }
  test::check_gradient(cd, 4, 1e-7, 12);
  test::check_float_matches_double(cd, compile<float>(m));
  CHECK(cd.describe().find("potential<\"pen\">") != std::string::npos);
}

TEST_CASE("a vector potential is summed, as Stan's target += and PyMC's Potential do", "[model][potential]") {
  auto p = param<"p">(exponential(1.0), 3);
  auto b = param<"b">(normal(0.0, 1.0));
  auto m = model(p, b, potential<"logs">(log(p) * b));
  const auto cd = compile<double>(m);
  auto direct = [&](const Eigen::VectorXd& q) {
    double lp = log_normal(q[3], 0, 1);
    for (int i = 0; i < 3; ++i) lp += -std::exp(q[i]) + q[i] + q[i] * q[3];
    return lp;
  };
  exmc::rng r(5);
  for (int k = 0; k < 3; ++k) {
    const Eigen::VectorXd q = test::random_point(cd.dim(), r, 1.5);
    Eigen::VectorXd g(cd.dim());
    CHECK(cd.logp_grad(q, g) == Approx(direct(q)).epsilon(1e-13));
  }
  test::check_gradient(cd, 3, 1e-7, 6);
  test::check_float_matches_double(cd, compile<float>(m));
}

TEST_CASE("a potential counts with the likelihood: kept without priors, excluded from pointwise output",
          "[model][potential]") {
  Eigen::VectorXd y(3);
  y << 0.5, -0.2, 1.1;
  auto mu = param<"mu">(normal(0.0, 3.0));
  auto m = model(mu, observe<"y">(normal(mu, 1.0), y), potential<"soft">(-2.0 * square(mu)));
  const auto full = compile<double>(m);
  const auto mle = compile<double>(m, {.priors = false});
  Eigen::VectorXd q(1), g(1);
  q << 0.7;
  double lik = -2.0 * 0.49;
  for (double v : y) lik += log_normal(v, 0.7, 1);
  CHECK(mle.logp_grad(q, g) == Approx(lik).epsilon(1e-13));
  CHECK(full.logp_grad(q, g) == Approx(lik + log_normal(0.7, 0, 3)).epsilon(1e-13));
  auto ws = full.make_workspace();
  Eigen::VectorXd gl(1), gp(1);
  CHECK(full.log_likelihood(q, gl, ws) == Approx(lik).epsilon(1e-13));
  CHECK(full.log_prior(q, gp, ws) == Approx(log_normal(0.7, 0, 3)).epsilon(1e-13));
  full.logp_grad(q, g);
  CHECK(gl[0] + gp[0] == Approx(g[0]).epsilon(1e-13));
  CHECK(full.observed().size() == 1);
}

TEST_CASE("a non-finite potential rejects the point with a zero gradient", "[model][potential]") {
  auto x = param<"x">(normal(0.0, 1.0));
  auto m = model(x, potential<"log_x">(log(x)));  // log of a negative x is NaN
  const auto cd = compile<double>(m);
  Eigen::VectorXd q(1), g(1);
  q << -0.5;
  CHECK_FALSE(std::isfinite(cd.logp_grad(q, g)));
  CHECK(g[0] == 0.0);
  q << 0.5;
  CHECK(cd.logp_grad(q, g) == Approx(log_normal(0.5, 0, 1) + std::log(0.5)).epsilon(1e-13));
  CHECK(g[0] == Approx(-0.5 + 2.0).epsilon(1e-13));
}
