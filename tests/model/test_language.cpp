// The modelling language's general constructs: free log-density terms (potential<>), and the
// others of issue 25 as they arrive. Values against hand-written formulas, gradients against
// finite differences, float against double.
#include <catch2/catch.hpp>
#include <cmath>
#include <exmc/exmc.hpp>
#include <numbers>

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

// ---- scalar elements and slices (expr/index.hpp) ---------------------------------------------

namespace {
const Eigen::VectorXd x1 = (Eigen::VectorXd(6) << -1.2, -0.4, 0.1, 0.6, 1.3, 2.0).finished();
const Eigen::VectorXd x2 = (Eigen::VectorXd(6) << 0.5, -0.8, 1.1, 0.2, -0.3, 0.9).finished();
const Eigen::VectorXd yreg = (Eigen::VectorXd(6) << 0.3, -0.9, 1.4, 0.8, 0.2, 2.1).finished();
}  // namespace

TEST_CASE("scalar coefficients beta[0], beta[1] give the regression that X * beta gives", "[model][index]") {
  auto alpha = param<"alpha">(flat());
  auto b = param<"beta">(flat(), 2);
  auto sigma = param<"sigma">(flat(), lower(0.0));
  auto scalar_form = model(alpha, b, sigma, observe<"y">(normal(alpha + b[0] * x1 + b[1] * x2, sigma), yreg));
  Eigen::MatrixXd X(6, 2);
  X << x1, x2;
  auto matrix_form = model(alpha, b, sigma, observe<"y">(normal(alpha + X * b, sigma), yreg));
  const auto cs = compile<double>(scalar_form);
  const auto cm = compile<double>(matrix_form);
  REQUIRE(cs.dim() == 4);
  auto direct = [&](const Eigen::VectorXd& q) {
    const double s = std::exp(q[3]);
    double lp = q[3];  // flat priors; the Jacobian of sigma = exp(u)
    for (int i = 0; i < 6; ++i) lp += log_normal(yreg[i], q[0] + q[1] * x1[i] + q[2] * x2[i], s);
    return lp;
  };
  exmc::rng r(19);
  for (int k = 0; k < 4; ++k) {
    const Eigen::VectorXd q = test::random_point(cs.dim(), r, 1.5);
    Eigen::VectorXd gs(4), gm(4);
    CHECK(cs.logp_grad(q, gs) == Approx(direct(q)).epsilon(1e-13));
    CHECK(cm.logp_grad(q, gm) == Approx(direct(q)).epsilon(1e-13));
    for (int j = 0; j < 4; ++j) CHECK(gs[j] == Approx(gm[j]).epsilon(1e-12).margin(1e-13));
  }
  test::check_gradient(cs, 4, 1e-7, 3);
  test::check_float_matches_double(cs, compile<float>(scalar_form));
  CHECK(cs.describe().find("beta[0]") != std::string::npos);
}

TEST_CASE("linear combinations: vector offsets, several terms, a matrix product beside them", "[model][index]") {
  const Eigen::VectorXi group = (Eigen::VectorXi(6) << 0, 1, 1, 0, 2, 1).finished();
  Eigen::MatrixXd Z(6, 2);
  Z << x2, x1.array().square().matrix();
  auto a = param<"a">(normal(0.0, 1.0), 3);
  auto b = param<"b">(normal(0.0, 1.0), 2);
  auto g = param<"g">(normal(0.0, 1.0), 2);
  auto c = param<"c">(normal(0.0, 1.0));
  // a[group] and c join the offset; b[1] * x2 is merged; Z * g + (...) keeps the sum as its offset
  auto eta = let<"eta">(b[0] * x1 + a[group] + (b[1] * x2 + c) + 0.5);
  auto m = model(a, b, g, c, eta, observe<"y">(normal(Z * g + eta, 1.0), yreg),
                 potential<"p">(sum(c * x1 + x2 * b[1])));
  const auto cd = compile<double>(m);
  auto direct = [&](const Eigen::VectorXd& q) {
    double lp = 0;
    for (int k = 0; k < 8; ++k) lp += log_normal(q[k], 0, 1);
    for (int i = 0; i < 6; ++i) {
      const double e = q[3] * x1[i] + q[group[i]] + q[4] * x2[i] + q[7] + 0.5;
      lp += log_normal(yreg[i], Z(i, 0) * q[5] + Z(i, 1) * q[6] + e, 1) + q[7] * x1[i] + x2[i] * q[4];
    }
    return lp;
  };
  exmc::rng r(17);
  for (int k = 0; k < 4; ++k) {
    const Eigen::VectorXd q = test::random_point(cd.dim(), r, 1.5);
    Eigen::VectorXd gr(cd.dim());
    CHECK(cd.logp_grad(q, gr) == Approx(direct(q)).epsilon(1e-13));
  }
  test::check_gradient(cd, 3, 1e-7, 21);
  test::check_float_matches_double(cd, compile<float>(m));
  const Eigen::VectorXd short_x = x1.head(5);
  CHECK_THROWS_WITH(model(b, let<"e">(b[0] * x1 + b[1] * short_x)),
                    Catch::Contains("let<\"e\">") && Catch::Contains("size mismatch") && Catch::Contains("6 vs 5"));
  CHECK_THROWS_WITH(model(a, b, let<"e">(b[0] * x1 + a)), Catch::Contains("size mismatch") && Catch::Contains("3 vs 6"));
}

TEST_CASE("elements of lets, of any expression, and inside priors", "[model][index]") {
  auto b = param<"b">(normal(0.0, 1.0), 3);
  auto c = param<"c">(normal(b[0], exp(b[1])));  // an element as a prior's location, one in its scale
  auto eta = let<"eta">(b * 2.0 + c);
  auto m = model(b, c, eta, potential<"p">(eta[2] * at(exp(b), 1) - square(at(b + eta, 0))));
  const auto cd = compile<double>(m);
  // c's scale is b[1], a parameter: c is sampled non-centred, c = b[0] + exp(b[1]) z with q[3] = z
  // (the density of z is the standard normal: c's prior and the Jacobian together).
  REQUIRE(compile<double>(m).noncentered("c"));
  auto direct = [&](const Eigen::VectorXd& q) {
    const double b0 = q[0], b1 = q[1], b2 = q[2], cv = b0 + std::exp(b1) * q[3];
    double lp = log_normal(b0, 0, 1) + log_normal(b1, 0, 1) + log_normal(b2, 0, 1) + log_normal(q[3], 0, 1);
    return lp + (2 * b2 + cv) * std::exp(b1) - std::pow(b0 + 2 * b0 + cv, 2);
  };
  exmc::rng r(23);
  for (int k = 0; k < 4; ++k) {
    const Eigen::VectorXd q = test::random_point(cd.dim(), r, 1.2);
    Eigen::VectorXd g(cd.dim());
    CHECK(cd.logp_grad(q, g) == Approx(direct(q)).epsilon(1e-12));
  }
  test::check_gradient(cd, 4, 1e-7, 5, 1.2);
  test::check_float_matches_double(cd, compile<float>(m));
}

TEST_CASE("head, tail and segment of parameters, lets and expressions", "[model][index]") {
  const Eigen::VectorXd z = (Eigen::VectorXd(3) << 0.4, -0.1, 0.9).finished();
  auto s = param<"s">(normal(0.0, 3.0), 6);
  auto tau = param<"tau">(half_normal(1.0));
  auto mid = let<"mid">(s.segment(1, 3));
  auto m = model(s, tau, mid, potential<"walk">(lpdf(normal(s.head(5), tau), s.tail(5))),
                 observe<"z">(normal(mid, 1.0), z), potential<"h">(sum(head(exp(s), 2)) - mid[1] + sum(tail(mid, 1))));
  const auto cd = compile<double>(m);
  REQUIRE(cd.dim() == 7);
  auto direct = [&](const Eigen::VectorXd& q) {
    const double t = std::exp(q[6]);
    double lp = std::log(2.0) + log_normal(t, 0, 1) + q[6];
    for (int i = 0; i < 6; ++i) lp += log_normal(q[i], 0, 3);
    for (int i = 1; i < 6; ++i) lp += log_normal(q[i], q[i - 1], t);
    for (int j = 0; j < 3; ++j) lp += log_normal(z[j], q[j + 1], 1);
    return lp + std::exp(q[0]) + std::exp(q[1]) - q[2] + q[3];
  };
  exmc::rng r(29);
  for (int k = 0; k < 4; ++k) {
    const Eigen::VectorXd q = test::random_point(cd.dim(), r, 1.2);
    Eigen::VectorXd g(cd.dim());
    CHECK(cd.logp_grad(q, g) == Approx(direct(q)).epsilon(1e-12));
  }
  test::check_gradient(cd, 4, 1e-7, 7, 1.2);
  test::check_float_matches_double(cd, compile<float>(m));
  // The let is output with the draws: s[1..3].
  Eigen::VectorXd q = Eigen::VectorXd::LinSpaced(7, -0.6, 0.6), out;
  cd.constrain(q, out);
  CHECK(out.segment(7, 3).isApprox(q.segment(1, 3)));
}

TEST_CASE("indices and slices out of range are model_errors naming the node", "[model][index]") {
  auto b = param<"beta">(normal(0.0, 1.0), 2);
  Eigen::VectorXd y = Eigen::VectorXd::Zero(3);
  CHECK_THROWS_WITH(model(b, observe<"y">(normal(b[2], 1.0), y)),
                    Catch::Contains("observe<\"y\">") && Catch::Contains("index out of range in 'beta[2]'") &&
                        Catch::Contains("has 2 elements"));
  CHECK_THROWS_WITH(model(b, potential<"p">(b[-1])), Catch::Contains("potential<\"p\">") && Catch::Contains("beta[-1]"));
  CHECK_THROWS_WITH(model(b, potential<"p">(sum(b.tail(3)))),
                    Catch::Contains("slice out of range in 'beta.tail(3)'") && Catch::Contains("[-1, 2)"));
  CHECK_THROWS_WITH(model(b, let<"l">(b.segment(1, 2))), Catch::Contains("let<\"l\">") && Catch::Contains("[1, 3)"));
  CHECK_NOTHROW(model(b, let<"l">(b.segment(2, 0))));  // empty, as in Stan
}

// ---- lpdf(d, x): a family's log density as an expression ------------------------------------

TEST_CASE("lpdf on data equals the likelihood stated with observe", "[model][lpdf]") {
  auto mu = param<"mu">(normal(0.0, 2.0));
  auto s = param<"s">(half_normal(1.0));
  auto as_observe = model(mu, s, observe<"y">(normal(mu, s), yreg));
  auto as_lpdf = model(mu, s, potential<"y">(lpdf(normal(mu, s), yreg)));
  const auto co = compile<double>(as_observe);
  const auto cl = compile<double>(as_lpdf);
  exmc::rng r(31);
  for (int k = 0; k < 4; ++k) {
    const Eigen::VectorXd q = test::random_point(2, r, 1.5);
    Eigen::VectorXd go(2), gl(2);
    CHECK(cl.logp_grad(q, gl) == Approx(co.logp_grad(q, go)).epsilon(1e-13));
    CHECK(gl[0] == Approx(go[0]).epsilon(1e-12));
    CHECK(gl[1] == Approx(go[1]).epsilon(1e-12));
  }
  const Eigen::VectorXd negative = -yreg.cwiseAbs() - Eigen::VectorXd::Ones(6);
  CHECK_THROWS_WITH(model(mu, potential<"y">(lpdf(exponential(mu), negative))),
                    Catch::Contains("outside the support of exponential"));
}

TEST_CASE("lpdf on expressions of parameters: partials into the variate and every argument", "[model][lpdf]") {
  auto v = param<"v">(normal(0.0, 1.0), 4);
  auto nu = param<"nu">(gamma(2.0, 0.1));
  auto loc = param<"loc">(normal(0.0, 1.0), 4);
  auto ls = param<"ls">(normal(0.0, 0.5));
  // student_t with a vector location on a vector expression; exponential on exp(v) (its
  // support); normal with a scale written exp(ls) (taken by its log, D69) on a scalar variate.
  auto m = model(v, nu, loc, ls,
                 potential<"t">(lpdf(student_t(nu, loc, 1.5), v * 2.0 - 0.3)),
                 potential<"e">(lpdf(exponential(2.0), exp(v))),
                 potential<"n">(lpdf(normal(loc[0], exp(ls)), v[3] + loc[1])));
  const auto cd = compile<double>(m);
  auto log_t = [](double x, double n, double mu, double s) {
    const double z = (x - mu) / s;
    return std::lgamma(0.5 * (n + 1)) - std::lgamma(0.5 * n) - 0.5 * std::log(n * std::numbers::pi) - std::log(s) -
           0.5 * (n + 1) * std::log1p(z * z / n);
  };
  auto direct = [&](const Eigen::VectorXd& q) {
    const double n = std::exp(q[4]), lsv = q[9];
    double lp = q[4] + std::log(std::pow(0.1, 2.0) / std::tgamma(2.0)) + std::log(n) - 0.1 * n;  // gamma(2, 0.1)
    lp += log_normal(lsv, 0, 0.5);
    for (int i = 0; i < 4; ++i) {
      lp += log_normal(q[i], 0, 1) + log_normal(q[5 + i], 0, 1);
      lp += log_t(2 * q[i] - 0.3, n, q[5 + i], 1.5);
      lp += std::log(2.0) - 2 * std::exp(q[i]);
    }
    return lp + log_normal(q[3] + q[6], q[5], std::exp(lsv));
  };
  exmc::rng r(37);
  for (int k = 0; k < 4; ++k) {
    const Eigen::VectorXd q = test::random_point(cd.dim(), r, 1.2);
    Eigen::VectorXd g(cd.dim());
    CHECK(cd.logp_grad(q, g) == Approx(direct(q)).epsilon(1e-12));
  }
  test::check_gradient(cd, 4, 1e-7, 9, 1.2);
  test::check_float_matches_double(cd, compile<float>(m));
}

TEST_CASE("lpdf outside the family's support is -inf, with a zero gradient", "[model][lpdf]") {
  auto v = param<"v">(normal(0.0, 1.0), 2);
  auto m = model(v, potential<"e">(lpdf(exponential(1.0), v)));
  const auto cd = compile<double>(m);
  Eigen::VectorXd q(2), g(2);
  q << 0.5, -0.1;
  CHECK(cd.logp_grad(q, g) == -math::inf<double>);
  CHECK(g.isZero());
  q << 0.5, 0.1;
  CHECK(cd.logp_grad(q, g) == Approx(log_normal(0.5, 0, 1) + log_normal(0.1, 0, 1) - 0.6).epsilon(1e-13));
}

// ---- log_mix and the two-component mixture with one weight -----------------------------------

namespace {
long double log_mix_ld(long double t, long double a, long double b) {
  const long double m = std::max(a, b);
  return m + std::log(t * std::exp(a - m) + (1 - t) * std::exp(b - m));
}
}  // namespace

TEST_CASE("log_mix of two whole-data log densities, and element by element", "[model][log_mix]") {
  auto th = param<"theta">(beta(2.0, 2.0));
  auto m1 = param<"m1">(normal(-1.0, 1.0));
  auto m2 = param<"m2">(normal(1.0, 1.0));
  auto whole = model(th, m1, m2, potential<"mix">(log_mix(th, lpdf(normal(m1, 1.0), yreg), lpdf(normal(m2, 2.0), yreg))));
  auto each = model(th, m1, m2,
                    potential<"mix">(log_mix(th, -0.5 * square(yreg - m1), -0.5 * square(yreg - m2) - std::log(2.0))));
  const auto cw = compile<double>(whole);
  const auto ce = compile<double>(each);
  auto prior = [](const Eigen::VectorXd& q, double& t) {
    t = 1 / (1 + std::exp(-q[0]));
    // beta(2, 2) = 6 t (1 - t), with the interval transform's Jacobian t (1 - t)
    return std::log(6.0) + 2 * std::log(t) + 2 * std::log1p(-t) + log_normal(q[1], -1, 1) + log_normal(q[2], 1, 1);
  };
  auto direct_whole = [&](const Eigen::VectorXd& q) {
    double t;
    const double p = prior(q, t);
    long double a = 0, b = 0;
    for (int i = 0; i < 6; ++i) a += log_normal(yreg[i], q[1], 1), b += log_normal(yreg[i], q[2], 2);
    return p + static_cast<double>(log_mix_ld(t, a, b));
  };
  auto direct_each = [&](const Eigen::VectorXd& q) {
    double t;
    double lp = prior(q, t);
    for (int i = 0; i < 6; ++i)
      lp += static_cast<double>(log_mix_ld(t, -0.5 * std::pow(yreg[i] - q[1], 2), -0.5 * std::pow(yreg[i] - q[2], 2) - std::log(2.0)));
    return lp;
  };
  exmc::rng r(41);
  for (int k = 0; k < 4; ++k) {
    const Eigen::VectorXd q = test::random_point(3, r, 1.5);
    Eigen::VectorXd g(3);
    CHECK(cw.logp_grad(q, g) == Approx(direct_whole(q)).epsilon(1e-12));
    CHECK(ce.logp_grad(q, g) == Approx(direct_each(q)).epsilon(1e-12));
  }
  test::check_gradient(cw, 4, 1e-7, 13);
  test::check_gradient(ce, 4, 1e-7, 17);
  test::check_float_matches_double(cw, compile<float>(whole));
  test::check_float_matches_double(ce, compile<float>(each));
}

TEST_CASE("log_mix stays finite where exp underflows, and at theta = 0 and 1", "[model][log_mix]") {
  auto a = param<"a">(normal(0.0, 1.0));
  auto b = param<"b">(normal(0.0, 1.0));
  auto far = model(a, b, potential<"m">(log_mix(0.25, a - 1000.0, b - 1001.0)));
  auto at0 = model(a, b, potential<"m">(log_mix(0.0, a * 3.0, b)));
  auto at1 = model(a, b, potential<"m">(log_mix(1.0, a * 3.0, b)));
  const auto cf = compile<double>(far);
  const auto c0 = compile<double>(at0);
  const auto c1 = compile<double>(at1);
  Eigen::VectorXd q(2), g(2);
  q << 0.3, -0.4;
  const double prior = log_normal(0.3, 0, 1) + log_normal(-0.4, 0, 1);
  const double v = static_cast<double>(log_mix_ld(0.25L, 0.3L - 1000, -0.4L - 1001));
  CHECK(cf.logp_grad(q, g) == Approx(prior + v).epsilon(1e-14));
  const double r = 0.25 * std::exp(0.3 - 1000 - v);  // responsibility of the first component
  CHECK(g[0] == Approx(-0.3 + r).epsilon(1e-12));
  CHECK(g[1] == Approx(0.4 + (1 - r)).epsilon(1e-12));
  CHECK(c0.logp_grad(q, g) == Approx(prior - 0.4).epsilon(1e-14));
  CHECK(g[0] == Approx(-0.3).epsilon(1e-14));
  CHECK(g[1] == Approx(0.4 + 1).epsilon(1e-14));
  CHECK(c1.logp_grad(q, g) == Approx(prior + 0.9).epsilon(1e-14));
  CHECK(g[0] == Approx(-0.3 + 3).epsilon(1e-14));
  CHECK(g[1] == Approx(0.4).epsilon(1e-14));
  CHECK_THROWS_WITH(model(a, b, potential<"m">(log_mix(1.5, a, b))), Catch::Contains("theta must be in [0, 1]"));
}

TEST_CASE("mixture with one weight theta: Stan's log_mix over the data, on the family's fast path", "[model][log_mix]") {
  auto th = param<"theta">(beta(2.0, 2.0));
  auto m1 = param<"m1">(normal(-1.0, 1.0));
  auto m2 = param<"m2">(normal(1.0, 1.0));
  auto s = param<"s">(half_normal(1.0));
  auto m = model(th, m1, m2, s, observe<"y">(mixture(th, normal(m1, s), normal(m2, s)), yreg));
  const auto cd = compile<double>(m);
  auto direct = [&](const Eigen::VectorXd& q) {
    const double t = 1 / (1 + std::exp(-q[0])), sv = std::exp(q[3]);
    double lp = std::log(6.0) + 2 * std::log(t) + 2 * std::log1p(-t) + log_normal(q[1], -1, 1) + log_normal(q[2], 1, 1) +
                std::log(2.0) + log_normal(sv, 0, 1) + q[3];
    for (int i = 0; i < 6; ++i)
      lp += static_cast<double>(log_mix_ld(t, log_normal(yreg[i], q[1], sv), log_normal(yreg[i], q[2], sv)));
    return lp;
  };
  exmc::rng r(43);
  for (int k = 0; k < 4; ++k) {
    const Eigen::VectorXd q = test::random_point(4, r, 1.5);
    Eigen::VectorXd g(4);
    CHECK(cd.logp_grad(q, g) == Approx(direct(q)).epsilon(1e-12));
  }
  test::check_gradient(cd, 4, 1e-7, 19);
  test::check_float_matches_double(cd, compile<float>(m));
  // The same as the simplex form with the weights (theta, 1 - theta) given as data.
  Eigen::Vector2d w(0.3, 0.7);
  auto fixed_scalar = model(m1, m2, s, observe<"y">(mixture(0.3, normal(m1, s), normal(m2, s)), yreg));
  auto fixed_vector = model(m1, m2, s, observe<"y">(mixture(w, normal(m1, s), normal(m2, s)), yreg));
  const auto a = compile<double>(fixed_scalar);
  const auto b = compile<double>(fixed_vector);
  Eigen::VectorXd q(3), ga(3), gb(3);
  q << -0.7, 0.9, 0.2;
  CHECK(a.logp_grad(q, ga) == Approx(b.logp_grad(q, gb)).epsilon(1e-14));
  CHECK(ga.isApprox(gb, 1e-13));
  // Pointwise log-likelihood (loo) and simulation work with one weight.
  auto ws = cd.make_workspace();
  const Eigen::VectorXd row = (Eigen::VectorXd(4) << 0.4, -1.0, 1.2, 0.8).finished();
  cd.load_constrained(row.data(), ws);
  std::vector<Eigen::VectorXd> pw;
  cd.pointwise_log_lik(ws, pw);
  REQUIRE(pw.size() == 1);
  for (int i = 0; i < 6; ++i)
    CHECK(pw[0][i] == Approx(static_cast<double>(log_mix_ld(0.4, log_normal(yreg[i], -1.0, 0.8), log_normal(yreg[i], 1.2, 0.8)))).epsilon(1e-13));
  CHECK_THROWS_WITH(model(m1, observe<"y">(mixture(1.2, normal(m1, 1.0), normal(0.0, 1.0)), yreg)),
                    Catch::Contains("weights must be in [0, 1]"));
}

// ---- flat() --------------------------------------------------------------------------------

TEST_CASE("flat priors: zero log density, the constraints' Jacobians, no draws", "[model][flat]") {
  auto mu = param<"mu">(flat(), 2);
  auto s = param<"s">(flat(), lower(0.0));
  auto p = param<"p">(flat(), bounds(-1.0, 3.0));
  auto m = model(mu, s, p, observe<"y">(normal(mu[0] + mu[1] * x1 + p, s), yreg));
  const auto cd = compile<double>(m);
  auto direct = [&](const Eigen::VectorXd& q) {
    const double sv = std::exp(q[2]), e = 1 / (1 + std::exp(-q[3])), pv = -1 + 4 * e;
    double lp = q[2] + std::log(4.0) + std::log(e) + std::log1p(-e);
    for (int i = 0; i < 6; ++i) lp += log_normal(yreg[i], q[0] + q[1] * x1[i] + pv, sv);
    return lp;
  };
  exmc::rng r(47);
  for (int k = 0; k < 4; ++k) {
    const Eigen::VectorXd q = test::random_point(4, r, 1.5);
    Eigen::VectorXd g(4);
    CHECK(cd.logp_grad(q, g) == Approx(direct(q)).epsilon(1e-13));
  }
  test::check_gradient(cd, 3, 1e-7, 23);
  CHECK(cd.describe().find("prior flat()") != std::string::npos);
  // An improper prior has no draws: prior_predictive (and SMC) say which parameter has it.
  CHECK_THROWS_WITH(prior_predictive(cd), Catch::Contains("parameter 'mu'") && Catch::Contains("improper prior flat()"));
  // Initial values work as for any parameter.
  Eigen::VectorXd q;
  cd.unconstrain({{"s", Eigen::VectorXd::Constant(1, 2.0)}, {"p", Eigen::VectorXd::Constant(1, 1.0)}}, q);
  CHECK(q[2] == Approx(std::log(2.0)));
  CHECK(q[3] == Approx(0.0).margin(1e-15));
}

TEST_CASE("a flat prior that nothing informs: the sampler's checks report it", "[model][flat]") {
  // Flat in every direction: the step size search runs off and the chain fails, saying why.
  auto mu = param<"mu">(flat());
  exmc::sample_options o;
  o.chains = 1;
  o.seed = 3;
  const auto f = exmc::sample(compile<double>(model(mu)), o);
  REQUIRE(f.status[0].outcome == exmc::chain_outcome::failed);
  CHECK_THAT(f.status[0].message, Catch::Contains("improper"));
  // Flat in one direction of an otherwise proper posterior: the step size is set by the proper
  // directions, so the chains run, but they wander off along mu and disagree (docs/dsl.md).
  auto x = param<"x">(normal(0.0, 1.0));
  o.chains = 4;
  o.warmup = 200;
  o.draws = 200;
  const auto g = exmc::sample(compile<double>(model(mu, x)), o);
  REQUIRE(g.all_ok());
  CHECK(exmc::rhat(g.posterior.column("mu")) > 1.5);
  CHECK(exmc::rhat(g.posterior.column("x")) < 1.05);
}
