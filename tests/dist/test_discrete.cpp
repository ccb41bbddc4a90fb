#include <boost/math/distributions/bernoulli.hpp>

#include "lpdf_harness.hpp"

using namespace exmc;
using test::call_lpdf;
using test::check_lpdf_partials;
using test::vec;

TEST_CASE("bernoulli_logit matches Boost.Math and stays finite at extreme logits", "[dist]") {
  const Eigen::VectorXd y = vec({1, 0, 1, 1, 0});
  const Eigen::VectorXd a = vec({-2.0, 0.3, 4.0, 0.0, -7.5});
  double ref = 0;
  for (int i = 0; i < 5; ++i) {
    const double p = 1 / (1 + std::exp(-a[i]));
    ref += std::log(boost::math::pdf(boost::math::bernoulli(p), y[i]));
  }
  CHECK(call_lpdf<bernoulli_logit_fn>(y, {a}).lp == Approx(ref).epsilon(1e-12));
  check_lpdf_partials<bernoulli_logit_fn>(y, {a}, false);
  check_lpdf_partials<bernoulli_logit_fn>(y, {vec({0.4})}, false);
  // log(inv_logit(-800)) is -800, not -inf; the partial is exactly 1.
  const auto r = call_lpdf<bernoulli_logit_fn>(vec({1}), {vec({-800.0})});
  CHECK(r.lp == Approx(-800.0));
  CHECK(r.dargs[0][0] == Approx(1.0));
  const auto r0 = call_lpdf<bernoulli_logit_fn>(vec({0}), {vec({800.0})});
  CHECK(r0.lp == Approx(-800.0));
  CHECK(r0.dargs[0][0] == Approx(-1.0));
}

TEST_CASE("supports pick the right transform and check observed data", "[dist][model]") {
  CHECK(half_normal_fn::support == support_kind::positive);
  CHECK(half_cauchy_fn::support == support_kind::positive);
  CHECK(exponential_fn::support == support_kind::positive);
  CHECK(normal_fn::support == support_kind::real);
  CHECK(student_t_fn::support == support_kind::real);
  CHECK(cauchy_fn::support == support_kind::real);
  CHECK(bernoulli_logit_fn::support == support_kind::binary);
  CHECK(!bernoulli_logit_fn::in_support(2));
  CHECK(!half_normal_fn::in_support(-1e-9));
  auto a = param<"a">(normal(0.0, 1.0));
  Eigen::VectorXd y = vec({0, 1, 2});
  CHECK_THROWS_WITH(model(a, observe<"y">(bernoulli_logit(a), y)),
                    Catch::Contains("observe<\"y\">") && Catch::Contains("element 2") &&
                        Catch::Contains("bernoulli_logit"));
  Eigen::VectorXd yh = vec({0.5, 0.25});
  CHECK_THROWS_WITH(model(a, observe<"y">(bernoulli_logit(a), yh)), Catch::Contains("element 0"));
}
