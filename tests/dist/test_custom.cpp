// custom(): densities written as C++ functions with reverse-mode AD. ARMA(1,1) and GARCH(1,1)
// get exact gradients (checked against finite differences) and NUTS posteriors that agree with
// a long random-walk Metropolis run on the same density evaluated in plain doubles.
#include "../support/gradient_check.hpp"
#include <exmc/dist/custom.hpp>
#include <exmc/exmc.hpp>

#include "custom/arma11.hpp"

using namespace exmc;

namespace {

using examples::arma11;  // bench/custom/arma11.hpp

// GARCH(1,1): sigma[t]^2 = alpha0 + alpha1 (y[t-1] - mu)^2 + beta1 sigma[t-1]^2.
struct garch11 {
  template <class Y, class T, class S>
  T operator()(const Y& y, T mu, T alpha0, T alpha1, T beta1, S sigma1) const {
    using std::sqrt;
    if (ad::value(alpha1) + ad::value(beta1) >= 1) return T(-std::numeric_limits<double>::infinity());
    T lp = 0, sigma = sigma1;
    for (Eigen::Index t = 0; t < static_cast<Eigen::Index>(y.size()); ++t) {
      if (t > 0) sigma = sqrt(alpha0 + alpha1 * ad::square(y[t - 1] - mu) + beta1 * ad::square(sigma));
      lp += ad::normal_lpdf(y[t], mu, sigma);
    }
    return lp;
  }
};

Eigen::VectorXd simulate_arma(int n, std::uint64_t seed) {
  rng g(seed);
  Eigen::VectorXd y(n);
  double err = 0;
  for (int t = 0; t < n; ++t) {
    const double nu = 0.5 + 0.6 * (t == 0 ? 0.5 : y[t - 1]) + 0.3 * err;
    err = g.normal();
    y[t] = nu + err;
  }
  return y;
}

Eigen::VectorXd simulate_garch(int n, std::uint64_t seed) {
  rng g(seed);
  Eigen::VectorXd y(n);
  double s2 = 1.0;
  for (int t = 0; t < n; ++t) {
    if (t > 0) s2 = 0.2 + 0.25 * (y[t - 1] - 0.1) * (y[t - 1] - 0.1) + 0.35 * s2;
    y[t] = 0.1 + std::sqrt(s2) * g.normal();
  }
  return y;
}

auto arma_model(const Eigen::VectorXd& y) {
  auto mu = param<"mu">(normal(0.0, 10.0));
  // Stationary and invertible: with |theta| > 1 the filtered errors grow like theta^t and the
  // posterior has a pathological second region (a chain found it, with step size 1e-3).
  auto phi = param<"phi">(normal(0.0, 2.0), bounds(-1.0, 1.0));
  auto theta = param<"theta">(normal(0.0, 2.0), bounds(-1.0, 1.0));
  auto sigma = param<"sigma">(half_cauchy(5.0));
  return model(mu, phi, theta, sigma, observe<"y">(custom<arma11>(mu, phi, theta, sigma), y));
}

auto garch_model(const Eigen::VectorXd& y) {
  auto mu = param<"mu">(normal(0.0, 10.0));
  auto alpha0 = param<"alpha0">(half_normal(2.0));
  // Bounds keep alpha1 + beta1 < 1 (stationarity) everywhere, so gradients exist at any point.
  auto alpha1 = param<"alpha1">(normal(0.0, 1.0), bounds(0.0, 0.5));
  auto beta1 = param<"beta1">(normal(0.0, 1.0), bounds(0.0, 0.5));
  return model(mu, alpha0, alpha1, beta1, observe<"y">(custom<garch11>(mu, alpha0, alpha1, beta1, 1.0), y));
}

// The same posteriors written out in plain doubles (priors, transforms and the recursion called
// with double arguments): the reference density, evaluated without the model compiler or AD.
double lnorm(double x, double m, double s) { return ad::normal_lpdf(x, m, s); }
struct arma_plain {
  Eigen::VectorXd y;
  double operator()(const Eigen::VectorXd& q) const {
    const Eigen::VectorXd x = constrain(q);
    auto log_jac_unit = [](double u) { return std::log(2.0) + math::log_inv_logit(u) + math::log1m_inv_logit(u); };
    const double half_cauchy = std::log(2.0 / (M_PI * 5.0 * (1 + (x[3] / 5) * (x[3] / 5))));
    return lnorm(x[0], 0, 10) + lnorm(x[1], 0, 2) + log_jac_unit(q[1]) + lnorm(x[2], 0, 2) + log_jac_unit(q[2]) +
           half_cauchy + q[3] + arma11{}(y, x[0], x[1], x[2], x[3]);
  }
  Eigen::VectorXd constrain(const Eigen::VectorXd& q) const {
    return (Eigen::VectorXd(4) << q[0], -1 + 2 * math::inv_logit(q[1]), -1 + 2 * math::inv_logit(q[2]), std::exp(q[3])).finished();
  }
};
struct garch_plain {
  Eigen::VectorXd y;
  double operator()(const Eigen::VectorXd& q) const {
    const Eigen::VectorXd x = constrain(q);
    auto log_jac_half = [](double u) { return std::log(0.5) + math::log_inv_logit(u) + math::log1m_inv_logit(u); };
    return lnorm(q[0], 0, 10) + std::log(2.0) + lnorm(x[1], 0, 2) + q[1] + lnorm(x[2], 0, 1) + log_jac_half(q[2]) +
           lnorm(x[3], 0, 1) + log_jac_half(q[3]) + garch11{}(y, x[0], x[1], x[2], x[3], 1.0);
  }
  Eigen::VectorXd constrain(const Eigen::VectorXd& q) const {
    return (Eigen::VectorXd(4) << q[0], std::exp(q[1]), 0.5 * math::inv_logit(q[2]), 0.5 * math::inv_logit(q[3])).finished();
  }
};

// Random-walk Metropolis: the long reference run. Proposal scales from sd (NUTS's adapted
// inverse metric), shrunk for the dimension.
template <class P>
Eigen::MatrixXd rwm(const P& plain, Eigen::VectorXd q, const Eigen::VectorXd& sd, int iters, int thin, std::uint64_t seed) {
  rng g(seed);
  const double scale = 2.4 / std::sqrt(static_cast<double>(q.size()));
  double lp = plain(q);
  Eigen::MatrixXd out(iters / thin, q.size());
  for (int i = 0; i < iters; ++i) {
    Eigen::VectorXd prop = q;
    for (Eigen::Index k = 0; k < q.size(); ++k) prop[k] += scale * sd[k] * g.normal();
    const double lp_prop = plain(prop);
    if (std::log(g.uniform_pos()) < lp_prop - lp) {
      q = prop;
      lp = lp_prop;
    }
    if (i % thin == thin - 1) out.row(i / thin) = plain.constrain(q).transpose();
  }
  return out;
}

// NUTS on m against the reference run: every posterior mean within 5 combined Monte Carlo
// standard errors. Also checks the two densities agree (up to rounding) at the NUTS draws.
template <class C, class P>
void check_against_reference(const C& m, const P& plain, std::uint64_t seed) {
  sample_options o;
  o.chains = 2;
  o.warmup = 500;
  o.draws = 1000;
  o.seed = seed;
  const fit f = sample(m, o);
  REQUIRE(f.all_ok());
  CHECK(f.total_divergent() < 10);
  Eigen::VectorXd q0 = Eigen::VectorXd::Zero(m.dim()), sd(m.dim());
  named_values init;
  const auto names = m.param_names();
  for (std::size_t k = 0; k < names.size(); ++k) init[names[k]] = Eigen::VectorXd::Constant(1, f.posterior.chains[0](999, static_cast<Eigen::Index>(k)));
  m.unconstrain(init, q0);
  CHECK(m.logp(q0) == Approx(plain(q0)).epsilon(1e-10));
  for (Eigen::Index k = 0; k < m.dim(); ++k) sd[k] = std::sqrt(f.inv_metric_diag[0][k]);
  const Eigen::MatrixXd ref = rwm(plain, q0, sd, 200000, 10, seed + 1);
  for (std::size_t k = 0; k < names.size(); ++k) {
    const Eigen::MatrixXd d = f.posterior.column(names[k]);
    const Eigen::MatrixXd r = ref.col(static_cast<Eigen::Index>(k));
    const double sd_post = std::sqrt((d.array() - d.mean()).square().mean());
    const double se = std::sqrt(sd_post * sd_post / ess_bulk(d) + sd_post * sd_post / ess_bulk(r));
    INFO(names[k] << ": NUTS mean " << d.mean() << ", reference " << r.mean() << ", combined MCSE " << se);
    CHECK(std::abs(d.mean() - r.mean()) < 5 * se);
  }
}

}  // namespace

TEST_CASE("custom ARMA(1,1): exact gradient, posterior matches a long reference run", "[dist][custom]") {
  const Eigen::VectorXd y = simulate_arma(100, 1);
  const auto m = compile<double>(arma_model(y));
  test::check_gradient(m, 4, 1e-7);
  // A parameter as the variate of a custom density gets its gradient too.
  auto x = param<"x">(custom<arma11>(0.2, 0.5, 0.1, 1.5), 3);
  test::check_gradient(compile<double>(model(x)), 3, 1e-7);
  // The plain-double evaluation is the same function.
  check_against_reference(m, arma_plain{y}, 7);
}

TEST_CASE("custom GARCH(1,1): exact gradient, posterior matches a long reference run", "[dist][custom]") {
  const Eigen::VectorXd y = simulate_garch(150, 2);
  const auto m = compile<double>(garch_model(y));
  test::check_gradient(m, 4, 1e-7);
  check_against_reference(m, garch_plain{y}, 11);
}

TEST_CASE("custom: float models, non-finite values and exceptions", "[dist][custom]") {
  const Eigen::VectorXd y = simulate_arma(30, 3);
  const auto md = compile<double>(arma_model(y));
  const auto mf = compile<float>(arma_model(y));
  test::check_float_matches_double(md, mf);
  // A density returning -inf gives -inf and a zero gradient, not NaN.
  auto mu = param<"mu">(normal(0.0, 1.0));
  auto a1 = param<"a1">(normal(0.0, 1.0), bounds(0.0, 1.0));
  auto b1 = param<"b1">(normal(0.0, 1.0), bounds(0.0, 1.0));
  const auto g = compile<double>(model(mu, a1, b1, observe<"y">(custom<garch11>(mu, 0.5, a1, b1, 1.0), simulate_garch(20, 4))));
  Eigen::VectorXd q = Eigen::VectorXd::Zero(3), grad;
  q[1] = 3;
  q[2] = 3;  // a1 + b1 > 1
  CHECK(g.logp_grad(q, grad) == -std::numeric_limits<double>::infinity());
  CHECK(grad.isZero());
}
