#pragma once
// Test helpers: finite-difference gradient checks for anything meeting LogDensity.
#include <catch2/catch.hpp>
#include <cmath>
#include <exmc/core/log_density.hpp>
#include <exmc/core/random.hpp>

namespace exmc::test {

// Fourth-order central difference of f along coordinate k.
template <class F>
double central_difference(F&& f, Eigen::VectorXd q, Eigen::Index k, double h) {
  const double x = q[k];
  auto at = [&](double v) {
    q[k] = v;
    return f(q);
  };
  return (-at(x + 2 * h) + 8 * at(x + h) - 8 * at(x - h) + at(x - 2 * h)) / (12 * h);
}

inline Eigen::VectorXd random_point(Eigen::Index dim, exmc::rng& r, double radius = 1.5) {
  Eigen::VectorXd q(dim);
  for (auto& x : q) x = r.uniform(-radius, radius);
  return q;
}

// Checks the analytic gradient of a double density at `points` random points against finite
// differences of its own log density; relative tolerance tol (scaled by 1 + |g|).
template <class D>
void check_gradient(const D& d, int points = 3, double tol = 1e-6, std::uint64_t seed = 42, double radius = 1.5) {
  exmc::rng r(seed);
  for (int p = 0; p < points; ++p) {
    const Eigen::VectorXd q = random_point(d.dim(), r, radius);
    Eigen::VectorXd g(d.dim());
    const double lp = d.logp_grad(q, g);
    REQUIRE(std::isfinite(lp));
    auto f = [&](const Eigen::VectorXd& x) {
      Eigen::VectorXd gg(d.dim());
      return d.logp_grad(x, gg);
    };
    for (Eigen::Index k = 0; k < d.dim(); ++k) {
      const double h = 1e-4 * std::max(1.0, std::abs(q[k]));
      const double fd = central_difference(f, q, k, h);
      INFO("point " << p << ", coordinate " << k << ": analytic " << g[k] << ", finite difference " << fd);
      CHECK(std::abs(g[k] - fd) <= tol * (1 + std::abs(fd)));
    }
  }
}

// The float instantiation must agree with the double one to float precision.
template <class DD, class DF>
void check_float_matches_double(const DD& dd, const DF& df, int points = 3, std::uint64_t seed = 7) {
  exmc::rng r(seed);
  for (int p = 0; p < points; ++p) {
    const Eigen::VectorXd q = random_point(dd.dim(), r);
    Eigen::VectorXd g(dd.dim());
    Eigen::VectorXf gf(dd.dim());
    const Eigen::VectorXf qf = q.cast<float>();
    const double lp = dd.logp_grad(q, g);
    const double lpf = df.logp_grad(qf, gf);
    // Positions are rounded to float, so compare at the rounded point.
    const double lp_at_qf = dd.logp_grad(qf.cast<double>(), g);
    CHECK(lpf == Approx(lp_at_qf).epsilon(1e-5).margin(1e-4));
    (void)lp;
    for (Eigen::Index k = 0; k < dd.dim(); ++k) CHECK(gf[k] == Approx(g[k]).epsilon(2e-3).margin(2e-3));
  }
}

}  // namespace exmc::test
