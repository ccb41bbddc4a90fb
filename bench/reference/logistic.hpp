#pragma once
// logistic (d = 1 + K): alpha ~ normal(0, 10); beta[k] ~ normal(0, 10);
// y[i] ~ bernoulli_logit(alpha + X[i] * beta).
// Coordinates: alpha, beta[0..K-1].
#include <cmath>
#include <string>
#include <vector>

#include "common.hpp"
#include "exmc/io/cmdstan_json.hpp"

namespace exmc::reference {

template <class T = double>
class logistic {
 public:
  using scalar = T;
  // The linear predictor and its exponentials: N values each, kept per thread by the caller.
  struct workspace {
    vector_t<T> eta, e;
  };

  // y holds 0/1 outcomes; X is N x K.
  logistic(const Eigen::MatrixXd& X, const Eigen::VectorXi& y) {
    require(X.rows() == y.size(), "logistic: X has " + std::to_string(X.rows()) + " rows but y has " +
                                      std::to_string(y.size()) + " entries");
    require(X.allFinite(), "logistic: data X has a non-finite entry");
    for (Eigen::Index i = 0; i < y.size(); ++i)
      require(y[i] == 0 || y[i] == 1, "logistic: data y[" + std::to_string(i) + "] = " +
                                          std::to_string(y[i]) + " is not 0 or 1");
    X_ = X.cast<T>();
    y_ = y.cast<T>();
  }
  static logistic from(const data_file& d) {
    const int n = d.integer("N"), k = d.integer("K");
    return logistic(d.matrix("X", n, k), d.int_vector("y", n));
  }

  Eigen::Index dim() const { return 1 + X_.cols(); }
  workspace make_workspace() const { return {vector_t<T>(X_.rows()), vector_t<T>(X_.rows())}; }

  // Convenience form: allocates a workspace per call. Samplers go through exmc::evaluator,
  // which holds one workspace per chain and calls the three-argument form.
  acc_t<T> logp_grad(const vector_t<T>& q, vector_t<T>& grad) const {
    workspace ws = make_workspace();
    return logp_grad(q, grad, ws);
  }

  acc_t<T> logp_grad(const vector_t<T>& q, vector_t<T>& grad, workspace& ws) const {
    using A = acc_t<T>;
    using K = consts<A>;
    check_call<T>("logistic", dim(), q, grad);
    const Eigen::Index k = X_.cols();
    const T alpha = q[0];
    const auto beta = q.tail(k);
    // Two matrix-vector products (Eigen's blocked GEMV) around vectorised elementwise exp and
    // log: a fused loop over rows would call scalar exp and log once per row instead. (Not
    // measured against each other; profiled, the time splits about 45% exp/select/divide, 30%
    // log, 25% the two products.)
    ws.eta.noalias() = X_ * beta;
    auto eta = ws.eta.array();
    eta += alpha;
    ws.e = (-eta.abs()).exp().matrix();  // exp(-|eta|) <= 1: no overflow in either tail
    const auto e = ws.e.array();
    // log p(y | eta) = y eta - log(1 + exp(eta)) = y eta - max(eta, 0) - log(1 + exp(-|eta|)).
    // log(1 + e) rather than log1p(e): Eigen vectorises log but not log1p for double, and with
    // e <= 1 the absolute error is below one ulp of 1, negligible in a sum of log densities.
    const A loglik = sum_as<A>(y_.array() * eta - eta.max(T(0)) - (T(1) + e).log());
    // d/deta = y - inv_logit(eta); inv_logit written in terms of e for both signs of eta.
    eta = y_.array() - (eta >= T(0)).select(T(1), e) / (T(1) + e);
    const A prior = -A(1 + k) * (K::log_sqrt_2pi + std::log(A(10))) -
                    (A(alpha) * A(alpha) + beta.template cast<A>().squaredNorm()) / 200;
    grad[0] = eta.sum() - alpha / T(100);
    grad.tail(k).noalias() = X_.transpose() * ws.eta;
    grad.tail(k) -= beta / T(100);
    return prior + loglik;
  }

  std::vector<std::string> param_names() const {
    std::vector<std::string> out{"alpha"};
    push_indexed(out, "beta", X_.cols());
    return out;
  }
  void constrain(const vector_t<T>& q, Eigen::VectorXd& out) const {
    check_constrain<T>("logistic", dim(), q);
    out = q.template cast<double>();
  }

 private:
  Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic> X_;
  vector_t<T> y_;
};

}  // namespace exmc::reference
