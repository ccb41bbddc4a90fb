#pragma once
// stress (d = 2 + 2G): mu ~ normal(0, 10); tau ~ normal+(0, 5); theta[g] ~ normal(mu, tau);
// sigma[g] ~ normal+(0, 5); y[i] ~ normal(theta[group[i]], sigma[group[i]]).
// Coordinates: mu, log(tau), theta[0..G-1], log(sigma[0..G-1]).
#include <cmath>
#include <string>
#include <vector>

#include "common.hpp"
#include "exmc/io/cmdstan_json.hpp"

namespace exmc::reference {

template <class T = double>
class stress {
 public:
  using scalar = T;

  // group holds 0-based indices into 0..groups-1.
  stress(const Eigen::VectorXd& y, const Eigen::VectorXi& group, int groups)
      : data_("stress", y, group, groups) {}
  static stress from(const data_file& d) {
    const int n = d.integer("N"), groups = d.integer("G");
    return stress(d.vector("y", n), zero_based_groups(d, "group", n, groups), groups);
  }

  Eigen::Index dim() const { return 2 + 2 * data_.groups(); }

  acc_t<T> logp_grad(const vector_t<T>& q, vector_t<T>& grad) const {
    using A = acc_t<T>;
    using K = consts<A>;
    check_call<T>("stress", dim(), q, grad);
    const int groups = data_.groups();
    const T mu = q[0];
    const A u_tau = q[1];
    const A tau = std::exp(u_tau);
    const T inv_tau2 = static_cast<T>(std::exp(-2 * u_tau));
    const A half_normal_5 = K::log_2 - K::log_sqrt_2pi - std::log(A(5));

    A lp = -K::log_sqrt_2pi - std::log(A(10)) - A(mu) * A(mu) / 200  // mu
           + half_normal_5 - tau * tau / 50 + u_tau                  // tau, Jacobian
           - groups * (K::log_sqrt_2pi + u_tau);                     // theta's scale terms
    T g_mu = -mu / T(100);
    A sum_d2 = 0;
    for (int g = 0; g < groups; ++g) {
      const T theta = q[2 + g];
      const A u_sigma = q[2 + groups + g];
      const A sigma = std::exp(u_sigma);
      const T inv_sigma2 = static_cast<T>(std::exp(-2 * u_sigma));
      const T d = theta - mu;
      sum_d2 += A(d) * A(d);
      g_mu += d * inv_tau2;
      const auto y = data_.segment(g);
      const auto n = static_cast<A>(y.size());
      const T sum_r = (y.array() - theta).sum();
      const A sum_r2 = sum_as<A>((y.array() - theta).square());
      lp += half_normal_5 - sigma * sigma / 50 + u_sigma  // sigma[g], Jacobian
            - n * (K::log_sqrt_2pi + u_sigma) - A(0.5) * sum_r2 * A(inv_sigma2);
      grad[2 + g] = -d * inv_tau2 + sum_r * inv_sigma2;
      grad[2 + groups + g] = static_cast<T>(1 - sigma * sigma / 25 - n + sum_r2 * A(inv_sigma2));
    }
    lp -= A(0.5) * sum_d2 * A(inv_tau2);
    grad[0] = g_mu;
    grad[1] = static_cast<T>(1 - tau * tau / 25 - groups + sum_d2 * A(inv_tau2));
    return lp;
  }

  std::vector<std::string> param_names() const {
    std::vector<std::string> out{"mu", "tau"};
    push_indexed(out, "theta", data_.groups());
    push_indexed(out, "sigma", data_.groups());
    return out;
  }
  void constrain(const vector_t<T>& q, Eigen::VectorXd& out) const {
    check_constrain<T>("stress", dim(), q);
    out = q.template cast<double>();
    out[1] = std::exp(out[1]);
    out.tail(data_.groups()) = out.tail(data_.groups()).array().exp();
  }

 private:
  grouped_data<T> data_;
};

}  // namespace exmc::reference
