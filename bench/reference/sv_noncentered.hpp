#pragma once
// sv written non-centred: the same posterior as sv.hpp, sampled in the innovations of the random
// walk. Coordinates: log(sigma), log(nu), z[0..T-1] with s = sigma * cumsum(z), z ~ normal(0, 1).
// The change of variables s <- z has Jacobian sigma^T, which cancels the walk's normalising
// constant: the density of z is the standard normal. Gradient: with g_s = d log p / d s from
// the Student-t terms, d/dz[t] = sigma * sum_{u >= t} g_s[u] (a reversed cumulative sum) and
// d/d log(sigma) gets sum_t g_s[t] s[t].
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "common.hpp"
#include "exmc/io/cmdstan_json.hpp"

namespace exmc::reference {

template <class T = double>
class sv_noncentered {
 public:
  using scalar = T;

  explicit sv_noncentered(const Eigen::VectorXd& r) {
    require(r.size() >= 1, "sv_noncentered: the return series r is empty");
    require_finite("sv_noncentered", "r", r);
    r2_ = r.array().square().matrix().cast<T>();
  }
  static sv_noncentered from(const data_file& d) { return sv_noncentered(d.vector("r", d.integer("T"))); }

  Eigen::Index dim() const { return 2 + r2_.size(); }

  acc_t<T> logp_grad(const vector_t<T>& q, vector_t<T>& grad) const {
    using A = acc_t<T>;
    using K = consts<A>;
    namespace bm = boost::math;
    check_call<T>("sv_noncentered", dim(), q, grad);
    const Eigen::Index n = r2_.size();
    const A u_sigma = q[0], u_nu = q[1];
    const A sigma = std::exp(u_sigma), nu = std::exp(u_nu);
    const T sig = static_cast<T>(sigma);
    const T inv_nu = static_cast<T>(1 / nu);
    const T nu_plus_1 = static_cast<T>(nu + 1);
    const auto z = q.tail(n).array();
    auto g = grad.tail(n).array();
    // s = sigma * cumsum(z), kept in grad's tail until the Student-t partials replace it.
    thread_local vector_t<T> s_buf;
    s_buf.resize(n);
    T run = 0;
    for (Eigen::Index t = 0; t < n; ++t) s_buf[t] = run += sig * z[t];
    const auto s = s_buf.array();

    g = r2_.array() * (T(-2) * s).exp() * inv_nu;  // w
    const A sum_log1p = sum_as<A>((T(1) + g).log());
    g = g / (T(1) + g);
    const A sum_frac = sum_as<A>(g);
    g = nu_plus_1 * g - T(1);  // d log p / d s
    const A sum_s = sum_as<A>(s);
    const A g_dot_s = sum_as<A>(g * s);
    const A lgamma_ratio = bm::lgamma((nu + 1) / 2, fast_policy()) - bm::lgamma(nu / 2, fast_policy());
    const A digamma_diff = bm::digamma((nu + 1) / 2, fast_policy()) - bm::digamma(nu / 2, fast_policy());
    const A t_terms = A(n) * (lgamma_ratio - (std::log(nu) + K::log_pi) / 2) - sum_s - (nu + 1) / 2 * sum_log1p;
    const A d_nu = A(n) * (digamma_diff - 1 / nu) / 2 - sum_log1p / 2 + (nu + 1) * sum_frac / (2 * nu);

    // Reversed cumulative sum, times sigma, then the standard normal prior of z.
    T acc = 0;
    for (Eigen::Index t = n - 1; t >= 0; --t) {
      acc += g[t];
      g[t] = sig * acc - z[t];
    }
    const A walk = -A(n) * K::log_sqrt_2pi - A(0.5) * sum_as<A>(z.square());

    const A priors = std::log(A(50)) - 50 * sigma + u_sigma - std::log(A(10)) - nu / 10 + u_nu;
    grad[0] = static_cast<T>(1 - 50 * sigma + g_dot_s);
    grad[1] = static_cast<T>(1 - nu / 10 + nu * d_nu);
    return priors + walk + t_terms;
  }

  std::vector<std::string> param_names() const {
    std::vector<std::string> out{"sigma", "nu"};
    push_indexed(out, "s", r2_.size());
    return out;
  }
  // Reports s (the walk), as the centred density does, so the two posteriors compare directly.
  void constrain(const vector_t<T>& q, Eigen::VectorXd& out) const {
    check_constrain<T>("sv_noncentered", dim(), q);
    out.resize(dim());
    const double sigma = std::exp(static_cast<double>(q[0]));
    out[0] = sigma;
    out[1] = std::exp(static_cast<double>(q[1]));
    double run = 0;
    for (Eigen::Index t = 0; t < r2_.size(); ++t) out[2 + t] = run += sigma * static_cast<double>(q[2 + t]);
  }

 private:
  vector_t<T> r2_;
};

}  // namespace exmc::reference
