#pragma once
// The Gaussian-emission hidden Markov model of the HMM benchmarks, three ways: simulated data,
// the exmc DSL model, and a hand-written log density with its analytic gradient on the same
// unconstrained coordinates (mu ordered, log sigma, each row of Gamma and rho by stick-breaking;
// the transforms are exmc's own, the densities and the forward-backward pass fused by hand as one
// would write them for this model alone).
//
//   y[t] ~ normal(mu[z_t], sigma[z_t]),  z_{t+1} | z_t ~ Gamma[z_t, .],  z_0 ~ rho
//   mu ~ normal(0, 5), ordered;  sigma ~ half_normal(2);  Gamma[i, .] ~ dirichlet(1 + 3 e_i);
//   rho ~ dirichlet(1)
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exmc/exmc.hpp>
#include <exmc/expr/hmm.hpp>
#include <exmc/model/emission.hpp>
#include <exmc/model/stochastic_matrix.hpp>
#include <vector>

namespace exmc::bench_hmm {

struct truth {
  Eigen::VectorXd mu, sigma, rho;
  Eigen::MatrixXd Gamma;
};

// K states with means spread over [-3, 3], scales 0.6 .. 1, and 80% chance of staying.
inline truth default_truth(int K) {
  truth t;
  t.mu = Eigen::VectorXd::LinSpaced(K, -3.0, 3.0);
  t.sigma = Eigen::VectorXd::LinSpaced(K, 0.6, 1.0);
  t.Gamma = Eigen::MatrixXd::Constant(K, K, 0.2 / (K - 1));
  t.Gamma.diagonal().setConstant(0.8);
  t.rho = Eigen::VectorXd::Constant(K, 1.0 / K);
  return t;
}

struct simulated {
  Eigen::VectorXd y;
  Eigen::VectorXi z;
};
inline simulated simulate(const truth& th, int n, std::uint64_t seed) {
  rng g(seed);
  const auto K = th.mu.size();
  simulated s{Eigen::VectorXd(n), Eigen::VectorXi(n)};
  auto draw = [&](auto&& p) {
    double u = g.uniform(), acc = 0;
    for (Eigen::Index k = 0; k < K; ++k)
      if (u < (acc += p(k))) return static_cast<int>(k);
    return static_cast<int>(K - 1);
  };
  int z = draw([&](Eigen::Index k) { return th.rho[k]; });
  for (int t = 0; t < n; ++t) {
    if (t > 0) z = draw([&](Eigen::Index k) { return th.Gamma(z, k); });
    s.z[t] = z;
    s.y[t] = g.normal(th.mu[z], th.sigma[z]);
  }
  return s;
}

// Initial values from the data, the usual start for a mixture or an HMM: means at the data's
// quantiles (k + 1/2) / K, scales at sd(y) / K. From random starts a chain can settle in a local
// mode where two states overlap (seen in 1 of 12 simulated data sets with 500 warmup iterations).
inline named_values data_init(const Eigen::VectorXd& y, int K) {
  std::vector<double> s(y.data(), y.data() + y.size());
  std::sort(s.begin(), s.end());
  Eigen::VectorXd mu(K);
  for (int k = 0; k < K; ++k) mu[k] = s[static_cast<std::size_t>((k + 0.5) / K * static_cast<double>(s.size()))];
  const double sd = std::sqrt((y.array() - y.mean()).square().mean());
  return {{"mu", mu}, {"sigma", Eigen::VectorXd::Constant(K, sd / K)}};
}

inline Eigen::MatrixXd sticky_alpha(int K) {
  return Eigen::MatrixXd::Ones(K, K) + 3.0 * Eigen::MatrixXd::Identity(K, K);
}

inline auto gaussian_hmm(const Eigen::VectorXd& y, int K) {
  auto mu = param<"mu">(normal(0.0, 5.0), K, ordered);
  auto sigma = param<"sigma">(half_normal(2.0), K);
  auto Gamma = param<"Gamma">(dirichlet(flatten(sticky_alpha(K))), stochastic_matrix(K));
  auto rho = param<"rho">(dirichlet(Eigen::VectorXd::Ones(K)), K);
  return model(mu, sigma, Gamma, rho, potential<"hmm">(hmm_marginal(emission_lpdf(normal(mu, sigma), y), Gamma, rho)));
}

// The same density by hand. Scratch is allocated once; logp_grad allocates nothing.
class gaussian_hmm_hand {
 public:
  using scalar = double;
  gaussian_hmm_hand(Eigen::VectorXd y, int K)
      : y_(std::move(y)),
        K_(K),
        n_(y_.size()),
        alpha_(sticky_alpha(K)),
        mu_(K),
        sigma_(K),
        G_(K * K),
        rho_(K),
        gmu_(K),
        gsigma_(K),
        gG_(K * K),
        grho_(K),
        w_(K * n_),
        a_(K * n_),
        c_(n_),
        b_(K),
        v_(K),
        lo_(K),
        inv_s_(K),
        log_s_(K) {
    // normalising constants of the priors
    for (int i = 0; i < K; ++i) {
      const Eigen::VectorXd row = alpha_.row(i).transpose();
      prior_const_ += std::lgamma(row.sum());
      for (int j = 0; j < K; ++j) prior_const_ -= std::lgamma(row[j]);
    }
    prior_const_ += std::lgamma(static_cast<double>(K));                          // dirichlet(1) on rho
    prior_const_ += K * (-math::log_sqrt_two_pi - std::log(5.0));                 // normal(0, 5)
    prior_const_ += K * (std::log(2.0) - math::log_sqrt_two_pi - std::log(2.0));  // half_normal(2)
  }
  Eigen::Index dim() const { return 2 * K_ + K_ * (K_ - 1) + K_ - 1; }

  double logp_grad(const Eigen::VectorXd& q, Eigen::VectorXd& g) const {
    const Eigen::Index K = K_, n = n_;
    g.resize(dim());
    const double* u = q.data();
    const Eigen::Index o_sigma = K, o_G = 2 * K, o_rho = 2 * K + K * (K - 1);
    // constrain, with log-Jacobians
    double lp = prior_const_;
    lp += ordered_tf{}.constrain(u, mu_.data(), K);
    for (Eigen::Index k = 0; k < K; ++k) {
      sigma_[k] = std::exp(u[o_sigma + k]);
      lp += u[o_sigma + k];
    }
    lp += stochastic_matrix_tf{}.constrain(u + o_G, G_.data(), K * K);
    lp += simplex_tf{}.constrain(u + o_rho, rho_.data(), K);
    // priors
    for (Eigen::Index k = 0; k < K; ++k) {
      lp -= 0.5 * (mu_[k] * mu_[k] / 25 + sigma_[k] * sigma_[k] / 4);
      gmu_[k] = -mu_[k] / 25;
      gsigma_[k] = -sigma_[k] / 4;
    }
    for (Eigen::Index j = 0; j < K; ++j)
      for (Eigen::Index i = 0; i < K; ++i) {
        const double a = alpha_(i, j) - 1, x = G_[i + j * K];
        lp += a * std::log(x);
        gG_[i + j * K] = a / x;
      }
    grho_.setZero();
    // forward pass with the Gaussian densities inline
    for (Eigen::Index k = 0; k < K; ++k) {
      inv_s_[k] = 1 / sigma_[k];
      log_s_[k] = std::log(sigma_[k]);
    }
    for (Eigen::Index t = 0; t < n; ++t) {
      double m = -math::inf<double>;
      for (Eigen::Index k = 0; k < K; ++k) {
        const double z = (y_[t] - mu_[k]) * inv_s_[k];
        lo_[k] = -log_s_[k] - 0.5 * z * z;
        m = std::max(m, lo_[k]);
      }
      double* wt = w_.data() + t * K;
      double* at = a_.data() + t * K;
      const double* prev = a_.data() + (t - 1) * K;
      double sum = 0;
      for (Eigen::Index j = 0; j < K; ++j) {
        double pred = 0;
        if (t == 0) {
          pred = rho_[j];
        } else {
          for (Eigen::Index i = 0; i < K; ++i) pred += G_[i + j * K] * prev[i];
        }
        wt[j] = std::exp(lo_[j] - m);
        at[j] = pred * wt[j];
        sum += at[j];
      }
      c_[t] = sum;
      const double inv = 1 / sum;
      for (Eigen::Index k = 0; k < K; ++k) at[k] *= inv;
      lp += m - math::log_sqrt_two_pi + std::log(sum);
    }
    // backward pass: smoothed probabilities into mu and sigma, expected transitions into Gamma
    b_.setOnes();
    for (Eigen::Index t = n - 1; t >= 0; --t) {
      const double* at = a_.data() + t * K;
      const double* wt = w_.data() + t * K;
      for (Eigen::Index k = 0; k < K; ++k) {
        const double p = at[k] * b_[k], z = (y_[t] - mu_[k]) * inv_s_[k];
        gmu_[k] += p * z * inv_s_[k];
        gsigma_[k] += p * (z * z - 1) * inv_s_[k];
        v_[k] = wt[k] * b_[k] / c_[t];
      }
      if (t == 0) {
        for (Eigen::Index k = 0; k < K; ++k) grho_[k] += v_[k];
        break;
      }
      const double* prev = a_.data() + (t - 1) * K;
      b_.setZero();
      for (Eigen::Index j = 0; j < K; ++j)
        for (Eigen::Index i = 0; i < K; ++i) {
          b_[i] += G_[i + j * K] * v_[j];
          gG_[i + j * K] += prev[i] * v_[j];
        }
    }
    // chain rule through the transforms
    ordered_tf{}.chain(u, mu_.data(), gmu_.data(), g.data(), K);
    for (Eigen::Index k = 0; k < K; ++k) g[o_sigma + k] = gsigma_[k] * sigma_[k] + 1;
    stochastic_matrix_tf{}.chain(u + o_G, G_.data(), gG_.data(), g.data() + o_G, K * K);
    simplex_tf{}.chain(u + o_rho, rho_.data(), grho_.data(), g.data() + o_rho, K);
    return lp;
  }

 private:
  Eigen::VectorXd y_;
  Eigen::Index K_, n_;
  Eigen::MatrixXd alpha_;
  double prior_const_ = 0;
  mutable Eigen::VectorXd mu_, sigma_, G_, rho_, gmu_, gsigma_, gG_, grho_, w_, a_, c_, b_, v_, lo_, inv_s_, log_s_;
};

}  // namespace exmc::bench_hmm
