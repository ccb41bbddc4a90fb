// The discrete families: bernoulli, binomial, binomial_logit, poisson, poisson_log,
// neg_binomial_2, neg_binomial_2_log, geometric, categorical, categorical_logit (and
// bernoulli_logit's generator). References are Boost.Math's distributions, in long double where
// a double pmf or tail probability would underflow.
#include <boost/math/distributions/bernoulli.hpp>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/geometric.hpp>
#include <boost/math/distributions/negative_binomial.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <exmc/dist/bernoulli.hpp>
#include <exmc/dist/binomial.hpp>
#include <exmc/dist/binomial_logit.hpp>
#include <exmc/dist/categorical.hpp>
#include <exmc/dist/categorical_logit.hpp>
#include <exmc/dist/geometric.hpp>
#include <exmc/dist/neg_binomial_2.hpp>
#include <exmc/dist/neg_binomial_2_log.hpp>
#include <exmc/dist/poisson.hpp>
#include <exmc/dist/poisson_log.hpp>

#include "../support/gradient_check.hpp"
#include "lpdf_harness.hpp"
#include "rng_check.hpp"

using namespace exmc;
using test::call_lpdf;
using test::check_lpdf_partials;
using test::density_fn;
using test::vec;

namespace bm = boost::math;
using ld = long double;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

// Finite-difference check of argument k's partials only: the binomials' N is a count, not
// something to differentiate.
template <class Fn>
void check_arg_partials(const Eigen::VectorXd& y, const std::vector<Eigen::VectorXd>& args, std::size_t k,
                        double tol = 1e-6, density_fn which = density_fn::lpdf) {
  const test::lpdf_result r = call_lpdf<Fn>(y, args, which);
  for (Eigen::Index i = 0; i < args[k].size(); ++i) {
    auto f = [&](double v) {
      auto aa = args;
      aa[k][i] = v;
      return call_lpdf<Fn>(y, aa, which).lp;
    };
    const double v = args[k][i], h = 1e-4 * std::max(1.0, std::abs(v));
    const double d = (-f(v + 2 * h) + 8 * f(v + h) - 8 * f(v - h) + f(v - 2 * h)) / (12 * h);
    INFO(Fn::name << ": d/d" << Fn::arg_names[k] << "[" << i << "]");
    CHECK(r.dargs[k][i] == Approx(d).epsilon(tol).margin(tol));
  }
}

// The float instantiation's scalar-argument fast path, with integer data as the model stores it.
template <class Fn, class... A>
double float_lpdf(const Eigen::VectorXi& y, A... args) {
  vector_view<int, float, false> yv{y.data(), nullptr};
  auto views = std::make_tuple(scalar_view<float, true>{static_cast<float>(args)}...);
  return std::apply([&](auto&... v) { return Fn::lpdf(y.size(), yv, v...); }, views);
}

double lp(auto ref_pdf, const Eigen::VectorXd& y) {
  double s = 0;
  for (double v : y) s += static_cast<double>(std::log(static_cast<ld>(ref_pdf(v))));
  return s;
}

Eigen::VectorXi as_int(const Eigen::VectorXd& y) { return y.cast<int>(); }

// Random points: counts in [0, max_y], values in [lo, hi].
Eigen::VectorXd random_counts(rng& g, int n, int max_y) {
  Eigen::VectorXd y(n);
  for (auto& v : y) v = static_cast<double>(g.below(static_cast<std::uint64_t>(max_y) + 1));
  return y;
}
Eigen::VectorXd random_values(rng& g, int n, double lo, double hi) {
  Eigen::VectorXd v(n);
  for (auto& x : v) x = g.uniform(lo, hi);
  return v;
}

}  // namespace

TEST_CASE("log_factorial matches lgamma across its table boundary", "[dist][counts]") {
  for (double k : {0.0, 1.0, 2.0, 20.0, 170.0, 1023.0, 1024.0, 1e6, 2e9})
    CHECK(math::log_factorial(k) == Approx(std::lgamma(k + 1)).epsilon(1e-14).margin(1e-14));
}

TEST_CASE("log_factorial is within a few ulps of Boost's long double lgamma", "[dist][counts]") {
  // Every count through the exact products (k < 18), the switch to Stirling's series and the
  // table's end, then counts far beyond it; 1e-15 relative is about 4.5 ulps.
  std::vector<double> ks;
  for (int k = 0; k < 1100; ++k) ks.push_back(k);
  for (double k : {5e3, 123457.0, 1e7, 4e9, 1e12, 9e15}) ks.push_back(k);
  for (double k : ks) {
    const long double ref = boost::math::lgamma(static_cast<long double>(k) + 1);
    const double got = math::log_factorial(k);
    if (k < 2)
      CHECK(got == 0.0);
    else
      CHECK(std::abs(static_cast<long double>(got) - ref) <= 1e-15L * ref);
  }
  CHECK(std::isnan(math::log_factorial(-1.0)));
}

TEST_CASE("poisson and poisson_log match Boost.Math, with exact partials", "[dist][poisson]") {
  // Small, moderate and huge rates; huge counts; rate 0 with a zero count.
  const std::vector<std::pair<double, double>> pts{{0, 1e-8}, {3, 1e-8},  {0, 2.5},     {7, 2.5},    {40, 2.5},
                                                   {0, 1e3},  {950, 1e3}, {1e6, 1e6},   {123456, 1e5}};
  for (auto [y, l] : pts) {
    INFO("y " << y << ", lambda " << l);
    const double ref = static_cast<double>(std::log(bm::pdf(bm::poisson_distribution<ld>(l), static_cast<ld>(y))));
    // y log(lambda) - lambda - log(y!) cancels for huge counts: the error is relative to the terms.
    const double scale = std::abs(y * std::log(l)) + l + std::lgamma(y + 1);
    CHECK(call_lpdf<poisson_fn>(vec({y}), {vec({l})}).lp == Approx(ref).epsilon(1e-12).margin(1e-15 + 4e-16 * scale));
    CHECK(call_lpdf<poisson_log_fn>(vec({y}), {vec({std::log(l)})}).lp == Approx(ref).epsilon(1e-12).margin(1e-15 + 4e-16 * scale));
    CHECK(float_lpdf<poisson_fn>(as_int(vec({y})), l) == Approx(ref).epsilon(2e-6).margin(1e-4 + 2e-7 * scale));
    CHECK(float_lpdf<poisson_log_fn>(as_int(vec({y})), std::log(l)) == Approx(ref).epsilon(2e-6).margin(1e-4 + 2e-7 * scale));
  }
  // Vector and scalar rate paths agree with the sum of the pmfs.
  const Eigen::VectorXd y = vec({0, 1, 4, 2, 9, 30});
  const Eigen::VectorXd l = vec({0.3, 1.5, 4.0, 2.2, 7.5, 25.0});
  double ref = 0;
  for (int i = 0; i < 6; ++i) ref += std::log(bm::pdf(bm::poisson_distribution<>(l[i]), y[i]));
  CHECK(call_lpdf<poisson_fn>(y, {l}).lp == Approx(ref).epsilon(1e-13));
  CHECK(call_lpdf<poisson_log_fn>(y, {Eigen::VectorXd(l.array().log())}).lp == Approx(ref).epsilon(1e-13));
  CHECK(call_lpdf<poisson_fn>(vec({0, 0}), {vec({0.0})}).lp == 0.0);
  CHECK(call_lpdf<poisson_fn>(vec({0, 1}), {vec({0.0})}).lp == -inf);
  CHECK(call_lpdf<poisson_log_fn>(vec({0, 0}), {vec({-800.0})}).lp == Approx(0.0).margin(1e-300));
  CHECK(call_lpdf<poisson_log_fn>(vec({2}), {vec({-800.0})}).lp == Approx(-1600 - std::log(2.0)));
  rng g(11);
  for (int rep = 0; rep < 3; ++rep) {
    const Eigen::VectorXd yy = random_counts(g, 5, 20);
    check_lpdf_partials<poisson_fn>(yy, {random_values(g, 5, 0.2, 15)}, false);
    check_lpdf_partials<poisson_fn>(yy, {random_values(g, 1, 0.2, 15)}, false);
    check_lpdf_partials<poisson_log_fn>(yy, {random_values(g, 5, -2, 3)}, false);
    check_lpdf_partials<poisson_log_fn>(yy, {random_values(g, 1, -2, 3)}, false);
  }
  // Invalid rates.
  CHECK(call_lpdf<poisson_fn>(y, {vec({-1.0})}).lp == -inf);
  CHECK(call_lpdf<poisson_fn>(y, {vec({inf})}).lp == -inf);
  CHECK(call_lpdf<poisson_fn>(y, {vec({1, 1, 1, -1, 1, 1})}).lp == -inf);
  CHECK(call_lpdf<poisson_log_fn>(y, {vec({std::nan("")})}).lp == -inf);
}

TEST_CASE("poisson lcdf and lccdf match Boost.Math into the far tails", "[dist][poisson]") {
  const std::vector<std::pair<double, double>> pts{{0, 0.5}, {3, 2.5}, {10, 3.0}, {0, 50.0},  {200, 10.0},
                                                   {1, 300}, {500, 300}, {1000, 1e3}, {900, 1e3}, {2, 1e-6}};
  for (auto [y, l] : pts) {
    INFO("y " << y << ", lambda " << l);
    const bm::poisson_distribution<ld> d(l);
    const double lc = static_cast<double>(std::log(bm::cdf(d, static_cast<ld>(y))));
    const double lcc = static_cast<double>(std::log(bm::cdf(bm::complement(d, static_cast<ld>(y)))));
    CHECK(call_lpdf<poisson_fn>(vec({y}), {vec({l})}, density_fn::lcdf).lp == Approx(lc).epsilon(1e-11).margin(1e-14));
    CHECK(call_lpdf<poisson_fn>(vec({y}), {vec({l})}, density_fn::lccdf).lp == Approx(lcc).epsilon(1e-11).margin(1e-14));
    CHECK(call_lpdf<poisson_log_fn>(vec({y}), {vec({std::log(l)})}, density_fn::lcdf).lp ==
          Approx(lc).epsilon(1e-11).margin(1e-14));
    if (l < 1e-3) continue;  // finite differences would step below 0
    check_lpdf_partials<poisson_fn>(vec({y}), {vec({l})}, false, 1e-6, density_fn::lcdf);
    check_lpdf_partials<poisson_fn>(vec({y}), {vec({l})}, false, 1e-6, density_fn::lccdf);
    check_lpdf_partials<poisson_log_fn>(vec({y}), {vec({std::log(l)})}, false, 1e-6, density_fn::lccdf);
  }
  check_lpdf_partials<poisson_fn>(vec({1, 4, 9}), {vec({2.0, 3.5, 6.0})}, false, 1e-6, density_fn::lcdf);
  CHECK(call_lpdf<poisson_fn>(vec({3}), {vec({0.0})}, density_fn::lcdf).lp == 0.0);
  CHECK(call_lpdf<poisson_fn>(vec({3}), {vec({0.0})}, density_fn::lccdf).lp == -inf);
  CHECK(call_lpdf<poisson_fn>(vec({3}), {vec({-1.0})}, density_fn::lcdf).lp == -inf);
}

TEST_CASE("bernoulli matches Boost.Math, including theta at 0 and 1", "[dist][bernoulli]") {
  const Eigen::VectorXd y = vec({1, 0, 1, 1, 0});
  const Eigen::VectorXd t = vec({0.2, 0.7, 1e-12, 1 - 1e-12, 0.5});
  double ref = 0;
  for (int i = 0; i < 5; ++i) ref += std::log(bm::pdf(bm::bernoulli(t[i]), y[i]));
  CHECK(call_lpdf<bernoulli_fn>(y, {t}).lp == Approx(ref).epsilon(1e-13));
  const double r3 = 3 * std::log(0.3) + 2 * std::log(0.7);
  CHECK(call_lpdf<bernoulli_fn>(y, {vec({0.3})}).lp == Approx(r3).epsilon(1e-14));
  CHECK(float_lpdf<bernoulli_fn>(as_int(y), 0.3) == Approx(r3).epsilon(1e-6));
  CHECK(call_lpdf<bernoulli_fn>(vec({1, 1}), {vec({1.0})}).lp == 0.0);
  CHECK(call_lpdf<bernoulli_fn>(vec({0, 0}), {vec({0.0})}).lp == 0.0);
  CHECK(call_lpdf<bernoulli_fn>(vec({0, 1}), {vec({0.0})}).lp == -inf);
  CHECK(call_lpdf<bernoulli_fn>(y, {vec({1.5})}).lp == -inf);
  CHECK(call_lpdf<bernoulli_fn>(y, {vec({0.2, 0.7, -0.1, 0.5, 0.5})}).lp == -inf);
  check_lpdf_partials<bernoulli_fn>(y, {vec({0.1, 0.6, 0.35, 0.9, 0.45})}, false);
  check_lpdf_partials<bernoulli_fn>(y, {vec({0.37})}, false);
  // CDFs: F(0) = 1 - theta, F(1) = 1.
  CHECK(call_lpdf<bernoulli_fn>(vec({0, 1}), {vec({0.3})}, density_fn::lcdf).lp == Approx(std::log(0.7)));
  CHECK(call_lpdf<bernoulli_fn>(vec({0}), {vec({0.3})}, density_fn::lccdf).lp == Approx(std::log(0.3)));
  CHECK(call_lpdf<bernoulli_fn>(vec({1}), {vec({0.3})}, density_fn::lccdf).lp == -inf);
  check_lpdf_partials<bernoulli_fn>(vec({0, 0}), {vec({0.3, 0.8})}, false, 1e-6, density_fn::lcdf);
  check_lpdf_partials<bernoulli_fn>(vec({0}), {vec({0.3})}, false, 1e-6, density_fn::lccdf);
}

TEST_CASE("binomial and binomial_logit match Boost.Math at extreme N and theta", "[dist][binomial]") {
  struct pt {
    double y, n, theta;
  };
  const std::vector<pt> pts{{0, 10, 0.3},       {10, 10, 0.3},     {4, 10, 0.3},      {0, 20, 1e-12},
                            {20, 20, 1 - 1e-9}, {3, 1e6, 2e-6},    {500000, 1e6, 0.5}, {1, 1, 0.999},
                            {12, 40, 0.25},     {999, 1000, 0.001}};
  for (auto [y, n, t] : pts) {
    INFO("y " << y << ", N " << n << ", theta " << t);
    const double ref = static_cast<double>(std::log(bm::pdf(bm::binomial_distribution<ld>(n, t), static_cast<ld>(y))));
    // log C(N, y) is a difference of log factorials: its error is relative to log(N!).
    const double scale = std::lgamma(n + 1) + std::abs(y * std::log(t)) + std::abs((n - y) * std::log1p(-t));
    CHECK(call_lpdf<binomial_fn>(vec({y}), {vec({n}), vec({t})}).lp == Approx(ref).epsilon(1e-12).margin(1e-15 + 4e-16 * scale));
    const double a = std::log(t) - std::log1p(-t);
    CHECK(call_lpdf<binomial_logit_fn>(vec({y}), {vec({n}), vec({a})}).lp ==
          Approx(ref).epsilon(1e-9).margin(4e-16 * scale + 1e-14));
    CHECK(float_lpdf<binomial_fn>(as_int(vec({y})), n, t) == Approx(ref).epsilon(2e-6).margin(1e-5 + 2e-7 * scale));
  }
  // Vector N and theta.
  const Eigen::VectorXd y = vec({0, 3, 7, 2}), n = vec({5, 3, 20, 2}), t = vec({0.4, 0.9, 0.33, 0.5});
  double ref = 0;
  for (int i = 0; i < 4; ++i) ref += std::log(bm::pdf(bm::binomial_distribution<>(n[i], t[i]), y[i]));
  CHECK(call_lpdf<binomial_fn>(y, {n, t}).lp == Approx(ref).epsilon(1e-13));
  CHECK(call_lpdf<binomial_logit_fn>(y, {n, Eigen::VectorXd((t.array() / (1 - t.array())).log())}).lp ==
        Approx(ref).epsilon(1e-12));
  // Logits of +-800: inv_logit is 0 or 1 in double, the log pmf is still exact.
  CHECK(call_lpdf<binomial_logit_fn>(vec({5}), {vec({5}), vec({800.0})}).lp == Approx(0.0).margin(1e-300));
  CHECK(call_lpdf<binomial_logit_fn>(vec({5}), {vec({5}), vec({-800.0})}).lp == Approx(-4000.0).epsilon(1e-15));
  CHECK(call_lpdf<binomial_logit_fn>(vec({0, 2}), {vec({5, 2}), vec({-800.0, 800.0})}).lp ==
        Approx(0.0).margin(1e-300));
  const auto r = call_lpdf<binomial_logit_fn>(vec({2}), {vec({5}), vec({-800.0})});
  CHECK(r.lp == Approx(-1600 + std::log(10.0)).epsilon(1e-15));
  CHECK(r.dargs[1][0] == Approx(2.0));
  // Degenerate theta, invalid counts and probabilities.
  CHECK(call_lpdf<binomial_fn>(vec({0}), {vec({7}), vec({0.0})}).lp == 0.0);
  CHECK(call_lpdf<binomial_fn>(vec({7}), {vec({7}), vec({1.0})}).lp == 0.0);
  CHECK(call_lpdf<binomial_fn>(vec({1}), {vec({7}), vec({0.0})}).lp == -inf);
  CHECK(call_lpdf<binomial_fn>(vec({8}), {vec({7}), vec({0.5})}).lp == -inf);
  CHECK(call_lpdf<binomial_fn>(vec({1}), {vec({7.5}), vec({0.5})}).lp == -inf);
  CHECK(call_lpdf<binomial_fn>(vec({1}), {vec({7}), vec({1.01})}).lp == -inf);
  CHECK(call_lpdf<binomial_logit_fn>(vec({1}), {vec({7}), vec({inf})}).lp == -inf);
  rng g(5);
  for (int rep = 0; rep < 3; ++rep) {
    const Eigen::VectorXd yy = random_counts(g, 5, 10);
    const Eigen::VectorXd nn = yy.array() + random_counts(g, 5, 10).array();
    check_arg_partials<binomial_fn>(yy, {nn, random_values(g, 5, 0.05, 0.95)}, 1);
    check_arg_partials<binomial_fn>(yy, {nn, random_values(g, 1, 0.05, 0.95)}, 1);
    check_arg_partials<binomial_fn>(yy, {vec({25}), random_values(g, 5, 0.05, 0.95)}, 1);
    check_arg_partials<binomial_logit_fn>(yy, {nn, random_values(g, 5, -3, 3)}, 1);
    check_arg_partials<binomial_logit_fn>(yy, {nn, random_values(g, 1, -3, 3)}, 1);
  }
}

TEST_CASE("binomial lcdf and lccdf match Boost.Math into the far tails", "[dist][binomial]") {
  struct pt {
    double y, n, theta;
  };
  const std::vector<pt> pts{{0, 10, 0.3},  {4, 10, 0.3},   {9, 10, 0.3},    {0, 1000, 0.5}, {990, 1000, 0.5},
                            {2, 2000, 0.4}, {1990, 2000, 0.6}, {30, 100, 0.3}, {800, 1e5, 0.01}};
  for (auto [y, n, t] : pts) {
    INFO("y " << y << ", N " << n << ", theta " << t);
    const bm::binomial_distribution<ld> d(n, t);
    const double lc = static_cast<double>(std::log(bm::cdf(d, static_cast<ld>(y))));
    const double lcc = static_cast<double>(std::log(bm::cdf(bm::complement(d, static_cast<ld>(y)))));
    CHECK(call_lpdf<binomial_fn>(vec({y}), {vec({n}), vec({t})}, density_fn::lcdf).lp ==
          Approx(lc).epsilon(1e-10).margin(1e-14));
    CHECK(call_lpdf<binomial_fn>(vec({y}), {vec({n}), vec({t})}, density_fn::lccdf).lp ==
          Approx(lcc).epsilon(1e-10).margin(1e-14));
    const double a = std::log(t) - std::log1p(-t);
    CHECK(call_lpdf<binomial_logit_fn>(vec({y}), {vec({n}), vec({a})}, density_fn::lcdf).lp ==
          Approx(lc).epsilon(1e-8).margin(1e-12));
    check_arg_partials<binomial_fn>(vec({y}), {vec({n}), vec({t})}, 1, 1e-6, density_fn::lcdf);
    check_arg_partials<binomial_fn>(vec({y}), {vec({n}), vec({t})}, 1, 1e-6, density_fn::lccdf);
    check_arg_partials<binomial_logit_fn>(vec({y}), {vec({n}), vec({a})}, 1, 1e-6, density_fn::lccdf);
  }
  CHECK(call_lpdf<binomial_fn>(vec({10}), {vec({10}), vec({0.3})}, density_fn::lcdf).lp == 0.0);
  CHECK(call_lpdf<binomial_fn>(vec({10}), {vec({10}), vec({0.3})}, density_fn::lccdf).lp == -inf);
}

TEST_CASE("neg_binomial_2 matches Boost.Math and tends to poisson as phi grows", "[dist][neg_binomial_2]") {
  // Small to huge dispersion, small to huge means and counts.
  const std::vector<std::array<double, 3>> pts{{0, 3, 0.5},   {5, 3, 0.5},   {0, 2.5, 40},    {7, 2.5, 40},
                                               {40, 20, 20},  {3, 1e-3, 2},  {120, 100, 1e3}, {1000, 900, 30},
                                               {25, 30, 1e-3}, {60, 50, 1e5}, {17, 12, 16.5}};
  for (auto [y, mu, phi] : pts) {
    INFO("y " << y << ", mu " << mu << ", phi " << phi);
    const bm::negative_binomial_distribution<ld> d(phi, phi / (mu + phi));
    const double ref = static_cast<double>(std::log(bm::pdf(d, static_cast<ld>(y))));
    CHECK(call_lpdf<neg_binomial_2_fn>(vec({y}), {vec({mu}), vec({phi})}).lp == Approx(ref).epsilon(1e-11));
    CHECK(call_lpdf<neg_binomial_2_log_fn>(vec({y}), {vec({std::log(mu)}), vec({phi})}).lp ==
          Approx(ref).epsilon(1e-11));
    CHECK(float_lpdf<neg_binomial_2_fn>(as_int(vec({y})), mu, phi) == Approx(ref).epsilon(1e-5).margin(1e-3));
  }
  // phi -> infinity: the Poisson pmf, with no cancellation left in the lgamma differences.
  const Eigen::VectorXd y = vec({0, 1, 4, 9, 30, 17, 200});
  for (double mu : {0.7, 12.0, 180.0}) {
    const double ref = call_lpdf<poisson_fn>(y, {vec({mu})}).lp;
    CHECK(call_lpdf<neg_binomial_2_fn>(y, {vec({mu}), vec({1e15})}).lp == Approx(ref).epsilon(1e-12));
    CHECK(call_lpdf<neg_binomial_2_fn>(y, {vec({mu}), vec({1e300})}).lp == Approx(ref).epsilon(1e-13));
    CHECK(call_lpdf<neg_binomial_2_log_fn>(y, {vec({std::log(mu)}), vec({1e15})}).lp == Approx(ref).epsilon(1e-12));
    // d/dphi vanishes like 1 / phi^2.
    CHECK(std::abs(call_lpdf<neg_binomial_2_fn>(y, {vec({mu}), vec({1e15})}).dargs[1][0]) < 1e-20);
  }
  // Vector mu and phi agree with the element sums; the scalar-phi table path with many counts.
  const Eigen::VectorXd mus = vec({1, 2, 5, 8, 20, 15, 150}), phis = vec({0.5, 3, 40, 2, 1e4, 17, 25});
  double ref = 0, ref_s = 0;
  for (int i = 0; i < 7; ++i) {
    ref += std::log(bm::pdf(bm::negative_binomial_distribution<>(phis[i], phis[i] / (mus[i] + phis[i])), y[i]));
    ref_s += std::log(bm::pdf(bm::negative_binomial_distribution<>(3.5, 3.5 / (mus[i] + 3.5)), y[i]));
  }
  CHECK(call_lpdf<neg_binomial_2_fn>(y, {mus, phis}).lp == Approx(ref).epsilon(1e-12));
  CHECK(call_lpdf<neg_binomial_2_fn>(y, {mus, vec({3.5})}).lp == Approx(ref_s).epsilon(1e-12));
  Eigen::VectorXd many(300);
  for (Eigen::Index i = 0; i < many.size(); ++i) many[i] = static_cast<double>((i * 7) % 40);
  double ref_many = 0;
  for (double v : many) ref_many += std::log(bm::pdf(bm::negative_binomial_distribution<>(2.5, 2.5 / 12.5), v));
  CHECK(call_lpdf<neg_binomial_2_fn>(many, {vec({10.0}), vec({2.5})}).lp == Approx(ref_many).epsilon(1e-12));
  // Partials at random points, every scalar/vector combination, small and large counts and phi.
  rng g(3);
  for (int rep = 0; rep < 3; ++rep) {
    const Eigen::VectorXd yy = random_counts(g, 5, rep == 2 ? 60 : 12);
    for (auto [lo, hi] : {std::pair{0.3, 5.0}, std::pair{15.0, 60.0}}) {
      check_lpdf_partials<neg_binomial_2_fn>(yy, {random_values(g, 5, 0.5, 20), random_values(g, 5, lo, hi)}, false);
      check_lpdf_partials<neg_binomial_2_fn>(yy, {random_values(g, 1, 0.5, 20), random_values(g, 1, lo, hi)}, false);
      check_lpdf_partials<neg_binomial_2_fn>(yy, {random_values(g, 5, 0.5, 20), random_values(g, 1, lo, hi)}, false);
      check_lpdf_partials<neg_binomial_2_log_fn>(yy, {random_values(g, 5, -1, 3), random_values(g, 5, lo, hi)}, false);
      check_lpdf_partials<neg_binomial_2_log_fn>(yy, {random_values(g, 1, -1, 3), random_values(g, 1, lo, hi)}, false);
      check_lpdf_partials<neg_binomial_2_log_fn>(yy, {random_values(g, 5, -1, 3), random_values(g, 1, lo, hi)}, false);
    }
  }
  CHECK(call_lpdf<neg_binomial_2_fn>(y, {vec({0.0}), vec({1.0})}).lp == -inf);
  CHECK(call_lpdf<neg_binomial_2_fn>(y, {vec({1.0}), vec({-1.0})}).lp == -inf);
  CHECK(call_lpdf<neg_binomial_2_fn>(y, {vec({1.0}), vec({inf})}).lp == -inf);
  CHECK(call_lpdf<neg_binomial_2_log_fn>(y, {vec({inf}), vec({1.0})}).lp == -inf);
  CHECK(call_lpdf<neg_binomial_2_log_fn>(y, {vec({1, 1, 1, 1, 1, 1, 1}), vec({1, 1, 1, 0, 1, 1, 1})}).lp == -inf);
}

TEST_CASE("geometric counts failures and matches Boost.Math", "[dist][geometric]") {
  for (auto [y, p] : std::vector<std::pair<double, double>>{{0, 0.3}, {5, 0.3}, {0, 1.0}, {1000, 1e-3}, {3, 1e-12}, {50, 0.9}}) {
    INFO("y " << y << ", p " << p);
    if (p == 1) {  // all mass at 0 (Boost's cdf overflows there)
      CHECK(call_lpdf<geometric_fn>(vec({y}), {vec({p})}).lp == 0.0);
      CHECK(call_lpdf<geometric_fn>(vec({y}), {vec({p})}, density_fn::lcdf).lp == 0.0);
      CHECK(call_lpdf<geometric_fn>(vec({y}), {vec({p})}, density_fn::lccdf).lp == -inf);
      continue;
    }
    const bm::geometric_distribution<ld> d(p);
    const double ref = static_cast<double>(std::log(bm::pdf(d, static_cast<ld>(y))));
    CHECK(call_lpdf<geometric_fn>(vec({y}), {vec({p})}).lp == Approx(ref).epsilon(1e-12).margin(1e-15));
    CHECK(float_lpdf<geometric_fn>(as_int(vec({y})), p) == Approx(ref).epsilon(1e-5).margin(1e-5));
    const double lc = static_cast<double>(std::log(bm::cdf(d, static_cast<ld>(y))));
    const double lcc = static_cast<double>(std::log(bm::cdf(bm::complement(d, static_cast<ld>(y)))));
    CHECK(call_lpdf<geometric_fn>(vec({y}), {vec({p})}, density_fn::lcdf).lp == Approx(lc).epsilon(1e-12).margin(1e-15));
    CHECK(call_lpdf<geometric_fn>(vec({y}), {vec({p})}, density_fn::lccdf).lp == Approx(lcc).epsilon(1e-12).margin(1e-15));
    if (p <= 1e-3) continue;  // finite differences need steps well below p
    check_lpdf_partials<geometric_fn>(vec({y}), {vec({p})}, false, 1e-6, density_fn::lcdf);
    check_lpdf_partials<geometric_fn>(vec({y}), {vec({p})}, false, 1e-6, density_fn::lccdf);
  }
  const Eigen::VectorXd y = vec({0, 2, 7, 1});
  check_lpdf_partials<geometric_fn>(y, {vec({0.2, 0.5, 0.05, 0.8})}, false);
  check_lpdf_partials<geometric_fn>(y, {vec({0.35})}, false);
  CHECK(call_lpdf<geometric_fn>(vec({1}), {vec({1.0})}).lp == -inf);
  CHECK(call_lpdf<geometric_fn>(y, {vec({0.0})}).lp == -inf);
  CHECK(call_lpdf<geometric_fn>(y, {vec({0.2, 0.5, 1.2, 0.8})}).lp == -inf);
}

TEST_CASE("categorical and categorical_logit: 1-based outcomes sharing one probability vector",
          "[dist][categorical]") {
  const Eigen::VectorXd y = vec({1, 3, 3, 2, 3, 1});
  const Eigen::VectorXd theta = vec({0.2, 0.5, 0.3});
  const double ref = 2 * std::log(0.2) + std::log(0.5) + 3 * std::log(0.3);
  const auto r = call_lpdf<categorical_fn>(y, {theta});
  CHECK(r.lp == Approx(ref).epsilon(1e-14));
  CHECK(r.dargs[0][0] == Approx(2 / 0.2));
  CHECK(r.dargs[0][2] == Approx(3 / 0.3));
  // A one-category theta is still taken whole.
  CHECK(call_lpdf<categorical_fn>(vec({1, 1}), {vec({1.0})}).lp == 0.0);
  CHECK(call_lpdf<categorical_fn>(vec({2}), {vec({1.0})}).lp == -inf);
  CHECK(call_lpdf<categorical_fn>(vec({4}), {theta}).lp == -inf);
  CHECK(call_lpdf<categorical_fn>(vec({0}), {theta}).lp == -inf);
  CHECK(call_lpdf<categorical_fn>(y, {vec({0.2, 0.5, 0.31})}).lp == -inf);  // not a simplex
  CHECK(call_lpdf<categorical_fn>(y, {vec({-0.2, 0.9, 0.3})}).lp == -inf);
  CHECK(call_lpdf<categorical_fn>(vec({2}), {vec({0.0, 1.0})}).lp == 0.0);
  // Softmax: beta = log(theta) + c for any c.
  const Eigen::VectorXd beta = (theta.array().log() + 4.2).matrix();
  CHECK(call_lpdf<categorical_logit_fn>(y, {beta}).lp == Approx(ref).epsilon(1e-13));
  check_lpdf_partials<categorical_logit_fn>(y, {vec({0.3, -1.2, 2.0, 0.0})}, false);
  check_lpdf_partials<categorical_logit_fn>(vec({1, 1, 1}), {vec({0.7})}, false);
  // Logits of +-800 stay finite: log softmax(800, -800)[2] = -1600.
  const auto e = call_lpdf<categorical_logit_fn>(vec({2, 1}), {vec({800.0, -800.0})});
  CHECK(e.lp == Approx(-1600.0).epsilon(1e-15));
  CHECK(e.dargs[0][0] == Approx(-1.0));
  CHECK(e.dargs[0][1] == Approx(1.0));
  CHECK(call_lpdf<categorical_logit_fn>(y, {vec({0.0, inf, 1.0})}).lp == -inf);
  // The float instantiation.
  Eigen::VectorXf bf = beta.cast<float>(), gf = Eigen::VectorXf::Zero(3);
  const Eigen::VectorXi yi = as_int(y);
  vector_view<int, float, false> yv{yi.data(), nullptr};
  vector_view<float, float, true> bv{bf.data(), gf.data()};
  bv.size = 3;
  CHECK(categorical_logit_fn::lpdf(6, yv, bv) == Approx(ref).epsilon(1e-6));
  CHECK(gf[2] == Approx(r.dargs[0][2] * 0.3 - 6 * 0.3).margin(1e-5));  // count - n softmax
}

TEST_CASE("discrete generators match their pmfs (chi-square and mean)", "[dist][rng]") {
  constexpr std::size_t n = 20000;
  for (double l : {0.0, 0.7, 6.0, 10.0, 55.0, 2500.0}) {
    const auto x = test::draw_many(n, 101, [&](rng& g) { return poisson_fn::generate(g, l); });
    if (l == 0) {
      CHECK(*std::max_element(x.begin(), x.end()) == 0.0);
      continue;
    }
    test::check_chi_square(x, [&](int k) { return bm::pdf(bm::poisson_distribution<>(l), k); }, 0, "poisson");
    test::check_mean(x, l, std::sqrt(l), "poisson");
  }
  const auto xl = test::draw_many(n, 102, [](rng& g) { return poisson_log_fn::generate(g, std::log(30.0)); });
  test::check_mean(xl, 30, std::sqrt(30.0), "poisson_log");
  for (auto [nn, p] : std::vector<std::pair<double, double>>{{10, 0.3}, {50, 0.9}, {1000, 0.3}, {200, 0.5}, {1e6, 0.7}}) {
    const auto x = test::draw_many(n, 103, [&](rng& g) { return binomial_fn::generate(g, nn, p); });
    test::check_chi_square(x, [&](int k) { return bm::pdf(bm::binomial_distribution<>(nn, p), k); }, 0, "binomial");
    test::check_mean(x, nn * p, std::sqrt(nn * p * (1 - p)), "binomial");
  }
  const auto xb = test::draw_many(n, 104, [](rng& g) { return binomial_logit_fn::generate(g, 40, 0.5); });
  test::check_mean(xb, 40 / (1 + std::exp(-0.5)), std::sqrt(40 * 0.25), "binomial_logit");
  for (auto [mu, phi] : std::vector<std::pair<double, double>>{{4, 2}, {200, 5}, {3, 0.4}}) {
    const auto x = test::draw_many(n, 105, [&](rng& g) { return neg_binomial_2_fn::generate(g, mu, phi); });
    const bm::negative_binomial_distribution<> d(phi, phi / (mu + phi));
    test::check_chi_square(x, [&](int k) { return bm::pdf(d, k); }, 0, "neg_binomial_2");
    test::check_mean(x, mu, std::sqrt(mu + mu * mu / phi), "neg_binomial_2");
  }
  const auto xn = test::draw_many(n, 106, [](rng& g) { return neg_binomial_2_log_fn::generate(g, std::log(8.0), 3); });
  test::check_mean(xn, 8, std::sqrt(8 + 64 / 3.0), "neg_binomial_2_log");
  for (double p : {0.3, 0.02, 1.0}) {
    const auto x = test::draw_many(n, 107, [&](rng& g) { return geometric_fn::generate(g, p); });
    test::check_chi_square(x, [&](int k) { return bm::pdf(bm::geometric_distribution<>(p), k); }, 0, "geometric");
    test::check_mean(x, (1 - p) / p, std::sqrt(1 - p) / p + 1e-12, "geometric");
  }
  for (double t : {0.3, 0.97}) {
    const auto x = test::draw_many(n, 108, [&](rng& g) { return bernoulli_fn::generate(g, t); });
    test::check_chi_square(x, [&](int k) { return k == 1 ? t : k == 0 ? 1 - t : 0.0; }, 0, "bernoulli");
    const auto xa = test::draw_many(n, 109, [&](rng& g) { return bernoulli_logit_fn::generate(g, std::log(t / (1 - t))); });
    test::check_chi_square(xa, [&](int k) { return k == 1 ? t : k == 0 ? 1 - t : 0.0; }, 0, "bernoulli_logit");
  }
  const std::vector<double> theta{0.1, 0.0, 0.45, 0.3, 0.15};
  const auto xc = test::draw_many(n, 110, [&](rng& g) { return categorical_fn::generate(g, theta); });
  CHECK(std::count(xc.begin(), xc.end(), 2.0) == 0);
  test::check_chi_square(xc, [&](int k) { return k >= 1 && k <= 5 ? theta[static_cast<std::size_t>(k - 1)] : 0.0; }, 1,
                         "categorical");
  std::vector<double> beta;
  for (double t : theta) beta.push_back(std::log(t) + 700);  // log(0) = -inf is refused: use -700 there
  beta[1] = -700;
  const auto xcl = test::draw_many(n, 111, [&](rng& g) { return categorical_logit_fn::generate(g, beta); });
  test::check_chi_square(xcl, [&](int k) { return k >= 1 && k <= 5 ? theta[static_cast<std::size_t>(k - 1)] : 0.0; }, 1,
                         "categorical_logit");
  rng g(1);
  CHECK(std::isnan(poisson_fn::generate(g, -1)));
  CHECK(std::isnan(binomial_fn::generate(g, 3.5, 0.5)));
  CHECK(std::isnan(neg_binomial_2_fn::generate(g, 1, 0)));
  CHECK(std::isnan(geometric_fn::generate(g, 0)));
}

TEST_CASE("count data outside the support are rejected when the model is built", "[dist][model]") {
  using Catch::Contains;
  auto a = param<"a">(normal(0.0, 1.0));
  CHECK_THROWS_WITH(model(a, observe<"y">(poisson_log(a), vec({0, 2, -1}))),
                    Contains("observe<\"y\">") && Contains("element 2") && Contains("poisson_log"));
  CHECK_THROWS_WITH(model(a, observe<"y">(neg_binomial_2_log(a, 2.0), vec({0, 2.5}))),
                    Contains("observe<\"y\">") && Contains("element 1"));
  CHECK_THROWS_WITH(model(a, observe<"k">(categorical_logit(vec({0.0, 1.0})), vec({1, 0}))),
                    Contains("observe<\"k\">") && Contains("element 1") && Contains("categorical_logit"));
  CHECK_THROWS_WITH(model(a, observe<"b">(bernoulli(0.5), vec({1, 2}))), Contains("element 1") && Contains("bernoulli"));
  CHECK_THROWS_WITH(model(a, observe<"y">(binomial(vec({3, 2.5}), 0.5), vec({1, 2}))),
                    Contains("binomial: argument N") && Contains("non-negative integer") && Contains("element 1"));
  CHECK_THROWS_WITH(model(a, observe<"y">(poisson(-1.0), vec({1}))), Contains("lambda"));
}

TEST_CASE("a model with count likelihoods has gradients matching finite differences", "[dist][model]") {
  rng g(21);
  constexpr int n = 12;
  Eigen::MatrixXd X(n, 2);
  for (auto& v : X.reshaped()) v = g.uniform(-1, 1);
  Eigen::VectorXd trials(n);
  Eigen::VectorXi counts(n), successes(n), over(n), outcome(n);
  for (int i = 0; i < n; ++i) {
    trials[i] = 5 + i;
    counts[i] = static_cast<int>(g.below(9));
    successes[i] = static_cast<int>(g.below(static_cast<std::uint64_t>(trials[i]) + 1));
    over[i] = static_cast<int>(g.below(30));
    outcome[i] = 1 + static_cast<int>(g.below(3));
  }
  auto a = param<"a">(normal(0.0, 1.0));
  auto b = param<"b">(normal(0.0, 1.0), 2);
  auto phi = param<"phi">(exponential(0.5));
  auto beta = param<"beta">(normal(0.0, 2.0), 3);
  auto theta = param<"theta">(dirichlet(Eigen::VectorXd::Constant(3, 2.0)), 3);
  auto mu = param<"mu">(exponential(0.2));
  const auto m = model(a, b, phi, beta, theta, mu, observe<"counts">(poisson_log(a + X * b), counts),
                       observe<"successes">(binomial_logit(trials, a + X * b), successes),
                       observe<"over">(neg_binomial_2_log(a + X * b, phi), over),
                       observe<"over2">(neg_binomial_2(mu, phi), over), observe<"outcome">(categorical_logit(beta), outcome),
                       observe<"outcome2">(categorical(theta), outcome));
  const auto c = compile<double>(m);
  test::check_gradient(c, 3, 1e-6, 42, 1.0);
  test::check_float_matches_double(c, compile<float>(m));
}
