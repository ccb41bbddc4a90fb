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

// D69: a normal scale written exp(a) reaches the family as a and exp(-a), never as exp(a), and
// the family's partial comes back with respect to log(scale). Every path that takes it: a scalar
// variate, a short vector (element by element), a long one (vectorised), data moments, a scale
// with no partial (exp of a constant); and the grouped path, which does not take it.
TEST_CASE("normal scales written exp(a) are read through their log", "[model]") {
  Eigen::VectorXd y(20), y2(6);
  for (int i = 0; i < 20; ++i) y[i] = 0.8 * std::sin(1.7 * i) + 0.3;
  y2 << 0.5, -0.2, 1.1, 0.0, 0.9, -0.6;
  Eigen::VectorXi g(6);
  g << 1, 0, 1, 1, 0, 0;
  auto v = param<"v">(normal(0.0, 3.0));
  auto x = param<"x">(normal(0.0, exp(v / 2.0)), 9);
  auto z = param<"z">(normal(1.0, exp(0.5 * v - 1.0)), 30);
  auto w = param<"w">(normal(v, exp(v)));
  auto c = param<"c">(normal(0.25, exp(0.5)), 3);
  auto mu = param<"mu">(normal(0.0, 2.0));
  auto ls = param<"ls">(normal(0.0, 1.0));
  auto th = param<"th">(normal(0.0, 1.0), 2);
  auto m = model(v, x, z, w, c, mu, ls, th, observe<"y">(normal(mu, exp(ls)), y),
                 observe<"y2">(normal(th[g], exp(ls)), y2));
  const auto cd = compile<double>(m, {.ncp = ncp_policy::never});
  REQUIRE(cd.dim() == 1 + 9 + 30 + 1 + 3 + 1 + 1 + 2);
  auto log_normal = [](long double xv, long double mv, long double lsd) {
    const long double r = (xv - mv) * std::exp(-lsd);
    return -0.918938533204672741780329736405617639861L - lsd - 0.5L * r * r;
  };
  auto direct = [&](const Eigen::VectorXd& q) {
    long double lp = 0;
    const long double vv = q[0];
    lp += log_normal(vv, 0, std::log(3.0L));
    for (int i = 0; i < 9; ++i) lp += log_normal(q[1 + i], 0, vv / 2);
    for (int i = 0; i < 30; ++i) lp += log_normal(q[10 + i], 1, 0.5L * vv - 1);
    lp += log_normal(q[40], vv, vv);
    for (int i = 0; i < 3; ++i) lp += log_normal(q[41 + i], 0.25L, 0.5L);
    const long double muv = q[44], lsv = q[45];
    lp += log_normal(muv, 0, std::log(2.0L)) + log_normal(lsv, 0, 0) + log_normal(q[46], 0, 0) + log_normal(q[47], 0, 0);
    for (int i = 0; i < 20; ++i) lp += log_normal(y[i], muv, lsv);
    for (int i = 0; i < 6; ++i) lp += log_normal(y2[i], q[46 + g[i]], lsv);
    return static_cast<double>(lp);
  };
  exmc::rng r(69);
  for (int p = 0; p < 4; ++p) {
    const Eigen::VectorXd q = test::random_point(cd.dim(), r, 1.5);
    Eigen::VectorXd grad(cd.dim());
    CHECK(cd.logp_grad(q, grad) == Approx(direct(q)).epsilon(1e-12));
    CHECK(cd.logp(q) == Approx(direct(q)).epsilon(1e-12));
  }
  test::check_gradient(cd, 3, 1e-6, 69, 1.5);
  test::check_float_matches_double(cd, compile<float>(m, {.ncp = ncp_policy::never}), 2);
}

// D70: a vector parameter's prior stores its partials, unzeroed, only when no term before it
// refers to it; otherwise, and whenever the priors are skipped (log_likelihood), its adjoint is
// zeroed and every term adds. The gradient vectors start full of stale values on purpose.
TEST_CASE("a vector prior stores its partials only when it writes them first", "[model]") {
  Eigen::VectorXd y(4);
  y << 0.4, -0.3, 1.2, 0.1;
  auto a = param<"a">(normal(0.0, 1.5), 4);            // identity transform: adjoint is grad itself
  auto s = param<"s">(normal(1.0, 0.5), 3);            // referenced below, declared after its user
  auto b = param<"b">(normal(a, exp(s[Eigen::VectorXi::Zero(4)])), 4);
  auto p = param<"p">(normal(2.0, 1.0), 3);            // not stored: its user comes first
  auto t = param<"t">(normal(p[Eigen::Vector4i(0, 1, 2, 0)], 1.0), 4);
  auto m1 = model(a, b, s, t, p, observe<"y">(normal(a + b, 0.7), y));
  auto m2 = model(t, p, b, a, s, observe<"y">(normal(a + b, 0.7), y));
  const auto c1 = compile<double>(m1, {.ncp = ncp_policy::never});
  const auto c2 = compile<double>(m2, {.ncp = ncp_policy::never});
  REQUIRE(c1.dim() == 18);
  test::check_gradient(c1, 3, 1e-6, 70, 1.2);
  test::check_gradient(c2, 3, 1e-6, 70, 1.2);
  // Both orders give one density; with stale gradients, logp_grad, log_prior and log_likelihood
  // must each equal finite differences of their own value.
  exmc::rng r(70);
  const Eigen::VectorXd q1 = test::random_point(c1.dim(), r, 1.2);
  auto ws = c1.make_workspace();
  using part = double (decltype(c1)::*)(const Eigen::VectorXd&, Eigen::VectorXd&, decltype(ws)&) const;
  for (const part f : {part(&decltype(c1)::log_prior), part(&decltype(c1)::log_likelihood),
                       part(&decltype(c1)::logp_grad)}) {
    Eigen::VectorXd g = Eigen::VectorXd::Constant(c1.dim(), 123.0);
    (c1.*f)(q1, g, ws);
    for (Eigen::Index k = 0; k < c1.dim(); ++k) {
      const double fd = test::central_difference(
          [&](const Eigen::VectorXd& x) {
            Eigen::VectorXd gg = Eigen::VectorXd::Constant(c1.dim(), -5.0);
            return (c1.*f)(x, gg, ws);
          },
          q1, k, 1e-4);
      INFO("coordinate " << k);
      CHECK(g[k] == Approx(fd).epsilon(1e-6).margin(1e-6));
    }
  }
  // An invalid scale ends the term before it stores anything: -inf and a zero gradient.
  auto bad = param<"bad">(normal(0.0, 1.0));
  auto v = param<"v">(normal(0.0, bad), 3);
  const auto c3 = compile<double>(model(bad, v));
  Eigen::VectorXd q3(4), g3 = Eigen::VectorXd::Constant(4, 9.0);
  q3 << -0.5, 0.1, 0.2, 0.3;
  CHECK(c3.logp_grad(q3, g3) == -std::numeric_limits<double>::infinity());
  CHECK(g3.isZero(0.0));
}
