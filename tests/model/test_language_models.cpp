// Issue 25's constructs in whole models: bounds that depend on other parameters (against a
// hand-written density and its long double central differences), GARCH(1,1)'s stationarity
// bound, a hierarchical model written with scalar elements (non-centring kept), and a conjugate
// regression under flat priors sampled against its closed-form posterior.
#include <catch2/catch.hpp>
#include <cmath>
#include <exmc/exmc.hpp>
#include <vector>

#include "../nuts/support.hpp"
#include "../support/gradient_check.hpp"

using namespace exmc;

namespace {
using ld = long double;
constexpr ld log_sqrt_2pi_ld = 0.918938533204672741780329736405617639861L;
ld log_normal_ld(ld x, ld mu, ld s) { return -log_sqrt_2pi_ld - std::log(s) - 0.5L * ((x - mu) / s) * ((x - mu) / s); }
ld inv_logit_ld(ld u) { return 1 / (1 + std::exp(-u)); }

// Sixth-order central difference in long double of f along coordinate k.
template <class F>
ld central_ld(F f, std::vector<ld> q, std::size_t k) {
  const ld x = q[k], h = 1e-4L * std::max(1.0L, std::abs(x));
  auto at = [&](ld v) {
    q[k] = v;
    return f(q);
  };
  return (at(x + 3 * h) - 9 * at(x + 2 * h) + 45 * at(x + h) - 45 * at(x - h) + 9 * at(x - 2 * h) - at(x - 3 * h)) /
         (60 * h);
}

// A model's value and gradient at random points against a hand-written density in long double
// and its central differences.
template <class D, class F>
void check_against(const D& d, F direct, std::uint64_t seed, double radius = 1.2) {
  exmc::rng r(seed);
  for (int p = 0; p < 4; ++p) {
    const Eigen::VectorXd q = test::random_point(d.dim(), r, radius);
    std::vector<ld> ql(q.data(), q.data() + q.size());
    Eigen::VectorXd g(d.dim());
    const double lp = d.logp_grad(q, g);
    CHECK(lp == Approx(static_cast<double>(direct(ql))).epsilon(1e-13));
    for (Eigen::Index k = 0; k < d.dim(); ++k) {
      const double fd = static_cast<double>(central_ld(direct, ql, static_cast<std::size_t>(k)));
      INFO("point " << p << ", coordinate " << k << ": analytic " << g[k] << ", long double difference " << fd);
      CHECK(g[k] == Approx(fd).epsilon(1e-9).margin(1e-10));
    }
  }
}
}  // namespace

TEST_CASE("bounds that depend on parameters: density, Jacobian and its gradient in the bounds' parameters",
          "[model][bounds]") {
  const Eigen::VectorXd w = (Eigen::VectorXd(3) << 0.5, -0.2, 1.0).finished();
  auto a1 = param<"a1">(uniform(0.0, 1.0));
  auto b1 = param<"b1">(flat(), bounds(0.0, 1.0 - a1));  // an interval with one dependent end
  auto mu = param<"mu">(normal(0.0, 1.0));
  auto x = param<"x">(normal(0.0, 2.0), lower(mu));
  auto v = param<"v">(normal(0.0, 1.0), 3, upper(mu + w));  // one bound per element
  auto h = param<"h">(half_normal(1.0), upper(exp(mu)));    // with the prior's own bound: (0, exp(mu))
  auto m = model(a1, b1, mu, x, v, h, potential<"t">(b1 * x + a1 * sum(v) + h * x));
  const auto cd = compile<double>(m);
  REQUIRE(cd.dim() == 8);
  auto parts = [&](const std::vector<ld>& q, bool jacobian) {
    const ld a = inv_logit_ld(q[0]), pb = inv_logit_ld(q[1]), b = (1 - a) * pb, m0 = q[2], xv = m0 + std::exp(q[3]);
    ld lp = log_normal_ld(m0, 0, 1) + log_normal_ld(xv, 0, 2), sv = 0;
    if (jacobian) lp += std::log(a) + std::log1p(-a) + std::log(1 - a) + std::log(pb) + std::log1p(-pb) + q[3];
    for (int i = 0; i < 3; ++i) {
      const ld vi = m0 + static_cast<ld>(w[i]) - std::exp(q[4 + i]);
      lp += log_normal_ld(vi, 0, 1) + (jacobian ? q[4 + i] : 0);
      sv += vi;
    }
    const ld ph = inv_logit_ld(q[7]), hv = std::exp(m0) * ph;
    lp += std::log(2.0L) + log_normal_ld(hv, 0, 1) + (jacobian ? m0 + std::log(ph) + std::log1p(-ph) : 0);
    return lp + b * xv + a * sv + hv * xv;
  };
  check_against(cd, [&](const std::vector<ld>& q) { return parts(q, true); }, 3);
  test::check_float_matches_double(cd, compile<float>(m));
  // Without the Jacobian (a mode in the constrained space), its terms and their partials in the
  // bounds' parameters go together.
  const auto mode = compile<double>(m, {.jacobian = false});
  check_against(mode, [&](const std::vector<ld>& q) { return parts(q, false); }, 5);
  const std::string plan = cd.describe();
  CHECK(plan.find("bounds(0, (1 - a1))") != std::string::npos);
  CHECK(plan.find("bounds(0.000000, exp(mu))") != std::string::npos);
}

TEST_CASE("dependent bounds: empty intervals reject the point; sizes are checked", "[model][bounds]") {
  auto lo = param<"lo">(normal(0.0, 1.0));
  auto hi = param<"hi">(normal(0.0, 1.0));
  auto x = param<"x">(flat(), bounds(lo, hi));
  const auto cd = compile<double>(model(lo, hi, x));
  Eigen::VectorXd q(3), g(3);
  q << 0.5, -0.5, 0.0;  // hi < lo
  CHECK(cd.logp_grad(q, g) == -math::inf<double>);
  CHECK(g.isZero());
  q << -0.5, 0.5, 0.3;
  const double p = 1 / (1 + std::exp(-0.3));
  CHECK(cd.logp_grad(q, g) == Approx(2 * (-0.918938533204672741780 - 0.125) + std::log(p * (1 - p))).epsilon(1e-13));
  const Eigen::VectorXd w4 = Eigen::VectorXd::Ones(4);
  CHECK_THROWS_WITH(model(lo, param<"v">(normal(0.0, 1.0), 3, upper(lo + w4))),
                    Catch::Contains("param<\"v\">") && Catch::Contains("has 4 elements but the parameter has 3"));
}

TEST_CASE("dependent bounds: initial values and prior draws respect the bounds", "[model][bounds]") {
  auto a1 = param<"a1">(uniform(0.0, 1.0));
  auto b1 = param<"b1">(uniform(0.0, 1.0), upper(1.0 - a1));  // (0, 1) with (.., 1 - a1): (0, 1 - a1)
  const auto cd = compile<double>(model(a1, b1));
  Eigen::VectorXd q;
  cd.unconstrain({{"a1", Eigen::VectorXd::Constant(1, 0.3)}, {"b1", Eigen::VectorXd::Constant(1, 0.35)}}, q);
  CHECK(q[1] == Approx(0.0).margin(1e-14));  // the middle of (0, 0.7)
  CHECK_THROWS_WITH(
      cd.unconstrain({{"a1", Eigen::VectorXd::Constant(1, 0.6)}, {"b1", Eigen::VectorXd::Constant(1, 0.5)}}, q),
      Catch::Contains("initial value for 'b1'") && Catch::Contains("outside its bounds (0.000000, 0.400000)"));
  exmc::rng g(9);
  auto ws = cd.make_workspace();
  Eigen::VectorXd out, grad(2);
  for (int k = 0; k < 200; ++k) {
    cd.draw_prior(g, q, ws);
    cd.constrain_loaded(ws, out);
    REQUIRE(out[1] > 0.0);
    REQUIRE(out[0] + out[1] < 1.0);
    Eigen::VectorXd back;
    cd.constrain(q, back);
    REQUIRE(back.isApprox(out, 1e-12));
  }
  // A prior with almost no mass inside its bounds is reported, not looped on.
  auto mu = param<"mu">(normal(10.0, 0.01));
  auto x = param<"x">(normal(0.0, 0.01), lower(mu));
  const auto bad = compile<double>(model(mu, x));
  auto ws2 = bad.make_workspace();
  CHECK_THROWS_WITH(bad.draw_prior(g, q, ws2), Catch::Contains("parameter 'x' drew no value inside its bounds"));
}

namespace {
// GARCH(1,1) returns: sigma_t^2 = alpha0 + alpha1 (r_{t-1} - mu)^2 + beta1 sigma_{t-1}^2.
struct garch_lik {
  template <class R, class M, class A0, class A1, class B1>
  auto operator()(const R& r, M mu, A0 alpha0, A1 alpha1, B1 beta1) const {
    using std::log, std::sqrt;
    auto var = alpha0 / (1.0 - alpha1 - beta1);  // the stationary variance starts the recursion
    decltype(mu + alpha0) lp = 0.0;
    for (Eigen::Index t = 0; t < r.size(); ++t) {
      if (t > 0) var = alpha0 + alpha1 * (r[t - 1] - mu) * (r[t - 1] - mu) + beta1 * var;
      lp = lp - 0.9189385332046727 - 0.5 * log(var) - 0.5 * (r[t] - mu) * (r[t] - mu) / var;
    }
    return lp;
  }
};
}  // namespace

TEST_CASE("GARCH(1,1): beta1 in (0, 1 - alpha1), stationarity as a dependent bound", "[model][bounds]") {
  // Returns simulated from mu = 0.1, alpha0 = 0.2, alpha1 = 0.3, beta1 = 0.5.
  exmc::rng gen(77);
  Eigen::VectorXd r(60);
  double var = 0.2 / 0.2, prev = 0;
  for (Eigen::Index t = 0; t < r.size(); ++t) {
    if (t > 0) var = 0.2 + 0.3 * prev * prev + 0.5 * var;
    prev = std::sqrt(var) * gen.normal();
    r[t] = 0.1 + prev;
  }
  auto mu = param<"mu">(normal(0.0, 1.0));
  auto alpha0 = param<"alpha0">(flat(), lower(0.0));
  auto alpha1 = param<"alpha1">(flat(), bounds(0.0, 1.0));
  auto beta1 = param<"beta1">(flat(), bounds(0.0, 1.0 - alpha1));
  auto m = model(mu, alpha0, alpha1, beta1, observe<"r">(custom<garch_lik>(mu, alpha0, alpha1, beta1), r));
  const auto cd = compile<double>(m);
  auto direct = [&](const Eigen::VectorXd& q) {
    const double a0 = std::exp(q[1]), p1 = 1 / (1 + std::exp(-q[2])), p2 = 1 / (1 + std::exp(-q[3]));
    const double b1 = (1 - p1) * p2;
    const double jac = q[1] + std::log(p1 * (1 - p1)) + std::log(1 - p1) + std::log(p2 * (1 - p2));
    return -0.9189385332046727 - 0.5 * q[0] * q[0] + jac + garch_lik{}(r, q[0], a0, p1, b1);
  };
  exmc::rng pts(5);
  for (int k = 0; k < 3; ++k) {
    const Eigen::VectorXd q = test::random_point(4, pts, 1.0);
    Eigen::VectorXd g(4);
    CHECK(cd.logp_grad(q, g) == Approx(direct(q)).epsilon(1e-12));
  }
  test::check_gradient(cd, 3, 1e-6, 11, 1.0);
  exmc::sample_options o;
  o.chains = 1;
  o.warmup = 300;
  o.draws = 300;
  o.seed = 12;
  const auto f = exmc::sample(cd, o);
  REQUIRE(f.all_ok());
  const Eigen::MatrixXd a1 = f.posterior.column("alpha1"), b1 = f.posterior.column("beta1");
  CHECK(b1.minCoeff() > 0.0);
  CHECK((a1 + b1).maxCoeff() < 1.0);
}

TEST_CASE("a hierarchical model written with elements keeps non-centring", "[model][bounds][ncp]") {
  const Eigen::VectorXd ya = (Eigen::VectorXd(4) << 1.2, -0.3, 2.1, 0.7).finished();
  const Eigen::VectorXd yb = (Eigen::VectorXd(4) << -1.0, 0.4, -2.2, 0.1).finished();
  auto mu = param<"mu">(normal(0.0, 5.0), 2);
  auto tau = param<"tau">(half_normal(2.0), 2);
  auto ta = param<"theta_a">(normal(mu[0], tau[0]), 4);
  auto tb = param<"theta_b">(normal(mu[1], tau[1]), 4);
  auto m = model(mu, tau, ta, tb, observe<"ya">(normal(ta, 1.0), ya), observe<"yb">(normal(tb, 1.5), yb));
  const auto nc = compile<double>(m);
  const auto ce = compile<double>(m, {.ncp = ncp_policy::never});
  REQUIRE(nc.noncentered("theta_a"));
  REQUIRE(nc.noncentered("theta_b"));
  REQUIRE_FALSE(ce.noncentered("theta_a"));
  // At z and at x = mu + tau z the two densities differ by the Jacobian sum log tau.
  exmc::rng r(13);
  for (int k = 0; k < 3; ++k) {
    const Eigen::VectorXd qz = test::random_point(nc.dim(), r, 1.2);
    Eigen::VectorXd qx = qz, g(nc.dim());
    const double t0 = std::exp(qz[2]), t1 = std::exp(qz[3]);
    for (int i = 0; i < 4; ++i) {
      qx[4 + i] = qz[0] + t0 * qz[4 + i];
      qx[8 + i] = qz[1] + t1 * qz[8 + i];
    }
    CHECK(nc.logp_grad(qz, g) == Approx(ce.logp_grad(qx, g) + 4 * qz[2] + 4 * qz[3]).epsilon(1e-12));
  }
  test::check_gradient(nc, 3, 1e-7, 17);
  // An element seen by enough observations counts as data-rich: with ten observations per
  // element theta stays centred under the automatic policy, with two it is non-centred.
  auto theta = param<"theta">(normal(mu[0], tau[1]), 2);
  const Eigen::VectorXd y10 = Eigen::VectorXd::LinSpaced(10, -1.0, 1.0), y2 = y10.head(2);
  const auto rich = compile<double>(
      model(mu, tau, theta, observe<"y0">(normal(theta[0], 1.0), y10), observe<"y1">(normal(theta[1], 1.0), y10)));
  const auto poor = compile<double>(
      model(mu, tau, theta, observe<"y0">(normal(theta[0], 1.0), y10), observe<"y1">(normal(theta[1], 1.0), y2)));
  CHECK_FALSE(rich.noncentered("theta"));
  CHECK(poor.noncentered("theta"));
}

TEST_CASE("regression under flat priors matches its closed-form posterior", "[model][flat][posterior]") {
  // y = alpha + beta0 x1 + beta1 x2 + e, e ~ N(0, sigma), flat priors on alpha, beta and sigma > 0
  // (Stan's default for parameters with no ~ statement). The posterior is normal-inverse-gamma:
  // with k = 3 coefficients, beta | sigma^2 ~ N(bhat, sigma^2 (X'X)^-1) and
  // sigma^2 ~ inverse-gamma((n - k - 1) / 2, SSE / 2), so the coefficients are Student-t with
  // n - k - 1 degrees of freedom: mean bhat, variance SSE / (n - k - 3) (X'X)^-1.
  constexpr int n = 30, k = 3;
  exmc::rng gen(2024);
  Eigen::VectorXd x1(n), x2(n), y(n);
  for (int i = 0; i < n; ++i) {
    x1[i] = gen.normal();
    x2[i] = gen.uniform(-1.0, 1.0);
    y[i] = 1.0 + 0.5 * x1[i] - 0.8 * x2[i] + 0.7 * gen.normal();
  }
  Eigen::MatrixXd X(n, k);
  X << Eigen::VectorXd::Ones(n), x1, x2;
  const Eigen::MatrixXd XtX_inv = (X.transpose() * X).inverse();
  const Eigen::VectorXd bhat = XtX_inv * X.transpose() * y;
  const double sse = (y - X * bhat).squaredNorm();
  const Eigen::VectorXd var_b = sse / (n - k - 3) * XtX_inv.diagonal();
  const double a = (n - k - 1) / 2.0, b = sse / 2;
  const double mean_sigma = std::sqrt(b) * std::exp(std::lgamma(a - 0.5) - std::lgamma(a));
  const double var_sigma = b / (a - 1) - mean_sigma * mean_sigma;

  auto alpha = param<"alpha">(flat());
  auto beta = param<"beta">(flat(), 2);
  auto sigma = param<"sigma">(flat(), lower(0.0));
  const auto cd = compile<double>(model(alpha, beta, sigma, observe<"y">(normal(alpha + beta[0] * x1 + beta[1] * x2, sigma), y)));
  exmc::sample_options o;
  o.seed = 31;
  const auto f = exmc::sample(cd, o);
  REQUIRE(f.all_ok());
  const std::vector<std::string> names{"alpha", "beta[0]", "beta[1]", "sigma"};
  for (std::size_t j = 0; j < names.size(); ++j) {
    const Eigen::MatrixXd draws = f.posterior.column(names[j]);
    const double mean = j < 3 ? bhat[static_cast<Eigen::Index>(j)] : mean_sigma;
    const double var = j < 3 ? var_b[static_cast<Eigen::Index>(j)] : var_sigma;
    const auto m = nuts_test::mean_of(draws);
    const auto v = nuts_test::second_moment(draws, mean);
    INFO(names[j] << ": mean " << m.value << " +- " << m.mcse << " (exact " << mean << "), variance " << v.value
                  << " +- " << v.mcse << " (exact " << var << ")");
    CHECK(std::abs(m.value - mean) < 4.5 * m.mcse);
    CHECK(std::abs(v.value - var) < 4.5 * v.mcse);
    CHECK(m.ess > 500);
  }
}
