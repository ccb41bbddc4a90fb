#pragma once
// ARMA(1,1) and GARCH(1,1), the two recurrences of issue 26's benchmarks, three ways each: a
// hand-written log density and gradient (a forward recursion of the states' derivatives), the
// DSL with scan (expr/scan.hpp) and, for ARMA, the DSL with custom() (a reverse-mode tape).
// The same priors, transforms and unconstrained coordinates in each, so gradients agree exactly.
//   ARMA:  mu ~ normal(0, 10), phi, theta ~ normal(0, 2), sigma ~ half_cauchy(5);
//          nu[0] = mu + phi mu, nu[t] = mu + phi y[t-1] + theta (y[t-1] - nu[t-1]); y ~ normal(nu, sigma)
//   GARCH: mu ~ normal(0, 10), alpha0 ~ half_normal(1), alpha1, beta1 ~ uniform(0, 1);
//          sigma2[0] = 1, sigma2[t] = alpha0 + alpha1 (r[t-1] - mu)^2 + beta1 sigma2[t-1];
//          r ~ normal(mu, sqrt(sigma2))
#include <cmath>
#include <exmc/dist/custom.hpp>
#include <exmc/exmc.hpp>

#include "arma11.hpp"

namespace exmc::bench {

inline Eigen::VectorXd simulate_arma(int n, std::uint64_t seed = 1) {
  rng g(seed);
  Eigen::VectorXd y(n);
  double err = 0;
  for (int t = 0; t < n; ++t) {
    const double e = g.normal();
    y[t] = 0.5 + 0.6 * (t == 0 ? 0.5 : y[t - 1]) + 0.3 * err + e;
    err = e;
  }
  return y;
}

inline Eigen::VectorXd simulate_garch(int n, std::uint64_t seed = 1) {
  rng g(seed);
  Eigen::VectorXd r(n);
  double s2 = 1;
  for (int t = 0; t < n; ++t) {
    if (t > 0) s2 = 0.2 + 0.15 * (r[t - 1] - 0.1) * (r[t - 1] - 0.1) + 0.75 * s2;
    r[t] = 0.1 + std::sqrt(s2) * g.normal();
  }
  return r;
}

// ---- hand-written ------------------------------------------------------------------------------
// Log density and gradient in one forward pass, on the coordinates (mu, phi, theta, log sigma).
struct arma_hand {
  using scalar = double;
  Eigen::VectorXd y;
  std::ptrdiff_t dim() const { return 4; }
  double logp_grad(const Eigen::VectorXd& q, Eigen::VectorXd& g) const {
    const double mu = q[0], phi = q[1], theta = q[2], sigma = std::exp(q[3]), inv_var = 1 / (sigma * sigma);
    double err = 0, dmu = 0, dphi = 0, dth = 0, gmu = 0, gphi = 0, gth = 0, sq = 0;
    for (Eigen::Index t = 0; t < y.size(); ++t) {
      const double prev_err = err;
      const double nu = t == 0 ? mu + phi * mu : mu + phi * y[t - 1] + theta * prev_err;
      err = y[t] - nu;
      // d err / d parameter, carried through the recursion
      const double n_dmu = t == 0 ? -(1 + phi) : -1 - theta * dmu;
      const double n_dphi = t == 0 ? -mu : -y[t - 1] - theta * dphi;
      const double n_dth = t == 0 ? 0.0 : -prev_err - theta * dth;
      dmu = n_dmu;
      dphi = n_dphi;
      dth = n_dth;
      gmu -= err * inv_var * dmu;
      gphi -= err * inv_var * dphi;
      gth -= err * inv_var * dth;
      sq += err * err;
    }
    const double n = static_cast<double>(y.size());
    double lp = -0.5 * sq * inv_var - n * (q[3] + math::log_sqrt_two_pi);
    g.resize(4);
    lp += -0.5 * mu * mu / 100 - 0.5 * (phi * phi + theta * theta) / 4 - std::log1p(sigma * sigma / 25) + q[3];
    g[0] = gmu - mu / 100;
    g[1] = gphi - phi / 4;
    g[2] = gth - theta / 4;
    g[3] = sq * inv_var - n - 2 * sigma * sigma / 25 / (1 + sigma * sigma / 25) + 1;
    return lp;
  }
};

// On the coordinates (mu, log alpha0, logit alpha1, logit beta1); one log and one division per
// observation, the variance's four derivatives carried forward.
struct garch_hand {
  using scalar = double;
  Eigen::VectorXd r;
  std::ptrdiff_t dim() const { return 4; }
  double logp_grad(const Eigen::VectorXd& q, Eigen::VectorXd& g) const {
    const double mu = q[0], a0 = std::exp(q[1]), a1 = math::inv_logit(q[2]), b1 = math::inv_logit(q[3]);
    double s2 = 1, d_mu = 0, d_a0 = 0, d_a1 = 0, d_b1 = 0;
    double lp = 0, g_mu = 0, g_a0 = 0, g_a1 = 0, g_b1 = 0;
    for (Eigen::Index t = 0; t < r.size(); ++t) {
      if (t > 0) {
        const double e = r[t - 1] - mu;
        d_mu = -2 * a1 * e + b1 * d_mu;
        d_a0 = 1 + b1 * d_a0;
        d_a1 = e * e + b1 * d_a1;
        d_b1 = s2 + b1 * d_b1;
        s2 = a0 + a1 * e * e + b1 * s2;
      }
      const double z = r[t] - mu, inv = 1 / s2, zi = z * z * inv;
      lp -= 0.5 * (std::log(s2) + zi);
      const double w = 0.5 * inv * (zi - 1);  // d lp / d sigma2[t]
      g_mu += z * inv + w * d_mu;
      g_a0 += w * d_a0;
      g_a1 += w * d_a1;
      g_b1 += w * d_b1;
    }
    lp -= static_cast<double>(r.size()) * math::log_sqrt_two_pi;
    // priors and log-Jacobians
    lp += -0.5 * mu * mu / 100 - 0.5 * a0 * a0 + q[1] + std::log(a1) + std::log1p(-a1) + std::log(b1) + std::log1p(-b1);
    g.resize(4);
    g[0] = g_mu - mu / 100;
    g[1] = (g_a0 - a0) * a0 + 1;
    g[2] = g_a1 * a1 * (1 - a1) + 1 - 2 * a1;
    g[3] = g_b1 * b1 * (1 - b1) + 1 - 2 * b1;
    return lp;
  }
};

// ---- the DSL -------------------------------------------------------------------------------------
inline auto arma_priors() {
  return std::tuple{param<"mu">(normal(0.0, 10.0)), param<"phi">(normal(0.0, 2.0)), param<"theta">(normal(0.0, 2.0)),
                    param<"sigma">(half_cauchy(5.0))};
}

inline auto custom_arma_model(const Eigen::VectorXd& y) {
  const auto [mu, phi, theta, sigma] = arma_priors();
  return model(mu, phi, theta, sigma, observe<"y">(custom<examples::arma11>(mu, phi, theta, sigma), y));
}

struct arma_step {
  template <class D>
  D operator()(D nu, D y_prev, D mu, D phi, D theta) const {
    return mu + phi * y_prev + theta * (y_prev - nu);
  }
};
inline auto scan_arma_model(const Eigen::VectorXd& y) {
  const auto [mu, phi, theta, sigma] = arma_priors();
  auto nu = scan(arma_step{}, mu + phi * mu, lag(y), mu, phi, theta);
  return model(mu, phi, theta, sigma, observe<"y">(normal(nu, sigma), y));
}

struct garch_step {
  template <class D>
  D operator()(D sigma2, D r_prev, D alpha0, D alpha1, D beta1, D mu) const {
    return alpha0 + alpha1 * square(r_prev - mu) + beta1 * sigma2;
  }
};
inline auto scan_garch_model(const Eigen::VectorXd& r) {
  auto mu = param<"mu">(normal(0.0, 10.0));
  auto alpha0 = param<"alpha0">(half_normal(1.0));
  auto alpha1 = param<"alpha1">(uniform(0.0, 1.0));
  auto beta1 = param<"beta1">(uniform(0.0, 1.0));
  auto sigma2 = scan(garch_step{}, 1.0, lag(r), alpha0, alpha1, beta1, mu);
  return model(mu, alpha0, alpha1, beta1, observe<"r">(normal(mu, sqrt(sigma2)), r));
}

}  // namespace exmc::bench
