// The real-line batch of families: logistic, double_exponential, gumbel, skew_normal,
// exp_mod_normal, uniform. Each is checked against Boost.Math or a closed form (double and
// float), its partials against finite differences, its log CDFs in the far tails, its generator
// by a Kolmogorov-Smirnov test, and a model using them has an exact gradient.
#include <boost/math/distributions/extreme_value.hpp>
#include <boost/math/distributions/laplace.hpp>
#include <boost/math/distributions/logistic.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/skew_normal.hpp>
#include <boost/math/distributions/uniform.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <exmc/dist/double_exponential.hpp>
#include <exmc/dist/exp_mod_normal.hpp>
#include <exmc/dist/gumbel.hpp>
#include <exmc/dist/logistic.hpp>
#include <exmc/dist/skew_normal.hpp>
#include <exmc/dist/uniform.hpp>

#include "../support/gradient_check.hpp"
#include "lpdf_harness.hpp"
#include "rng_check.hpp"

using namespace exmc;
using test::call_lpdf;
using test::check_lpdf_partials;
using test::density_fn;
using test::vec;

namespace bm = boost::math;
namespace bq = boost::math::quadrature;

namespace {

constexpr double ninf = -math::inf<double>;

// Sum over x of log(f(x)), the reference for a summed log density or log CDF.
template <class F>
double sum_log(const Eigen::VectorXd& x, F&& f) {
  double s = 0;
  for (double xi : x) s += std::log(f(xi));
  return s;
}

// lpdf, lcdf and lccdf partials at scalar and vector arguments. `scalar` are the argument values
// for the fast path; `vectors` one vector per argument (all of x's size) for the general one.
template <class Fn>
void check_all_partials(const Eigen::VectorXd& x, const std::vector<Eigen::VectorXd>& scalar,
                        const std::vector<Eigen::VectorXd>& vectors, double tol = 1e-6) {
  for (density_fn which : {density_fn::lpdf, density_fn::lcdf, density_fn::lccdf}) {
    INFO("function " << static_cast<int>(which));
    check_lpdf_partials<Fn>(x, scalar, true, tol, which);
    check_lpdf_partials<Fn>(x, vectors, true, tol, which);
    // One vector argument among scalars: the mixed paths.
    for (std::size_t k = 0; k < scalar.size(); ++k) {
      auto mixed = scalar;
      mixed[k] = vectors[k];
      check_lpdf_partials<Fn>(x, mixed, true, tol, which);
    }
  }
}

// The float instantiation with scalar arguments (the fast path) against double at the same
// rounded inputs: log density to float precision of its terms, partials to 1e-4 relative.
template <class Fn, std::size_t K>
void check_float(const Eigen::VectorXd& x, const std::array<double, K>& args) {
  const Eigen::VectorXf xf = x.cast<float>();
  Eigen::VectorXf gx = Eigen::VectorXf::Zero(xf.size());
  vector_view<float, float, true> xv{xf.data(), gx.data()};
  auto views = std::apply([](auto... a) { return std::make_tuple(scalar_view<float, true>{static_cast<float>(a)}...); }, args);
  const double lp = std::apply([&](auto&... v) { return Fn::lpdf(xf.size(), xv, v...); }, views);
  std::vector<Eigen::VectorXd> dargs;
  for (double a : args) dargs.push_back(vec({static_cast<double>(static_cast<float>(a))}));
  const auto r = call_lpdf<Fn>(xf.cast<double>(), dargs);
  INFO(Fn::name << " in float");
  CHECK(lp == Approx(r.lp).epsilon(1e-5).margin(1e-4));
  for (Eigen::Index i = 0; i < x.size(); ++i) CHECK(gx[i] == Approx(r.dx[i]).epsilon(1e-4).margin(1e-4));
  std::vector<double> acc;
  std::apply([&](const auto&... v) { (acc.push_back(v.acc), ...); }, views);
  for (std::size_t k = 0; k < K; ++k) CHECK(acc[k] == Approx(r.dargs[k][0]).epsilon(1e-4).margin(1e-4));
}

template <class Fn>
double lcdf_of(const Eigen::VectorXd& x, const std::vector<Eigen::VectorXd>& a) {
  return call_lpdf<Fn>(x, a, density_fn::lcdf).lp;
}
template <class Fn>
double lccdf_of(const Eigen::VectorXd& x, const std::vector<Eigen::VectorXd>& a) {
  return call_lpdf<Fn>(x, a, density_fn::lccdf).lp;
}

}  // namespace

TEST_CASE("logistic matches Boost.Math; partials, log CDFs and generator", "[dist][real_line]") {
  const Eigen::VectorXd x = vec({-40.0, -1.3, 0.0, 0.2, 3.0, 500.0});
  for (double s : {1e-3, 0.8, 1.0, 300.0}) {
    for (double mu : {-2.0, 0.4}) {
      const bm::logistic d(mu, s);
      const double ref = sum_log(x, [&](double v) { return bm::pdf(d, v); });
      if (std::isfinite(ref)) CHECK(call_lpdf<logistic_fn>(x, {vec({mu}), vec({s})}).lp == Approx(ref).epsilon(1e-10));
      // Where Boost's CDF is a normal double (the tails are checked against closed forms below).
      const Eigen::VectorXd xm = x.segment(1, 4);
      const double rc = sum_log(xm, [&](double v) { return bm::cdf(d, v); });
      if (std::isfinite(rc)) CHECK(lcdf_of<logistic_fn>(xm, {vec({mu}), vec({s})}) == Approx(rc).epsilon(1e-10).margin(1e-300));
      const double rcc = sum_log(xm, [&](double v) { return bm::cdf(bm::complement(d, v)); });
      if (std::isfinite(rcc)) CHECK(lccdf_of<logistic_fn>(xm, {vec({mu}), vec({s})}) == Approx(rcc).epsilon(1e-10).margin(1e-300));
    }
  }
  // Far tails, where exp(-z) overflows and the CDF underflows: log density -|z| - 2 log1p(e^-|z|) - log s.
  CHECK(call_lpdf<logistic_fn>(vec({-2000.0}), {vec({0.0}), vec({1.0})}).lp == Approx(-2000.0).epsilon(1e-15));
  CHECK(lcdf_of<logistic_fn>(vec({-2000.0}), {vec({0.0}), vec({1.0})}) == Approx(-2000.0).epsilon(1e-15));
  CHECK(lccdf_of<logistic_fn>(vec({900.0}), {vec({0.0}), vec({0.5})}) == Approx(-1800.0).epsilon(1e-15));
  CHECK(lccdf_of<logistic_fn>(vec({-50.0}), {vec({0.0}), vec({1.0})}) == Approx(-std::exp(-50.0)).epsilon(1e-12));

  const Eigen::VectorXd xp = vec({-2.1, 0.3, 1.7});
  check_all_partials<logistic_fn>(xp, {vec({0.2}), vec({1.3})}, {vec({0.2, -0.5, 1.0}), vec({1.3, 0.4, 2.2})});
  check_float<logistic_fn>(x.segment(1, 4), std::array<double, 2>{0.4, 0.8});
  CHECK(call_lpdf<logistic_fn>(xp, {vec({0.0}), vec({0.0})}).lp == ninf);
  CHECK(call_lpdf<logistic_fn>(xp, {vec({0.0}), vec({1.0, -1.0, 1.0})}).lp == ninf);
  CHECK(lcdf_of<logistic_fn>(xp, {vec({0.0}), vec({-1.0})}) == ninf);

  const bm::logistic d(1.5, 0.7);
  const auto draws = test::draw_many(20000, 11, [](rng& g) { return logistic_fn::generate(g, 1.5, 0.7); });
  test::check_ks(draws, [&](double v) { return bm::cdf(d, v); }, "logistic");
  test::check_mean(draws, 1.5, 0.7 * M_PI / std::sqrt(3.0), "logistic");
}

TEST_CASE("double_exponential matches Boost.Math's Laplace; partials, log CDFs and generator", "[dist][real_line]") {
  const Eigen::VectorXd x = vec({-30.0, -1.0, 0.5, 0.75, 4.0, 200.0});
  for (double s : {1e-3, 0.6, 50.0}) {
    for (double mu : {0.5, -3.0}) {
      const bm::laplace d(mu, s);
      const double ref = sum_log(x, [&](double v) { return bm::pdf(d, v); });
      const double exact = -static_cast<double>(x.size()) * std::log(2 * s) - (x.array() - mu).abs().sum() / s;
      CHECK(call_lpdf<double_exponential_fn>(x, {vec({mu}), vec({s})}).lp == Approx(exact).epsilon(1e-13));
      if (std::isfinite(ref)) CHECK(exact == Approx(ref).epsilon(1e-10));
      const Eigen::VectorXd xm = x.segment(1, 4);
      const double rc = sum_log(xm, [&](double v) { return bm::cdf(d, v); });
      if (std::isfinite(rc)) CHECK(lcdf_of<double_exponential_fn>(xm, {vec({mu}), vec({s})}) == Approx(rc).epsilon(1e-10));
      const double rcc = sum_log(xm, [&](double v) { return bm::cdf(bm::complement(d, v)); });
      if (std::isfinite(rcc)) CHECK(lccdf_of<double_exponential_fn>(xm, {vec({mu}), vec({s})}) == Approx(rcc).epsilon(1e-10));
    }
  }
  // Tails: log CDF = z - log 2 below mu, log CCDF = -z - log 2 above, at any distance.
  CHECK(lcdf_of<double_exponential_fn>(vec({-1e4}), {vec({0.0}), vec({2.0})}) == Approx(-5000.0 - std::log(2.0)).epsilon(1e-15));
  CHECK(lccdf_of<double_exponential_fn>(vec({1e4}), {vec({0.0}), vec({2.0})}) == Approx(-5000.0 - std::log(2.0)).epsilon(1e-15));
  CHECK(lccdf_of<double_exponential_fn>(vec({-60.0}), {vec({0.0}), vec({1.0})}) ==
        Approx(-0.5 * std::exp(-60.0)).epsilon(1e-12));

  // The kink at x == mu is avoided: finite differences need a smooth neighbourhood.
  const Eigen::VectorXd xp = vec({-2.1, 0.3, 1.7});
  check_all_partials<double_exponential_fn>(xp, {vec({0.2}), vec({1.3})}, {vec({0.2, -0.5, 1.0}), vec({1.3, 0.4, 2.2})});
  check_float<double_exponential_fn>(x.segment(1, 4), std::array<double, 2>{0.1, 0.8});
  CHECK(call_lpdf<double_exponential_fn>(xp, {vec({0.0}), vec({-2.0})}).lp == ninf);
  CHECK(lccdf_of<double_exponential_fn>(xp, {vec({0.0}), vec({1.0, 0.0, 1.0})}) == ninf);

  const bm::laplace d(-1.0, 2.5);
  const auto draws = test::draw_many(20000, 12, [](rng& g) { return double_exponential_fn::generate(g, -1.0, 2.5); });
  test::check_ks(draws, [&](double v) { return bm::cdf(d, v); }, "double_exponential");
  test::check_mean(draws, -1.0, 2.5 * std::sqrt(2.0), "double_exponential");
}

TEST_CASE("gumbel matches Boost.Math's extreme value law; partials, log CDFs and generator", "[dist][real_line]") {
  const Eigen::VectorXd x = vec({-3.0, -0.5, 0.0, 1.2, 8.0, 600.0});
  for (double b : {0.05, 1.0, 3.0, 1e3}) {
    for (double mu : {0.3, -1.0}) {
      const bm::extreme_value d(mu, b);
      const double ref = sum_log(x, [&](double v) { return bm::pdf(d, v); });
      if (std::isfinite(ref)) CHECK(call_lpdf<gumbel_fn>(x, {vec({mu}), vec({b})}).lp == Approx(ref).epsilon(1e-10));
      const Eigen::VectorXd xm = x.segment(1, 4);
      const double rc = sum_log(xm, [&](double v) { return bm::cdf(d, v); });
      if (std::isfinite(rc)) CHECK(lcdf_of<gumbel_fn>(xm, {vec({mu}), vec({b})}) == Approx(rc).epsilon(1e-10));
      const double rcc = sum_log(xm, [&](double v) { return bm::cdf(bm::complement(d, v)); });
      if (std::isfinite(rcc)) CHECK(lccdf_of<gumbel_fn>(xm, {vec({mu}), vec({b})}) == Approx(rcc).epsilon(1e-10));
    }
  }
  // Closed forms where Boost's values underflow: log pdf = -z - e^-z; log CDF = -e^-z;
  // log CCDF = log(1 - exp(-e^-z)) ~ -z far above mu.
  CHECK(call_lpdf<gumbel_fn>(vec({-6.0}), {vec({0.0}), vec({1.0})}).lp == Approx(6.0 - std::exp(6.0)).epsilon(1e-14));
  CHECK(lcdf_of<gumbel_fn>(vec({-6.0}), {vec({0.0}), vec({1.0})}) == Approx(-std::exp(6.0)).epsilon(1e-14));
  CHECK(lccdf_of<gumbel_fn>(vec({800.0}), {vec({0.0}), vec({1.0})}) == Approx(-800.0).epsilon(1e-15));
  CHECK(lccdf_of<gumbel_fn>(vec({-800.0}), {vec({0.0}), vec({1.0})}) == 0.0);
  CHECK(call_lpdf<gumbel_fn>(vec({-800.0}), {vec({0.0}), vec({1.0})}).lp == ninf);

  const Eigen::VectorXd xp = vec({-1.1, 0.3, 2.7});
  check_all_partials<gumbel_fn>(xp, {vec({0.2}), vec({1.3})}, {vec({0.2, -0.5, 1.0}), vec({1.3, 0.4, 2.2})});
  check_float<gumbel_fn>(x.segment(0, 5), std::array<double, 2>{0.3, 1.5});
  CHECK(call_lpdf<gumbel_fn>(xp, {vec({0.0}), vec({-2.0})}).lp == ninf);
  CHECK(lcdf_of<gumbel_fn>(xp, {vec({0.0}), vec({1.0, std::nan(""), 1.0})}) == ninf);

  const bm::extreme_value d(2.0, 0.5);
  const auto draws = test::draw_many(20000, 13, [](rng& g) { return gumbel_fn::generate(g, 2.0, 0.5); });
  test::check_ks(draws, [&](double v) { return bm::cdf(d, v); }, "gumbel");
  test::check_mean(draws, 2.0 + 0.5 * 0.5772156649015329, 0.5 * M_PI / std::sqrt(6.0), "gumbel");
}

TEST_CASE("skew_normal matches Boost.Math; partials, log CDFs and generator", "[dist][real_line]") {
  const Eigen::VectorXd x = vec({-4.0, -0.7, 0.0, 0.9, 5.0});
  for (double a : {-6.0, -1.0, 0.0, 0.5, 4.0}) {
    for (double w : {0.3, 1.0, 20.0}) {
      const bm::skew_normal d(0.2, w, a);
      const double ref = sum_log(x, [&](double v) { return bm::pdf(d, v); });
      if (std::isfinite(ref)) CHECK(call_lpdf<skew_normal_fn>(x, {vec({0.2}), vec({w}), vec({a})}).lp == Approx(ref).epsilon(1e-10));
      // Boost and exmc both take Phi(z) - 2 T(z, a): compared where that difference keeps its
      // digits (both tail probabilities above 1e-5; see the known limit in skew_normal.hpp).
      for (double xi : x.segment(1, 3)) {
        const double c = bm::cdf(d, xi), cc = bm::cdf(bm::complement(d, xi));
        if (c < 1e-5 || cc < 1e-5) continue;
        CHECK(lcdf_of<skew_normal_fn>(vec({xi}), {vec({0.2}), vec({w}), vec({a})}) == Approx(std::log(c)).epsilon(1e-10));
        CHECK(lccdf_of<skew_normal_fn>(vec({xi}), {vec({0.2}), vec({w}), vec({a})}) == Approx(std::log(cc)).epsilon(1e-10));
      }
    }
  }
  // Deep in the short tail Phi(alpha z) underflows; the log density is still
  // log 2 + log phi(z) + log Phi(alpha z) with log Phi(t) ~ -t^2/2 - log(-t sqrt(2 pi)) (1 - 1/t^2 ...).
  {
    const double z = -8.0, a = 10.0, t = a * z;
    const double log_Phi_t = -0.5 * t * t - std::log(-t) - 0.5 * std::log(2 * M_PI) +
                             std::log1p(-1 / (t * t) + 3 / std::pow(t, 4) - 15 / std::pow(t, 6));
    const double ref = std::log(2.0) - 0.5 * z * z - 0.5 * std::log(2 * M_PI) + log_Phi_t;
    CHECK(call_lpdf<skew_normal_fn>(vec({z}), {vec({0.0}), vec({1.0}), vec({a})}).lp == Approx(ref).epsilon(1e-12));
    // The long tail's log CCDF equals the normal's log(2 Phi(-z)) there (T(z, a) is negligible).
    CHECK(lccdf_of<skew_normal_fn>(vec({9.0}), {vec({0.0}), vec({1.0}), vec({a})}) ==
          Approx(std::log(2 * bm::cdf(bm::complement(bm::normal(), 9.0)))).epsilon(1e-12));
  }
  // The short tail, where Phi(z) - 2 T(z, a) cancels: against Gauss-Kronrod quadrature of Boost's
  // density over [z - 60 / r, z] (r: the log density's slope at z, so the rest is below e^-60).
  for (const auto& [z, a] : {std::pair{-0.5, 8.0}, std::pair{-2.0, 3.0}, std::pair{-6.0, 2.0}, std::pair{-3.0, 8.0}}) {
    const bm::skew_normal d(0.0, 1.0, a);
    const double r = -z + a * math::inv_mills(a * z);
    const double scale = bm::pdf(d, z);
    const double area = bq::gauss_kronrod<double, 61>::integrate([&](double t) { return bm::pdf(d, t) / scale; }, z - 60 / r, z, 15, 1e-14);
    INFO("z " << z << ", alpha " << a);
    CHECK(lcdf_of<skew_normal_fn>(vec({z}), {vec({0.0}), vec({1.0}), vec({a})}) == Approx(std::log(scale * area)).epsilon(1e-10));
    // The mirrored law's upper tail is the same number.
    CHECK(lccdf_of<skew_normal_fn>(vec({-z}), {vec({0.0}), vec({1.0}), vec({-a})}) == Approx(std::log(scale * area)).epsilon(1e-10));
    check_lpdf_partials<skew_normal_fn>(vec({z}), {vec({0.0}), vec({1.0}), vec({a})}, true, 1e-6, density_fn::lcdf);
  }
  const Eigen::VectorXd xp = vec({-1.1, 0.3, 1.7});
  check_all_partials<skew_normal_fn>(xp, {vec({0.2}), vec({1.3}), vec({2.0})},
                                     {vec({0.2, -0.5, 1.0}), vec({1.3, 0.4, 2.2}), vec({2.0, -1.5, 0.7})});
  check_float<skew_normal_fn>(x, std::array<double, 3>{0.2, 1.4, -2.0});
  CHECK(call_lpdf<skew_normal_fn>(xp, {vec({0.0}), vec({0.0}), vec({1.0})}).lp == ninf);
  CHECK(lcdf_of<skew_normal_fn>(xp, {vec({0.0}), vec({1.0, -1.0, 1.0}), vec({1.0})}) == ninf);

  const bm::skew_normal d(-1.0, 2.0, 3.0);
  const auto draws = test::draw_many(20000, 14, [](rng& g) { return skew_normal_fn::generate(g, -1.0, 2.0, 3.0); });
  test::check_ks(draws, [&](double v) { return bm::cdf(d, v); }, "skew_normal");
  test::check_mean(draws, bm::mean(d), bm::standard_deviation(d), "skew_normal");
}

namespace {
// Exponentially modified normal in closed form with erfc, independent of the library's log Phi.
double emg_pdf(double x, double mu, double s, double l) {
  return 0.5 * l * std::exp(0.5 * l * (2 * mu + l * s * s - 2 * x)) * std::erfc((mu + l * s * s - x) / (std::sqrt(2.0) * s));
}
double emg_cdf(double x, double mu, double s, double l) {
  const double z = (x - mu) / s;
  const bm::normal std_normal;
  return bm::cdf(std_normal, z) - std::exp(-l * (x - mu) + 0.5 * l * l * s * s) * bm::cdf(std_normal, z - l * s);
}
}  // namespace

TEST_CASE("exp_mod_normal matches its closed form; partials, log CDFs and generator", "[dist][real_line]") {
  const Eigen::VectorXd x = vec({-2.0, 0.1, 0.9, 3.5, 12.0});
  for (double s : {0.2, 1.0, 4.0}) {
    for (double l : {0.1, 1.0, 5.0}) {
      double ref = 0;
      for (double xi : x) ref += std::log(emg_pdf(xi, 0.4, s, l));
      if (std::isfinite(ref))
        CHECK(call_lpdf<exp_mod_normal_fn>(x, {vec({0.4}), vec({s}), vec({l})}).lp == Approx(ref).epsilon(1e-10));
      const Eigen::VectorXd xm = x.segment(1, 3);
      double rc = 0, rcc = 0;
      for (double xi : xm) {
        rc += std::log(emg_cdf(xi, 0.4, s, l));
        rcc += std::log1p(-emg_cdf(xi, 0.4, s, l));
      }
      CHECK(lcdf_of<exp_mod_normal_fn>(xm, {vec({0.4}), vec({s}), vec({l})}) == Approx(rc).epsilon(1e-8));
      CHECK(lccdf_of<exp_mod_normal_fn>(xm, {vec({0.4}), vec({s}), vec({l})}) == Approx(rcc).epsilon(1e-8));
    }
  }
  // lambda sigma >> z: erfc underflows in the closed form, but then the density tends to the
  // normal's (the exponential part is negligible): log pdf -> log lambda - lambda (x - mu) + ...
  // Compare with the exact log form log lambda + lambda (mu - x) + (lambda sigma)^2 / 2 + log Phi(t)
  // through the asymptotic log Phi(t) = -t^2/2 - log(-t sqrt(2 pi)) + log1p(-1/t^2 + 3/t^4 - 15/t^6).
  {
    const double xv = -3.0, s = 3.0, l = 10.0, z = xv / s, t = z - l * s;
    const double log_Phi_t = -0.5 * t * t - std::log(-t) - 0.5 * std::log(2 * M_PI) +
                             std::log1p(-1 / (t * t) + 3 / std::pow(t, 4) - 15 / std::pow(t, 6) + 105 / std::pow(t, 8));
    const double ref = std::log(l) - l * xv + 0.5 * l * l * s * s + log_Phi_t;
    CHECK(call_lpdf<exp_mod_normal_fn>(vec({xv}), {vec({0.0}), vec({s}), vec({l})}).lp == Approx(ref).epsilon(1e-12));
  }
  // Far right tail: CCDF ~ exp(lambda (mu - x) + (lambda sigma)^2 / 2); far left: CDF ~ phi(z) (1/|z| - 1/|t|).
  CHECK(lccdf_of<exp_mod_normal_fn>(vec({1000.0}), {vec({0.0}), vec({1.0}), vec({1.0})}) == Approx(-999.5).epsilon(1e-14));
  {
    const double z = -40.0, t = z - 1.0;
    const double ref = -0.5 * z * z - 0.5 * std::log(2 * M_PI) + std::log(1 / -z - 1 / -t);
    CHECK(lcdf_of<exp_mod_normal_fn>(vec({z}), {vec({0.0}), vec({1.0}), vec({1.0})}) == Approx(ref).epsilon(2e-3));
  }
  const Eigen::VectorXd xp = vec({-1.1, 0.3, 1.7});
  check_all_partials<exp_mod_normal_fn>(xp, {vec({0.2}), vec({1.3}), vec({0.8})},
                                        {vec({0.2, -0.5, 1.0}), vec({1.3, 0.4, 2.2}), vec({0.8, 3.0, 0.3})});
  check_float<exp_mod_normal_fn>(x, std::array<double, 3>{0.4, 1.2, 0.7});
  CHECK(call_lpdf<exp_mod_normal_fn>(xp, {vec({0.0}), vec({1.0}), vec({0.0})}).lp == ninf);
  CHECK(call_lpdf<exp_mod_normal_fn>(xp, {vec({0.0}), vec({-1.0}), vec({1.0})}).lp == ninf);
  CHECK(lccdf_of<exp_mod_normal_fn>(xp, {vec({0.0}), vec({1.0}), vec({1.0, -2.0, 1.0})}) == ninf);

  const auto draws = test::draw_many(20000, 15, [](rng& g) { return exp_mod_normal_fn::generate(g, 1.0, 0.5, 2.0); });
  test::check_ks(draws, [](double v) { return emg_cdf(v, 1.0, 0.5, 2.0); }, "exp_mod_normal");
  test::check_mean(draws, 1.5, std::sqrt(0.25 + 0.25), "exp_mod_normal");
}

TEST_CASE("uniform matches Boost.Math; partials, log CDFs, support and generator", "[dist][real_line]") {
  const Eigen::VectorXd x = vec({-1.0, -0.3, 0.0, 1.9, 2.0});
  const bm::uniform d(-1.0, 2.0);
  CHECK(call_lpdf<uniform_fn>(x, {vec({-1.0}), vec({2.0})}).lp ==
        Approx(sum_log(x, [&](double v) { return bm::pdf(d, v); })).epsilon(1e-14));
  const Eigen::VectorXd xm = x.segment(1, 3);
  CHECK(lcdf_of<uniform_fn>(xm, {vec({-1.0}), vec({2.0})}) == Approx(sum_log(xm, [&](double v) { return bm::cdf(d, v); })).epsilon(1e-14));
  CHECK(lccdf_of<uniform_fn>(xm, {vec({-1.0}), vec({2.0})}) ==
        Approx(sum_log(xm, [&](double v) { return bm::cdf(bm::complement(d, v)); })).epsilon(1e-14));
  // Tiny and huge widths.
  CHECK(call_lpdf<uniform_fn>(vec({1.0 + 5e-13}), {vec({1.0}), vec({1.0 + 1e-12})}).lp == Approx(-std::log(1e-12)).epsilon(1e-3));
  CHECK(call_lpdf<uniform_fn>(vec({3.0, 4.0}), {vec({-1e300}), vec({1e300})}).lp == Approx(-2 * std::log(2e300)).epsilon(1e-14));
  // Outside the support: density -inf; the CDF is 0 below and 1 above.
  CHECK(call_lpdf<uniform_fn>(vec({2.1}), {vec({-1.0}), vec({2.0})}).lp == ninf);
  CHECK(call_lpdf<uniform_fn>(vec({0.0}), {vec({1.0}), vec({-1.0})}).lp == ninf);
  CHECK(lcdf_of<uniform_fn>(vec({-1.5}), {vec({-1.0}), vec({2.0})}) == ninf);
  CHECK(lcdf_of<uniform_fn>(vec({2.5}), {vec({-1.0}), vec({2.0})}) == 0.0);
  CHECK(lccdf_of<uniform_fn>(vec({2.5}), {vec({-1.0}), vec({2.0})}) == ninf);
  CHECK(lccdf_of<uniform_fn>(vec({-1.5}), {vec({-1.0}), vec({2.0})}) == 0.0);
  CHECK(lcdf_of<uniform_fn>(vec({0.5}), {vec({1.0}), vec({1.0})}) == ninf);
  // Partials: x has none inside the support (the density is flat), the bounds have +-1/width.
  const Eigen::VectorXd xp = vec({-0.4, 0.3, 1.1});
  check_all_partials<uniform_fn>(xp, {vec({-0.5}), vec({1.5})}, {vec({-0.5, -2.0, 0.9}), vec({1.5, 0.5, 4.0})});
  check_float<uniform_fn>(xp, std::array<double, 2>{-0.5, 1.5});

  const auto draws = test::draw_many(20000, 16, [](rng& g) { return uniform_fn::generate(g, -3.0, 5.0); });
  test::check_ks(draws, [](double v) { return bm::cdf(bm::uniform(-3.0, 5.0), v); }, "uniform");
  test::check_mean(draws, 1.0, 8.0 / std::sqrt(12.0), "uniform");
}

TEST_CASE("a model of real-line families has an exact gradient and picks its transforms", "[dist][real_line][model]") {
  const Eigen::VectorXd y = vec({-0.3, 1.2, 0.4, 2.5, -1.1, 0.8});
  auto a = param<"a">(uniform(-2.0, 3.0));
  auto b = param<"b">(logistic(0.0, 2.0));
  auto s = param<"s">(gumbel(1.0, 0.5));
  auto w = param<"w">(skew_normal(0.0, 1.0, 2.0), 3);
  const auto m = model(a, b, s, w,
                       observe<"y1">(double_exponential(a, exp(s)), y),
                       observe<"y2">(skew_normal(b, exp(s), a), y),
                       observe<"y3">(exp_mod_normal(w[Eigen::VectorXi{{0, 1, 2, 0, 1, 2}}], exp(s), exp(b)), y),
                       observe<"y4">(gumbel(a, exp(b)), y));
  const auto c = compile<double>(m);
  const std::string plan = c.describe();
  INFO(plan);
  CHECK_THAT(plan, Catch::Contains("param<\"a\">") && Catch::Contains("interval"));
  CHECK_THAT(plan, Catch::Contains("transform identity, prior logistic"));
  test::check_gradient(c, 4, 1e-6, 21, 1.0);
  test::check_float_matches_double(c, compile<float>(m));
}
