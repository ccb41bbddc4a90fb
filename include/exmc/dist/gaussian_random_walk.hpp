#pragma once
// gaussian_random_walk(sigma): the walk from 0 with normal(0, sigma) steps. Stan: written out by
// hand; PyMC: GaussianRandomWalk (with init_dist normal(0, sigma)).
#include <array>
#include <string>

#include "../core/random.hpp"
#include "dist.hpp"
#include "innovations.hpp"

namespace exmc {

// gaussian_random_walk(sigma): x[0] ~ normal(0, sigma), x[t] ~ normal(x[t-1], sigma).
// The variate is consumed whole, so sigma must be a scalar.
struct gaussian_random_walk_fn {
  static constexpr const char* name = "gaussian_random_walk";
  static constexpr std::array<const char*, 1> arg_names{"sigma"};
  static constexpr std::array<domain, 1> domains{domain::positive};
  static constexpr support_kind support = support_kind::real;
  static constexpr bool elementwise = false;
  static constexpr bool discrete = false;
  static bool in_support(double x) { return std::isfinite(x); }

  template <class X, class S>
  static double lpdf(index_t n, X& x, S& sigma) {
    if constexpr (!S::is_vec && requires { x.g; })
      return lpdf_scalar_sigma(n, x, sigma);
    else
      return lpdf_loop(n, x, sigma);
  }

  // A scalar sigma over a contiguous variate (what every model passes): with the increments
  // d[0] = x[0], d[t] = x[t] - x[t-1], the density needs only sum(d^2), and the partial of x[t]
  // is (d[t+1] - d[t]) / sigma^2, so the whole term is two vectorised passes, no division per step.
  template <class X, class S>
  static double lpdf_scalar_sigma(index_t n, X& x, S& sigma) {
    using T = decltype(sigma.val(0));
    const T s = sigma.val(0);
    if (!(s > T(0))) return -math::inf<double>;
    const T inv_s = T(1) / s, inv_var = inv_s * inv_s;
    const T x0 = static_cast<T>(x.val(0));
    double sum_d2 = static_cast<double>(x0 * x0);
    if (n > 1) {
      const auto xa = x.arr(n);
      const auto d = xa.tail(n - 1) - xa.head(n - 1);
      sum_d2 += sum_as_double(d.square());
      if constexpr (X::grad) {
        Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>> g(x.g, n);
        g.head(n - 1) += d * inv_var;
        g.tail(n - 1) -= d * inv_var;
      }
    }
    if constexpr (X::grad) x.g[0] -= x0 * inv_var;
    const double quad = sum_d2 * static_cast<double>(inv_var);
    if constexpr (S::grad) sigma.add_total(static_cast<T>((quad - static_cast<double>(n)) * static_cast<double>(inv_s)));
    return -static_cast<double>(n) * (math::log_sqrt_two_pi + static_cast<double>(sigma.log_val())) - 0.5 * quad;
  }

  // Any views, step by step (a per-step sigma, or a variate that is not contiguous).
  template <class X, class S>
  static double lpdf_loop(index_t n, X& x, S& sigma) {
    using T = decltype(sigma.val(0));
    using std::log;
    double lp = -math::log_sqrt_two_pi * static_cast<double>(n);
    bool ok = true;
    T prev = T(0);
    for (index_t t = 0; t < n; ++t) {
      const T s = sigma.val(t);
      ok &= s > T(0);
      const T inv_s = T(1) / s;
      const T xt = x.val(t);
      const T z = (xt - prev) * inv_s;
      lp -= 0.5 * static_cast<double>(z * z);
      if constexpr (S::is_vec) lp -= static_cast<double>(log(s));
      x.add(t, -z * inv_s);
      if (t > 0) x.add(t - 1, z * inv_s);
      sigma.add(t, (z * z - T(1)) * inv_s);
      prev = xt;
    }
    if constexpr (!S::is_vec) lp -= static_cast<double>(n) * static_cast<double>(sigma.log_val());
    return ok ? lp : -math::inf<double>;
  }

  // The walk from 0 with normal(0, sigma) steps; a model always passes a scalar sigma.
  static void generate(rng& g, index_t n, double* out, double sigma) {
    double prev = 0;
    for (index_t t = 0; t < n; ++t) out[t] = prev = prev + sigma * g.normal();
  }
};

// As the prior of a parameter x whose sigma depends on other parameters, x may be sampled
// non-centred (model/ncp.hpp, D135): in its innovations z ~ normal(0, 1), x = sigma * cumsum(z).
// The centred walk with a parameter sigma is a funnel in T dimensions (a small sigma pins every
// step); in z the prior is isotropic and sigma moves all steps at once. The compiler's
// non-centring pass calls the steps below; both passes are O(T).
template <class S>
struct gaussian_random_walk_dist : dist_expr<gaussian_random_walk_fn, S> {
  using base = dist_expr<gaussian_random_walk_fn, S>;
  using base::base;
  static constexpr bool standardizes = true;    // ncp_standardize below
  static constexpr bool latent_series = true;   // compile_options::ncp_series_min_observations

  template <class Info>
  static constexpr bool ncp_eligible() {
    return S::template has_grad<Info>;
  }

  // x = sigma * cumsum(z), the sum kept in double so a float walk of 10^5 steps does not drift.
  template <class St, class Env, class X>
  bool ncp_forward(St& s, const Env& env, const typename Env::scalar* z, X& x, index_t n) const {
    using T = typename Env::scalar;
    const T sigma = forward_sigma(s, env);
    T* xp = detail::variate_data(x);
    const double sd = static_cast<double>(sigma);
    double run = 0;
    for (index_t t = 0; t < n; ++t) xp[t] = static_cast<T>(sd * (run += static_cast<double>(z[t])));
    return sigma > T(0);
  }
  template <class St, class Env, class Z>
  double standard_term(St&, Env&, Z& z, index_t n) const {
    return detail::standard_normal_term(z, n);
  }
  // With a = dlogp/dx, x[u] depends on z[t] for u >= t: dlogp/dz[t] = sigma * sum_{u >= t} a[u]
  // (a reversed cumulative sum) and dlogp/dsigma = sum_t a[t] x[t] / sigma = sum_t z[t] * that sum.
  template <class St, class Env, class AdjX>
  void ncp_backward(St& s, Env& env, const typename Env::scalar* z, const AdjX& adj_x, typename Env::scalar* zg,
                    index_t n) const {
    using T = typename Env::scalar;
    const auto& sa = std::get<0>(this->args);
    auto& ss = std::get<0>(s.s);
    const double sigma = static_cast<double>(elem(sa.value(ss, env), 0));
    double tail = 0, d_sigma = 0;
    for (index_t t = n - 1; t >= 0; --t) {
      tail += static_cast<double>(elem(adj_x, t));
      zg[t] += static_cast<T>(sigma * tail);
      d_sigma += tail * static_cast<double>(z[t]);
    }
    sa.adj(ss, env) += static_cast<T>(d_sigma);
    sa.backward(ss, env);
  }
  // z = increments / sigma, for draws from the prior and initial values (sigma is forwarded).
  template <class St, class Env>
  bool ncp_standardize(St& s, const Env& env, const typename Env::scalar* x, typename Env::scalar* z, index_t n) const {
    using T = typename Env::scalar;
    const T sigma = elem(std::get<0>(this->args).value(std::get<0>(s.s), env), 0);
    if (!(sigma > T(0))) return false;
    for (index_t t = 0; t < n; ++t) z[t] = (x[t] - (t ? x[t - 1] : T(0))) / sigma;
    return true;
  }
  static const char* ncp_fault() { return "its random walk's sigma is not positive"; }
  std::string describe_noncentred(std::string_view x) const {
    return str_cat({x, " = ", std::get<0>(this->args).describe(), " * cumsum(z), z ~ normal(0, 1)"});
  }
  template <class T>
  auto cast() const {
    using C = decltype(std::get<0>(this->args).template cast<T>());
    return gaussian_random_walk_dist<C>(std::get<0>(this->args).template cast<T>());
  }

 private:
  template <class St, class Env>
  typename Env::scalar forward_sigma(St& s, const Env& env) const {
    std::get<0>(this->args).forward(std::get<0>(s.s), env);
    return elem(std::get<0>(this->args).value(std::get<0>(s.s), env), 0);
  }
};

template <class S>
auto gaussian_random_walk(S&& sigma) {
  if constexpr (!all_operands<S>)
    return make_dist<gaussian_random_walk_fn>(std::forward<S>(sigma));  // states the rule, once
  else
    return gaussian_random_walk_dist<expr_of<S>>(as_expr(std::forward<S>(sigma)));
}

}  // namespace exmc
