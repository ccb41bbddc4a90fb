// Stan Math version of bench/hmm's Gaussian HMM; see stan_math_hmm.hpp. Compiled as C++17 with
// the other Stan Math densities.
#include <stan/math.hpp>

#include "stan_math_hmm.hpp"

#include <vector>

namespace exmc::stan_math {
namespace {

namespace sm = stan::math;
constexpr bool propto = true;
template <class T>
using vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;

struct gaussian_hmm_fn {
  Eigen::VectorXd y;
  int K;
  Eigen::MatrixXd alpha;  // row i: the Dirichlet concentrations of row i of Gamma
  template <class T>
  T operator()(const vec<T>& q) const {
    T lp = 0;
    // parameters: ordered[K] mu; vector<lower=0>[K] sigma; array[K] simplex[K] Gamma; simplex[K] rho
    const vec<T> mu = sm::ordered_constrain(vec<T>(q.head(K)), lp);
    vec<T> sigma(K);
    for (int k = 0; k < K; ++k) sigma[k] = sm::lb_constrain(q[K + k], 0, lp);
    std::vector<vec<T>> Gamma;
    for (int i = 0; i < K; ++i) Gamma.push_back(sm::simplex_constrain(vec<T>(q.segment(2 * K + i * (K - 1), K - 1)), lp));
    const vec<T> rho = sm::simplex_constrain(vec<T>(q.tail(K - 1)), lp);
    // model block (Stan Math 3.0 names the Dirichlet density dirichlet_lpmf)
    lp += sm::normal_lpdf<propto>(mu, 0, 5);
    lp += sm::normal_lpdf<propto>(sigma, 0, 2);
    for (int i = 0; i < K; ++i) lp += sm::dirichlet_lpmf<propto>(Gamma[i], Eigen::VectorXd(alpha.row(i).transpose()));
    lp += sm::dirichlet_lpmf<propto>(rho, Eigen::VectorXd(Eigen::VectorXd::Ones(K)));
    // forward algorithm: gamma[k] = log p(y[0..t], z_t = k), each emission density computed once
    std::vector<std::vector<T>> log_G(K, std::vector<T>(K));
    for (int i = 0; i < K; ++i)
      for (int j = 0; j < K; ++j) log_G[i][j] = sm::log(Gamma[i][j]);
    std::vector<T> gamma(K), next(K), acc(K);
    for (int k = 0; k < K; ++k) gamma[k] = sm::log(rho[k]) + sm::normal_lpdf(y[0], mu[k], sigma[k]);
    for (Eigen::Index t = 1; t < y.size(); ++t) {
      for (int k = 0; k < K; ++k) {
        for (int j = 0; j < K; ++j) acc[j] = gamma[j] + log_G[j][k];
        next[k] = sm::log_sum_exp(acc) + sm::normal_lpdf(y[t], mu[k], sigma[k]);
      }
      gamma.swap(next);
    }
    lp += sm::log_sum_exp(gamma);
    return lp;
  }
};

}  // namespace

density gaussian_hmm(const Eigen::VectorXd& y, int K) {
  Eigen::MatrixXd alpha = Eigen::MatrixXd::Ones(K, K) + 3.0 * Eigen::MatrixXd::Identity(K, K);
  const Eigen::Index dim = 2 * K + K * (K - 1) + K - 1;
  return {dim, [f = gaussian_hmm_fn{y, K, alpha}](const Eigen::VectorXd& q, Eigen::VectorXd& grad) {
            double lp = 0;
            sm::gradient(f, q, lp, grad);
            return lp;
          }};
}

}  // namespace exmc::stan_math
