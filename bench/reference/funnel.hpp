#pragma once
// funnel (d = 1 + K), Neal's funnel, centred: v ~ normal(0, 3); x[k] ~ normal(0, exp(v / 2)).
// Coordinates: v, x[0..K-1]. No data; K = 9 in the benchmark.
#include <cmath>
#include <string>
#include <vector>

#include "common.hpp"
#include "exmc/io/cmdstan_json.hpp"

namespace exmc::reference {

template <class T = double>
class funnel {
 public:
  using scalar = T;

  explicit funnel(int k = 9) : k_(k) {
    require(k >= 1, str_cat({"funnel: number of x coordinates must be at least 1, got ", std::to_string(k)}));
  }
  // The benchmark's data file is empty; it is accepted for symmetry with the other models.
  static funnel from(const data_file&) { return funnel(); }

  Eigen::Index dim() const { return 1 + k_; }

  acc_t<T> logp_grad(const vector_t<T>& q, vector_t<T>& grad) const {
    using A = acc_t<T>;
    using K = consts<A>;
    check_call<T>("funnel", dim(), q, grad);
    const A v = q[0];
    const A inv_var = std::exp(-v);  // x's variance is exp(v)
    const auto x = q.tail(k_);
    const A sum_x2 = sum_as<A>(x.array().square());
    const A lp = -K::log_sqrt_2pi - std::log(A(3)) - v * v / 18                   // v
                 - A(k_) * (K::log_sqrt_2pi + v / 2) - A(0.5) * sum_x2 * inv_var;  // x
    grad[0] = static_cast<T>(-v / 9 - A(k_) / 2 + A(0.5) * sum_x2 * inv_var);
    grad.tail(k_) = x * static_cast<T>(-inv_var);
    return lp;
  }

  std::vector<std::string> param_names() const {
    std::vector<std::string> out{"v"};
    push_indexed(out, "x", k_);
    return out;
  }
  void constrain(const vector_t<T>& q, Eigen::VectorXd& out) const {
    check_constrain<T>("funnel", dim(), q);
    out = q.template cast<double>();
  }

 private:
  int k_;
};

}  // namespace exmc::reference
