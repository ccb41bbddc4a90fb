#pragma once
// ar1(rho, sigma): the stationary AR(1) process x[t] = rho x[t-1] + sigma e[t], |rho| < 1,
// with x[0] from the stationary law normal(0, sigma / sqrt(1 - rho^2)). The variate is consumed
// whole, so rho and sigma are scalars. Stan: written out by hand; PyMC: AR (with init_dist).
#include <array>
#include <cmath>

#include "dist.hpp"
#include "innovations.hpp"

namespace exmc {

struct ar1_fn {
  static constexpr const char* name = "ar1";
  static constexpr std::array<const char*, 2> arg_names{"rho", "sigma"};
  static constexpr std::array<domain, 2> domains{domain::real, domain::positive};
  static constexpr support_kind support = support_kind::real;
  static constexpr bool elementwise = false;
  static constexpr bool discrete = false;
  static bool in_support(double x) { return std::isfinite(x); }

  template <class X, class R, class S>
  static double lpdf(index_t n, X& x, R& rho_v, S& sigma_v) {
    using T = decltype(sigma_v.val(0));
    using std::log;
    const T rho = rho_v.val(0), sigma = sigma_v.val(0);
    if (!(sigma > T(0)) || !(rho > T(-1) && rho < T(1))) return -math::inf<double>;
    const T inv_var = T(1) / (sigma * sigma), one_m = T(1) - rho * rho;
    // x[0] ~ normal(0, sigma / sqrt(1 - rho^2))
    const T x0 = static_cast<T>(x.val(0));
    double lp = -math::log_sqrt_two_pi - static_cast<double>(log(sigma)) + 0.5 * static_cast<double>(log(one_m)) -
                0.5 * static_cast<double>(x0 * x0 * one_m * inv_var);
    T d_rho = -rho / one_m + x0 * x0 * rho * inv_var;
    T d_sigma = -T(1) / sigma + x0 * x0 * one_m * inv_var / sigma;
    if constexpr (X::grad) x.add(0, -x0 * one_m * inv_var);
    T prev = x0;
    for (index_t t = 1; t < n; ++t) {
      const T xt = static_cast<T>(x.val(t));
      const T e = xt - rho * prev;
      lp -= math::log_sqrt_two_pi + static_cast<double>(log(sigma)) + 0.5 * static_cast<double>(e * e * inv_var);
      if constexpr (X::grad) {
        x.add(t, -e * inv_var);
        x.add(t - 1, rho * e * inv_var);
      }
      d_rho += e * prev * inv_var;
      d_sigma += -T(1) / sigma + e * e * inv_var / sigma;
      prev = xt;
    }
    if constexpr (R::grad) rho_v.add(0, d_rho);
    if constexpr (S::grad) sigma_v.add(0, d_sigma);
    return lp;
  }

  static void generate(rng& g, index_t n, double* out, double rho, double sigma) {
    double prev = sigma / std::sqrt(1 - rho * rho) * g.normal();
    out[0] = prev;
    for (index_t t = 1; t < n; ++t) out[t] = prev = rho * prev + sigma * g.normal();
  }
};

// As the prior of a parameter x whose sigma depends on other parameters, x may be sampled
// non-centred (model/ncp.hpp, D135): in its innovations z ~ normal(0, 1), with
// x[0] = sigma / sqrt(1 - rho^2) z[0] and x[t] = rho x[t-1] + sigma z[t]. Both passes are O(T);
// the forward pass keeps where it wrote x, which the backward pass reads for rho's partial.
template <class R, class S>
struct ar1_dist : dist_expr<ar1_fn, R, S> {
  using base = dist_expr<ar1_fn, R, S>;
  using base::base;
  static constexpr bool standardizes = true;    // ncp_standardize below
  static constexpr bool latent_series = true;   // compile_options::ncp_series_min_observations

  template <class Env>
  struct state : base::template state<Env> {
    const typename Env::scalar* x = nullptr;  // the path written by the last ncp_forward
  };
  template <class Info>
  static constexpr bool ncp_eligible() {
    return S::template has_grad<Info>;
  }

  template <class St, class Env, class X>
  bool ncp_forward(St& s, const Env& env, const typename Env::scalar* z, X& x, index_t n) const {
    using T = typename Env::scalar;
    std::get<0>(this->args).forward(std::get<0>(s.s), env);
    std::get<1>(this->args).forward(std::get<1>(s.s), env);
    const auto [rho, sigma] = values(s, env);
    T* xp = detail::variate_data(x);
    s.x = xp;
    if (!valid(rho, sigma)) return false;
    double prev = sigma / std::sqrt(1 - rho * rho) * static_cast<double>(z[0]);
    xp[0] = static_cast<T>(prev);
    for (index_t t = 1; t < n; ++t) xp[t] = static_cast<T>(prev = rho * prev + sigma * static_cast<double>(z[t]));
    return true;
  }
  template <class St, class Env, class Z>
  double standard_term(St&, Env&, Z& z, index_t n) const {
    return detail::standard_normal_term(z, n);
  }
  // With a = dlogp/dx, the adjoint of x[t] through the recursion is b[t] = a[t] + rho b[t+1];
  // then dlogp/dz[t] = sigma b[t] (t > 0), c b[0] with c = sigma / sqrt(1 - rho^2) (t = 0),
  // dlogp/dsigma = sum_{t>0} b[t] z[t] + b[0] z[0] / sqrt(1 - rho^2),
  // dlogp/drho = sum_{t>0} b[t] x[t-1] + b[0] z[0] sigma rho / (1 - rho^2)^(3/2).
  template <class St, class Env, class AdjX>
  void ncp_backward(St& s, Env& env, const typename Env::scalar* z, const AdjX& adj_x, typename Env::scalar* zg,
                    index_t n) const {
    using T = typename Env::scalar;
    using I = typename Env::info;
    const auto [rho, sigma] = values(s, env);
    const double one_m = 1 - rho * rho, inv_sqrt = 1 / std::sqrt(one_m);
    double b = 0, d_rho = 0, d_sigma = 0;
    for (index_t t = n - 1; t >= 1; --t) {
      b = static_cast<double>(elem(adj_x, t)) + rho * b;
      zg[t] += static_cast<T>(sigma * b);
      d_sigma += b * static_cast<double>(z[t]);
      d_rho += b * static_cast<double>(s.x[t - 1]);
    }
    b = static_cast<double>(elem(adj_x, 0)) + rho * b;
    const double z0 = static_cast<double>(z[0]);
    zg[0] += static_cast<T>(sigma * inv_sqrt * b);
    d_sigma += b * z0 * inv_sqrt;
    d_rho += b * z0 * sigma * rho * inv_sqrt / one_m;
    const auto& ra = std::get<0>(this->args);
    const auto& sa = std::get<1>(this->args);
    if constexpr (std::remove_cvref_t<decltype(ra)>::template has_grad<I>) {
      ra.adj(std::get<0>(s.s), env) += static_cast<T>(d_rho);
      ra.backward(std::get<0>(s.s), env);
    }
    sa.adj(std::get<1>(s.s), env) += static_cast<T>(d_sigma);
    sa.backward(std::get<1>(s.s), env);
  }
  // z from the path, for draws from the prior and initial values (rho and sigma are forwarded).
  template <class St, class Env>
  bool ncp_standardize(St& s, const Env& env, const typename Env::scalar* x, typename Env::scalar* z, index_t n) const {
    using T = typename Env::scalar;
    const auto [rho, sigma] = values(s, env);
    if (!valid(rho, sigma)) return false;
    z[0] = static_cast<T>(static_cast<double>(x[0]) * std::sqrt(1 - rho * rho) / sigma);
    for (index_t t = 1; t < n; ++t)
      z[t] = static_cast<T>((static_cast<double>(x[t]) - rho * static_cast<double>(x[t - 1])) / sigma);
    return true;
  }
  static const char* ncp_fault() { return "its AR(1) sigma is not positive or |rho| is not below 1"; }
  std::string describe_noncentred(std::string_view x) const {
    const std::string rho = std::get<0>(this->args).describe(), sigma = std::get<1>(this->args).describe();
    return str_cat({x, "[0] = ", sigma, " / sqrt(1 - ", rho, "^2) * z[0], ", x, "[t] = ", rho, " * ", x, "[t-1] + ",
                    sigma, " * z[t], z ~ normal(0, 1)"});
  }
  template <class T>
  auto cast() const {
    return std::apply([](const auto&... a) { return ar1_dist<decltype(a.template cast<T>())...>(a.template cast<T>()...); },
                      this->args);
  }

 private:
  template <class St, class Env>
  std::pair<double, double> values(const St& s, const Env& env) const {
    return {static_cast<double>(elem(std::get<0>(this->args).value(std::get<0>(s.s), env), 0)),
            static_cast<double>(elem(std::get<1>(this->args).value(std::get<1>(s.s), env), 0))};
  }
  static bool valid(double rho, double sigma) { return sigma > 0 && rho > -1 && rho < 1; }
};

template <class R, class S>
auto ar1(R&& rho, S&& sigma) {
  if constexpr (!all_operands<R, S>)
    return make_dist<ar1_fn>(std::forward<R>(rho), std::forward<S>(sigma));  // states the rule, once
  else
    return ar1_dist<expr_of<R>, expr_of<S>>(as_expr(std::forward<R>(rho)), as_expr(std::forward<S>(sigma)));
}

}  // namespace exmc
