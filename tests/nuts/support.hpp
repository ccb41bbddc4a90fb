#pragma once
// Test-only helpers for the NUTS tests: a multi-chain ESS (Geyer's initial positive sequence,
// Stan's combination of chains, no splitting or ranking) and MCSE-based checks of means and
// variances. The real diagnostics live elsewhere; this stays small on purpose.
#include <Eigen/Core>
#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <exmc/core/log_density.hpp>

namespace nuts_test {

// x: draws x chains.
inline double ess(const Eigen::MatrixXd& x) {
  const Eigen::Index n = x.rows(), m = x.cols();
  if (n < 4) return 0.0;
  Eigen::VectorXd means = x.colwise().mean().transpose();
  Eigen::VectorXd vars(m);
  for (Eigen::Index c = 0; c < m; ++c) vars[c] = (x.col(c).array() - means[c]).square().sum() / (n - 1.0);
  const double w = vars.mean();
  const double b = m > 1 ? n * (means.array() - means.mean()).square().sum() / (m - 1.0) : 0.0;
  const double var_plus = (n - 1.0) / n * w + b / n;
  if (!(var_plus > 0.0)) return 0.0;
  auto acov = [&](Eigen::Index lag) {  // mean over chains of the biased autocovariance
    double s = 0.0;
    for (Eigen::Index c = 0; c < m; ++c) {
      const auto centred = x.col(c).array() - means[c];
      s += (centred.head(n - lag) * centred.tail(n - lag)).sum() / n;
    }
    return s / m;
  };
  auto rho = [&](Eigen::Index lag) { return 1.0 - (w - acov(lag)) / var_plus; };
  double sum = 0.0, prev_pair = std::numeric_limits<double>::infinity();
  for (Eigen::Index k = 0; 2 * k + 1 < n; ++k) {
    double pair = rho(2 * k) + rho(2 * k + 1);
    if (pair <= 0.0) break;
    pair = std::min(pair, prev_pair);  // initial monotone sequence
    prev_pair = pair;
    sum += pair;
  }
  const double tau = std::max(-1.0 + 2.0 * sum, 1.0 / std::log10(static_cast<double>(n * m)));
  return static_cast<double>(n * m) / tau;
}

struct estimate {
  double value, mcse, ess;
};

inline estimate mean_of(const Eigen::MatrixXd& x) {
  const double e = ess(x);
  const double mu = x.mean();
  const double sd = std::sqrt((x.array() - mu).square().sum() / (x.size() - 1.0));
  return {mu, sd / std::sqrt(e), e};
}
// Mean of (x - centre)^2, i.e. the variance when centre is the true mean.
inline estimate second_moment(const Eigen::MatrixXd& x, double centre) {
  return mean_of(((x.array() - centre).square()).matrix());
}

// ---- densities ----

// Independent normals with means mu and standard deviations sd.
template <class T = double>
struct diag_normal {
  using scalar = T;
  Eigen::VectorXd mu, sd;
  std::ptrdiff_t dim() const { return mu.size(); }
  double logp_grad(const exmc::vector_t<T>& q, exmc::vector_t<T>& g) const {
    double lp = 0.0;
    for (Eigen::Index i = 0; i < mu.size(); ++i) {
      const double z = (static_cast<double>(q[i]) - mu[i]) / sd[i];
      lp -= 0.5 * z * z;
      g[i] = static_cast<T>(-z / sd[i]);
    }
    return lp;
  }
};

// Multivariate normal with covariance cov (zero mean).
struct mv_normal {
  using scalar = double;
  Eigen::MatrixXd precision;
  explicit mv_normal(const Eigen::MatrixXd& cov) : precision(cov.inverse()) {}
  std::ptrdiff_t dim() const { return precision.rows(); }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
    g.noalias() = -precision * q;
    return 0.5 * q.dot(g);
  }
};

}  // namespace nuts_test
