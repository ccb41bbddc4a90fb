#include "benchmark_models.hpp"

using namespace exmc;

TEST_CASE("funnel model equals its hand-written density", "[model]") {
  const auto d = test::bench_data("funnel");
  test::check_against_reference(bench::funnel_model(d), reference::funnel<double>::from(d));
}
TEST_CASE("logistic model equals its hand-written density", "[model]") {
  const auto d = test::bench_data("logistic");
  test::check_against_reference(bench::logistic_model(d), reference::logistic<double>::from(d), 0.3);
}
TEST_CASE("sv model equals its hand-written density", "[model]") {
  const auto d = test::bench_data("sv");
  test::check_against_reference(bench::sv_model(d), reference::sv<double>::from(d));
}

// D58: a centred parameter sampled as x = exp(u) hands u to every density that needs log(x), as
// a scale argument (plain, grouped by segment, gathered) and as its own prior's variate. A lower
// bound other than 0 must not (log(x) != u there); a closed-form density checks every path.
TEST_CASE("positive parameters' logs are read from their coordinates, and only theirs", "[model]") {
  Eigen::VectorXd y(5);
  y << 0.3, -1.2, 2.5, 0.7, -0.4;
  Eigen::VectorXi g(5);
  g << 0, 1, 0, 1, 1;
  auto s0 = param<"s0">(half_normal(1.0));
  auto s1 = param<"s1">(truncated(normal(2.0, 1.0), lower(1.0)));
  auto sv = param<"sv">(exponential(1.0), 2);
  auto s2 = param<"s2">(lognormal(0.5, 1.5));
  auto g2 = param<"g2">(gamma(2.0, 3.0), 3);
  auto m = model(s0, s1, sv, s2, g2, observe<"a">(normal(0.0, s0), y), observe<"b">(normal(s1, s1), y),
                 observe<"c">(normal(s2, sv[g]), y), observe<"d">(normal(0.0, s2), y));
  const auto cd = compile<double>(m);
  REQUIRE(cd.dim() == 8);
  const double ls2pi = 0.5 * std::log(2 * M_PI);
  auto log_normal = [&](double x, double mu, double s) { return -ls2pi - std::log(s) - 0.5 * std::pow((x - mu) / s, 2); };
  auto direct = [&](const Eigen::VectorXd& q) {
    const double v0 = std::exp(q[0]), v1 = 1 + std::exp(q[1]), s2v = std::exp(q[4]);
    const double svv[2] = {std::exp(q[2]), std::exp(q[3])};
    double lp = q[0] + q[1] + q[2] + q[3] + q[4] + q[5] + q[6] + q[7];  // log-Jacobians
    lp += std::log(2.0) + log_normal(v0, 0, 1);
    lp += log_normal(v1, 2, 1) - std::log(0.5 * std::erfc(-1 / std::sqrt(2.0)));
    lp += -svv[0] - svv[1];
    lp += -std::log(s2v) + log_normal(std::log(s2v), 0.5, 1.5);
    for (int k = 5; k < 8; ++k) {
      const double x = std::exp(q[k]);
      lp += 2 * std::log(3.0) - std::lgamma(2.0) + std::log(x) - 3 * x;
    }
    for (int i = 0; i < 5; ++i)
      lp += log_normal(y[i], 0, v0) + log_normal(y[i], v1, v1) + log_normal(y[i], s2v, svv[g[i]]) + log_normal(y[i], 0, s2v);
    return lp;
  };
  exmc::rng r(57);
  for (int p = 0; p < 4; ++p) {
    const Eigen::VectorXd q = test::random_point(cd.dim(), r, 1.5);
    Eigen::VectorXd grad(cd.dim());
    CHECK(cd.logp_grad(q, grad) == Approx(direct(q)).epsilon(1e-12));
  }
  test::check_gradient(cd, 3, 1e-6, 57, 1.5);
  test::check_float_matches_double(cd, compile<float>(m), 2);
}
