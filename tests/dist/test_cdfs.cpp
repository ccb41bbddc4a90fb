// lcdf and lccdf of half_student_t, neg_binomial_2(_log), categorical and categorical_logit:
// values against Boost.Math (long double) or exact sums, far tails and extreme parameters,
// every partial against central differences (of Boost's long double functions where the
// reference must be exact, of the family itself elsewhere), the float instantiation, invalid
// arguments, and censored / truncated models built on the new functions.
#include <boost/math/distributions/negative_binomial.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <exmc/dist/categorical.hpp>
#include <exmc/dist/categorical_logit.hpp>
#include <exmc/dist/censored.hpp>
#include <exmc/dist/half_student_t.hpp>
#include <exmc/dist/neg_binomial_2.hpp>
#include <exmc/dist/neg_binomial_2_log.hpp>
#include <exmc/dist/truncated.hpp>

#include "../support/gradient_check.hpp"
#include "lpdf_harness.hpp"

using namespace exmc;
using test::call_lpdf;
using test::check_lpdf_partials;
using test::density_fn;
using test::vec;

namespace bm = boost::math;
using ld = long double;

namespace {

constexpr double ninf = -math::inf<double>;

// log p from p and its complement in long double: the smaller one holds the digits.
ld log_prob(ld p, ld complement) { return p < 0.5L ? std::log(p) : std::log1p(-complement); }

template <class Fn>
double lcdf_of(const Eigen::VectorXd& x, const std::vector<Eigen::VectorXd>& a) {
  return call_lpdf<Fn>(x, a, density_fn::lcdf).lp;
}
template <class Fn>
double lccdf_of(const Eigen::VectorXd& x, const std::vector<Eigen::VectorXd>& a) {
  return call_lpdf<Fn>(x, a, density_fn::lccdf).lp;
}

// Fourth-order central difference in long double.
template <class F>
ld fd_ld(F&& f, ld v, ld h) {
  return (-f(v + 2 * h) + 8 * f(v + h) - 8 * f(v - h) + f(v - 2 * h)) / (12 * h);
}

// half_student_t's CDF and CCDF in long double from Boost's incomplete beta:
// F = I_{z^2/(nu+z^2)}(1/2, nu/2), 1 - F = I_{nu/(nu+z^2)}(nu/2, 1/2), both from the smaller
// of the two arguments (the larger, near 1, would have lost the other's digits). (Boost's students_t is checked against these at moderate z.)
struct probs {
  ld cdf, ccdf;
};
probs half_t_ref(ld nu, ld sigma, ld x) {
  const ld z = x / sigma, z2 = z * z;
  if (z2 < nu) {
    const ld v = z2 / (nu + z2);
    return {bm::ibeta(0.5L, nu / 2, v), bm::ibetac(0.5L, nu / 2, v)};
  }
  const ld q = nu / (nu + z2);
  return {bm::ibetac(nu / 2, 0.5L, q), bm::ibeta(nu / 2, 0.5L, q)};
}
// The negative binomial's, through Boost's incomplete beta with w = mu / (mu + phi) formed
// exactly (P(Y <= y) = ibetac(y + 1, phi, w)); its negative_binomial distribution forms p = 1 - w,
// which loses w's digits for mu far below phi.
probs nb_ref(ld mu, ld phi, ld y) {
  const ld w = mu / (mu + phi);
  return {bm::ibetac(y + 1, phi, w), bm::ibeta(y + 1, phi, w)};
}

// Float instantiation with scalar arguments: value and partials, for comparison with double.
struct float_result {
  double lp;
  std::vector<double> d;
};
template <class Fn, bool Lower, class XV, class... A>
float_result float_cdf(XV& xv, index_t n, A... args) {
  auto views = std::make_tuple(scalar_view<float, true>{static_cast<float>(args)}...);
  float_result r;
  r.lp = std::apply(
      [&](auto&... v) {
        if constexpr (Lower)
          return Fn::lcdf(n, xv, v...);
        else
          return Fn::lccdf(n, xv, v...);
      },
      views);
  std::apply([&](auto&... v) { (r.d.push_back(static_cast<double>(v.acc)), ...); }, views);
  return r;
}

}  // namespace

TEST_CASE("half_student_t lcdf and lccdf match Boost.Math, tails and extreme nu", "[dist][cdfs][half_student_t]") {
  for (double nu : {1e-3, 0.3, 1.0, 4.5, 30.0, 1e4, 1e7}) {
    for (double s : {0.05, 1.0, 7.0}) {
      for (double z : {1e-9, 1e-3, 0.4, 1.0, 3.0, 50.0, 1e6, 1e100}) {
        const double x = z * s;
        const probs r = half_t_ref(nu, s, x);
        INFO("nu " << nu << ", sigma " << s << ", x " << x);
        if (r.cdf > 1e-4000L) CHECK(lcdf_of<half_student_t_fn>(vec({x}), {vec({nu}), vec({s})}) == Approx(static_cast<double>(log_prob(r.cdf, r.ccdf))).epsilon(1e-10).margin(1e-300));
        if (r.ccdf > 1e-4000L) CHECK(lccdf_of<half_student_t_fn>(vec({x}), {vec({nu}), vec({s})}) == Approx(static_cast<double>(log_prob(r.ccdf, r.cdf))).epsilon(1e-10).margin(1e-300));
      }
    }
  }
  // The reference is the t law: 2 T(z) - 1 and 2 (1 - T(z)) from Boost's students_t.
  for (double nu : {0.7, 3.0, 25.0})
    for (double z : {0.4, 2.0, 50.0}) {
      const bm::students_t_distribution<ld> t(nu);
      const probs r = half_t_ref(nu, 1, z);
      CHECK(static_cast<double>(r.ccdf) == Approx(static_cast<double>(2 * bm::cdf(bm::complement(t, static_cast<ld>(z))))).epsilon(1e-14));
      CHECK(static_cast<double>(r.cdf) == Approx(static_cast<double>(2 * bm::cdf(t, static_cast<ld>(z)) - 1)).epsilon(1e-14));
    }
  // Where the CCDF is below the smallest double: x^-nu tail, 2 C nu^(nu/2 - 1/2)... from Boost in long double.
  const probs far = half_t_ref(3.0L, 1.0L, 1e120L);
  CHECK(lccdf_of<half_student_t_fn>(vec({1e120}), {vec({3.0}), vec({1.0})}) == Approx(static_cast<double>(std::log(far.ccdf))).epsilon(1e-12));
  // A z so small that z^2 underflows: F = 2 t_pdf(0) z to first order.
  const double tiny = 1e-170, pdf0 = bm::pdf(bm::students_t_distribution<double>(2.5), 0.0);
  CHECK(lcdf_of<half_student_t_fn>(vec({tiny}), {vec({2.5}), vec({1.0})}) == Approx(std::log(2 * pdf0 * tiny)).epsilon(1e-13));
  // Sums over elements with vector arguments equal the elementwise sums.
  const Eigen::VectorXd xs = vec({0.2, 1.5, 9.0}), nus = vec({1.5, 4.0, 40.0}), ss = vec({0.7, 2.0, 1.1});
  double lc = 0, lcc = 0;
  for (int i = 0; i < 3; ++i) {
    const probs r = half_t_ref(nus[i], ss[i], xs[i]);
    lc += static_cast<double>(log_prob(r.cdf, r.ccdf));
    lcc += static_cast<double>(log_prob(r.ccdf, r.cdf));
  }
  CHECK(lcdf_of<half_student_t_fn>(xs, {nus, ss}) == Approx(lc).epsilon(1e-12));
  CHECK(lccdf_of<half_student_t_fn>(xs, {nus, ss}) == Approx(lcc).epsilon(1e-12));
  // Outside the support and the end points; invalid arguments.
  CHECK(lcdf_of<half_student_t_fn>(vec({0.0}), {vec({3.0}), vec({1.0})}) == ninf);
  CHECK(lccdf_of<half_student_t_fn>(vec({0.0}), {vec({3.0}), vec({1.0})}) == 0.0);
  CHECK(lcdf_of<half_student_t_fn>(vec({-2.0}), {vec({3.0}), vec({1.0})}) == ninf);
  CHECK(lccdf_of<half_student_t_fn>(vec({-2.0, 1.0}), {vec({3.0}), vec({1.0})}) == Approx(static_cast<double>(std::log(half_t_ref(3, 1, 1).ccdf))));
  CHECK(lcdf_of<half_student_t_fn>(vec({math::inf<double>}), {vec({3.0}), vec({1.0})}) == 0.0);
  CHECK(lccdf_of<half_student_t_fn>(vec({math::inf<double>}), {vec({3.0}), vec({1.0})}) == ninf);
  for (auto bad : std::vector<std::array<double, 2>>{{0.0, 1.0}, {-1.0, 1.0}, {3.0, 0.0}, {3.0, -2.0}, {std::nan(""), 1.0},
                                                     {3.0, math::inf<double>}, {math::inf<double>, 1.0}}) {
    INFO("nu " << bad[0] << ", sigma " << bad[1]);
    CHECK(lcdf_of<half_student_t_fn>(vec({1.0}), {vec({bad[0]}), vec({bad[1]})}) == ninf);
    CHECK(lccdf_of<half_student_t_fn>(vec({1.0}), {vec({bad[0]}), vec({bad[1]})}) == ninf);
  }
  CHECK(lcdf_of<half_student_t_fn>(vec({std::nan("")}), {vec({3.0}), vec({1.0})}) == ninf);
}

TEST_CASE("half_student_t CDF partials against central differences", "[dist][cdfs][half_student_t]") {
  // Of Boost's long double CDFs, including tiny and huge nu and far tails.
  for (double nu : {0.02, 0.8, 3.0, 25.0, 1e5}) {
    for (double s : {0.3, 2.0}) {
      for (double z : {1e-3, 0.5, 2.0, 40.0, 1e8}) {
        const double x = z * s;
        const probs r0 = half_t_ref(nu, s, x);
        if (!(r0.cdf > 1e-4000L && r0.ccdf > 1e-4000L)) continue;  // the reference underflows
        const auto rc = call_lpdf<half_student_t_fn>(vec({x}), {vec({nu}), vec({s})}, density_fn::lcdf);
        const auto rcc = call_lpdf<half_student_t_fn>(vec({x}), {vec({nu}), vec({s})}, density_fn::lccdf);
        auto lc = [&](ld v, ld sg) { const probs r = half_t_ref(v, sg, x); return log_prob(r.cdf, r.ccdf); };
        auto lcc = [&](ld v, ld sg) { const probs r = half_t_ref(v, sg, x); return log_prob(r.ccdf, r.cdf); };
        const ld hn = 1e-4L * nu, hs = 1e-4L * s;
        const double d_nu_c = static_cast<double>(fd_ld([&](ld v) { return lc(v, s); }, nu, hn));
        const double d_nu_cc = static_cast<double>(fd_ld([&](ld v) { return lcc(v, s); }, nu, hn));
        const double d_s_c = static_cast<double>(fd_ld([&](ld v) { return lc(nu, v); }, s, hs));
        const double d_s_cc = static_cast<double>(fd_ld([&](ld v) { return lcc(nu, v); }, s, hs));
        INFO("nu " << nu << ", sigma " << s << ", x " << x);
        CHECK(rc.dargs[0][0] == Approx(d_nu_c).epsilon(1e-7).margin(1e-12));
        CHECK(rcc.dargs[0][0] == Approx(d_nu_cc).epsilon(1e-7).margin(1e-12));
        CHECK(rc.dargs[1][0] == Approx(d_s_c).epsilon(1e-7).margin(1e-12));
        CHECK(rcc.dargs[1][0] == Approx(d_s_cc).epsilon(1e-7).margin(1e-12));
      }
    }
  }
  // And of the family itself, with scalar, vector and mixed arguments (every element's partial).
  const Eigen::VectorXd x = vec({0.3, 1.7, 6.0});
  for (density_fn w : {density_fn::lcdf, density_fn::lccdf}) {
    check_lpdf_partials<half_student_t_fn>(x, {vec({3.5}), vec({1.2})}, false, 1e-7, w);
    check_lpdf_partials<half_student_t_fn>(x, {vec({0.7, 3.0, 12.0}), vec({0.5, 1.2, 3.0})}, false, 1e-7, w);
    check_lpdf_partials<half_student_t_fn>(x, {vec({0.7, 3.0, 12.0}), vec({1.2})}, false, 1e-7, w);
    check_lpdf_partials<half_student_t_fn>(x, {vec({2.0}), vec({0.5, 1.2, 3.0})}, false, 1e-7, w);
  }
}

TEST_CASE("neg_binomial_2 lcdf and lccdf match Boost.Math across mu, phi and y", "[dist][cdfs][neg_binomial_2]") {
  for (double mu : {1e-6, 0.3, 3.0, 250.0, 1e5}) {
    for (double phi : {1e-3, 0.5, 7.0, 1e3, 1e5}) {
      for (double y : {0.0, 1.0, 5.0, 40.0, 1000.0, 1e5}) {
        const probs r = nb_ref(mu, phi, y);
        INFO("mu " << mu << ", phi " << phi << ", y " << y);
        const double want_c = static_cast<double>(log_prob(r.cdf, r.ccdf)), want_cc = static_cast<double>(log_prob(r.ccdf, r.cdf));
        const double c = lcdf_of<neg_binomial_2_fn>(vec({y}), {vec({mu}), vec({phi})});
        const double cc = lccdf_of<neg_binomial_2_fn>(vec({y}), {vec({mu}), vec({phi})});
        if (r.cdf > 1e-4000L) CHECK(c == Approx(want_c).epsilon(1e-9).margin(1e-300));
        if (r.ccdf > 1e-4000L) CHECK(cc == Approx(want_cc).epsilon(1e-9).margin(1e-300));
        // The log-mean family agrees.
        CHECK(lcdf_of<neg_binomial_2_log_fn>(vec({y}), {vec({std::log(mu)}), vec({phi})}) == Approx(c).epsilon(1e-12).margin(1e-300));
        CHECK(lccdf_of<neg_binomial_2_log_fn>(vec({y}), {vec({std::log(mu)}), vec({phi})}) == Approx(cc).epsilon(1e-12).margin(1e-300));
      }
    }
  }
  // Boost's negative_binomial distribution (parameters r = phi, p = phi / (mu + phi)) where p
  // keeps its digits.
  for (double mu : {0.4, 6.0, 90.0}) {
    for (double phi : {0.2, 3.0, 60.0}) {
      const bm::negative_binomial_distribution<ld> d(phi, static_cast<ld>(phi) / (static_cast<ld>(mu) + phi));
      for (double y : {0.0, 2.0, 9.0, 150.0}) {
        const ld c = bm::cdf(d, static_cast<ld>(y)), cc = bm::cdf(bm::complement(d, static_cast<ld>(y)));
        INFO("mu " << mu << ", phi " << phi << ", y " << y);
        CHECK(lcdf_of<neg_binomial_2_fn>(vec({y}), {vec({mu}), vec({phi})}) == Approx(static_cast<double>(log_prob(c, cc))).epsilon(1e-10));
        CHECK(lccdf_of<neg_binomial_2_fn>(vec({y}), {vec({mu}), vec({phi})}) == Approx(static_cast<double>(log_prob(cc, c))).epsilon(1e-10));
      }
    }
  }
  // phi far above the counts: the Poisson limit (differences of order y^2 / phi, mu y / phi).
  for (double mu : {0.5, 3.0, 1000.0}) {
    const bm::poisson_distribution<ld> pd(mu);
    for (double y : {0.0, 3.0, 20.0, 1200.0}) {
      const ld c = bm::cdf(pd, static_cast<ld>(y)), cc = bm::cdf(bm::complement(pd, static_cast<ld>(y)));
      INFO("mu " << mu << ", y " << y);
      if (c > 1e-4000L) CHECK(lcdf_of<neg_binomial_2_fn>(vec({y}), {vec({mu}), vec({1e13})}) == Approx(static_cast<double>(log_prob(c, cc))).epsilon(1e-8));
      if (cc > 1e-4000L) CHECK(lccdf_of<neg_binomial_2_fn>(vec({y}), {vec({mu}), vec({1e13})}) == Approx(static_cast<double>(log_prob(cc, c))).epsilon(1e-8));
    }
  }
  // Sums with vector arguments; mixes of scalar and vector.
  const Eigen::VectorXd ys = vec({0, 4, 11}), mus = vec({2.0, 5.5, 0.8}), phis = vec({1.5, 30.0, 0.4});
  double lc = 0, lcc = 0;
  for (int i = 0; i < 3; ++i) {
    const probs r = nb_ref(mus[i], phis[i], ys[i]);
    lc += static_cast<double>(log_prob(r.cdf, r.ccdf));
    lcc += static_cast<double>(log_prob(r.ccdf, r.cdf));
  }
  CHECK(lcdf_of<neg_binomial_2_fn>(ys, {mus, phis}) == Approx(lc).epsilon(1e-11));
  CHECK(lccdf_of<neg_binomial_2_fn>(ys, {mus, phis}) == Approx(lcc).epsilon(1e-11));
  CHECK(lcdf_of<neg_binomial_2_log_fn>(ys, {Eigen::VectorXd(mus.array().log()), phis}) == Approx(lc).epsilon(1e-11));
  // Below the support and invalid arguments.
  CHECK(lcdf_of<neg_binomial_2_fn>(vec({-1.0}), {vec({2.0}), vec({3.0})}) == ninf);
  CHECK(lccdf_of<neg_binomial_2_fn>(vec({-1.0}), {vec({2.0}), vec({3.0})}) == 0.0);
  for (auto bad : std::vector<std::array<double, 2>>{{0.0, 1.0}, {-1.0, 1.0}, {2.0, 0.0}, {2.0, -3.0}, {std::nan(""), 1.0},
                                                     {2.0, std::nan("")}, {math::inf<double>, 1.0}, {2.0, math::inf<double>}}) {
    INFO("mu " << bad[0] << ", phi " << bad[1]);
    CHECK(lcdf_of<neg_binomial_2_fn>(vec({3.0}), {vec({bad[0]}), vec({bad[1]})}) == ninf);
    CHECK(lccdf_of<neg_binomial_2_fn>(vec({3.0}), {vec({bad[0]}), vec({bad[1]})}) == ninf);
  }
  CHECK(lcdf_of<neg_binomial_2_log_fn>(vec({3.0}), {vec({math::inf<double>}), vec({2.0})}) == ninf);
  CHECK(lccdf_of<neg_binomial_2_log_fn>(vec({3.0}), {vec({-math::inf<double>}), vec({2.0})}) == ninf);
  CHECK(lccdf_of<neg_binomial_2_log_fn>(vec({3.0}), {vec({1.0}), vec({0.0})}) == ninf);
}

TEST_CASE("neg_binomial_2 CDF partials against central differences", "[dist][cdfs][neg_binomial_2]") {
  // Of Boost's long double incomplete beta, on both sides of the mean and with extreme phi.
  for (double mu : {1e-3, 0.7, 4.0, 300.0}) {
    for (double phi : {2e-3, 0.6, 9.0, 2e4}) {
      for (double y : {0.0, 3.0, 25.0, 700.0}) {
        const auto rc = call_lpdf<neg_binomial_2_fn>(vec({y}), {vec({mu}), vec({phi})}, density_fn::lcdf);
        const auto rcc = call_lpdf<neg_binomial_2_fn>(vec({y}), {vec({mu}), vec({phi})}, density_fn::lccdf);
        const auto ec = call_lpdf<neg_binomial_2_log_fn>(vec({y}), {vec({std::log(mu)}), vec({phi})}, density_fn::lcdf);
        const auto ecc = call_lpdf<neg_binomial_2_log_fn>(vec({y}), {vec({std::log(mu)}), vec({phi})}, density_fn::lccdf);
        const probs r0 = nb_ref(mu, phi, y);
        if (r0.ccdf < 1e-4000L || r0.cdf < 1e-4000L) continue;
        auto lc = [&](ld m, ld f) { const probs r = nb_ref(m, f, y); return log_prob(r.cdf, r.ccdf); };
        auto lcc = [&](ld m, ld f) { const probs r = nb_ref(m, f, y); return log_prob(r.ccdf, r.cdf); };
        const ld hm = 1e-4L * mu, hp = 1e-4L * phi;
        const double d_mu_c = static_cast<double>(fd_ld([&](ld v) { return lc(v, phi); }, mu, hm));
        const double d_mu_cc = static_cast<double>(fd_ld([&](ld v) { return lcc(v, phi); }, mu, hm));
        const double d_phi_c = static_cast<double>(fd_ld([&](ld v) { return lc(mu, v); }, phi, hp));
        const double d_phi_cc = static_cast<double>(fd_ld([&](ld v) { return lcc(mu, v); }, phi, hp));
        INFO("mu " << mu << ", phi " << phi << ", y " << y);
        CHECK(rc.dargs[0][0] == Approx(d_mu_c).epsilon(1e-7).margin(1e-12));
        CHECK(rcc.dargs[0][0] == Approx(d_mu_cc).epsilon(1e-7).margin(1e-12));
        CHECK(rc.dargs[1][0] == Approx(d_phi_c).epsilon(1e-7).margin(1e-12));
        CHECK(rcc.dargs[1][0] == Approx(d_phi_cc).epsilon(1e-7).margin(1e-12));
        // d/deta = mu d/dmu, and the phi partials agree.
        CHECK(ec.dargs[0][0] == Approx(mu * rc.dargs[0][0]).epsilon(1e-10).margin(1e-14));
        CHECK(ecc.dargs[0][0] == Approx(mu * rcc.dargs[0][0]).epsilon(1e-10).margin(1e-14));
        CHECK(ec.dargs[1][0] == Approx(rc.dargs[1][0]).epsilon(1e-10).margin(1e-14));
        CHECK(ecc.dargs[1][0] == Approx(rcc.dargs[1][0]).epsilon(1e-10).margin(1e-14));
      }
    }
  }
  // Of the families themselves, scalar, vector and mixed arguments.
  const Eigen::VectorXd y = vec({0, 2, 7});
  for (density_fn w : {density_fn::lcdf, density_fn::lccdf}) {
    check_lpdf_partials<neg_binomial_2_fn>(y, {vec({3.0}), vec({1.7})}, false, 1e-7, w);
    check_lpdf_partials<neg_binomial_2_fn>(y, {vec({0.5, 3.0, 9.0}), vec({0.3, 4.0, 50.0})}, false, 1e-7, w);
    check_lpdf_partials<neg_binomial_2_fn>(y, {vec({0.5, 3.0, 9.0}), vec({2.0})}, false, 1e-7, w);
    check_lpdf_partials<neg_binomial_2_log_fn>(y, {vec({1.1}), vec({0.3, 4.0, 50.0})}, false, 1e-7, w);
    check_lpdf_partials<neg_binomial_2_log_fn>(y, {vec({-0.4, 1.1, 2.5}), vec({0.3, 4.0, 50.0})}, false, 1e-7, w);
  }
}

TEST_CASE("categorical and categorical_logit lcdf and lccdf", "[dist][cdfs][categorical]") {
  const Eigen::VectorXd theta = vec({0.1, 0.25, 1e-12, 0.4, 0.25 - 1e-12});
  const Eigen::VectorXd y = vec({1, 2, 3, 4, 3});
  // Outcomes are 1-based: P(Y <= y) = theta_1 + ... + theta_y.
  auto cdf = [&](int k) { ld s = 0; for (int j = 0; j < k; ++j) s += theta[j]; return s; };
  auto ccdf = [&](int k) { ld s = 0; for (int j = k; j < 5; ++j) s += theta[j]; return s; };
  ld want_c = 0, want_cc = 0;
  for (double v : y) {
    want_c += std::log(cdf(static_cast<int>(v)));
    want_cc += std::log(ccdf(static_cast<int>(v)));
  }
  const auto rc = call_lpdf<categorical_fn>(y, {theta}, density_fn::lcdf);
  const auto rcc = call_lpdf<categorical_fn>(y, {theta}, density_fn::lccdf);
  CHECK(rc.lp == Approx(static_cast<double>(want_c)).epsilon(1e-14));
  CHECK(rcc.lp == Approx(static_cast<double>(want_cc)).epsilon(1e-14));
  // A tail far below rounding of 1 keeps its digits: P(Y > 4) = 0.25 - 1e-12, P(Y > 2) holds 1e-12.
  CHECK(lccdf_of<categorical_fn>(vec({3}), {vec({0.5, 0.5 - 1e-13, 0.0, 1e-13})}) == Approx(std::log(1e-13)).epsilon(1e-12));
  // Partials: 1 / P(sum) for each entry in the sum, summed over the observations.
  for (int k = 0; k < 5; ++k) {
    ld gc = 0, gcc = 0;
    for (double v : y) {
      if (k < v) gc += 1 / cdf(static_cast<int>(v));
      if (k >= v) gcc += 1 / ccdf(static_cast<int>(v));
    }
    INFO("entry " << k);
    CHECK(rc.dargs[0][k] == Approx(static_cast<double>(gc)).epsilon(1e-14));
    CHECK(rcc.dargs[0][k] == Approx(static_cast<double>(gcc)).epsilon(1e-14));
  }
  // And against central differences along directions that stay on the simplex (theta_k up,
  // theta_K down): the difference of partials k and K.
  const Eigen::VectorXd th2 = vec({0.2, 0.3, 0.1, 0.4});
  const Eigen::VectorXd y2 = vec({1, 3, 2, 2});
  for (density_fn w : {density_fn::lcdf, density_fn::lccdf}) {
    const auto r = call_lpdf<categorical_fn>(y2, {th2}, w);
    for (int k = 0; k < 3; ++k) {
      auto f = [&](double h) {
        Eigen::VectorXd t = th2;
        t[k] += h;
        t[3] -= h;
        return call_lpdf<categorical_fn>(y2, {t}, w).lp;
      };
      const double h = 1e-4, d = (-f(2 * h) + 8 * f(h) - 8 * f(-h) + f(-2 * h)) / (12 * h);
      INFO("function " << static_cast<int>(w) << ", entry " << k);
      CHECK(r.dargs[0][k] - r.dargs[0][3] == Approx(d).epsilon(1e-9).margin(1e-9));
    }
  }
  // End points: y >= K has CDF 1, y < 1 CCDF 1 (zero partials); the other side -inf.
  const auto top = call_lpdf<categorical_fn>(vec({4, 9}), {th2}, density_fn::lcdf);
  CHECK(top.lp == 0.0);
  CHECK(top.dargs[0].isZero());
  CHECK(lccdf_of<categorical_fn>(vec({4}), {th2}) == ninf);
  CHECK(lccdf_of<categorical_fn>(vec({0}), {th2}) == 0.0);
  CHECK(lcdf_of<categorical_fn>(vec({0}), {th2}) == ninf);
  // Invalid theta: not a simplex, an entry outside [0, 1], NaN.
  for (const Eigen::VectorXd& bad : {vec({0.2, 0.3, 0.1, 0.5}), vec({1.2, -0.2, 0.0, 0.0}), vec({0.2, std::nan(""), 0.4, 0.4})}) {
    CHECK(lcdf_of<categorical_fn>(vec({2}), {bad}) == ninf);
    CHECK(lccdf_of<categorical_fn>(vec({2}), {bad}) == ninf);
  }

  // categorical_logit: the same sums of softmax(beta), stable for any finite beta.
  const Eigen::VectorXd beta = vec({0.3, -1.2, 2.0, 0.0, -0.5});
  const Eigen::VectorXd sm = beta.array().exp() / beta.array().exp().sum();
  const auto lc = call_lpdf<categorical_logit_fn>(y, {beta}, density_fn::lcdf);
  const auto lcc = call_lpdf<categorical_logit_fn>(y, {beta}, density_fn::lccdf);
  double ref_c = 0, ref_cc = 0;
  for (double v : y) {
    ref_c += std::log(sm.head(static_cast<Eigen::Index>(v)).sum());
    ref_cc += std::log(sm.tail(5 - static_cast<Eigen::Index>(v)).sum());
  }
  CHECK(lc.lp == Approx(ref_c).epsilon(1e-13));
  CHECK(lcc.lp == Approx(ref_cc).epsilon(1e-13));
  for (density_fn w : {density_fn::lcdf, density_fn::lccdf}) {
    check_lpdf_partials<categorical_logit_fn>(y, {beta}, false, 1e-8, w);
    check_lpdf_partials<categorical_logit_fn>(vec({1, 4, 4, 2}), {vec({5.0, -3.0, 0.5, 1.0, 2.0})}, false, 1e-8, w);
  }
  // Extreme logits: a tail of e^-800 relative to the rest.
  CHECK(lccdf_of<categorical_logit_fn>(vec({2}), {vec({400.0, 0.0, -400.0})}) == Approx(-800.0).epsilon(1e-14));
  CHECK(lcdf_of<categorical_logit_fn>(vec({1}), {vec({-400.0, 0.0, 400.0})}) == Approx(-800.0).epsilon(1e-14));
  CHECK(lcdf_of<categorical_logit_fn>(vec({5}), {beta}) == 0.0);
  CHECK(lccdf_of<categorical_logit_fn>(vec({5}), {beta}) == ninf);
  CHECK(lccdf_of<categorical_logit_fn>(vec({0}), {beta}) == 0.0);
  CHECK(lcdf_of<categorical_logit_fn>(vec({2}), {vec({0.0, math::inf<double>, 1.0})}) == ninf);
  CHECK(lccdf_of<categorical_logit_fn>(vec({2}), {vec({0.0, std::nan(""), 1.0})}) == ninf);
}

TEST_CASE("float instantiations of the new CDFs agree with double", "[dist][cdfs][float]") {
  auto compare = [](const float_result& f, double lp, const std::vector<double>& d) {
    CHECK(f.lp == Approx(lp).epsilon(1e-5).margin(1e-5));
    for (std::size_t k = 0; k < d.size(); ++k) CHECK(f.d[k] == Approx(d[k]).epsilon(1e-4).margin(1e-5));
  };
  {
    const Eigen::VectorXf xf = vec({0.2, 1.5, 9.0}).cast<float>();
    const Eigen::VectorXd xd = xf.cast<double>();
    vector_view<float, float, false> xv{xf.data(), nullptr};
    for (bool lower : {true, false}) {
      const auto r = call_lpdf<half_student_t_fn>(xd, {vec({3.5}), vec({1.25})}, lower ? density_fn::lcdf : density_fn::lccdf);
      const float_result f = lower ? float_cdf<half_student_t_fn, true>(xv, 3, 3.5, 1.25) : float_cdf<half_student_t_fn, false>(xv, 3, 3.5, 1.25);
      compare(f, r.lp, {r.dargs[0][0], r.dargs[1][0]});
    }
  }
  {
    const Eigen::VectorXi yi = (Eigen::VectorXi(4) << 0, 2, 5, 30).finished();
    const Eigen::VectorXd yd = yi.cast<double>();
    vector_view<int, float, false> yv{yi.data(), nullptr};
    for (bool lower : {true, false}) {
      const density_fn w = lower ? density_fn::lcdf : density_fn::lccdf;
      const auto r = call_lpdf<neg_binomial_2_fn>(yd, {vec({4.5}), vec({2.5})}, w);
      compare(lower ? float_cdf<neg_binomial_2_fn, true>(yv, 4, 4.5, 2.5) : float_cdf<neg_binomial_2_fn, false>(yv, 4, 4.5, 2.5), r.lp,
              {r.dargs[0][0], r.dargs[1][0]});
      const auto e = call_lpdf<neg_binomial_2_log_fn>(yd, {vec({1.5}), vec({2.5})}, w);
      compare(lower ? float_cdf<neg_binomial_2_log_fn, true>(yv, 4, 1.5, 2.5) : float_cdf<neg_binomial_2_log_fn, false>(yv, 4, 1.5, 2.5), e.lp,
              {e.dargs[0][0], e.dargs[1][0]});
    }
  }
  {
    const Eigen::VectorXi yi = (Eigen::VectorXi(3) << 1, 3, 2).finished();
    const Eigen::VectorXd yd = yi.cast<double>();
    vector_view<int, float, false> yv{yi.data(), nullptr};
    const Eigen::VectorXd th = vec({0.2, 0.3, 0.1, 0.4}), be = vec({0.3, -1.0, 2.0, 0.5});
    for (bool lower : {true, false}) {
      const density_fn w = lower ? density_fn::lcdf : density_fn::lccdf;
      Eigen::VectorXf tf = th.cast<float>(), gt = Eigen::VectorXf::Zero(4), bf = be.cast<float>(), gb = Eigen::VectorXf::Zero(4);
      vector_view<float, float, true> tv{tf.data(), gt.data()}, bv{bf.data(), gb.data()};
      tv.size = bv.size = 4;
      const double ft = lower ? categorical_fn::lcdf(3, yv, tv) : categorical_fn::lccdf(3, yv, tv);
      const double fb = lower ? categorical_logit_fn::lcdf(3, yv, bv) : categorical_logit_fn::lccdf(3, yv, bv);
      const auto rt = call_lpdf<categorical_fn>(yd, {th}, w);
      const auto rb = call_lpdf<categorical_logit_fn>(yd, {be}, w);
      CHECK(ft == Approx(rt.lp).epsilon(1e-5).margin(1e-5));
      CHECK(fb == Approx(rb.lp).epsilon(1e-5).margin(1e-5));
      for (int k = 0; k < 4; ++k) {
        CHECK(gt[k] == Approx(rt.dargs[0][k]).epsilon(1e-4).margin(1e-5));
        CHECK(gb[k] == Approx(rb.dargs[0][k]).epsilon(1e-4).margin(1e-5));
      }
    }
  }
}

TEST_CASE("censored and truncated models over the new CDFs", "[dist][cdfs][model]") {
  const double n01 = -0.5 * std::log(2 * std::numbers::pi);
  auto prior = [&](double v) { return n01 - 0.5 * v * v; };
  SECTION("censored half_student_t") {
    auto a = param<"a">(normal(0.0, 1.0));
    auto b = param<"b">(normal(0.0, 1.0));
    const Eigen::VectorXd t = vec({0.3, 2.0, 1.1, 2.0, 0.05});  // 2.0: censored above
    const auto m = compile<double>(model(a, b, observe<"t">(censored(half_student_t(exp(b) + 1.0, exp(a)), upper(2.0)), t)));
    for (const Eigen::VectorXd& q : {vec({0.2, -0.3}), vec({-1.0, 1.5})}) {
      const double s = std::exp(q[0]), nu = std::exp(q[1]) + 1;
      const probs cens = half_t_ref(nu, s, 2.0);
      double want = prior(q[0]) + prior(q[1]) + 2 * static_cast<double>(std::log(cens.ccdf));
      for (double v : {0.3, 1.1, 0.05}) want += std::log(2 * bm::pdf(bm::students_t_distribution<double>(nu), v / s) / s);
      Eigen::VectorXd g(2);
      CHECK(m.logp_grad(q, g) == Approx(want).epsilon(1e-11));
    }
    test::check_gradient(m, 3, 1e-6, 5, 1.0);
  }
  SECTION("censored neg_binomial_2") {
    auto a = param<"a">(normal(0.0, 1.0));
    auto b = param<"b">(normal(0.0, 1.0));
    const Eigen::VectorXd y = vec({0, 3, 8, 10, 1, 12});  // 0: "0 or fewer" (lower 0), >= 8: censored above
    const auto m = compile<double>(model(a, b, observe<"y">(censored(neg_binomial_2(exp(a) * 3.0, exp(b)), bounds(0.0, 8.0)), y)));
    for (const Eigen::VectorXd& q : {vec({0.2, -0.3}), vec({-1.0, 1.5})}) {
      const double mu = 3 * std::exp(q[0]), phi = std::exp(q[1]);
      const bm::negative_binomial_distribution<double> d(phi, phi / (mu + phi));
      const double want = prior(q[0]) + prior(q[1]) + std::log(bm::cdf(d, 0.0)) + std::log(bm::pdf(d, 3.0)) + std::log(bm::pdf(d, 1.0)) +
                          3 * std::log(bm::cdf(bm::complement(d, 7.0)));
      Eigen::VectorXd g(2);
      CHECK(m.logp_grad(q, g) == Approx(want).epsilon(1e-10));
    }
    test::check_gradient(m, 3, 1e-6, 6, 1.0);
  }
  SECTION("truncated neg_binomial_2_log") {
    auto a = param<"a">(normal(0.0, 1.0));
    auto b = param<"b">(normal(0.0, 1.0));
    const Eigen::VectorXd y = vec({1, 3, 6, 2, 9});
    const auto m = compile<double>(model(a, b, observe<"y">(truncated(neg_binomial_2_log(a + 1.0, exp(b)), bounds(1.0, 9.0)), y)));
    for (const Eigen::VectorXd& q : {vec({0.2, -0.3}), vec({-1.0, 1.5})}) {
      const double mu = std::exp(q[0] + 1), phi = std::exp(q[1]);
      const bm::negative_binomial_distribution<double> d(phi, phi / (mu + phi));
      const double mass = bm::cdf(d, 9.0) - bm::cdf(d, 0.0);
      double want = prior(q[0]) + prior(q[1]);
      for (double v : y) want += std::log(bm::pdf(d, v) / mass);
      Eigen::VectorXd g(2);
      CHECK(m.logp_grad(q, g) == Approx(want).epsilon(1e-10));
    }
    test::check_gradient(m, 3, 1e-6, 7, 1.0);
  }
  SECTION("truncated half_student_t prior") {
    // Upper-truncated: the renormaliser is the lcdf at the bound; a bounded parameter.
    auto s = param<"s">(truncated(half_student_t(3.0, 2.0), bounds(0.0, 5.0)));
    const auto m = compile<double>(model(s));
    CHECK(m.describe().find("interval(0.000000, 5.000000)") != std::string::npos);
    test::check_gradient(m, 3, 1e-6, 8, 1.0);
  }
}
