#include <boost/math/distributions/bernoulli.hpp>

#include "lpdf_harness.hpp"
#include <exmc/exmc.hpp>

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

TEST_CASE("blocked evaluation (one exp per element) and cached log(y!) agree with element sums", "[dist]") {
  // 1000 elements: three full blocks of 256 and a ragged one; vector and scalar arguments.
  const int n = 1000;
  rng g(17);
  Eigen::VectorXd yb(n), yc(n), a(n);
  for (int i = 0; i < n; ++i) {
    a[i] = g.uniform(-6, 6);
    yb[i] = g.uniform() < 0.3;
    yc[i] = std::floor(g.uniform(0, 40));
  }
  double ref_b = 0, ref_p = 0, ref_b0 = 0, ref_p0 = 0;
  for (int i = 0; i < n; ++i) {
    ref_b += yb[i] * a[i] - std::log1p(std::exp(a[i]));
    ref_p += yc[i] * a[i] - std::exp(a[i]) - std::lgamma(yc[i] + 1);
    ref_b0 += yb[i] * 0.7 - std::log1p(std::exp(0.7));
    ref_p0 += yc[i] * 0.7 - std::exp(0.7) - std::lgamma(yc[i] + 1);
  }
  const auto rb = call_lpdf<bernoulli_logit_fn>(yb, {a});
  const auto rp = call_lpdf<poisson_log_fn>(yc, {a});
  CHECK(rb.lp == Approx(ref_b).epsilon(1e-13));
  CHECK(rp.lp == Approx(ref_p).epsilon(1e-13));
  for (int i = 0; i < n; ++i) {
    INFO("element " << i);
    CHECK(rb.dargs[0][i] == Approx(yb[i] - 1 / (1 + std::exp(-a[i]))).epsilon(1e-13).margin(1e-15));
    CHECK(rp.dargs[0][i] == Approx(yc[i] - std::exp(a[i])).epsilon(1e-13).margin(1e-15));
  }
  CHECK(call_lpdf<bernoulli_logit_fn>(yb, {vec({0.7})}).lp == Approx(ref_b0).epsilon(1e-13));
  CHECK(call_lpdf<poisson_log_fn>(yc, {vec({0.7})}).lp == Approx(ref_p0).epsilon(1e-13));
  check_lpdf_partials<bernoulli_logit_fn>(yb.head(300), {a.head(300)}, false);
  check_lpdf_partials<poisson_log_fn>(yc.head(300), {a.head(300)}, false);
  // A non-finite log rate in the last block still rejects.
  Eigen::VectorXd bad = a;
  bad[n - 1] = math::inf<double>;
  CHECK(call_lpdf<poisson_log_fn>(yc, {bad}).lp == -math::inf<double>);
  // In a compiled model the observed counts carry log(y!) computed at construction; the log
  // density is the same as the element sum (and float accumulates it in double).
  auto al = param<"alpha">(normal(0.0, 1.0));
  const auto m = compile<double>(model(al, observe<"y">(poisson_log(al), yc)));
  const auto mf = compile<float>(model(al, observe<"y">(poisson_log(al), yc)));
  Eigen::VectorXd q(1);
  q << 0.7;
  const double prior = -0.5 * 0.49 - 0.5 * std::log(2 * M_PI);
  CHECK(m.logp(q) == Approx(prior + ref_p0).epsilon(1e-13));
  CHECK(mf.logp(q.cast<float>()) == Approx(prior + ref_p0).epsilon(1e-6));
  // Grouped (data sorted into segments by group when the model is built): the cached log(y!)
  // travel with their observations.
  Eigen::VectorXi group(n);
  for (int i = 0; i < n; ++i) group[i] = (i * 7) % 5;
  auto th = param<"theta">(normal(0.0, 1.0), 5);
  const auto mg = compile<double>(model(th, observe<"y">(poisson_log(th[group]), yc)));
  const Eigen::VectorXd qg = (Eigen::VectorXd(5) << 0.1, -0.4, 0.9, 0.3, -1.2).finished();
  double ref_g = -0.5 * qg.squaredNorm() - 2.5 * std::log(2 * M_PI);
  for (int i = 0; i < n; ++i) ref_g += yc[i] * qg[group[i]] - std::exp(qg[group[i]]) - std::lgamma(yc[i] + 1);
  CHECK(mg.logp(qg) == Approx(ref_g).epsilon(1e-13));
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
