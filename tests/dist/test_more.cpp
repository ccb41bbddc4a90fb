// lcdf, lccdf and generators for normal, cauchy, half_cauchy and student_t; the new families
// beta and von_mises; and the incomplete beta routine behind the beta and t CDFs. Densities and
// CDFs are checked against Boost.Math or closed forms (far tails included), every partial against
// finite differences, generators by Kolmogorov-Smirnov tests, and a model using beta and
// von_mises has an exact gradient.
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/cauchy.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/bessel.hpp>
#include <exmc/dist/beta.hpp>
#include <exmc/dist/cauchy.hpp>
#include <exmc/dist/normal.hpp>
#include <exmc/dist/student_t.hpp>
#include <exmc/dist/von_mises.hpp>
#include <exmc/math/inc_beta.hpp>

#include "../support/gradient_check.hpp"
#include "lpdf_harness.hpp"
#include "rng_check.hpp"

using namespace exmc;
using test::call_lpdf;
using test::check_lpdf_partials;
using test::density_fn;
using test::vec;

namespace bm = boost::math;

namespace {

constexpr double ninf = -math::inf<double>;
constexpr double pi = std::numbers::pi;

template <class F>
double sum_log(const Eigen::VectorXd& x, F&& f) {
  double s = 0;
  for (double xi : x) s += std::log(f(xi));
  return s;
}

template <class Fn>
double lpdf_of(const Eigen::VectorXd& x, const std::vector<Eigen::VectorXd>& a) {
  return call_lpdf<Fn>(x, a).lp;
}
template <class Fn>
double lcdf_of(const Eigen::VectorXd& x, const std::vector<Eigen::VectorXd>& a) {
  return call_lpdf<Fn>(x, a, density_fn::lcdf).lp;
}
template <class Fn>
double lccdf_of(const Eigen::VectorXd& x, const std::vector<Eigen::VectorXd>& a) {
  return call_lpdf<Fn>(x, a, density_fn::lccdf).lp;
}

// Partials of the chosen functions at scalar arguments, vector arguments, and each mix of one
// vector among scalars.
template <class Fn>
void check_partials(const Eigen::VectorXd& x, const std::vector<Eigen::VectorXd>& scalar,
                    const std::vector<Eigen::VectorXd>& vectors, std::initializer_list<density_fn> which, double tol = 1e-7) {
  for (density_fn w : which) {
    INFO(Fn::name << ", function " << static_cast<int>(w));
    check_lpdf_partials<Fn>(x, scalar, true, tol, w);
    check_lpdf_partials<Fn>(x, vectors, true, tol, w);
    if (scalar.size() > 1)
      for (std::size_t k = 0; k < scalar.size(); ++k) {
        auto mixed = scalar;
        mixed[k] = vectors[k];
        check_lpdf_partials<Fn>(x, mixed, true, tol, w);
      }
  }
}

// log of a probability c with complement cc, taking the log of the smaller one directly: log(c)
// near c = 1 would have lost the digits the library keeps.
double log_prob(double c, double cc) { return c > 0.5 ? std::log1p(-cc) : std::log(c); }

// Fourth-order central difference of f at v with step h.
template <class F>
double fd(F&& f, double v, double h) {
  return (-f(v + 2 * h) + 8 * f(v + h) - 8 * f(v - h) + f(v - 2 * h)) / (12 * h);
}

}  // namespace

TEST_CASE("log incomplete beta and its shape partials", "[dist][more][inc_beta]") {
  // Against Boost's values and finite differences of log(Boost's ibeta) in a and b, across
  // both series regions, tiny and large shapes, and x near 0 and 1.
  for (double a : {0.02, 0.5, 1.0, 3.5, 40.0, 900.0}) {
    for (double b : {0.03, 0.5, 2.0, 25.0, 700.0}) {
      for (double x : {1e-6, 0.01, 0.2, 0.5, 0.77, 0.999, 1 - 1e-7}) {
        const double y = 1 - x;
        const double ref = bm::ibeta(a, b, x), refc = bm::ibetac(a, b, x);
        if (ref < 1e-250 || refc < 1e-250 || ref > 1 - 1e-9 || refc > 1 - 1e-9) continue;  // FD needs digits
        INFO("a " << a << ", b " << b << ", x " << x);
        const math::log_inc_beta r = math::log_ibeta(a, b, std::log(x), std::log(y));
        const math::log_inc_beta rc = math::log_ibetac(a, b, std::log(x), std::log(y));
        CHECK(r.value == Approx(log_prob(ref, refc)).epsilon(1e-12));
        CHECK(rc.value == Approx(log_prob(refc, ref)).epsilon(1e-12));
        auto la = [&](double v) { return std::log(bm::ibeta(v, b, x)); };
        auto lb = [&](double v) { return std::log(bm::ibeta(a, v, x)); };
        auto lca = [&](double v) { return std::log(bm::ibetac(v, b, x)); };
        auto lcb = [&](double v) { return std::log(bm::ibetac(a, v, x)); };
        const double ha = 1e-3 * a, hb = 1e-3 * b;
        CHECK(r.d_a == Approx(fd(la, a, ha)).epsilon(1e-8).margin(1e-9));
        CHECK(r.d_b == Approx(fd(lb, b, hb)).epsilon(1e-8).margin(1e-9));
        CHECK(rc.d_a == Approx(fd(lca, a, ha)).epsilon(1e-8).margin(1e-9));
        CHECK(rc.d_b == Approx(fd(lcb, b, hb)).epsilon(1e-8).margin(1e-9));
      }
    }
  }
  // Far lower tail, where I underflows: I = x^a y^b / (a B(a, b)) (1 + O(x)).
  const double lx = std::log(1e-300);
  CHECK(math::log_ibeta(2.0, 3.0, lx, 0.0).value == Approx(2 * lx - std::log(2.0) + std::log(12.0)).epsilon(1e-14));
  CHECK(math::log_ibeta(2.0, 3.0, lx, 0.0).d_a == Approx(lx - 0.5 - bm::digamma(2.0) + bm::digamma(5.0)).epsilon(1e-12));
  // An x below the smallest double, given only by its log.
  CHECK(math::log_ibeta(1.5, 0.5, -2000.0, 0.0).value ==
        Approx(1.5 * -2000.0 - std::log(1.5) - std::log(bm::beta(1.5, 0.5))).epsilon(1e-14));
  // End points and NaN.
  CHECK(math::log_ibeta(2.0, 3.0, ninf, 0.0).value == ninf);
  CHECK(math::log_ibeta(2.0, 3.0, 0.0, ninf).value == 0.0);
  CHECK(std::isnan(math::log_ibeta(std::nan(""), 3.0, -1.0, std::log1p(-std::exp(-1.0))).value));
  // Large shapes near the mode (the slow region) still converge to the right values.
  const math::log_inc_beta big = math::log_ibeta(2e5, 3e5, std::log(0.4), std::log(0.6));
  CHECK(big.value == Approx(std::log(bm::ibeta(2e5, 3e5, 0.4))).epsilon(1e-9));
  CHECK(big.d_a == Approx(fd([](double v) { return std::log(bm::ibeta(v, 3e5, 0.4)); }, 2e5, 2.0)).epsilon(1e-5));
}

TEST_CASE("normal lcdf and lccdf match Boost.Math, far tails and partials", "[dist][more][normal]") {
  const Eigen::VectorXd x = vec({-30.0, -2.5, -0.1, 0.0, 1.7, 8.0});
  for (double mu : {-1.0, 0.3}) {
    for (double s : {1e-2, 1.0, 50.0}) {
      const bm::normal d(mu, s);
      double ref = 0;
      for (double xi : x) ref += std::log(bm::pdf(d, xi));
      if (std::isfinite(ref)) CHECK(lpdf_of<normal_fn>(x, {vec({mu}), vec({s})}) == Approx(ref).epsilon(1e-12));
      for (double xi : x) {
        const double c = bm::cdf(d, xi), cc = bm::cdf(bm::complement(d, xi));
        INFO("mu " << mu << ", sigma " << s << ", x " << xi);
        if (c > 1e-300) CHECK(lcdf_of<normal_fn>(vec({xi}), {vec({mu}), vec({s})}) == Approx(log_prob(c, cc)).epsilon(1e-12));
        if (cc > 1e-300) CHECK(lccdf_of<normal_fn>(vec({xi}), {vec({mu}), vec({s})}) == Approx(log_prob(cc, c)).epsilon(1e-12));
      }
    }
  }
  // Far tails: log Phi(z) ~ log phi(z) - log(-z) + log1p(-1/z^2 + 3/z^4 - 15/z^6) as z -> -inf,
  // and log Phi(z) = log1p(-Q(z)) ~ -Q(z) far above.
  const double z = -60.0;
  const double ref = -0.5 * z * z - 0.5 * std::log(2 * pi) - std::log(-z) + std::log1p(-1 / (z * z) + 3 / std::pow(z, 4) - 15 / std::pow(z, 6));
  CHECK(lcdf_of<normal_fn>(vec({z}), {vec({0.0}), vec({1.0})}) == Approx(ref).epsilon(1e-14));
  CHECK(lccdf_of<normal_fn>(vec({-z}), {vec({0.0}), vec({1.0})}) == Approx(ref).epsilon(1e-14));
  CHECK(lcdf_of<normal_fn>(vec({10.0}), {vec({0.0}), vec({1.0})}) == Approx(-bm::cdf(bm::complement(bm::normal(), 10.0))).epsilon(1e-12));
  CHECK(lcdf_of<normal_fn>(vec({0.0}), {vec({0.0}), vec({-1.0})}) == ninf);
  // Partials, including a point in the far lower tail (slope about -z).
  check_partials<normal_fn>(vec({-1.1, 0.3, 2.7, -25.0}), {vec({0.2}), vec({1.3})},
                            {vec({0.2, -0.5, 1.0, 0.0}), vec({1.3, 0.4, 2.2, 1.0})}, {density_fn::lcdf, density_fn::lccdf});
  const auto draws = test::draw_many(20000, 31, [](rng& g) { return normal_fn::generate(g, 1.0, 2.0); });
  test::check_ks(draws, [](double v) { return bm::cdf(bm::normal(1.0, 2.0), v); }, "normal");
}

TEST_CASE("cauchy and half_cauchy match Boost.Math; log CDFs, partials and generators", "[dist][more][cauchy]") {
  const Eigen::VectorXd x = vec({-1e6, -3.0, -0.2, 0.0, 0.9, 40.0, 1e12});
  for (double mu : {-2.0, 0.5}) {
    for (double s : {1e-3, 1.0, 30.0}) {
      const bm::cauchy d(mu, s);
      INFO("mu " << mu << ", sigma " << s);
      CHECK(lpdf_of<cauchy_fn>(x, {vec({mu}), vec({s})}) == Approx(sum_log(x, [&](double v) { return bm::pdf(d, v); })).epsilon(1e-12));
      CHECK(lcdf_of<cauchy_fn>(x, {vec({mu}), vec({s})}) == Approx(sum_log(x, [&](double v) { return bm::cdf(d, v); })).epsilon(1e-12));
      CHECK(lccdf_of<cauchy_fn>(x, {vec({mu}), vec({s})}) ==
            Approx(sum_log(x, [&](double v) { return bm::cdf(bm::complement(d, v)); })).epsilon(1e-12));
      // half_cauchy: twice the density and CCDF of cauchy(0, sigma) on x >= 0; CDF 2 F - 1.
      const bm::cauchy h(0.0, s);
      const Eigen::VectorXd xp = vec({1e-9, 0.3, 2.0, 1e3, 1e15});
      CHECK(lpdf_of<half_cauchy_fn>(xp, {vec({s})}) == Approx(sum_log(xp, [&](double v) { return 2 * bm::pdf(h, v); })).epsilon(1e-12));
      CHECK(lcdf_of<half_cauchy_fn>(xp, {vec({s})}) ==
            Approx(sum_log(xp, [&](double v) { return 2 / pi * std::atan(v / s); })).epsilon(1e-12));
      CHECK(lccdf_of<half_cauchy_fn>(xp, {vec({s})}) ==
            Approx(sum_log(xp, [&](double v) { return 2 * bm::cdf(bm::complement(h, v)); })).epsilon(1e-12));
    }
  }
  // Far tails: F(z) ~ 1 / (pi |z|) below; log F(z) ~ -1 / (pi z) above.
  CHECK(lcdf_of<cauchy_fn>(vec({-1e300}), {vec({0.0}), vec({1.0})}) == Approx(-std::log(pi) - 300 * std::log(10.0)).epsilon(1e-14));
  CHECK(lccdf_of<cauchy_fn>(vec({1e300}), {vec({0.0}), vec({1.0})}) == Approx(-std::log(pi) - 300 * std::log(10.0)).epsilon(1e-14));
  CHECK(lcdf_of<cauchy_fn>(vec({1e10}), {vec({0.0}), vec({1.0})}) == Approx(-1e-10 / pi).epsilon(1e-9));
  CHECK(lcdf_of<half_cauchy_fn>(vec({1e-200}), {vec({1.0})}) == Approx(std::log(2 / pi) - 200 * std::log(10.0)).epsilon(1e-14));
  CHECK(lccdf_of<half_cauchy_fn>(vec({1e300}), {vec({1.0})}) == Approx(std::log(2 / pi) - 300 * std::log(10.0)).epsilon(1e-14));
  // At and below 0 the half-Cauchy CDF is 0 and its CCDF 1.
  CHECK(lcdf_of<half_cauchy_fn>(vec({0.0, 1.0}), {vec({1.0})}) == ninf);
  CHECK(lccdf_of<half_cauchy_fn>(vec({-1.0}), {vec({1.0})}) == 0.0);
  CHECK(call_lpdf<half_cauchy_fn>(vec({-1.0}), {vec({1.0})}, density_fn::lccdf).dargs[0][0] == 0.0);
  CHECK(lcdf_of<cauchy_fn>(vec({1.0}), {vec({0.0}), vec({0.0})}) == ninf);
  CHECK(lccdf_of<half_cauchy_fn>(vec({1.0}), {vec({-1.0})}) == ninf);

  check_partials<cauchy_fn>(vec({-1.1, 0.3, 2.7, -300.0}), {vec({0.2}), vec({1.3})},
                            {vec({0.2, -0.5, 1.0, 3.0}), vec({1.3, 0.4, 2.2, 0.1})}, {density_fn::lcdf, density_fn::lccdf});
  check_partials<half_cauchy_fn>(vec({0.1, 0.8, 2.7, 300.0}), {vec({1.3})}, {vec({1.3, 0.4, 2.2, 0.1})},
                                 {density_fn::lcdf, density_fn::lccdf});

  const auto draws = test::draw_many(20000, 32, [](rng& g) { return cauchy_fn::generate(g, -1.0, 0.5); });
  test::check_ks(draws, [](double v) { return bm::cdf(bm::cauchy(-1.0, 0.5), v); }, "cauchy");
  const auto hdraws = test::draw_many(20000, 33, [](rng& g) { return half_cauchy_fn::generate(g, 2.0); });
  CHECK(*std::min_element(hdraws.begin(), hdraws.end()) >= 0.0);
  test::check_ks(hdraws, [](double v) { return 2 / pi * std::atan(v / 2.0); }, "half_cauchy");
}

TEST_CASE("student_t log CDFs match Boost.Math; nu partial and generator", "[dist][more][student_t]") {
  const Eigen::VectorXd x = vec({-1e5, -40.0, -3.0, -0.2, 0.0, 0.6, 2.5, 1e3});
  for (double nu : {0.3, 1.0, 2.5, 12.0, 300.0, 1e6}) {
    for (double s : {0.1, 1.0, 20.0}) {
      const bm::students_t d(nu);
      INFO("nu " << nu << ", sigma " << s);
      const double mu = 0.7;
      double ref = 0;
      for (double xi : x) ref += std::log(bm::pdf(d, (xi - mu) / s) / s);
      if (std::isfinite(ref)) CHECK(lpdf_of<student_t_fn>(x, {vec({nu}), vec({mu}), vec({s})}) == Approx(ref).epsilon(1e-9));
      for (double xi : x) {
        const double c = bm::cdf(d, (xi - mu) / s), cc = bm::cdf(bm::complement(d, (xi - mu) / s));
        INFO("x " << xi);
        if (c > 1e-300) CHECK(lcdf_of<student_t_fn>(vec({xi}), {vec({nu}), vec({mu}), vec({s})}) == Approx(log_prob(c, cc)).epsilon(1e-11));
        if (cc > 1e-300) CHECK(lccdf_of<student_t_fn>(vec({xi}), {vec({nu}), vec({mu}), vec({s})}) == Approx(log_prob(cc, c)).epsilon(1e-11));
      }
    }
  }
  // Far tail below any double: F(z) ~ c(nu) nu^((nu - 1) / 2) |z|^-nu with c the density's constant.
  for (double nu : {0.5, 3.0}) {
    const double z = -1e200;
    const double c = std::lgamma(0.5 * (nu + 1)) - std::lgamma(0.5 * nu) - 0.5 * std::log(nu * pi);
    const double tail = c + 0.5 * (nu - 1) * std::log(nu) - nu * std::log(-z);
    CHECK(lcdf_of<student_t_fn>(vec({z}), {vec({nu}), vec({0.0}), vec({1.0})}) == Approx(tail).epsilon(1e-13));
    CHECK(lccdf_of<student_t_fn>(vec({-z}), {vec({nu}), vec({0.0}), vec({1.0})}) == Approx(tail).epsilon(1e-13));
  }
  // The nu partial against finite differences of Boost's CDF (independent of exmc's values),
  // to 1e-8 relative.
  for (double nu : {0.4, 2.0, 7.5, 150.0}) {
    for (double z : {-30.0, -2.0, -0.05, 0.0, 0.4, 3.0, 25.0}) {
      INFO("nu " << nu << ", z " << z);
      const auto r = call_lpdf<student_t_fn>(vec({z}), {vec({nu}), vec({0.0}), vec({1.0})}, density_fn::lcdf);
      const auto rc = call_lpdf<student_t_fn>(vec({z}), {vec({nu}), vec({0.0}), vec({1.0})}, density_fn::lccdf);
      const double h = 1e-3 * nu;
      CHECK(r.dargs[0][0] == Approx(fd([&](double v) { return std::log(bm::cdf(bm::students_t(v), z)); }, nu, h)).epsilon(1e-8).margin(1e-11));
      CHECK(rc.dargs[0][0] ==
            Approx(fd([&](double v) { return std::log(bm::cdf(bm::complement(bm::students_t(v), z))); }, nu, h)).epsilon(1e-8).margin(1e-11));
    }
  }
  check_partials<student_t_fn>(vec({-1.1, 0.3, 2.7, -60.0}), {vec({3.5}), vec({0.2}), vec({1.3})},
                               {vec({3.5, 0.8, 20.0, 1.5}), vec({0.2, -0.5, 1.0, 0.0}), vec({1.3, 0.4, 2.2, 1.0})},
                               {density_fn::lcdf, density_fn::lccdf});
  CHECK(lcdf_of<student_t_fn>(vec({1.0}), {vec({-1.0}), vec({0.0}), vec({1.0})}) == ninf);
  CHECK(lccdf_of<student_t_fn>(vec({1.0}), {vec({1.0}), vec({0.0}), vec({0.0})}) == ninf);

  for (double nu : {0.8, 5.0}) {
    const auto draws = test::draw_many(20000, 34, [nu](rng& g) { return student_t_fn::generate(g, nu, 1.0, 2.0); });
    test::check_ks(draws, [nu](double v) { return bm::cdf(bm::students_t(nu), (v - 1.0) / 2.0); }, "student_t");
  }
  const auto draws = test::draw_many(20000, 35, [](rng& g) { return student_t_fn::generate(g, 6.0, 1.0, 2.0); });
  test::check_mean(draws, 1.0, 2.0 * std::sqrt(6.0 / 4.0), "student_t");
}

TEST_CASE("beta matches Boost.Math; partials, log CDFs, support and generator", "[dist][more][beta]") {
  const Eigen::VectorXd x = vec({1e-10, 0.01, 0.3, 0.5, 0.97, 1 - 1e-10});
  for (double a : {0.1, 0.5, 1.0, 2.5, 40.0}) {
    for (double b : {0.2, 1.0, 3.0, 150.0}) {
      const bm::beta_distribution<> d(a, b);
      INFO("alpha " << a << ", beta " << b);
      double ref = 0;
      for (double xi : x) ref += (a - 1) * std::log(xi) + (b - 1) * std::log1p(-xi) - std::log(bm::beta(a, b));
      CHECK(lpdf_of<beta_fn>(x, {vec({a}), vec({b})}) == Approx(ref).epsilon(1e-12));
      const Eigen::VectorXd xm = x.segment(1, 4);
      CHECK(lpdf_of<beta_fn>(xm, {vec({a}), vec({b})}) == Approx(sum_log(xm, [&](double v) { return bm::pdf(d, v); })).epsilon(1e-11));
      for (double xi : x) {
        const double c = bm::cdf(d, xi), cc = bm::cdf(bm::complement(d, xi));
        INFO("x " << xi);
        if (c > 1e-300) CHECK(lcdf_of<beta_fn>(vec({xi}), {vec({a}), vec({b})}) == Approx(log_prob(c, cc)).epsilon(1e-12));
        if (cc > 1e-300) CHECK(lccdf_of<beta_fn>(vec({xi}), {vec({a}), vec({b})}) == Approx(log_prob(cc, c)).epsilon(1e-12));
      }
    }
  }
  // Far tails where I underflows: I = x^a y^b / (a B(a, b)) (1 + (a + b) / (a + 1) x + ...), and
  // 1 - I the same with a, b and x, y exchanged.
  CHECK(lcdf_of<beta_fn>(vec({1e-300}), {vec({3.0}), vec({2.0})}) == Approx(3 * std::log(1e-300) - std::log(3.0) + std::log(12.0)).epsilon(1e-14));
  {
    const double xv = 1 - 1e-12, y = 1 - xv;  // y is exact
    CHECK(lccdf_of<beta_fn>(vec({xv}), {vec({30.0}), vec({40.0})}) ==
          Approx(40 * std::log(y) - std::log(40.0) - std::log(bm::beta(30.0, 40.0)) +
                 30 * std::log1p(-y) + std::log1p(70 * y / 41)).epsilon(1e-12));
  }
  // Outside (0, 1) and invalid shapes.
  CHECK(lpdf_of<beta_fn>(vec({0.0}), {vec({2.0}), vec({2.0})}) == ninf);
  CHECK(lpdf_of<beta_fn>(vec({1.2}), {vec({2.0}), vec({2.0})}) == ninf);
  CHECK(lpdf_of<beta_fn>(vec({0.5}), {vec({-2.0}), vec({2.0})}) == ninf);
  CHECK(lpdf_of<beta_fn>(vec({0.5, 0.4}), {vec({2.0, 0.0}), vec({2.0})}) == ninf);
  CHECK(lcdf_of<beta_fn>(vec({0.0}), {vec({2.0}), vec({2.0})}) == ninf);
  CHECK(lcdf_of<beta_fn>(vec({1.0}), {vec({2.0}), vec({2.0})}) == 0.0);
  CHECK(lccdf_of<beta_fn>(vec({1.0}), {vec({2.0}), vec({2.0})}) == ninf);
  CHECK(lccdf_of<beta_fn>(vec({-0.5}), {vec({2.0}), vec({2.0})}) == 0.0);
  CHECK(lcdf_of<beta_fn>(vec({0.5}), {vec({2.0}), vec({std::nan("")})}) == ninf);
  CHECK(beta_fn::in_support(0.5));
  CHECK_FALSE(beta_fn::in_support(1.0));

  const Eigen::VectorXd xp = vec({0.05, 0.3, 0.62, 0.99});
  check_partials<beta_fn>(xp, {vec({2.5}), vec({0.7})}, {vec({2.5, 0.3, 12.0, 1.0}), vec({0.7, 4.0, 1.5, 60.0})},
                          {density_fn::lpdf, density_fn::lcdf, density_fn::lccdf});
  {  // float fast path against double
    const Eigen::VectorXf xf = xp.cast<float>();
    Eigen::VectorXf gx = Eigen::VectorXf::Zero(xf.size());
    vector_view<float, float, true> xv{xf.data(), gx.data()};
    scalar_view<float, true> av{2.5f}, bv{0.75f};
    const double lp = beta_fn::lpdf(xf.size(), xv, av, bv);
    const auto r = call_lpdf<beta_fn>(xf.cast<double>(), {vec({2.5}), vec({0.75})});
    CHECK(lp == Approx(r.lp).epsilon(1e-5));
    CHECK(av.acc == Approx(r.dargs[0][0]).epsilon(1e-4));
    CHECK(bv.acc == Approx(r.dargs[1][0]).epsilon(1e-4));
    for (Eigen::Index i = 0; i < xf.size(); ++i) CHECK(gx[i] == Approx(r.dx[i]).epsilon(1e-4));
  }

  for (const auto& [a, b] : {std::pair{2.0, 3.0}, std::pair{0.3, 0.7}, std::pair{50.0, 0.5}}) {
    const auto draws = test::draw_many(20000, 36, [a, b](rng& g) { return beta_fn::generate(g, a, b); });
    const bm::beta_distribution<> d(a, b);
    test::check_ks(draws, [&](double v) { return bm::cdf(d, v); }, "beta");
    test::check_mean(draws, a / (a + b), bm::standard_deviation(d), "beta");
  }
  // Tiny shapes: the draws pile up at 0 and 1 but stay inside [0, 1] and are never NaN.
  const auto tiny = test::draw_many(2000, 37, [](rng& g) { return beta_fn::generate(g, 1e-3, 2e-3); });
  for (double v : tiny) CHECK((v >= 0 && v <= 1));
}

namespace {
// The von Mises CDF on [mu - pi, mu + pi] by its Fourier series: (t + pi) / (2 pi) +
// sum_j I_j(k) / I_0(k) sin(j t) / (j pi), t = x - mu.
double von_mises_cdf(double t, double k) {
  double f = (t + pi) / (2 * pi);
  const double i0 = bm::cyl_bessel_i(0, k);
  for (int j = 1; j < 400; ++j) {
    const double c = bm::cyl_bessel_i(j, k) / i0;
    f += c * std::sin(j * t) / (j * pi);
    if (c < 1e-17) break;
  }
  return f;
}
}  // namespace

TEST_CASE("von_mises matches its closed form; partials and generator", "[dist][more][von_mises]") {
  const Eigen::VectorXd x = vec({-7.0, -3.1, -0.4, 0.0, 1.2, 3.14, 20.0});
  for (double k : {0.0, 1e-9, 0.4, 3.0, 80.0, 499.0, 501.0, 700.0}) {
    for (double mu : {-1.0, 0.5}) {
      double ref = 0;
      for (double xi : x) ref += k * std::cos(xi - mu) - std::log(2 * pi * bm::cyl_bessel_i(0, k));
      INFO("kappa " << k << ", mu " << mu);
      CHECK(lpdf_of<von_mises_fn>(x, {vec({mu}), vec({k})}) == Approx(ref).epsilon(1e-12));
      CHECK(lpdf_of<von_mises_fn>(x, {vec({mu}), Eigen::VectorXd::Constant(x.size(), k)}) == Approx(ref).epsilon(1e-12));
    }
  }
  // The Hankel branch: log I0 is continuous across the switch, and far beyond it matches
  // log I0(k) = k - log(2 pi k) / 2 + log(1 + 1/(8k) + 9/(2 (8k)^2) + 225/(6 (8k)^3)).
  const double below = detail::von_mises_log_i0(std::nextafter(detail::von_mises_switch, 0.0)).log_i0;
  CHECK(detail::von_mises_log_i0(detail::von_mises_switch).log_i0 == Approx(below).epsilon(1e-15));
  {
    const double k = 1e6, w = 1 / (8 * k);
    const auto b = detail::von_mises_log_i0(k);
    CHECK(b.log_i0 == Approx(k - 0.5 * std::log(2 * pi * k) + std::log1p(w + 4.5 * w * w + 37.5 * w * w * w)).epsilon(1e-15));
    CHECK(b.ratio == Approx(1 - 0.5 / k - 0.125 / (k * k)).epsilon(1e-14));
    CHECK(std::isfinite(lpdf_of<von_mises_fn>(vec({0.1}), {vec({0.0}), vec({1e300})})));
  }
  // The kappa slope I1 / I0 across both branches.
  for (double k : {1e-6, 0.7, 30.0, 499.0, 650.0})
    CHECK(detail::von_mises_log_i0(k).ratio == Approx(bm::cyl_bessel_i(1, k) / bm::cyl_bessel_i(0, k)).epsilon(1e-13));
  // The density integrates to 1 over any interval of length 2 pi.
  CHECK(von_mises_cdf(pi, 2.5) == Approx(1.0).epsilon(1e-14));

  CHECK(lpdf_of<von_mises_fn>(x, {vec({0.0}), vec({-1.0})}) == ninf);
  CHECK(lpdf_of<von_mises_fn>(x.head(2), {vec({0.0}), vec({1.0, std::nan("")})}) == ninf);
  check_partials<von_mises_fn>(vec({-2.0, 0.3, 2.7, 9.0}), {vec({0.2}), vec({1.3})},
                               {vec({0.2, -0.5, 1.0, 0.0}), vec({1.3, 0.01, 600.0, 4.0})}, {density_fn::lpdf});

  for (double k : {1e-14, 0.5, 4.0, 60.0}) {
    const double mu = 0.8;
    const auto draws = test::draw_many(20000, 38, [&](rng& g) { return von_mises_fn::generate(g, mu, k); });
    INFO("kappa " << k);
    CHECK(*std::min_element(draws.begin(), draws.end()) >= mu - pi);
    CHECK(*std::max_element(draws.begin(), draws.end()) <= mu + pi);
    test::check_ks(draws, [&](double v) { return von_mises_cdf(v - mu, k); }, "von_mises");
    // E cos(x - mu) = I1 / I0, var = (1 + I2 / I0) / 2 - (I1 / I0)^2.
    std::vector<double> c(draws.size());
    std::transform(draws.begin(), draws.end(), c.begin(), [&](double v) { return std::cos(v - mu); });
    const double i0 = bm::cyl_bessel_i(0, k), m = bm::cyl_bessel_i(1, k) / i0;
    test::check_mean(c, m, std::sqrt(0.5 * (1 + bm::cyl_bessel_i(2, k) / i0) - m * m), "von_mises cos");
  }
}

TEST_CASE("a model with a beta prior and a von_mises likelihood has an exact gradient", "[dist][more][model]") {
  const Eigen::VectorXd y = vec({0.3, -0.2, 0.9, 2.8, -3.0, 0.1});
  const Eigen::VectorXd u = vec({0.12, 0.55, 0.91, 0.33});
  auto p = param<"p">(beta(2.0, 3.0));
  auto mu = param<"mu">(normal(0.0, 1.0));
  auto k = param<"k">(student_t(4.0, 1.0, 1.0));
  auto w = param<"w">(beta(2.0, 3.0), 2);
  const auto m = model(p, mu, k, w,
                       observe<"y">(von_mises(mu, exp(k)), y),
                       observe<"u">(beta(exp(mu), exp(k)), u),
                       observe<"z">(cauchy(w[Eigen::VectorXi{{0, 1, 1, 0, 1, 0}}], exp(k)), y),
                       observe<"v">(von_mises(p, exp(mu)), y));
  const auto c = compile<double>(m);
  const std::string plan = c.describe();
  INFO(plan);
  CHECK_THAT(plan, Catch::Contains("param<\"p\">") && Catch::Contains("interval"));
  test::check_gradient(c, 4, 1e-6, 23, 1.0);
  test::check_float_matches_double(c, compile<float>(m));
}
