#pragma once
// eight_schools (d = 2 + J), centred: mu ~ normal(0, 5); tau ~ cauchy+(0, 5);
// theta[j] ~ normal(mu, tau); y[j] ~ normal(theta[j], sigma[j]).
// Coordinates: mu, log(tau), theta[0..J-1].
#include <cmath>
#include <string>
#include <vector>

#include "common.hpp"
#include "exmc/io/cmdstan_json.hpp"

namespace exmc::reference {

template <class T = double>
class eight_schools {
 public:
  using scalar = T;

  eight_schools(const Eigen::VectorXd& y, const Eigen::VectorXd& sigma) {
    require(y.size() == sigma.size(), "eight_schools: y has " + std::to_string(y.size()) +
                                          " entries but sigma has " + std::to_string(sigma.size()));
    require_finite("eight_schools", "y", y);
    require_finite("eight_schools", "sigma", sigma);
    for (Eigen::Index j = 0; j < sigma.size(); ++j)
      require(sigma[j] > 0, "eight_schools: data sigma[" + std::to_string(j) + "] must be positive");
    y_ = y.cast<T>();
    inv_var_ = sigma.array().square().inverse().matrix().cast<T>();
    // The data scales' normalising terms do not depend on the parameters: summed once here.
    const long double c = 0.918938533204672741780329736405617639861L;
    long double k = 0;
    for (Eigen::Index j = 0; j < sigma.size(); ++j) k -= c + std::log(static_cast<long double>(sigma[j]));
    data_const_ = static_cast<acc_t<T>>(k);
  }
  static eight_schools from(const data_file& d) {
    const int j = d.integer("J");
    return eight_schools(d.vector("y", j), d.vector("sigma", j));
  }

  Eigen::Index dim() const { return 2 + y_.size(); }

  acc_t<T> logp_grad(const vector_t<T>& q, vector_t<T>& grad) const {
    using A = acc_t<T>;
    using K = consts<A>;
    check_call<T>("eight_schools", dim(), q, grad);
    const Eigen::Index J = y_.size();
    const T mu = q[0];
    const A u_tau = q[1];
    const A tau = std::exp(u_tau);
    const T inv_tau2 = static_cast<T>(std::exp(-2 * u_tau));
    const auto theta = q.tail(J).array();
    const auto d = theta - mu;              // theta - mu
    const auto r = y_.array() - theta;      // y - theta
    const A sum_d2 = sum_as<A>(d.square());
    const A sum_wr2 = sum_as<A>(r.square() * inv_var_.array());
    const T sum_d = d.sum();
    const A tau_over_5 = tau / 5;
    const A lp = -K::log_sqrt_2pi - std::log(A(5)) - A(mu) * A(mu) / 50              // mu
                 + K::log_2 - K::log_pi - std::log(A(5)) - std::log1p(tau_over_5 * tau_over_5)  // tau
                 + u_tau                                                              // Jacobian
                 - A(J) * (K::log_sqrt_2pi + u_tau) - A(0.5) * sum_d2 * A(inv_tau2)  // theta
                 + data_const_ - A(0.5) * sum_wr2;                                    // y
    grad[0] = -mu / T(25) + sum_d * inv_tau2;
    grad[1] = static_cast<T>(1 - 2 * tau * tau / (25 + tau * tau) - A(J) + sum_d2 * A(inv_tau2));
    grad.tail(J) = -d * inv_tau2 + r * inv_var_.array();
    return lp;
  }

  std::vector<std::string> param_names() const {
    std::vector<std::string> out{"mu", "tau"};
    push_indexed(out, "theta", y_.size());
    return out;
  }
  void constrain(const vector_t<T>& q, Eigen::VectorXd& out) const {
    check_constrain<T>("eight_schools", dim(), q);
    out = q.template cast<double>();
    out[1] = std::exp(out[1]);
  }

 private:
  vector_t<T> y_, inv_var_;
  acc_t<T> data_const_ = 0;
};

}  // namespace exmc::reference
