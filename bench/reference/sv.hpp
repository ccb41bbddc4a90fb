#pragma once
// sv (d = 2 + T), stochastic volatility: sigma ~ exponential(50); nu ~ exponential(0.1);
// s[0] ~ normal(0, sigma); s[t] ~ normal(s[t-1], sigma); r[t] ~ student_t(nu, 0, exp(s[t])).
// Coordinates: log(sigma), log(nu), s[0..T-1].
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "common.hpp"
#include "exmc/io/cmdstan_json.hpp"

namespace exmc::reference {

template <class T = double>
class sv {
 public:
  using scalar = T;

  explicit sv(const Eigen::VectorXd& r) {
    require(r.size() >= 1, "sv: the return series r is empty");
    require_finite("sv", "r", r);
    r2_ = r.array().square().matrix().cast<T>();
  }
  static sv from(const data_file& d) { return sv(d.vector("r", d.integer("T"))); }

  Eigen::Index dim() const { return 2 + r2_.size(); }

  acc_t<T> logp_grad(const vector_t<T>& q, vector_t<T>& grad) const {
    using A = acc_t<T>;
    using K = consts<A>;
    namespace bm = boost::math;
    check_call<T>("sv", dim(), q, grad);
    const Eigen::Index n = r2_.size();
    const A u_sigma = q[0], u_nu = q[1];
    const A sigma = std::exp(u_sigma), nu = std::exp(u_nu);
    const T inv_var = static_cast<T>(std::exp(-2 * u_sigma));
    const T inv_nu = static_cast<T>(1 / nu);
    const T nu_plus_1 = static_cast<T>(nu + 1);
    const auto s = q.tail(n).array();
    auto g_s = grad.tail(n).array();  // doubles as scratch for w = (r / exp(s))^2 / nu

    // Student-t terms. With w = z^2 / nu and z = r exp(-s):
    //   log p = lgamma((nu+1)/2) - lgamma(nu/2) - log(nu pi)/2 - s - (nu+1)/2 log1p(w)
    //   d/ds  = -1 + (nu+1) w / (1+w)
    //   d/dnu = [psi((nu+1)/2) - psi(nu/2) - 1/nu - log1p(w)] / 2 + (nu+1) w / (2 nu (1+w))
    g_s = r2_.array() * (T(-2) * s).exp() * inv_nu;
    // log(1 + w), not log1p(w): vectorised by Eigen for double, and the absolute error (below one
    // ulp of 1) is negligible in the sum.
    const A sum_log1p = sum_as<A>((T(1) + g_s).log());
    g_s = g_s / (T(1) + g_s);  // w / (1 + w)
    const A sum_frac = sum_as<A>(g_s);
    g_s = nu_plus_1 * g_s - T(1);
    const A sum_s = sum_as<A>(s);
    const A lgamma_ratio = bm::lgamma((nu + 1) / 2, fast_policy()) - bm::lgamma(nu / 2, fast_policy());
    const A digamma_diff = bm::digamma((nu + 1) / 2, fast_policy()) - bm::digamma(nu / 2, fast_policy());
    const A t_terms = A(n) * (lgamma_ratio - (std::log(nu) + K::log_pi) / 2) - sum_s -
                      (nu + 1) / 2 * sum_log1p;
    const A d_nu = A(n) * (digamma_diff - 1 / nu) / 2 - sum_log1p / 2 + (nu + 1) * sum_frac / (2 * nu);

    // Gaussian random walk from 0: increments d[0] = s[0], d[t] = s[t] - s[t-1].
    const auto d = s.tail(n - 1) - s.head(n - 1);
    const A sum_d2 = A(s[0]) * A(s[0]) + sum_as<A>(d.square());
    g_s[0] -= s[0] * inv_var;
    g_s.tail(n - 1) -= d * inv_var;
    g_s.head(n - 1) += d * inv_var;
    const A walk = -A(n) * (K::log_sqrt_2pi + u_sigma) - A(0.5) * sum_d2 * A(inv_var);

    const A priors = std::log(A(50)) - 50 * sigma + u_sigma    // sigma ~ exponential(50), Jacobian
                     - std::log(A(10)) - nu / 10 + u_nu;        // nu ~ exponential(0.1), Jacobian
    grad[0] = static_cast<T>(1 - 50 * sigma - A(n) + sum_d2 * A(inv_var));
    grad[1] = static_cast<T>(1 - nu / 10 + nu * d_nu);
    return priors + walk + t_terms;
  }

  std::vector<std::string> param_names() const {
    std::vector<std::string> out{"sigma", "nu"};
    push_indexed(out, "s", r2_.size());
    return out;
  }
  void constrain(const vector_t<T>& q, Eigen::VectorXd& out) const {
    check_constrain<T>("sv", dim(), q);
    out = q.template cast<double>();
    out[0] = std::exp(out[0]);
    out[1] = std::exp(out[1]);
  }

 private:
  vector_t<T> r2_;  // only r^2 enters the density (the location is 0)
};

}  // namespace exmc::reference
