// The positive-support families (gamma, inv_gamma, weibull, lognormal, chi_square,
// inv_chi_square, pareto, half_student_t, exponential, half_normal), the random walk's generator
// and the incomplete gamma functions behind the gamma-type CDFs.
// References are Boost.Math's distributions in long double, so a reference density or tail
// probability stays a normal number (down to 1e-4900) where the double one underflows.
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/exponential.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/inverse_chi_squared.hpp>
#include <boost/math/distributions/inverse_gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/pareto.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/distributions/weibull.hpp>
#include <exmc/dist/chi_square.hpp>
#include <exmc/dist/gamma.hpp>
#include <exmc/dist/half_student_t.hpp>
#include <exmc/dist/inv_chi_square.hpp>
#include <exmc/dist/inv_gamma.hpp>
#include <exmc/dist/lognormal.hpp>
#include <exmc/dist/pareto.hpp>
#include <exmc/dist/weibull.hpp>
#include <exmc/math/inc_gamma.hpp>

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

// The three log functions of one family at one point, as long doubles: pdf, cdf, ccdf.
struct ref_point {
  ld pdf, cdf, ccdf;
};
template <class D>
ref_point from_boost(const D& d, ld x) {
  return {bm::pdf(d, x), bm::cdf(d, x), bm::cdf(bm::complement(d, x))};
}

// log p given p and 1 - p: near 1 the complement holds the digits (log1p(-(1 - p))).
double log_prob(ld p, ld complement) {
  return static_cast<double>(p < 0.5L ? std::log(p) : std::log1p(-complement));
}

std::vector<Eigen::VectorXd> scalar_args(const std::vector<double>& p) {
  std::vector<Eigen::VectorXd> a;
  for (double v : p) a.push_back(vec({v}));
  return a;
}

// Checks lpdf (and lcdf, lccdf when WithCdf) of F against ref(x, params) at every x for every
// parameter set, one element at a time (relative tolerance tol, so a tail value is as exact as
// a central one), then all of xs at once with scalar arguments (the fast path) and with the
// arguments as vectors (the general path), against the sums.
template <class F, bool WithCdf, class Ref>
void check_values(const std::vector<double>& xs, const std::vector<std::vector<double>>& params, Ref&& ref,
                  double tol) {
  for (const auto& p : params) {
    double lp = 0, lc = 0, lcc = 0, scale = 0;
    bool all_finite = true;
    Eigen::VectorXd xv(static_cast<Eigen::Index>(xs.size()));
    for (std::size_t i = 0; i < xs.size(); ++i) {
      const double x = xs[i];
      xv[static_cast<Eigen::Index>(i)] = x;
      const ref_point r = ref(x, p);
      const double want[3] = {static_cast<double>(std::log(r.pdf)), log_prob(r.cdf, r.ccdf), log_prob(r.ccdf, r.cdf)};
      INFO(F::name << " at x = " << x << ", parameters " << p[0] << (p.size() > 1 ? ", " + std::to_string(p[1]) : ""));
      const auto a = scalar_args(p);
      const double got = call_lpdf<F>(vec({x}), a).lp;
      if (std::isfinite(want[0])) CHECK(got == Approx(want[0]).epsilon(tol).margin(1e-13));
      all_finite &= std::isfinite(want[0]);
      lp += want[0];
      scale += std::abs(want[0]);
      if constexpr (WithCdf) {
        const double c = call_lpdf<F>(vec({x}), a, density_fn::lcdf).lp;
        const double cc = call_lpdf<F>(vec({x}), a, density_fn::lccdf).lp;
        if (std::isfinite(want[1]) && want[1] > -1e300) CHECK(c == Approx(want[1]).epsilon(tol).margin(1e-300));
        if (std::isfinite(want[2]) && want[2] > -1e300) CHECK(cc == Approx(want[2]).epsilon(tol).margin(1e-300));
        lc += want[1];
        lcc += want[2];
      }
    }
    if (!all_finite) continue;
    // All elements at once: scalar arguments, then the same values as vectors.
    std::vector<Eigen::VectorXd> va;
    for (double v : p) va.push_back(Eigen::VectorXd::Constant(xv.size(), v));
    INFO(F::name << ": sum over " << xs.size() << " elements");
    CHECK(std::abs(call_lpdf<F>(xv, scalar_args(p)).lp - lp) <= tol * scale + 1e-12);
    CHECK(std::abs(call_lpdf<F>(xv, va).lp - lp) <= tol * scale + 1e-12);
    if constexpr (WithCdf) {
      if (std::isfinite(lc)) CHECK(call_lpdf<F>(xv, va, density_fn::lcdf).lp == Approx(lc).epsilon(tol));
      if (std::isfinite(lcc)) CHECK(call_lpdf<F>(xv, va, density_fn::lccdf).lp == Approx(lcc).epsilon(tol));
    }
  }
}

// Every partial of lpdf (and lcdf, lccdf) at x, with scalar arguments and with vector ones.
template <class F, bool WithCdf>
void check_partials(const Eigen::VectorXd& x, const std::vector<Eigen::VectorXd>& vector_args, double tol = 1e-6) {
  std::vector<Eigen::VectorXd> scalars;
  for (const auto& a : vector_args) scalars.push_back(vec({a[0]}));
  const std::vector<Eigen::VectorXd>* sets[] = {&scalars, &vector_args};
  for (const auto* args : sets) {
    check_lpdf_partials<F>(x, *args, true, tol);
    if constexpr (WithCdf) {
      check_lpdf_partials<F>(x, *args, false, tol, density_fn::lcdf);
      check_lpdf_partials<F>(x, *args, false, tol, density_fn::lccdf);
    }
  }
}

// lpdf through float views with scalar arguments (the model's float path), against the double
// lpdf at the float-rounded point; the partials to float precision.
template <class F>
void check_float(const Eigen::VectorXd& x, const std::vector<double>& p) {
  const Eigen::VectorXf xf = x.cast<float>();
  Eigen::VectorXf gx = Eigen::VectorXf::Zero(x.size());
  vector_view<float, float, true> xv{xf.data(), gx.data()};
  std::vector<Eigen::VectorXd> pd;
  for (double v : p) pd.push_back(vec({static_cast<double>(static_cast<float>(v))}));
  const test::lpdf_result ref = call_lpdf<F>(xf.cast<double>(), pd);
  double lp;
  std::vector<float> dargs;
  if constexpr (F::arg_names.size() == 1) {
    scalar_view<float, true> a{static_cast<float>(p[0])};
    lp = F::lpdf(x.size(), xv, a);
    dargs = {a.acc};
  } else {
    scalar_view<float, true> a{static_cast<float>(p[0])}, b{static_cast<float>(p[1])};
    lp = F::lpdf(x.size(), xv, a, b);
    dargs = {a.acc, b.acc};
  }
  INFO(F::name << " in float");
  CHECK(lp == Approx(ref.lp).epsilon(2e-6).margin(2e-5));
  for (Eigen::Index i = 0; i < x.size(); ++i) CHECK(gx[i] == Approx(ref.dx[i]).epsilon(1e-4).margin(1e-4));
  for (std::size_t k = 0; k < dargs.size(); ++k) CHECK(dargs[k] == Approx(ref.dargs[k][0]).epsilon(1e-4).margin(1e-4));
}

// Invalid arguments give -inf from every function.
template <class F>
void check_invalid(const Eigen::VectorXd& x, const std::vector<double>& p) {
  const auto a = scalar_args(p);
  INFO(F::name << " with invalid arguments");
  CHECK(call_lpdf<F>(x, a).lp == -math::inf<double>);
  if constexpr (requires(vector_view<double, double, false> v) { F::lcdf(1, v, v, v); } ||
                requires(vector_view<double, double, false> v) { F::lcdf(1, v, v); }) {
    CHECK(call_lpdf<F>(x, a, density_fn::lcdf).lp == -math::inf<double>);
    CHECK(call_lpdf<F>(x, a, density_fn::lccdf).lp == -math::inf<double>);
  }
}

// Draws from F::generate against the reference CDF (Kolmogorov-Smirnov) and mean.
template <class D>
void check_draws(std::vector<double> draws, const D& d, const char* what, bool with_mean = true) {
  test::check_ks(draws, [&](double v) { return static_cast<double>(bm::cdf(d, static_cast<ld>(v))); }, what);
  if (with_mean) test::check_mean(draws, static_cast<double>(bm::mean(d)), static_cast<double>(bm::standard_deviation(d)), what);
}

}  // namespace

// ---- incomplete gamma functions ---------------------------------------------------------------

TEST_CASE("log_gamma_p and log_gamma_q match Boost.Math with exact partials", "[dist][inc_gamma]") {
  for (double a : {1e-3, 0.1, 0.5, 1.0, 2.5, 10.0, 150.0, 1e4}) {
    for (double x : {1e-6, 0.01, 0.5, 1.0, 3.0, 9.0, 11.0, 60.0, 140.0, 170.0, 9800.0, 1.02e4}) {
      INFO("a = " << a << ", x = " << x);
      const ld p = bm::gamma_p(static_cast<ld>(a), static_cast<ld>(x));
      const ld q = bm::gamma_q(static_cast<ld>(a), static_cast<ld>(x));
      const math::log_inc_gamma lp = math::log_gamma_p(a, x), lq = math::log_gamma_q(a, x);
      if (p > 0) CHECK(lp.value == Approx(log_prob(p, q)).epsilon(1e-12).margin(1e-300));
      if (q > 0) CHECK(lq.value == Approx(log_prob(q, p)).epsilon(1e-12).margin(1e-300));
      // x partials: the gamma density over P or -Q.
      const ld dens = bm::gamma_p_derivative(static_cast<ld>(a), static_cast<ld>(x));
      if (p > 0) CHECK(lp.d_x == Approx(static_cast<double>(dens / p)).epsilon(1e-10));
      if (q > 0) CHECK(lq.d_x == Approx(static_cast<double>(-dens / q)).epsilon(1e-10));
      // Shape partials against fourth-order differences of log P, log Q in long double.
      const double h = 1e-3 * std::min(a, std::sqrt(a));  // log P varies on the scale sqrt(a) in a
      auto fd = [&](auto f) {
        return static_cast<double>((-f(a + 2 * h) + 8 * f(a + h) - 8 * f(a - h) + f(a - 2 * h)) / (12 * h));
      };
      const double dp = fd([&](double s) { return std::log(bm::gamma_p(static_cast<ld>(s), static_cast<ld>(x))); });
      const double dq = fd([&](double s) { return std::log(bm::gamma_q(static_cast<ld>(s), static_cast<ld>(x))); });
      if (std::isfinite(dp)) CHECK(lp.d_a == Approx(dp).epsilon(1e-7).margin(1e-9));
      if (std::isfinite(dq)) CHECK(lq.d_a == Approx(dq).epsilon(1e-7).margin(1e-9));
      // dP/da itself against differences of Boost's double gamma_p.
      const double dpa = fd([&](double s) { return static_cast<ld>(bm::gamma_p(s, x)); });
      CHECK(math::gamma_p_da(a, x) == Approx(dpa).epsilon(1e-6).margin(1e-9));
    }
  }
}

TEST_CASE("log_gamma_p and log_gamma_q stay exact where P and Q underflow", "[dist][inc_gamma]") {
  // P(500, 1) ~ 1e-1135, P(1000, 10) ~ 1e-1572 and Q(2, 1000) ~ 1e-431: zero in double, normal in long double.
  const std::pair<double, double> lower[] = {{500.0, 1.0}, {50.0, 1e-10}, {1e3, 10.0}};
  for (auto [a, x] : lower) {
    INFO("P(" << a << ", " << x << ")");
    CHECK(math::gamma_p(a, x) < 1e-300);
    CHECK(math::log_gamma_p(a, x).value ==
          Approx(static_cast<double>(std::log(bm::gamma_p(static_cast<ld>(a), static_cast<ld>(x))))).epsilon(1e-13));
    // Far below the mode log P ~ a log x - lgamma(a + 1): its shape slope tends to log x - digamma(a + 1).
    CHECK(math::log_gamma_p(a, x).d_a == Approx(std::log(x) - math::digamma(a + 1)).epsilon(1e-2));
  }
  const std::pair<double, double> upper[] = {{2.0, 1000.0}, {0.3, 800.0}, {30.0, 2000.0}};
  for (auto [a, x] : upper) {
    INFO("Q(" << a << ", " << x << ")");
    CHECK(math::gamma_q(a, x) < 1e-300);
    CHECK(math::log_gamma_q(a, x).value ==
          Approx(static_cast<double>(std::log(bm::gamma_q(static_cast<ld>(a), static_cast<ld>(x))))).epsilon(1e-13));
    const double h = 1e-4;
    auto f = [&](double s) { return math::log_gamma_q(s, x).value; };
    const double fd = (-f(a + 2 * h) + 8 * f(a + h) - 8 * f(a - h) + f(a - 2 * h)) / (12 * h);
    CHECK(math::log_gamma_q(a, x).d_a == Approx(fd).epsilon(1e-7));
  }
  // The ends of the support and invalid shapes.
  CHECK(math::log_gamma_p(2.0, 0.0).value == -math::inf<double>);
  CHECK(math::log_gamma_q(2.0, 0.0).value == 0.0);
  CHECK(math::log_gamma_q(2.0, math::inf<double>).value == -math::inf<double>);
  CHECK(std::isnan(math::log_gamma_p(-1.0, 1.0).value));
  CHECK(std::isnan(math::log_gamma_q(1.0, -1.0).value));
}

// ---- families -----------------------------------------------------------------------------------

TEST_CASE("gamma matches Boost.Math: density, CDFs, partials, draws", "[dist][gamma]") {
  const std::vector<double> xs{1e-8, 0.003, 0.4, 1.0, 2.7, 15.0, 400.0};
  auto ref = [](double x, const std::vector<double>& p) {
    return from_boost(bm::gamma_distribution<ld>(p[0], 1 / static_cast<ld>(p[1])), x);
  };
  check_values<gamma_fn, true>(xs, {{0.05, 1.0}, {1.0, 2.0}, {3.5, 0.01}, {40.0, 12.0}, {2.0, 1e5}}, ref, 1e-10);
  check_partials<gamma_fn, true>(vec({0.3, 1.2, 4.0}), {vec({2.5, 0.7, 9.0}), vec({1.3, 0.4, 2.2})});
  check_float<gamma_fn>(vec({0.3, 1.2, 4.0}), {2.5, 1.3});
  check_invalid<gamma_fn>(vec({1.0}), {-1.0, 1.0});
  check_invalid<gamma_fn>(vec({1.0}), {1.0, 0.0});
  CHECK(call_lpdf<gamma_fn>(vec({1.0, 2.0}), {vec({1.0, -2.0}), vec({1.0})}).lp == -math::inf<double>);
  CHECK(call_lpdf<gamma_fn>(vec({1.0, -2.0}), {vec({1.0}), vec({1.0})}).lp == -math::inf<double>);
  // Below the support: CDF 0, CCDF 1.
  CHECK(call_lpdf<gamma_fn>(vec({0.0}), {vec({2.0}), vec({1.0})}, density_fn::lcdf).lp == -math::inf<double>);
  CHECK(call_lpdf<gamma_fn>(vec({0.0}), {vec({2.0}), vec({1.0})}, density_fn::lccdf).lp == 0.0);
  for (auto [a, b] : {std::pair{0.3, 2.0}, {4.0, 0.5}}) {
    const auto draws = test::draw_many(20000, 11, [&](rng& g) { return gamma_fn::generate(g, a, b); });
    check_draws(draws, bm::gamma_distribution<ld>(a, 1 / static_cast<ld>(b)), "gamma draws");
  }
}

TEST_CASE("inv_gamma matches Boost.Math: density, CDFs, partials, draws", "[dist][inv_gamma]") {
  const std::vector<double> xs{1e-3, 0.05, 0.4, 1.0, 2.7, 15.0, 1e4};
  auto ref = [](double x, const std::vector<double>& p) {
    return from_boost(bm::inverse_gamma_distribution<ld>(p[0], p[1]), x);
  };
  check_values<inv_gamma_fn, true>(xs, {{0.05, 1.0}, {1.0, 2.0}, {3.5, 0.01}, {40.0, 12.0}, {2.0, 1e3}}, ref, 1e-10);
  check_partials<inv_gamma_fn, true>(vec({0.3, 1.2, 4.0}), {vec({2.5, 0.7, 9.0}), vec({1.3, 0.4, 2.2})});
  check_float<inv_gamma_fn>(vec({0.3, 1.2, 4.0}), {2.5, 1.3});
  check_invalid<inv_gamma_fn>(vec({1.0}), {0.0, 1.0});
  check_invalid<inv_gamma_fn>(vec({1.0}), {1.0, -3.0});
  CHECK(call_lpdf<inv_gamma_fn>(vec({0.0}), {vec({2.0}), vec({1.0})}, density_fn::lcdf).lp == -math::inf<double>);
  const auto draws = test::draw_many(20000, 12, [](rng& g) { return inv_gamma_fn::generate(g, 4.5, 2.0); });
  check_draws(draws, bm::inverse_gamma_distribution<ld>(4.5, 2.0), "inv_gamma draws");
}

TEST_CASE("chi_square and inv_chi_square match Boost.Math", "[dist][chi_square]") {
  const std::vector<double> xs{1e-6, 0.02, 0.5, 1.0, 3.0, 20.0, 900.0};
  check_values<chi_square_fn, true>(
      xs, {{0.1}, {1.0}, {2.0}, {7.5}, {300.0}},
      [](double x, const std::vector<double>& p) { return from_boost(bm::chi_squared_distribution<ld>(p[0]), x); },
      1e-10);
  check_values<inv_chi_square_fn, true>(
      xs, {{0.1}, {1.0}, {2.0}, {7.5}, {300.0}},
      [](double x, const std::vector<double>& p) { return from_boost(bm::inverse_chi_squared_distribution<ld>(p[0]), x); },
      1e-10);
  check_partials<chi_square_fn, true>(vec({0.3, 1.2, 4.0}), {vec({2.5, 0.7, 9.0})});
  check_partials<inv_chi_square_fn, true>(vec({0.3, 1.2, 4.0}), {vec({2.5, 0.7, 9.0})});
  check_float<chi_square_fn>(vec({0.3, 1.2, 4.0}), {2.5});
  check_float<inv_chi_square_fn>(vec({0.3, 1.2, 4.0}), {2.5});
  check_invalid<chi_square_fn>(vec({1.0}), {-2.0});
  check_invalid<inv_chi_square_fn>(vec({1.0}), {0.0});
  check_draws(test::draw_many(20000, 13, [](rng& g) { return chi_square_fn::generate(g, 3.0); }),
              bm::chi_squared_distribution<ld>(3.0), "chi_square draws");
  check_draws(test::draw_many(20000, 14, [](rng& g) { return inv_chi_square_fn::generate(g, 7.0); }),
              bm::inverse_chi_squared_distribution<ld>(7.0), "inv_chi_square draws");
}

TEST_CASE("weibull matches Boost.Math: density, CDFs, partials, draws", "[dist][weibull]") {
  const std::vector<double> xs{1e-9, 0.01, 0.5, 1.0, 2.2, 9.0, 60.0};
  auto ref = [](double x, const std::vector<double>& p) {
    return from_boost(bm::weibull_distribution<ld>(p[0], p[1]), x);
  };
  check_values<weibull_fn, true>(xs, {{0.3, 1.0}, {1.0, 2.0}, {2.5, 0.05}, {7.0, 10.0}, {1.5, 1e4}}, ref, 1e-10);
  check_partials<weibull_fn, true>(vec({0.3, 1.2, 4.0}), {vec({2.5, 0.7, 1.5}), vec({1.3, 0.4, 2.2})});
  check_float<weibull_fn>(vec({0.3, 1.2, 4.0}), {2.5, 1.3});
  check_invalid<weibull_fn>(vec({1.0}), {0.0, 1.0});
  check_invalid<weibull_fn>(vec({1.0}), {1.0, -1.0});
  // Far upper tail: the log CCDF is -(x / sigma)^alpha exactly, far past the CCDF's underflow.
  CHECK(call_lpdf<weibull_fn>(vec({50.0}), {vec({3.0}), vec({1.0})}, density_fn::lccdf).lp == Approx(-125000.0).epsilon(1e-14));
  const auto draws = test::draw_many(20000, 15, [](rng& g) { return weibull_fn::generate(g, 1.7, 3.0); });
  check_draws(draws, bm::weibull_distribution<ld>(1.7, 3.0), "weibull draws");
}

TEST_CASE("lognormal matches Boost.Math: density, CDFs, partials, draws", "[dist][lognormal]") {
  const std::vector<double> xs{1e-12, 0.01, 0.5, 1.0, 2.2, 9.0, 1e5};
  auto ref = [](double x, const std::vector<double>& p) {
    return from_boost(bm::lognormal_distribution<ld>(p[0], p[1]), x);
  };
  check_values<lognormal_fn, true>(xs, {{0.0, 1.0}, {-3.0, 0.2}, {2.0, 5.0}, {0.5, 0.01}}, ref, 1e-10);
  check_partials<lognormal_fn, true>(vec({0.3, 1.2, 4.0}), {vec({0.5, -0.7, 1.5}), vec({1.3, 0.4, 2.2})});
  check_float<lognormal_fn>(vec({0.3, 1.2, 4.0}), {0.5, 1.3});
  check_invalid<lognormal_fn>(vec({1.0}), {0.0, 0.0});
  CHECK(call_lpdf<lognormal_fn>(vec({-1.0}), {vec({0.0}), vec({1.0})}).lp == -math::inf<double>);
  // Far tails: log Phi(-40) and log Phi(-40) for the complement, both about -804.6.
  const double tail = static_cast<double>(std::log(bm::cdf(bm::normal_distribution<ld>(), ld(-40))));
  CHECK(call_lpdf<lognormal_fn>(vec({std::exp(-40.0)}), {vec({0.0}), vec({1.0})}, density_fn::lcdf).lp == Approx(tail).epsilon(1e-12));
  CHECK(call_lpdf<lognormal_fn>(vec({std::exp(40.0)}), {vec({0.0}), vec({1.0})}, density_fn::lccdf).lp == Approx(tail).epsilon(1e-12));
  const auto draws = test::draw_many(20000, 16, [](rng& g) { return lognormal_fn::generate(g, 0.3, 0.6); });
  check_draws(draws, bm::lognormal_distribution<ld>(0.3, 0.6), "lognormal draws");
}

TEST_CASE("pareto matches Boost.Math and bounds its support at y_min", "[dist][pareto]") {
  const std::vector<double> xs{2.0, 2.0000001, 2.5, 10.0, 1e3, 1e8};
  auto ref = [](double x, const std::vector<double>& p) {
    return from_boost(bm::pareto_distribution<ld>(p[0], p[1]), x);
  };
  check_values<pareto_fn, true>(xs, {{2.0, 0.1}, {1.5, 1.0}, {0.01, 3.0}, {2.0, 40.0}}, ref, 1e-10);
  check_partials<pareto_fn, true>(vec({2.3, 3.0, 9.0}), {vec({1.5, 0.7, 2.0}), vec({1.3, 0.4, 2.2})});
  check_float<pareto_fn>(vec({2.3, 3.0, 9.0}), {1.5, 1.3});
  check_invalid<pareto_fn>(vec({3.0}), {-1.0, 1.0});
  check_invalid<pareto_fn>(vec({3.0}), {1.0, 0.0});
  // Below y_min the density and CDF vanish and the CCDF is 1.
  CHECK(call_lpdf<pareto_fn>(vec({3.0, 1.0}), {vec({1.5}), vec({2.0})}).lp == -math::inf<double>);
  CHECK(call_lpdf<pareto_fn>(vec({1.0}), {vec({1.5}), vec({2.0})}, density_fn::lcdf).lp == -math::inf<double>);
  CHECK(call_lpdf<pareto_fn>(vec({1.0}), {vec({1.5}), vec({2.0})}, density_fn::lccdf).lp == 0.0);
  // Far tail: log CCDF = alpha log(y_min / x).
  CHECK(call_lpdf<pareto_fn>(vec({1e300}), {vec({1.0}), vec({50.0})}, density_fn::lccdf).lp ==
        Approx(-50 * 300 * std::log(10.0)).epsilon(1e-14));
  const auto draws = test::draw_many(20000, 17, [](rng& g) { return pareto_fn::generate(g, 1.5, 3.5); });
  check_draws(draws, bm::pareto_distribution<ld>(1.5, 3.5), "pareto draws");
}

TEST_CASE("half_student_t is twice the student_t on the positive half-line", "[dist][half_student_t]") {
  const std::vector<double> xs{0.0, 1e-6, 0.3, 1.0, 4.0, 80.0, 1e6};
  auto ref = [](double x, const std::vector<double>& p) {
    const ld s = p[1];
    return ref_point{2 * bm::pdf(bm::students_t_distribution<ld>(p[0]), x / s) / s, 0, 0};
  };
  check_values<half_student_t_fn, false>(xs, {{0.5, 1.0}, {1.0, 0.01}, {4.0, 2.5}, {300.0, 1e3}}, ref, 1e-10);
  check_partials<half_student_t_fn, false>(vec({0.3, 1.2, 4.0}), {vec({2.5, 0.7, 9.0}), vec({1.3, 0.4, 2.2})});
  check_float<half_student_t_fn>(vec({0.3, 1.2, 4.0}), {2.5, 1.3});
  check_invalid<half_student_t_fn>(vec({1.0}), {0.0, 1.0});
  check_invalid<half_student_t_fn>(vec({1.0}), {3.0, 0.0});
  CHECK(call_lpdf<half_student_t_fn>(vec({-0.1}), {vec({3.0}), vec({1.0})}).lp == -math::inf<double>);
  const auto draws = test::draw_many(20000, 18, [](rng& g) { return half_student_t_fn::generate(g, 5.0, 2.0); });
  test::check_ks(draws, [](double v) { return static_cast<double>(2 * bm::cdf(bm::students_t_distribution<ld>(5), v / 2.0L) - 1); },
                 "half_student_t draws");
  // E|T_nu| = 2 sqrt(nu) Gamma((nu + 1) / 2) / (sqrt(pi) Gamma(nu / 2) (nu - 1)); E T^2 = nu / (nu - 2).
  const double mean = 2.0 * 2 * std::sqrt(5.0) * std::tgamma(3.0) / (std::sqrt(M_PI) * std::tgamma(2.5) * 4);
  test::check_mean(draws, mean, std::sqrt(4 * 5.0 / 3 - mean * mean), "half_student_t draws");
}

TEST_CASE("exponential and half_normal CDFs and draws match Boost.Math", "[dist][exponential][half_normal]") {
  const std::vector<double> xs{1e-10, 0.01, 0.5, 1.0, 3.0, 30.0, 700.0};
  check_values<exponential_fn, true>(
      xs, {{1e-3}, {0.5}, {1.0}, {40.0}},
      [](double x, const std::vector<double>& p) { return from_boost(bm::exponential_distribution<ld>(p[0]), x); },
      1e-10);
  check_values<half_normal_fn, true>(
      xs, {{1e-3}, {0.5}, {1.0}, {40.0}},
      [](double x, const std::vector<double>& p) {
        const bm::normal_distribution<ld> d(0, p[0]);
        const ld u = x / (p[0] * std::sqrt(2.0L));
        return ref_point{2 * bm::pdf(d, x), std::erf(u), std::erfc(u)};
      },
      1e-10);
  check_partials<exponential_fn, true>(vec({0.3, 1.2, 4.0}), {vec({2.5, 0.7, 0.1})});
  check_partials<half_normal_fn, true>(vec({0.3, 1.2, 4.0}), {vec({2.5, 0.7, 1.1})});
  check_invalid<exponential_fn>(vec({1.0}), {0.0});
  check_invalid<half_normal_fn>(vec({1.0}), {-1.0});
  check_draws(test::draw_many(20000, 19, [](rng& g) { return exponential_fn::generate(g, 2.5); }),
              bm::exponential_distribution<ld>(2.5), "exponential draws");
  auto hn = test::draw_many(20000, 20, [](rng& g) { return half_normal_fn::generate(g, 1.7); });
  test::check_ks(hn, [](double v) { return std::erf(v / (1.7 * std::sqrt(2.0))); }, "half_normal draws");
  test::check_mean(hn, 1.7 * std::sqrt(2 / M_PI), 1.7 * std::sqrt(1 - 2 / M_PI), "half_normal draws");
}

TEST_CASE("gaussian_random_walk draws have independent normal steps", "[dist][gaussian_random_walk]") {
  rng g(21, 0);
  constexpr index_t n = 5000;
  std::vector<double> walk(n);
  gaussian_random_walk_fn::generate(g, n, walk.data(), 0.8);
  std::vector<double> steps(n);
  for (index_t t = 0; t < n; ++t) steps[static_cast<std::size_t>(t)] = walk[static_cast<std::size_t>(t)] - (t ? walk[static_cast<std::size_t>(t - 1)] : 0.0);
  test::check_ks(steps, [](double v) { return static_cast<double>(bm::cdf(bm::normal_distribution<ld>(0, 0.8L), v)); }, "walk steps");
  // Lag-one correlation of the steps is zero (5 standard errors of 1 / sqrt(n)).
  double c = 0, v = 0;
  for (std::size_t t = 1; t < steps.size(); ++t) c += steps[t] * steps[t - 1];
  for (double s : steps) v += s * s;
  CHECK(std::abs(c / v) < 5 / std::sqrt(static_cast<double>(n)));
}

// ---- in a model -------------------------------------------------------------------------------

TEST_CASE("a model of positive families has exact gradients and the right transforms", "[dist][model]") {
  const Eigen::VectorXd y = vec({0.8, 1.9, 0.3, 4.2, 1.1});
  const Eigen::VectorXd t = vec({2.5, 1.2, 7.0});
  auto a = param<"a">(gamma(2.0, 1.5));
  auto s = param<"s">(half_student_t(3.0, 1.0));
  auto k = param<"k">(weibull(1.5, 2.0));
  auto m = param<"m">(pareto(0.5, 3.0));
  auto v = param<"v">(inv_gamma(3.0, 2.0), 2);
  auto c2 = param<"c2">(chi_square(4.0));
  auto model_ = model(a, s, k, m, v, c2,
                      observe<"y">(gamma(a, s), y),
                      observe<"t">(lognormal(m, k), t),
                      observe<"u">(weibull(a, v[Eigen::VectorXi::Zero(3)]), t),
                      observe<"w">(pareto(0.2, c2), y));
  auto c = compile(model_);
  const std::string d = c.describe();
  INFO(d);
  CHECK_THAT(d, Catch::Contains("param<\"m\">") && Catch::Contains("lower(0.500000)"));
  CHECK_THAT(d, Catch::Contains("lower(0.000000)"));
  test::check_gradient(c, 3, 1e-6, 42, 1.0);
  test::check_float_matches_double(c, compile<float>(model_));
}
