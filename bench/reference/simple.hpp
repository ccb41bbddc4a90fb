#pragma once
// simple (d = 2): mu ~ normal(0, 10); sigma ~ exponential(1); y[i] ~ normal(mu, sigma).
// Coordinates: mu, log(sigma).
#include <cmath>
#include <string>
#include <vector>

#include "common.hpp"
#include "exmc/io/cmdstan_json.hpp"

namespace exmc::reference {

template <class T = double>
class simple {
 public:
  using scalar = T;

  explicit simple(const Eigen::VectorXd& y) : y_(y.cast<T>()) { require_finite("simple", "y", y); }
  static simple from(const data_file& d) { return simple(d.vector("y", d.integer("N"))); }

  Eigen::Index dim() const { return 2; }

  acc_t<T> logp_grad(const vector_t<T>& q, vector_t<T>& grad) const {
    using A = acc_t<T>;
    using K = consts<A>;
    check_call<T>("simple", dim(), q, grad);
    const T mu = q[0];
    const A u = q[1];
    const A sigma = std::exp(u);
    const T inv_var = static_cast<T>(std::exp(-2 * u));
    const auto n = static_cast<A>(y_.size());
    // Two vectorised passes over the data beat one scalar pass: at -O3 without -ffast-math the
    // compiler will not vectorise a hand-written floating-point reduction.
    const T sum_r = (y_.array() - mu).sum();
    const A sum_r2 = sum_as<A>((y_.array() - mu).square());
    const A lp = -K::log_sqrt_2pi - std::log(A(10)) - A(mu) * A(mu) / 200  // mu ~ normal(0, 10)
                 - sigma + u                                           // exponential(1), Jacobian
                 - n * (K::log_sqrt_2pi + u) - A(0.5) * sum_r2 * A(inv_var);
    grad[0] = -mu / T(100) + sum_r * inv_var;
    grad[1] = static_cast<T>(-sigma + 1 - n + sum_r2 * A(inv_var));
    return lp;
  }

  std::vector<std::string> param_names() const { return {"mu", "sigma"}; }
  void constrain(const vector_t<T>& q, Eigen::VectorXd& out) const {
    check_constrain<T>("simple", dim(), q);
    out.resize(2);
    out << static_cast<double>(q[0]), std::exp(static_cast<double>(q[1]));
  }

 private:
  vector_t<T> y_;
};

}  // namespace exmc::reference
