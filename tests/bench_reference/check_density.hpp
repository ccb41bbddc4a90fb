#pragma once
// Checks shared by the reference-density tests: log densities of single distributions through
// Boost.Math (the independent evaluation), central finite differences in long double, and
// agreement between the float, double and long double instantiations.
#include <boost/math/distributions/bernoulli.hpp>
#include <boost/math/distributions/cauchy.hpp>
#include <boost/math/distributions/exponential.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "exmc/core/log_density.hpp"
#include "exmc/core/random.hpp"
#include "exmc/io/cmdstan_json.hpp"

namespace exmc_test {

inline exmc::data_file bench_data(const std::string& model) {
  // Appended piece by piece: g++ 12 at -O3 reports a false -Warray-bounds inside the inlined
  // `std::string + const char*` chain here.
  std::string path = EXMC_DATA_DIR;
  path.append("/").append(model).append(".json");
  return exmc::data_file::from_file(path);
}

// log of Boost.Math pdfs; half-distributions are twice the full one on x > 0.
inline double log_normal(double x, double m, double s) {
  return std::log(boost::math::pdf(boost::math::normal_distribution<double>(m, s), x));
}
inline double log_half_normal(double x, double s) { return std::log(2.0) + log_normal(x, 0.0, s); }
inline double log_half_cauchy(double x, double s) {
  return std::log(2.0 * boost::math::pdf(boost::math::cauchy_distribution<double>(0.0, s), x));
}
inline double log_exponential(double x, double rate) {
  return std::log(boost::math::pdf(boost::math::exponential_distribution<double>(rate), x));
}
inline double log_student_t(double x, double nu, double m, double s) {
  return std::log(boost::math::pdf(boost::math::students_t_distribution<double>(nu), (x - m) / s) / s);
}
inline double log_bernoulli_logit(int y, double eta) {
  const double p = 1.0 / (1.0 + std::exp(-eta));
  return std::log(boost::math::pdf(boost::math::bernoulli_distribution<double>(p), y));
}

// A point with coordinates loc + scale * N(0, 1), reproducible from (seed, stream).
template <class T = double>
exmc::vector_t<T> random_point(Eigen::Index dim, exmc::rng& gen, double loc = 0.0, double scale = 1.0) {
  exmc::vector_t<T> q(dim);
  for (Eigen::Index i = 0; i < dim; ++i) q[i] = static_cast<T>(loc + scale * gen.normal());
  return q;
}

// Analytic gradient of a long double density against central differences of its log density.
// With h = 1e-6 and 64-bit mantissas the difference is accurate to about 1e-10 relative, so a
// wrong derivative term cannot hide under the tolerance.
template <class D>
void check_gradient(const D& d, const exmc::vector_t<long double>& q, long double tol = 1e-7L) {
  static_assert(std::is_same_v<typename D::scalar, long double>, "finite differences run in long double");
  const Eigen::Index n = d.dim();
  exmc::vector_t<long double> grad(n), scratch(n);
  const long double lp = d.logp_grad(q, grad);
  REQUIRE(std::isfinite(static_cast<double>(lp)));
  for (Eigen::Index i = 0; i < n; ++i) {
    const long double h = 1e-6L * std::max(1.0L, std::abs(q[i]));
    exmc::vector_t<long double> qp = q, qm = q;
    qp[i] += h;
    qm[i] -= h;
    const long double fd = (d.logp_grad(qp, scratch) - d.logp_grad(qm, scratch)) / (2 * h);
    INFO("coordinate " << i << ": analytic " << static_cast<double>(grad[i]) << ", finite difference "
                       << static_cast<double>(fd));
    CHECK(std::abs(static_cast<double>(grad[i] - fd)) <= static_cast<double>(tol * (1 + std::abs(fd))));
  }
}

// The float and double instantiations agree with the long double one at q.
template <class F, class Dd, class L>
void check_precisions(const F& df, const Dd& dd, const L& dl, const exmc::vector_t<long double>& q) {
  const Eigen::Index n = dl.dim();
  REQUIRE(df.dim() == n);
  REQUIRE(dd.dim() == n);
  exmc::vector_t<long double> gl(n);
  exmc::vector_t<double> gd(n);
  exmc::vector_t<float> gf(n);
  const double lpl = static_cast<double>(dl.logp_grad(q, gl));
  const double lpd = dd.logp_grad(q.cast<double>(), gd);
  const double lpf = df.logp_grad(q.cast<float>(), gf);
  CHECK(lpd == Approx(lpl).epsilon(1e-12).margin(1e-10));
  CHECK(lpf == Approx(lpl).epsilon(1e-4).margin(1e-3));
  const double gscale = 1.0 + gl.cwiseAbs().maxCoeff();
  for (Eigen::Index i = 0; i < n; ++i) {
    INFO("coordinate " << i);
    CHECK(std::abs(gd[i] - static_cast<double>(gl[i])) <= 1e-11 * gscale);
    CHECK(std::abs(gf[i] - static_cast<double>(gl[i])) <= 1e-3 * gscale);
  }
}

// logp of a double density at q, through exmc::evaluator (so the workspace path is exercised
// where the density has one).
template <class D>
double logp(const D& d, const exmc::vector_t<double>& q) {
  exmc::evaluator<D> ev(d);
  exmc::vector_t<double> g(d.dim());
  return ev.logp_grad(q, g);
}

}  // namespace exmc_test
