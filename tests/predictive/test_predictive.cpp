// Predictive quantities: prior and posterior predictive draws against closed forms, pointwise
// log-likelihoods against the model's own likelihood terms, and the prior/likelihood split.
#include <boost/math/distributions/normal.hpp>

#include "../support/gradient_check.hpp"
#include <exmc/exmc.hpp>
#include <exmc/predictive/generated.hpp>

using namespace exmc;

namespace {

// Sample mean and variance of column j of all chains.
std::pair<double, double> mean_var(const draws& d, const std::string& name) {
  const Eigen::MatrixXd x = d.column(name);
  const double m = x.mean();
  const double v = (x.array() - m).square().sum() / static_cast<double>(x.size() - 1);
  return {m, v};
}

// Checks an iid sample's mean and variance against a normal distribution's, within 5 standard
// errors (the variance's standard error for a normal sample is var * sqrt(2 / (n - 1))).
void check_normal_moments(const draws& d, const std::string& name, double mean, double var) {
  const auto [m, v] = mean_var(d, name);
  const double n = static_cast<double>(d.num_draws() * d.num_chains());
  INFO(name << ": mean " << m << " (expected " << mean << "), variance " << v << " (expected " << var << ")");
  CHECK(std::abs(m - mean) < 5 * std::sqrt(var / n));
  CHECK(std::abs(v - var) < 5 * var * std::sqrt(2 / (n - 1)));
}

// mu ~ normal(0, 2); theta[j] ~ normal(mu, 1), j < 3; y[i] ~ normal(theta[group[i]], 0.5).
auto hierarchical(const Eigen::VectorXd& y, const Eigen::VectorXi& group) {
  auto mu = param<"mu">(normal(0.0, 2.0));
  auto theta = param<"theta">(normal(mu, 1.0), 3);
  return model(mu, theta, observe<"y">(normal(theta[group], 0.5), y));
}

}  // namespace

TEST_CASE("prior predictive of a hierarchical normal model has the analytic moments", "[predictive]") {
  // Groups deliberately unsorted: the likelihood is stored sorted by group, the draws must come
  // back in the user's order.
  Eigen::VectorXi group(4);
  group << 2, 0, 2, 1;
  const Eigen::VectorXd y = Eigen::VectorXd::Zero(4);
  const auto c = compile<double>(hierarchical(y, group));
  const draws prior = prior_predictive(c, {.draws = 20000, .chains = 2, .seed = 11});
  REQUIRE(prior.num_chains() == 2);
  REQUIRE(prior.num_draws() == 20000);
  check_normal_moments(prior, "mu", 0, 4);
  check_normal_moments(prior, "theta[1]", 0, 5);
  for (int i = 0; i < 4; ++i) check_normal_moments(prior, "y[" + std::to_string(i) + "]", 0, 5.25);
  // y[0] and y[2] share theta[2] (covariance 5), y[0] and y[1] only mu (covariance 4): the
  // order of the simulated data is the user's.
  const Eigen::MatrixXd y0 = prior.column("y[0]"), y1 = prior.column("y[1]"), y2 = prior.column("y[2]");
  const double n = static_cast<double>(y0.size());
  const double c02 = ((y0.array() - y0.mean()) * (y2.array() - y2.mean())).sum() / (n - 1);
  const double c01 = ((y0.array() - y0.mean()) * (y1.array() - y1.mean())).sum() / (n - 1);
  // Standard error of a sample covariance of normals: sqrt((s11 s22 + c^2) / n).
  CHECK(std::abs(c02 - 5.0) < 5 * std::sqrt((5.25 * 5.25 + 25) / n));
  CHECK(std::abs(c01 - 4.0) < 5 * std::sqrt((5.25 * 5.25 + 16) / n));
  // Reproducible, whatever the number of threads.
  const draws again = prior_predictive(c, {.draws = 500, .chains = 2, .seed = 11, .threads = 1});
  const draws par = prior_predictive(c, {.draws = 500, .chains = 2, .seed = 11, .threads = 2});
  CHECK(again.chains[1] == par.chains[1]);
  CHECK(again.chains[0].topRows(500) == prior.chains[0].topRows(500));
}

TEST_CASE("posterior predictive of a conjugate normal model matches the analytic predictive", "[predictive]") {
  // mu ~ normal(0, 10), y[i] ~ normal(mu, 1): posterior mu ~ normal(m, s^2), predictive of a new
  // y ~ normal(m, s^2 + 1).
  const Eigen::VectorXd y = (Eigen::VectorXd(5) << 1.2, 0.4, 2.1, 1.7, 0.9).finished();
  auto mu = param<"mu">(normal(0.0, 10.0));
  const auto c = compile<double>(model(mu, observe<"y">(normal(mu, 1.0), y)));
  const double prec = 1.0 / 100 + 5.0, s2 = 1 / prec, m = y.sum() / prec;
  // Exact posterior draws, so the check is on the predictive code alone.
  draws post;
  post.names = {"mu"};
  rng g(5);
  for (int ch = 0; ch < 2; ++ch) {
    Eigen::MatrixXd x(20000, 1);
    for (Eigen::Index d = 0; d < x.rows(); ++d) x(d, 0) = g.normal(m, std::sqrt(s2));
    post.chains.push_back(x);
  }
  const draws ppc = posterior_predictive(c, post, {.seed = 3});
  REQUIRE(ppc.names.size() == 5);
  REQUIRE(ppc.num_draws() == 20000);
  for (int i = 0; i < 5; ++i) check_normal_moments(ppc, "y[" + std::to_string(i) + "]", m, s2 + 1);
  CHECK(posterior_predictive(c, post, {.seed = 3}).chains[1] == ppc.chains[1]);
  // A missing parameter column is an error naming it.
  draws bad;
  bad.names = {"sigma"};
  bad.chains.push_back(Eigen::MatrixXd::Zero(3, 1));
  CHECK_THROWS_WITH(posterior_predictive(c, bad), Catch::Contains("'mu'"));
}

TEST_CASE("pointwise log-likelihood sums to the model's likelihood at the same draw", "[predictive]") {
  Eigen::VectorXi group(5);
  group << 1, 0, 2, 1, 0;
  const Eigen::VectorXd y = (Eigen::VectorXd(5) << 0.3, -1.2, 2.2, 0.7, -0.4).finished();
  const auto c = compile<double>(hierarchical(y, group));
  rng g(9);
  draws post;
  post.names = c.param_names();
  post.chains.push_back(Eigen::MatrixXd(6, 4));
  for (Eigen::Index d = 0; d < 6; ++d)
    for (Eigen::Index k = 0; k < 4; ++k) post.chains[0](d, k) = g.normal();
  const draws ll = log_likelihood(c, post);
  REQUIRE(ll.names == std::vector<std::string>{"y[0]", "y[1]", "y[2]", "y[3]", "y[4]"});
  auto ws = c.make_workspace();
  for (Eigen::Index d = 0; d < 6; ++d) {
    const Eigen::VectorXd x = post.chains[0].row(d).transpose();
    // Element by element against Boost, in the user's order.
    for (int i = 0; i < 5; ++i) {
      const double ref = std::log(boost::math::pdf(boost::math::normal(x[1 + group[i]], 0.5), y[i]));
      CHECK(ll.chains[0](d, i) == Approx(ref).epsilon(1e-12));
    }
    // The sum against the compiled likelihood term at the same point.
    named_values v{{"mu", x.head(1)}, {"theta", x.tail(3)}};
    Eigen::VectorXd q = Eigen::VectorXd::Zero(c.dim()), grad;
    c.unconstrain(v, q);
    CHECK(ll.chains[0].row(d).sum() == Approx(c.log_likelihood(q, grad, ws)).epsilon(1e-12));
  }
  CHECK(log_lik_matrix(ll).rows() == 6);
}

TEST_CASE("the prior and likelihood apart add up to the density; jacobian and priors options", "[predictive][model]") {
  const Eigen::VectorXd y = (Eigen::VectorXd(3) << 0.5, 1.5, -0.2).finished();
  auto mu = param<"mu">(normal(0.0, 3.0));
  auto sigma = param<"sigma">(normal(1.0, 0.5));  // a real-line prior on a positive parameter...
  auto tau = param<"tau">(exponential(1.0));       // ...and a positive one, with a log transform
  auto theta = param<"theta">(normal(mu, tau), 3);  // non-centred by default
  const auto m = model(mu, sigma, tau, theta, observe<"y">(normal(theta, exp(sigma)), y));
  const auto c = compile<double>(m);
  REQUIRE(c.noncentered("theta"));
  const auto map = compile<double>(m, {.jacobian = false});
  const auto mle = compile<double>(m, {.jacobian = false, .priors = false});  // maximum likelihood
  CHECK_FALSE(map.noncentered("theta"));
  rng g(4);
  auto ws = c.make_workspace();
  for (int rep = 0; rep < 5; ++rep) {
    const Eigen::VectorXd q = test::random_point(c.dim(), g);
    Eigen::VectorXd g1, g2, g3;
    const double lp = c.logp_grad(q, g1);
    const double prior = c.log_prior(q, g2, ws), lik = c.log_likelihood(q, g3, ws);
    CHECK(prior + lik == Approx(lp).epsilon(1e-12));
    for (Eigen::Index k = 0; k < c.dim(); ++k) CHECK(g2[k] + g3[k] == Approx(g1[k]).epsilon(1e-10).margin(1e-12));
    // Without the Jacobian the only difference is log|d tau / du| = u_tau (map is centred: same
    // coordinates as c only for mu, sigma, tau, so compare map with itself).
    const auto cm = compile<double>(m, {.ncp = ncp_policy::never});
    CHECK(cm.logp(q) - map.logp(q) == Approx(q[2]).epsilon(1e-12));
    // The likelihood-only density equals the likelihood term of the centred model.
    Eigen::VectorXd gl;
    auto wsm = cm.make_workspace();
    CHECK(mle.logp(q) == Approx(cm.log_likelihood(q, gl, wsm)).epsilon(1e-12));
  }
  test::check_gradient(map);
  test::check_gradient(mle);
}

TEST_CASE("draw_prior gives unconstrained points whose constrained values follow the prior", "[predictive][model]") {
  auto mu = param<"mu">(normal(1.0, 2.0));
  auto theta = param<"theta">(normal(mu, exp(mu)), 2);  // non-centred: q holds z
  const auto c = compile<double>(model(mu, theta, observe<"y">(normal(theta, 1.0), Eigen::VectorXd::Zero(2))));
  REQUIRE(c.noncentered("theta"));
  auto ws = c.make_workspace();
  rng g(21);
  Eigen::VectorXd q, loaded, again;
  double zsum = 0, zsq = 0;
  const int n = 20000;
  for (int d = 0; d < n; ++d) {
    c.draw_prior(g, q, ws);
    c.constrain_loaded(ws, loaded);
    c.constrain(q, again);  // q maps back to the same constrained values
    REQUIRE((loaded - again).cwiseAbs().maxCoeff() < 1e-12 * (1 + loaded.cwiseAbs().maxCoeff()));
    zsum += q[1];
    zsq += q[1] * q[1];
  }
  // z = (theta - mu) / exp(mu) is standard normal.
  CHECK(std::abs(zsum / n) < 5 / std::sqrt(n));
  CHECK(std::abs(zsq / n - 1) < 5 * std::sqrt(2.0 / n));
}

TEST_CASE("generated quantities are evaluated per draw, named, reproducible", "[predictive]") {
  draws post;
  post.names = {"a", "b[0]", "b[1]"};
  post.chains = {Eigen::MatrixXd::Random(50, 3), Eigen::MatrixXd::Random(40, 3)};
  auto fn = [](const draw_view& d, rng& g, std::span<double> out) {
    out[0] = d("a") * 2 + d.vector("b").sum();
    out[1] = g.normal();
  };
  const draws gq = generated_quantities(post, {"s", "noise"}, fn, {.seed = 8, .threads = 2});
  REQUIRE(gq.chains[1].rows() == 40);
  for (Eigen::Index d = 0; d < 40; ++d)
    CHECK(gq.chains[1](d, 0) == Approx(2 * post.chains[1](d, 0) + post.chains[1](d, 1) + post.chains[1](d, 2)));
  rng g(8, 1);
  CHECK(gq.chains[1](0, 1) == g.normal());
  CHECK(generated_quantities(post, {"s", "noise"}, fn, {.seed = 8, .threads = 1}).chains[0] == gq.chains[0]);
  const draws both = combine(post, gq);
  CHECK(both.names.size() == 5);
  CHECK_THROWS_WITH(generated_quantities(post, {"x"}, [](const draw_view& d, rng&, std::span<double> out) { out[0] = d("zz"); }),
                    Catch::Contains("'zz'"));
}

TEST_CASE("prior predictive of a gamma-Poisson model has the negative binomial moments", "[predictive]") {
  // lambda ~ gamma(2, 0.5) (mean 4, variance 8); y[i] ~ poisson(lambda): E y = 4,
  // Var y = E lambda + Var lambda = 12, Cov(y[0], y[1]) = Var lambda = 8.
  auto lambda = param<"lambda">(gamma(2.0, 0.5));
  const Eigen::VectorXi y = Eigen::VectorXi::Zero(2);
  const auto c = compile<double>(model(lambda, observe<"y">(poisson(lambda), y)));
  const draws prior = prior_predictive(c, {.draws = 40000, .seed = 5});
  const double n = 40000;
  const Eigen::MatrixXd y0 = prior.column("y[0]"), y1 = prior.column("y[1]");
  const double m0 = y0.mean(), v0 = (y0.array() - m0).square().sum() / (n - 1);
  const double cov = ((y0.array() - m0) * (y1.array() - y1.mean())).sum() / (n - 1);
  // Standard errors: Var(y) / n for the mean; (mu4 - sigma^4) / n for the variance, where y is
  // negative binomial (r = 2, p = 1/3) with excess kurtosis 6 / r + p^2 / (r (1 - p)) = 3.08,
  // so mu4 - sigma^4 = 5.08 sigma^4 < 6 sigma^4 (used for the covariance too).
  CHECK(std::abs(m0 - 4.0) < 5 * std::sqrt(12.0 / n));
  CHECK(std::abs(v0 - 12.0) < 5 * std::sqrt(6 * 144.0 / n));
  CHECK(std::abs(cov - 8.0) < 5 * std::sqrt(6 * 144.0 / n));
  CHECK(std::abs(prior.column("lambda").mean() - 4.0) < 5 * std::sqrt(8.0 / n));
}
