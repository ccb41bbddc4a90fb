// The non-centring pass: rewritten models equal hand-written non-centred ones exactly, the user
// only ever sees x, and the choice follows the markings and the policy.
#include "../support/gradient_check.hpp"
#include "models/models.hpp"

using namespace exmc;

namespace {

const double log_sqrt_2pi = 0.5 * std::log(2 * M_PI);
double lnorm(double x, double m, double s) { return -log_sqrt_2pi - std::log(s) - 0.5 * (x - m) * (x - m) / (s * s); }

// Eight schools, non-centred by hand: q = (mu, log tau, z[8]), theta = mu + tau z.
struct eight_schools_nc {
  using scalar = double;
  Eigen::VectorXd y, sigma;
  std::ptrdiff_t dim() const { return 10; }
  double logp(const Eigen::VectorXd& q) const {
    const double mu = q[0], tau = std::exp(q[1]);
    double lp = lnorm(mu, 0, 5) + std::log(2.0 / (M_PI * 5.0 * (1 + (tau / 5) * (tau / 5)))) + q[1];
    for (int j = 0; j < 8; ++j) lp += lnorm(q[2 + j], 0, 1) + lnorm(y[j], mu + tau * q[2 + j], sigma[j]);
    return lp;
  }
  double logp_grad(const Eigen::VectorXd& q, Eigen::VectorXd& g) const {
    g.resize(10);
    for (int k = 0; k < 10; ++k) g[k] = test::central_difference([&](const Eigen::VectorXd& x) { return logp(x); }, q, k, 1e-4);
    return logp(q);
  }
};

}  // namespace

TEST_CASE("non-centred eight schools equals the hand-written non-centred density", "[model][ncp]") {
  const auto d = data_file::from_file(std::string(EXMC_DATA_DIR) + "/eight_schools.json");
  const auto m = bench::eight_schools_model(d);
  const auto c = compile<double>(m);  // default policy: automatic, which non-centres theta (one observation each)
  REQUIRE(c.noncentered("theta"));
  REQUIRE_FALSE(c.noncentered("mu"));
  const eight_schools_nc ref{d.vector("y"), d.vector("sigma")};
  exmc::rng r(77);
  for (int p = 0; p < 4; ++p) {
    const Eigen::VectorXd q = test::random_point(10, r);
    Eigen::VectorXd g(10), gr(10);
    CHECK(c.logp_grad(q, g) == Approx(ref.logp(q)).epsilon(1e-12));
    ref.logp_grad(q, gr);
    for (int k = 0; k < 10; ++k) CHECK(g[k] == Approx(gr[k]).epsilon(1e-7).margin(1e-7));
    // The user sees theta = mu + tau z, never z.
    const Eigen::VectorXd out = c.constrain(q);
    for (int j = 0; j < 8; ++j) CHECK(out[2 + j] == Approx(q[0] + std::exp(q[1]) * q[2 + j]).epsilon(1e-14));
  }
  CHECK(c.param_names() == compile<double>(m, {.ncp = ncp_policy::never}).param_names());
  CHECK_THAT(c.describe(), Catch::Contains("param<\"theta\">") && Catch::Contains("non-centred"));
  test::check_float_matches_double(c, compile<float>(m));
}

TEST_CASE("non-centred funnel equals the hand-written one, gradient exact", "[model][ncp]") {
  const auto c = compile<double>(bench::funnel_model(data_file::parse("{}")));
  REQUIRE(c.noncentered("x"));
  exmc::rng r(5);
  for (int p = 0; p < 3; ++p) {
    const Eigen::VectorXd q = test::random_point(10, r);
    double ref = lnorm(q[0], 0, 3);
    for (int k = 1; k < 10; ++k) ref += lnorm(q[k], 0, 1);
    Eigen::VectorXd g(10);
    CHECK(c.logp_grad(q, g) == Approx(ref).epsilon(1e-13));
    CHECK(g[0] == Approx(-q[0] / 9).epsilon(1e-12));
    for (int k = 1; k < 10; ++k) CHECK(g[k] == Approx(-q[k]).epsilon(1e-12));
  }
}

TEST_CASE("student_t and cauchy priors are non-centred too, with every partial exact", "[model][ncp]") {
  auto nu = param<"nu">(exponential(0.2));
  auto mu = param<"mu">(normal(0.0, 2.0));
  auto s = param<"s">(half_normal(1.0));
  auto x = param<"x">(student_t(nu, mu, s), 3);
  auto w = param<"w">(cauchy(mu * 0.5, s * 2.0));
  Eigen::VectorXd y(3);
  y << 0.3, -1.2, 2.0;
  auto m = model(nu, mu, s, x, w, observe<"y">(normal(x + w, 1.0), y));
  const auto c = compile<double>(m);
  REQUIRE(c.noncentered("x"));
  REQUIRE(c.noncentered("w"));
  test::check_gradient(c, 4, 1e-6);
  // Same posterior as centred: the two densities differ by the log-Jacobian of x = mu + s z.
  const auto cc = compile<double>(m, {.ncp = ncp_policy::never});
  exmc::rng r(8);
  for (int p = 0; p < 3; ++p) {
    const Eigen::VectorXd qn = test::random_point(c.dim(), r);
    const Eigen::VectorXd xs = c.constrain(qn);  // nu, mu, s, x[3], w
    Eigen::VectorXd qc = Eigen::VectorXd::Zero(cc.dim());
    cc.unconstrain({{"nu", xs.segment(0, 1)}, {"mu", xs.segment(1, 1)}, {"s", xs.segment(2, 1)},
                    {"x", xs.segment(3, 3)}, {"w", xs.segment(6, 1)}},
                   qc);
    const double sv = xs[2];
    const double log_jac = 3 * std::log(sv) + std::log(2 * sv);  // dx/dz = s (x3), dw/dz = 2 s
    CHECK(c.logp(qn) == Approx(cc.logp(qc) + log_jac).epsilon(1e-11));
  }
}

TEST_CASE("initial values of non-centred parameters are given on the user's scale", "[model][ncp]") {
  const auto d = data_file::from_file(std::string(EXMC_DATA_DIR) + "/eight_schools.json");
  const auto c = compile<double>(bench::eight_schools_model(d));
  Eigen::VectorXd theta(8);
  theta << 1, 2, 3, 4, 5, 6, 7, 8;
  Eigen::VectorXd q = Eigen::VectorXd::Zero(10);
  c.unconstrain({{"theta", theta}, {"mu", Eigen::VectorXd::Constant(1, 2.0)}, {"tau", Eigen::VectorXd::Constant(1, 4.0)}}, q);
  CHECK(q[0] == 2.0);
  CHECK(q[1] == Approx(std::log(4.0)));
  for (int j = 0; j < 8; ++j) CHECK(q[2 + j] == Approx((theta[j] - 2.0) / 4.0));
  const Eigen::VectorXd out = c.constrain(q);
  for (int j = 0; j < 8; ++j) CHECK(out[2 + j] == Approx(theta[j]));
}

TEST_CASE("markings and policies decide who is non-centred", "[model][ncp]") {
  const auto dm = data_file::from_file(std::string(EXMC_DATA_DIR) + "/medium.json");
  const auto de = data_file::from_file(std::string(EXMC_DATA_DIR) + "/eight_schools.json");
  const auto medium = bench::medium_model(dm);
  const auto schools = bench::eight_schools_model(de);
  CHECK(compile(medium, {.ncp = ncp_policy::always}).noncentered("alpha"));
  CHECK_FALSE(compile(medium, {.ncp = ncp_policy::never}).noncentered("alpha"));
  CHECK_FALSE(compile(medium).noncentered("alpha"));  // the default is automatic
  CHECK(compile(schools).noncentered("theta"));
  // Data-rich groups (20 observations each) stay centred; one observation per school does not.
  CHECK_FALSE(compile(medium, {.ncp = ncp_policy::automatic}).noncentered("alpha"));
  CHECK(compile(schools, {.ncp = ncp_policy::automatic}).noncentered("theta"));
  CHECK(compile(medium, {.ncp = ncp_policy::automatic, .ncp_min_observations = 25}).noncentered("alpha"));
  // A scale that is a constant is not a funnel: nothing to rewrite.
  CHECK_FALSE(compile(medium).noncentered("mu"));
  // Per-parameter markings win over the policy.
  auto mu = param<"mu">(normal(0.0, 1.0));
  auto tau = param<"tau">(half_normal(1.0));
  auto a = param<"a">(normal(mu, tau), 3, centered);
  auto b = param<"b">(normal(mu, tau), 3, noncentered);
  auto m = model(mu, tau, a, b);
  CHECK_FALSE(compile(m, {.ncp = ncp_policy::always}).noncentered("a"));
  CHECK(compile(m, {.ncp = ncp_policy::never}).noncentered("b"));
  CHECK(compile(m).noncentered("b"));
  CHECK(compile(m).noncentered("a") == false);
  CHECK_THROWS_WITH(compile(m).noncentered("zz"), Catch::Contains("'zz'"));
}

// D71: logp_grad has a form with every non-centring branch compiled out, taken when no parameter
// is non-centred, and the general form otherwise; logp always takes the general one. A model
// where one parameter is non-centred and another that could be is not exercises the general
// form's per-parameter choice; ncp_policy::never exercises the centred form. All give one density.
TEST_CASE("the centred and the general evaluation give the same density", "[model][ncp]") {
  auto mu = param<"mu">(normal(0.0, 1.0));
  auto tau = param<"tau">(half_normal(1.0));
  auto a = param<"a">(normal(mu, tau), 3, centered);
  auto b = param<"b">(normal(mu, tau), 3);
  const auto m = model(mu, tau, a, b);
  const auto mixed = compile<double>(m, {.ncp = ncp_policy::always});
  const auto centred = compile<double>(m, {.ncp = ncp_policy::never});
  REQUIRE(mixed.noncentered("b"));
  REQUIRE_FALSE(mixed.noncentered("a"));
  REQUIRE_FALSE(centred.noncentered("b"));
  // q = (mu, log tau, a[3], b or its z[3])
  auto direct = [](const Eigen::VectorXd& q, bool b_noncentred) {
    const double mu_v = q[0], tau_v = std::exp(q[1]);
    double lp = lnorm(mu_v, 0, 1) + std::log(2.0) + lnorm(tau_v, 0, 1) + q[1];
    for (int i = 0; i < 3; ++i) lp += lnorm(q[2 + i], mu_v, tau_v);
    for (int i = 0; i < 3; ++i) lp += b_noncentred ? lnorm(q[5 + i], 0, 1) : lnorm(q[5 + i], mu_v, tau_v);
    return lp;
  };
  exmc::rng r(71);
  for (int p = 0; p < 3; ++p) {
    const Eigen::VectorXd q = test::random_point(8, r);
    Eigen::VectorXd g(8);
    CHECK(mixed.logp_grad(q, g) == Approx(direct(q, true)).epsilon(1e-13));
    CHECK(mixed.logp(q) == Approx(direct(q, true)).epsilon(1e-13));
    CHECK(centred.logp_grad(q, g) == Approx(direct(q, false)).epsilon(1e-13));
    CHECK(centred.logp(q) == Approx(direct(q, false)).epsilon(1e-13));
  }
  test::check_gradient(mixed, 3, 1e-6, 71);
  test::check_gradient(centred, 3, 1e-6, 71);
}
