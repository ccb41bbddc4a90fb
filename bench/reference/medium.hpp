#pragma once
// medium (d = 3 + G): mu ~ normal(0, 10); tau ~ normal+(0, 5); alpha[g] ~ normal(mu, tau);
// sigma ~ normal+(0, 5); y[i] ~ normal(alpha[group[i]], sigma).
// Coordinates: mu, log(tau), alpha[0..G-1], log(sigma).
#include <cmath>
#include <string>
#include <vector>

#include "common.hpp"
#include "exmc/io/cmdstan_json.hpp"

namespace exmc::reference {

template <class T = double>
class medium {
 public:
  using scalar = T;

  // group holds 0-based indices into 0..groups-1.
  medium(const Eigen::VectorXd& y, const Eigen::VectorXi& group, int groups)
      : data_("medium", y, group, groups) {}
  static medium from(const data_file& d) {
    const int n = d.integer("N"), groups = d.integer("G");
    return medium(d.vector("y", n), zero_based_groups(d, "group", n, groups), groups);
  }

  Eigen::Index dim() const { return 3 + data_.groups(); }

  acc_t<T> logp_grad(const vector_t<T>& q, vector_t<T>& grad) const {
    using A = acc_t<T>;
    using K = consts<A>;
    check_call<T>("medium", dim(), q, grad);
    const int groups = data_.groups();
    const Eigen::Index last = dim() - 1;
    const T mu = q[0];
    const A u_tau = q[1], u_sigma = q[last];
    const A tau = std::exp(u_tau), sigma = std::exp(u_sigma);
    const T inv_tau2 = static_cast<T>(std::exp(-2 * u_tau));
    const T inv_sigma2 = static_cast<T>(std::exp(-2 * u_sigma));
    const A half_normal_5 = K::log_2 - K::log_sqrt_2pi - std::log(A(5));

    A lp = -K::log_sqrt_2pi - std::log(A(10)) - A(mu) * A(mu) / 200  // mu
           + half_normal_5 - tau * tau / 50 + u_tau                  // tau, Jacobian
           + half_normal_5 - sigma * sigma / 50 + u_sigma;           // sigma, Jacobian
    T g_mu = -mu / T(100);
    A g_tau = 1 - tau * tau / 25;
    A sum_d2 = 0, sum_r2 = 0;
    for (int g = 0; g < groups; ++g) {
      const T alpha = q[2 + g];
      const T d = alpha - mu;
      sum_d2 += A(d) * A(d);
      g_mu += d * inv_tau2;
      const auto y = data_.segment(g);
      const T sum_r = (y.array() - alpha).sum();
      sum_r2 += sum_as<A>((y.array() - alpha).square());
      grad[2 + g] = -d * inv_tau2 + sum_r * inv_sigma2;
    }
    const auto n = static_cast<A>(data_.y.size());
    lp += -groups * (K::log_sqrt_2pi + u_tau) - A(0.5) * sum_d2 * A(inv_tau2)  // alpha
          - n * (K::log_sqrt_2pi + u_sigma) - A(0.5) * sum_r2 * A(inv_sigma2);  // y
    g_tau += -groups + sum_d2 * A(inv_tau2);
    grad[0] = g_mu;
    grad[1] = static_cast<T>(g_tau);
    grad[last] = static_cast<T>(1 - sigma * sigma / 25 - n + sum_r2 * A(inv_sigma2));
    return lp;
  }

  std::vector<std::string> param_names() const {
    std::vector<std::string> out{"mu", "tau"};
    push_indexed(out, "alpha", data_.groups());
    out.push_back("sigma");
    return out;
  }
  void constrain(const vector_t<T>& q, Eigen::VectorXd& out) const {
    check_constrain<T>("medium", dim(), q);
    out = q.template cast<double>();
    out[1] = std::exp(out[1]);
    out[dim() - 1] = std::exp(out[dim() - 1]);
  }

 private:
  grouped_data<T> data_;
};

}  // namespace exmc::reference
