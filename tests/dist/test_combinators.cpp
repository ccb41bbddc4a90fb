// censored and truncated: against closed forms built from the wrapped family's own functions and
// Boost.Math, partials against finite differences, transforms for truncated priors, and sampling.
#include <boost/math/distributions/exponential.hpp>
#include <boost/math/distributions/logistic.hpp>
#include <boost/math/distributions/poisson.hpp>

#include "../support/gradient_check.hpp"
#include "lpdf_harness.hpp"
#include "rng_check.hpp"
#include <exmc/dist/censored.hpp>
#include <exmc/dist/logistic.hpp>
#include <exmc/dist/poisson.hpp>
#include <exmc/dist/truncated.hpp>
#include <exmc/dist/mixture.hpp>
#include <exmc/exmc.hpp>
#include <boost/math/distributions/normal.hpp>

using namespace exmc;
using test::call_lpdf;
using test::check_lpdf_partials;
using test::vec;

namespace {
constexpr double inf = std::numeric_limits<double>::infinity();
}

TEST_CASE("censored: log CDF below, log CCDF above, log density between", "[dist][combinators]") {
  using F = censored_fn<logistic_fn>;
  const boost::math::logistic_distribution<> d(0.5, 2.0);
  const Eigen::VectorXd y = vec({-3.0, -1.0, 0.2, 4.0, 6.5});
  double ref = std::log(boost::math::cdf(d, -1.0)) * 2 + std::log(boost::math::pdf(d, 0.2)) +
               std::log(boost::math::cdf(boost::math::complement(d, 4.0))) * 2;
  CHECK(call_lpdf<F>(y, {vec({0.5}), vec({2.0}), vec({-1.0}), vec({4.0})}).lp == Approx(ref).epsilon(1e-12));
  check_lpdf_partials<F>(y, {vec({0.5}), vec({2.0}), vec({-1.0}), vec({4.0})}, false, 1e-6, test::density_fn::lpdf, 2);
  check_lpdf_partials<F>(y, {vec({0.5, 0.1, -0.3, 1.0, 0.0}), vec({2.0}), vec({-1.0}), vec({4.0})}, false, 1e-6, test::density_fn::lpdf, 2);
  // Discrete: y >= upper means P(Y >= upper) = P(Y > upper - 1).
  using P = censored_fn<poisson_fn>;
  const boost::math::poisson_distribution<> pd(3.5);
  const Eigen::VectorXd counts = vec({0, 2, 5, 7});
  ref = std::log(boost::math::cdf(pd, 1.0)) + std::log(boost::math::pdf(pd, 2.0)) + 2 * std::log(boost::math::cdf(boost::math::complement(pd, 4.0)));
  CHECK(call_lpdf<P>(counts, {vec({3.5}), vec({1.0}), vec({5.0})}).lp == Approx(ref).epsilon(1e-10));
  check_lpdf_partials<P>(counts, {vec({3.5}), vec({1.0}), vec({5.0})}, false, 1e-6, test::density_fn::lpdf, 1);
}

TEST_CASE("truncated: renormalised density, partials, generators", "[dist][combinators]") {
  const boost::math::logistic_distribution<> d(0.5, 2.0);
  const Eigen::VectorXd x = vec({-0.5, 0.2, 1.9});
  const double mass = boost::math::cdf(d, 2.0) - boost::math::cdf(d, -1.0);
  double ref = 0;
  for (double v : x) ref += std::log(boost::math::pdf(d, v) / mass);
  using B = truncation<true, true>::fn<logistic_fn>;
  CHECK(call_lpdf<B>(x, {vec({0.5}), vec({2.0}), vec({-1.0}), vec({2.0})}).lp == Approx(ref).epsilon(1e-12));
  check_lpdf_partials<B>(x, {vec({0.5}), vec({2.0}), vec({-1.0}), vec({2.0})}, true, 1e-6, test::density_fn::lpdf, 2);
  check_lpdf_partials<B>(x, {vec({0.5, 0.0, 1.0}), vec({2.0, 1.0, 0.7}), vec({-1.0}), vec({2.0})}, true, 1e-6, test::density_fn::lpdf, 2);
  // An interval far in the upper tail keeps its precision (the CCDF side): mass ~ 1e-12.
  const Eigen::VectorXd far = vec({60.0});
  const double s_lo = boost::math::cdf(boost::math::complement(d, 58.0)), s_hi = boost::math::cdf(boost::math::complement(d, 62.0));
  CHECK(call_lpdf<B>(far, {vec({0.5}), vec({2.0}), vec({58.0}), vec({62.0})}).lp ==
        Approx(std::log(boost::math::pdf(d, 60.0)) - std::log(s_lo - s_hi)).epsilon(1e-9));
  check_lpdf_partials<B>(far, {vec({0.5}), vec({2.0}), vec({58.0}), vec({62.0})}, true, 1e-5, test::density_fn::lpdf, 2);
  using L = truncation<true, false>::fn<logistic_fn>;
  check_lpdf_partials<L>(x, {vec({0.5}), vec({2.0}), vec({-1.0}), vec({inf})}, true, 1e-6, test::density_fn::lpdf, 2);
  using U = truncation<false, true>::fn<logistic_fn>;
  check_lpdf_partials<U>(x, {vec({0.5}), vec({2.0}), vec({-inf}), vec({2.0})}, true, 1e-6, test::density_fn::lpdf, 2);
  CHECK(call_lpdf<B>(vec({2.5}), {vec({0.5}), vec({2.0}), vec({-1.0}), vec({2.0})}).lp == -inf);
  // Draws stay inside and follow the truncated law.
  auto draws = test::draw_many(20000, 3, [](rng& g) { return B::generate(g, 0.5, 2.0, -1.0, 2.0); });
  test::check_ks(draws, [&](double v) { return (boost::math::cdf(d, v) - boost::math::cdf(d, -1.0)) / mass; }, "truncated logistic");
}

TEST_CASE("truncated priors get bound transforms; censored likelihoods sample correctly", "[dist][combinators][model]") {
  // Exponential(rate) data right-censored at c: the posterior of the rate under a
  // truncated-logistic prior is one-dimensional: compare NUTS with quadrature.
  const double c = 1.5;
  Eigen::VectorXd t(12);
  t << 0.2, 0.5, 1.5, 0.9, 1.5, 0.1, 1.2, 1.5, 0.7, 0.3, 1.5, 1.1;  // 1.5: censored
  auto rate = param<"rate">(truncated(logistic(1.0, 1.0), bounds(0.0, 5.0)));
  const auto m = compile<double>(model(rate, observe<"t">(censored(exponential(rate), upper(c)), t)));
  CHECK(m.describe().find("interval(0.000000, 5.000000)") != std::string::npos);
  test::check_gradient(m, 4, 1e-7);
  auto post = [&](double r) {
    const boost::math::logistic_distribution<> prior(1.0, 1.0);
    double lp = std::log(boost::math::pdf(prior, r));
    for (double v : t) lp += v >= c ? -r * c : std::log(r) - r * v;
    return std::exp(lp);
  };
  double z = 0, m1 = 0, m2 = 0;
  const int grid = 20000;
  for (int k = 0; k < grid; ++k) {
    const double r = 5.0 * (k + 0.5) / grid, w = post(r);
    z += w;
    m1 += w * r;
    m2 += w * r * r;
  }
  const double mean = m1 / z, sd = std::sqrt(m2 / z - mean * mean);
  sample_options o;
  o.chains = 2;
  o.seed = 4;
  const fit f = sample(m, o);
  const Eigen::MatrixXd d = f.posterior.column("rate");
  CHECK(std::abs(d.mean() - mean) < 5 * sd / std::sqrt(ess_bulk(d)));
  // A truncated prior below only: a lower-bound transform.
  auto s = param<"s">(truncated(logistic(0.0, 1.0), lower(0.5)));
  CHECK(compile<double>(model(s)).describe().find("lower(0.500000)") != std::string::npos);
}

TEST_CASE("mixture: log-sum-exp of weighted components, partials, draws, a compiled model", "[dist][combinators]") {
  using M = mixture_fn<normal_fn, normal_fn>;
  const Eigen::VectorXd x = vec({-1.2, 0.4, 2.5, 9.0});
  const Eigen::VectorXd w = vec({0.3, 0.7});
  double ref = 0;
  for (double v : x) ref += std::log(0.3 * boost::math::pdf(boost::math::normal(-1, 0.5), v) + 0.7 * boost::math::pdf(boost::math::normal(2, 1), v));
  CHECK(call_lpdf<M>(x, {w, vec({-1.0}), vec({0.5}), vec({2.0}), vec({1.0})}).lp == Approx(ref).epsilon(1e-12));
  check_lpdf_partials<M>(x, {w, vec({-1.0}), vec({0.5}), vec({2.0}), vec({1.0})});
  check_lpdf_partials<M>(x, {w, vec({-1.0, 0.0, 0.3, 1.0}), vec({0.5, 1.0, 2.0, 0.7}), vec({2.0}), vec({1.0})});
  // Far from both components the log-sum-exp keeps its value (the naive sum underflows).
  const double far = call_lpdf<M>(vec({-60.0}), {w, vec({-1.0}), vec({0.5}), vec({2.0}), vec({1.0})}).lp;
  CHECK(far == Approx(std::log(0.7) - 0.5 * std::log(2 * M_PI) - 0.5 * 62.0 * 62.0).epsilon(1e-12));
  // Draws: the mixture's CDF.
  auto xs = test::draw_many(20000, 9, [&](rng& g) { return M::generate(g, std::span<const double>(w.data(), 2), -1.0, 0.5, 2.0, 1.0); });
  test::check_ks(xs, [](double v) { return 0.3 * boost::math::cdf(boost::math::normal(-1, 0.5), v) + 0.7 * boost::math::cdf(boost::math::normal(2, 1), v); }, "mixture");
  // In a model: dirichlet weights, ordered means (no label switching), a shared scale.
  auto wt = param<"w">(dirichlet(Eigen::VectorXd::Constant(2, 2.0)), 2);
  auto mu = param<"mu">(normal(0.0, 5.0), 2, ordered);
  auto s = param<"s">(half_normal(2.0));
  const Eigen::VectorXd y = vec({-1.1, -0.8, 2.2, 1.9, 2.5, 3.1, -1.4, 2.0});
  const Eigen::VectorXi first = Eigen::VectorXi::Zero(8), second = Eigen::VectorXi::Ones(8);
  const auto m = compile<double>(model(wt, mu, s, observe<"y">(mixture(wt, normal(mu[first], s), normal(mu[second], s)), y)));
  test::check_gradient(m, 4, 1e-6);
  const draws prior = prior_predictive(m, {.draws = 2000, .seed = 1});
  CHECK(prior.names.back() == "y[7]");
}
