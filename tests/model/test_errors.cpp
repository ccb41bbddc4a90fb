// Run-time misuse throws model_error naming the culprit.
#include <catch2/catch.hpp>
#include <exmc/exmc.hpp>
#include <limits>

using namespace exmc;
using Catch::Contains;

TEST_CASE("size mismatches name the node and both sizes", "[model][errors]") {
  Eigen::MatrixXd X = Eigen::MatrixXd::Ones(10, 3);
  Eigen::VectorXi yb = Eigen::VectorXi::Zero(9);
  auto alpha = param<"alpha">(normal(0.0, 1.0));
  auto beta = param<"beta">(normal(0.0, 1.0), 3);
  CHECK_THROWS_WITH(model(alpha, beta, observe<"yb">(bernoulli_logit(alpha + X * beta), yb)),
                    Contains("observe<\"yb\">") && Contains("alpha") && Contains("10") && Contains("9"));
  auto beta4 = param<"beta">(normal(0.0, 1.0), 4);
  Eigen::VectorXi y10 = Eigen::VectorXi::Zero(10);
  CHECK_THROWS_WITH(model(alpha, beta4, observe<"yb">(bernoulli_logit(alpha + X * beta4), y10)),
                    Contains("3 columns") && Contains("4 elements"));
}

TEST_CASE("index vectors are checked against data length and group count", "[model][errors]") {
  auto theta = param<"theta">(normal(0.0, 1.0), 3);
  Eigen::VectorXi group(4);
  group << 0, 1, 2, 3;
  Eigen::VectorXd y = Eigen::VectorXd::Zero(4);
  CHECK_THROWS_WITH(model(theta, observe<"y">(normal(theta[group], 1.0), y)),
                    Contains("observe<\"y\">") && Contains("index out of range") && Contains("is 3") &&
                        Contains("3 elements"));
  Eigen::VectorXi g5 = Eigen::VectorXi::Zero(5);
  CHECK_THROWS_WITH(model(theta, observe<"y">(normal(theta[g5], 1.0), y)),
                    Contains("5 elements but the variate has 4"));
}

TEST_CASE("non-finite and empty data are rejected", "[model][errors]") {
  auto mu = param<"mu">(normal(0.0, 1.0));
  Eigen::VectorXd y(3);
  y << 1.0, std::numeric_limits<double>::quiet_NaN(), 2.0;
  CHECK_THROWS_WITH(model(mu, observe<"y">(normal(mu, 1.0), y)), Contains("observe<\"y\">") && Contains("element 1"));
  CHECK_THROWS_WITH(model(mu, observe<"y">(normal(mu, 1.0), Eigen::VectorXd())), Contains("empty"));
  Eigen::VectorXd s(3);
  s << 1.0, std::numeric_limits<double>::infinity(), 1.0;
  Eigen::VectorXd y3 = Eigen::VectorXd::Zero(3);
  CHECK_THROWS_WITH(model(mu, observe<"y">(normal(mu, s), y3)), Contains("sigma") && Contains("not finite"));
}

TEST_CASE("invalid constant hyperparameters are rejected at construction", "[model][errors]") {
  CHECK_THROWS_WITH(model(param<"sigma">(half_normal(-2.0))),
                    Contains("param<\"sigma\">") && Contains("half_normal") && Contains("sigma") && Contains("> 0"));
  CHECK_THROWS_WITH(model(param<"mu">(normal(0.0, 0.0))), Contains("param<\"mu\">: normal: argument sigma"));
  CHECK_THROWS_WITH(model(param<"nu">(exponential(-1.0))), Contains("rate"));
  CHECK_THROWS_WITH(param<"theta">(normal(0.0, 1.0), 0), Contains("param<\"theta\">") && Contains("size"));
  Eigen::VectorXd sig(2);
  sig << 1.0, -1.0;
  Eigen::VectorXd y = Eigen::VectorXd::Zero(2);
  auto mu = param<"mu">(normal(0.0, 1.0));
  CHECK_THROWS_WITH(model(mu, observe<"y">(normal(mu, sig), y)), Contains("at element 1"));
}

TEST_CASE("a whole-variate distribution refuses vector arguments", "[model][errors]") {
  auto s = param<"s">(half_normal(1.0), 3);
  auto x = param<"x">(gaussian_random_walk(s), 3);
  CHECK_THROWS_WITH(model(s, x), Contains("must be a scalar"));
}

TEST_CASE("initial values by name are validated", "[model][errors]") {
  auto mu = param<"mu">(normal(0.0, 1.0));
  auto sigma = param<"sigma">(half_normal(1.0));
  auto theta = param<"theta">(normal(mu, sigma), 2);
  auto e = let<"e">(mu * 2.0);
  auto c = compile(model(mu, sigma, theta, e));
  Eigen::VectorXd q = Eigen::VectorXd::Zero(c.dim());
  c.unconstrain({{"sigma", Eigen::VectorXd::Constant(1, 2.0)}, {"theta", Eigen::Vector2d(1.0, -1.0)}}, q);
  CHECK(q[1] == Approx(std::log(2.0)));
  // theta is non-centred (no data inform it): q holds z = (theta - mu) / sigma with mu = q[0] = 0.
  CHECK(q[2] == Approx(0.5));
  CHECK(c.constrain(q)[1] == Approx(2.0));
  CHECK(c.constrain(q)[2] == Approx(1.0));
  CHECK(c.constrain(q)[3] == Approx(-1.0));
  CHECK_THROWS_WITH(c.unconstrain({{"tau", Eigen::VectorXd::Zero(1)}}, q), Contains("'tau'") && Contains("no parameter"));
  CHECK_THROWS_WITH(c.unconstrain({{"e", Eigen::VectorXd::Zero(1)}}, q), Contains("not a parameter"));
  CHECK_THROWS_WITH(c.unconstrain({{"theta", Eigen::VectorXd::Zero(3)}}, q), Contains("expected 2 values, got 3"));
  CHECK_THROWS_WITH(c.unconstrain({{"sigma", Eigen::VectorXd::Constant(1, -1.0)}}, q), Contains("outside"));
  Eigen::VectorXd wrong(2);
  Eigen::VectorXd g;
  CHECK_THROWS_WITH(c.logp_grad(wrong, g), Contains("dimension 4"));
}

TEST_CASE("a model built from temporaries owns its data", "[model]") {
  auto make = [] {
    Eigen::VectorXd y(3);
    y << 1.0, 2.0, 3.0;
    Eigen::MatrixXd X = Eigen::MatrixXd::Identity(3, 2);
    auto b = param<"b">(normal(0.0, 1.0), 2);
    auto s = param<"s">(half_normal(1.0));
    return model(b, s, observe<"y">(normal(X * b, s), y));  // y and X die here
  };
  auto m = make();
  auto c = compile(m);
  Eigen::VectorXd q = Eigen::VectorXd::Zero(3), g(3);
  // y = (1, 2, 3), mean X*b = (0, 0, 0), s = 1: the likelihood part is -0.5 * 14 - 3 log sqrt(2 pi).
  const double prior = 2 * (-0.5 * std::log(2 * M_PI)) + (std::log(2.0) - 0.5 * std::log(2 * M_PI) - 0.5);
  CHECK(c.logp_grad(q, g) == Approx(prior - 7.0 - 1.5 * std::log(2 * M_PI)));
}
