// The non-centring pass on latent time series (D135): gaussian_random_walk and ar1 priors with a
// parameter sigma are sampled in their innovations z ~ normal(0, 1). The rewritten density equals
// the hand-written non-centred one, differs from the centred one by exactly log |dx/dz|, has an
// exact gradient, and the user only ever sees x.
#include "../support/gradient_check.hpp"
#include "models/models.hpp"
#include "reference/sv_noncentered.hpp"

using namespace exmc;
using V = Eigen::VectorXd;

namespace {

V series(std::initializer_list<double> v) {
  V out(static_cast<Eigen::Index>(v.size()));
  Eigen::Index i = 0;
  for (double x : v) out[i++] = x;
  return out;
}

}  // namespace

TEST_CASE("sv: the automatic rewrite equals the hand-written non-centred density", "[model][ncp][walk]") {
  const auto d = data_file::from_file(std::string(EXMC_DATA_DIR) + "/sv.json");
  const auto m = bench::sv_model(d);
  const auto c = compile<double>(m);  // automatic: s enters the likelihood only through exp(s)
  REQUIRE(c.noncentered("s"));
  const auto ref = reference::sv_noncentered<double>::from(d);
  REQUIRE(c.dim() == ref.dim());
  exmc::rng r(135);
  for (int p = 0; p < 4; ++p) {
    V q = test::random_point(c.dim(), r);
    q[0] -= 3;  // sigma near its prior's scale, so the walk stays where the data are
    V g(c.dim()), gr(c.dim());
    CHECK(c.logp_grad(q, g) == Approx(ref.logp_grad(q, gr)).epsilon(1e-12));
    CHECK((g - gr).cwiseAbs().maxCoeff() < 1e-9 * (1 + gr.cwiseAbs().maxCoeff()));
    // The user sees the walk s = sigma * cumsum(z), never z.
    V out = c.constrain(q), out_ref;
    ref.constrain(q, out_ref);
    CHECK((out - out_ref).cwiseAbs().maxCoeff() < 1e-12);
  }
  CHECK(c.param_names() == compile<double>(m, {.ncp = ncp_policy::never}).param_names());
  CHECK_THAT(c.describe(), Catch::Contains("s = sigma * cumsum(z), z ~ normal(0, 1)"));
  test::check_gradient(c, 3, 1e-6, 135, 1.0);
  test::check_float_matches_double(c, compile<float>(m));
}

TEST_CASE("gaussian_random_walk: non-centred minus centred is T log sigma; initial values and prior draws",
          "[model][ncp][walk]") {
  const V y = series({0.4, 0.1, -0.5, -0.2, 0.6, 1.1, 0.9});
  const Eigen::Index n = y.size();
  auto sigma = param<"sigma">(half_normal(1.0));
  auto x = param<"x">(gaussian_random_walk(sigma), n);
  const auto m = model(sigma, x, observe<"y">(normal(x, 0.3), y));
  const auto nc = compile<double>(m, {.ncp = ncp_policy::always});
  const auto ce = compile<double>(m, {.ncp = ncp_policy::never});
  REQUIRE(nc.noncentered("x"));
  REQUIRE_FALSE(ce.noncentered("x"));
  test::check_gradient(nc, 4, 1e-6, 3);
  exmc::rng r(4);
  for (int p = 0; p < 4; ++p) {
    const V q = test::random_point(nc.dim(), r);
    const V out = nc.constrain(q);
    double run = 0;
    for (Eigen::Index t = 0; t < n; ++t) CHECK(out[1 + t] == Approx(out[0] * (run += q[1 + t])).epsilon(1e-13));
    V qc = q;
    qc.tail(n) = out.tail(n);
    // p(z) = p(x(z)) |dx/dz|, dx/dz = sigma * (lower triangle of ones)
    CHECK(nc.logp(q) - ce.logp(qc) == Approx(static_cast<double>(n) * q[0]).epsilon(1e-10));
    V q0 = q;
    q0.tail(n).setZero();
    nc.unconstrain({{"x", out.tail(n)}}, q0);
    CHECK((q0 - q).cwiseAbs().maxCoeff() < 1e-12);
  }
  // Prior draws: z is the walk's standardised increments, so across draws it is normal(0, 1)
  // whatever sigma was drawn: mean 0 and variance 1 within Monte Carlo error over 2000 x 7 values.
  auto ws = nc.make_workspace();
  exmc::rng g(5);
  V q(nc.dim());
  double sum = 0, sum2 = 0;
  const int draws = 2000;
  for (int k = 0; k < draws; ++k) {
    nc.draw_prior(g, q, ws);
    REQUIRE(q.allFinite());
    sum += q.tail(n).sum();
    sum2 += q.tail(n).squaredNorm();
  }
  const double count = static_cast<double>(draws * n), mean = sum / count, var = sum2 / count - mean * mean;
  CHECK(std::abs(mean) < 4.5 / std::sqrt(count));
  CHECK(std::abs(var - 1) < 4.5 * std::sqrt(2 / count));
  // An initial x at a sigma that is not positive is reported, naming x.
  V qb = V::Zero(nc.dim());
  qb[0] = -800;  // sigma = e^-800 underflows to 0
  CHECK_THROWS_WITH(nc.unconstrain({{"x", y}}, qb), Catch::Contains("'x'") && Catch::Contains("sigma is not positive"));
}

TEST_CASE("ar1: non-centred minus centred is T log sigma - log(1 - rho^2) / 2; every partial exact",
          "[model][ncp][walk]") {
  const V y = series({0.3, 0.8, 0.2, -0.4, -0.9, -0.3, 0.5, 0.7});
  const Eigen::Index n = y.size();
  auto rho = param<"rho">(uniform(-1.0, 1.0));
  auto sigma = param<"sigma">(half_normal(1.0));
  auto mu = param<"mu">(normal(0.0, 1.0));
  auto x = param<"x">(ar1(rho, sigma), n);
  const auto m = model(rho, sigma, mu, x, observe<"y">(normal(mu + x, 0.4), y));
  const auto nc = compile<double>(m, {.ncp = ncp_policy::always});
  const auto ce = compile<double>(m, {.ncp = ncp_policy::never});
  REQUIRE(nc.noncentered("x"));
  CHECK(compile<double>(m).noncentered("x"));  // x inside mu + x is not counted as observed directly
  test::check_gradient(nc, 4, 1e-6, 9);
  test::check_gradient(ce, 4, 1e-6, 9);
  CHECK_THAT(nc.describe(), Catch::Contains("x[t] = rho * x[t-1] + sigma * z[t]"));
  exmc::rng r(10);
  for (int p = 0; p < 4; ++p) {
    const V q = test::random_point(nc.dim(), r);
    const V out = nc.constrain(q);
    const double rv = out[0], sv = out[1];
    double prev = sv / std::sqrt(1 - rv * rv) * q[3];
    CHECK(out[3] == Approx(prev).epsilon(1e-13));
    for (Eigen::Index t = 1; t < n; ++t) CHECK(out[3 + t] == Approx(prev = rv * prev + sv * q[3 + t]).epsilon(1e-12));
    V qc = q;
    qc.tail(n) = out.tail(n);
    CHECK(nc.logp(q) - ce.logp(qc) ==
          Approx(static_cast<double>(n) * std::log(sv) - 0.5 * std::log(1 - rv * rv)).epsilon(1e-10));
    V q0 = q;
    q0.tail(n).setZero();
    nc.unconstrain({{"x", out.tail(n)}}, q0);
    CHECK((q0 - q).cwiseAbs().maxCoeff() < 1e-11);
  }
  test::check_float_matches_double(nc, compile<float>(m, {.ncp = ncp_policy::always}));
}

TEST_CASE("latent series: directly observed states stay centred; markings and policies win", "[model][ncp][walk]") {
  // D135: states the likelihood reads directly are informed by the data and by their neighbours'
  // data through the walk, where the centred form samples well; states that reach the data only
  // through other expressions (the scale exp(s) in sv) are non-centred.
  const int T = 6;
  const V y = series({0.4, 0.1, -0.5, -0.2, 0.6, 1.1});
  auto sigma = param<"sigma">(half_normal(1.0));
  auto x = param<"x">(gaussian_random_walk(sigma), T);
  const auto direct = model(sigma, x, observe<"y">(normal(x, 0.3), y));
  CHECK_FALSE(compile(direct).noncentered("x"));
  CHECK(compile(direct, {.ncp_series_min_observations = 2}).noncentered("x"));
  CHECK(compile(direct, {.ncp = ncp_policy::always}).noncentered("x"));
  // Location-scale parameters keep their own threshold.
  CHECK_FALSE(compile(direct, {.ncp_min_observations = 100}).noncentered("x"));
  // Every state must be observed: one left out makes the series non-centred.
  Eigen::VectorXi idx(T - 1);
  idx << 0, 1, 2, 3, 4;
  CHECK(compile(model(sigma, x, observe<"y">(normal(x[idx], 0.3), y.head(T - 1)))).noncentered("x"));
  // Reaching the data through exp(x) only: non-centred.
  CHECK(compile(model(sigma, x, observe<"y">(normal(0.0, exp(x)), y))).noncentered("x"));
  auto xc = param<"x">(gaussian_random_walk(sigma), T, centered);
  CHECK_FALSE(compile(model(sigma, xc, observe<"y">(normal(0.0, exp(xc)), y)), {.ncp = ncp_policy::always}).noncentered("x"));
  auto xn = param<"x">(gaussian_random_walk(sigma), T, noncentered);
  CHECK(compile(model(sigma, xn, observe<"y">(normal(xn, 0.3), y)), {.ncp = ncp_policy::never}).noncentered("x"));
  // A constant sigma is no funnel: nothing to rewrite, whatever the policy.
  auto x1 = param<"x">(gaussian_random_walk(0.5), T);
  CHECK_FALSE(compile(model(x1, observe<"y">(normal(0.0, exp(x1)), y)), {.ncp = ncp_policy::always}).noncentered("x"));
  auto rho = param<"rho">(uniform(-1.0, 1.0));
  auto x2 = param<"x">(ar1(rho, 0.5), T);
  CHECK_FALSE(compile(model(rho, x2, observe<"y">(normal(0.0, exp(x2)), y)), {.ncp = ncp_policy::always}).noncentered("x"));
}
