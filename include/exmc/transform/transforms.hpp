#pragma once
// Bijections from unconstrained coordinates u to constrained values x, with log-Jacobians.
// Each transform works on n contiguous elements:
//   constrain(u, x, n)          writes x, returns log |dx/du| summed (double); -inf when u is so
//                               large that exp would overflow in T: in float that turns a bad
//                               region into a rejected step instead of a cascade of NaNs
//   chain(u, x, adj, g, n, jacobian)
//                               g = adj * dx/du + d logJ / du (the second term only with
//                               jacobian: a mode in the constrained space omits it)
//   unconstrain(x)              inverse, for initial values (throws outside the support)
// u, x, adj and g are distinct buffers (the compiled model's q, values, adjoints and gradient):
// the elementwise transforms declare them __restrict so that their loops vectorise without a
// run-time overlap check, which costs more than the copy itself at a few elements (D59).
#include <cmath>
#include <string>

#include "../core/error.hpp"
#include "../math/functions.hpp"

namespace exmc {

using transform_index = std::ptrdiff_t;

struct identity_tf {
  static constexpr const char* name = "identity";
  template <class T>
  double constrain(const T* __restrict u, T* __restrict x, transform_index n) const {
    for (transform_index i = 0; i < n; ++i) x[i] = u[i];
    return 0.0;
  }
  template <class T>
  void chain(const T*, const T*, const T* __restrict adj, T* __restrict g, transform_index n, bool = true) const {
    for (transform_index i = 0; i < n; ++i) g[i] = adj[i];
  }
  bool in_support(double x) const { return std::isfinite(x); }
  double unconstrain(double x) const { return x; }
  std::string describe() const { return "identity"; }
};

// x = lo + exp(u)
struct lower_tf {
  double lo = 0;
  static constexpr const char* name = "lower";
  template <class T>
  double constrain(const T* __restrict u, T* __restrict x, transform_index n) const {
    double lj = 0;
    bool ok = true;
    for (transform_index i = 0; i < n; ++i) {
      ok &= u[i] < math::max_exp_arg<T>;
      x[i] = static_cast<T>(lo) + std::exp(u[i]);
      lj += static_cast<double>(u[i]);
    }
    return ok ? lj : -math::inf<double>;
  }
  template <class T>
  void chain(const T*, const T* __restrict x, const T* __restrict adj, T* __restrict g, transform_index n,
             bool jacobian = true) const {
    const T dj = jacobian ? T(1) : T(0);
    for (transform_index i = 0; i < n; ++i) g[i] = adj[i] * (x[i] - static_cast<T>(lo)) + dj;
  }
  bool in_support(double x) const { return x > lo && std::isfinite(x); }
  double unconstrain(double x) const { return std::log(x - lo); }
  // u is log(x) itself when lo = 0, so a density needing log(x) can read u (D58).
  bool log_coordinates() const { return lo == 0; }
  std::string describe() const { return str_cat({"lower(", std::to_string(lo), "): x = lo + exp(u)"}); }
};

// x = hi - exp(u)
struct upper_tf {
  double hi = 0;
  static constexpr const char* name = "upper";
  template <class T>
  double constrain(const T* __restrict u, T* __restrict x, transform_index n) const {
    double lj = 0;
    bool ok = true;
    for (transform_index i = 0; i < n; ++i) {
      ok &= u[i] < math::max_exp_arg<T>;
      x[i] = static_cast<T>(hi) - std::exp(u[i]);
      lj += static_cast<double>(u[i]);
    }
    return ok ? lj : -math::inf<double>;
  }
  template <class T>
  void chain(const T*, const T* __restrict x, const T* __restrict adj, T* __restrict g, transform_index n,
             bool jacobian = true) const {
    const T dj = jacobian ? T(1) : T(0);
    for (transform_index i = 0; i < n; ++i) g[i] = -adj[i] * (static_cast<T>(hi) - x[i]) + dj;
  }
  bool in_support(double x) const { return x < hi && std::isfinite(x); }
  double unconstrain(double x) const { return std::log(hi - x); }
  std::string describe() const { return str_cat({"upper(", std::to_string(hi), "): x = hi - exp(u)"}); }
};

// x = lo + (hi - lo) inv_logit(u)
struct interval_tf {
  double lo = 0, hi = 1;
  static constexpr const char* name = "interval";
  template <class T>
  double constrain(const T* __restrict u, T* __restrict x, transform_index n) const {
    const T w = static_cast<T>(hi - lo);
    double lj = static_cast<double>(n) * std::log(hi - lo);
    for (transform_index i = 0; i < n; ++i) {
      x[i] = static_cast<T>(lo) + w * math::inv_logit(u[i]);
      lj += static_cast<double>(math::log_inv_logit(u[i]) + math::log1m_inv_logit(u[i]));
    }
    return lj;
  }
  template <class T>
  void chain(const T* __restrict u, const T*, const T* __restrict adj, T* __restrict g, transform_index n,
             bool jacobian = true) const {
    const T w = static_cast<T>(hi - lo);
    const T dj = jacobian ? T(1) : T(0);
    for (transform_index i = 0; i < n; ++i) {
      const T p = math::inv_logit(u[i]);
      g[i] = adj[i] * w * p * (T(1) - p) + dj * (T(1) - T(2) * p);
    }
  }
  bool in_support(double x) const { return x > lo && x < hi; }
  double unconstrain(double x) const {
    const double p = (x - lo) / (hi - lo);
    return std::log(p) - std::log1p(-p);
  }
  std::string describe() const {
    return str_cat({"interval(", std::to_string(lo), ", ", std::to_string(hi), "): x = lo + (hi - lo) inv_logit(u)"});
  }
};

}  // namespace exmc
