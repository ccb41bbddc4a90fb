#pragma once
// Bounds that depend on other parameters:
//   param<"beta1">(flat(), bounds(0.0, 1.0 - alpha1))      GARCH(1,1): 0 < beta1 < 1 - alpha1
//   param<"x">(normal(0.0, 5.0), lower(mu))                x > mu
//   param<"y">(uniform(0.0, b), bounds(0.0, b))            Stan's real<lower=0, upper=b> y; y ~ uniform(0, b)
// Stan: real<lower=L, upper=U> with L or U an expression of earlier parameters; PyMC: a
// transform with parameter-dependent bounds (pm.Interval on a variable).
//
// lower(e), upper(e) and bounds(lo, hi) with an expression on either side give a
// dependent_bounds spec; param() turns it into a dependent_tf, which holds the bound
// expressions and the interval of the prior's support. The effective bounds are the
// intersection, lo = max(lo(e), support lo) and hi = min(hi(e), support hi), so a bound given
// for a prior that already has one (a half-normal with upper(tau)) keeps both.
//
// The transforms are those of transforms.hpp with lo and hi read at every evaluation:
//   lower     x = lo + exp(u)                          log J = u
//   upper     x = hi - exp(u)                          log J = u
//   interval  x = lo + (hi - lo) inv_logit(u)          log J = log(hi - lo) + log p + log(1 - p)
// and their partials with respect to lo and hi (dx/dlo = 1 - p, dlogJ/dlo = -1 / (hi - lo), ...)
// go back into the bound expressions, so the Jacobian and its gradient are exact in all
// parameters. The compiled model constrains such a parameter after its bounds' parameters, in
// topological order, and chains it back before them (model/compiled.hpp).
#include <cmath>
#include <utility>

#include "../expr/build.hpp"
#include "transforms.hpp"

namespace exmc {

// The side of a dependent_bounds spec that has no bound.
struct unbounded {
  using refs = name_list<>;
  template <class T>
  unbounded cast() const {
    return *this;
  }
};

template <class Lo, class Hi>
struct dependent_bounds {
  Lo lo;
  Hi hi;
};

template <symbolic E>
auto lower(E&& lo) {
  return dependent_bounds<expr_of<E>, unbounded>{as_expr(std::forward<E>(lo)), {}};
}
template <symbolic E>
auto upper(E&& hi) {
  return dependent_bounds<unbounded, expr_of<E>>{{}, as_expr(std::forward<E>(hi))};
}
template <operand L, operand H>
  requires(symbolic<L> || symbolic<H>)
auto bounds(L&& lo, H&& hi) {
  return dependent_bounds<expr_of<L>, expr_of<H>>{as_expr(std::forward<L>(lo)), as_expr(std::forward<H>(hi))};
}

template <class B>
struct is_dependent_bounds : std::false_type {};
template <class Lo, class Hi>
struct is_dependent_bounds<dependent_bounds<Lo, Hi>> : std::true_type {};
template <class B>
concept dependent_bound_spec = is_dependent_bounds<std::remove_cvref_t<B>>::value;

namespace detail {
template <class E, class Env>
struct side_state {
  using type = typename E::template state<Env>;
};
template <class Env>
struct side_state<unbounded, Env> {
  using type = empty_state;
};
}  // namespace detail

template <class Lo, class Hi>
struct dependent_tf {
  static constexpr const char* name = "dependent bounds";
  static constexpr bool lo_expr = !std::is_same_v<Lo, unbounded>;
  static constexpr bool hi_expr = !std::is_same_v<Hi, unbounded>;
  Lo lo;
  Hi hi;
  // The prior's support (its constant bounds; infinite where it has none or where they are
  // arguments the family checks itself).
  double support_lo = -math::inf<double>;
  double support_hi = math::inf<double>;

  using refs = concat_t<typename Lo::refs, typename Hi::refs>;
  template <class Env>
  struct state {
    typename detail::side_state<Lo, Env>::type lo;
    typename detail::side_state<Hi, Env>::type hi;
  };

  bool has_lower() const { return lo_expr || std::isfinite(support_lo); }
  bool has_upper() const { return hi_expr || std::isfinite(support_hi); }

  // Each bound is a scalar or has one value per element of the parameter (n).
  template <class SEnv>
  void validate(const SEnv& s, index_t n) const {
    auto side = [&](const auto& e, const char* which) {
      using E = std::remove_cvref_t<decltype(e)>;
      if constexpr (!std::is_same_v<E, unbounded>) {
        const index_t m = e.size(s);
        if (E::template is_vec<typename SEnv::info> && m != n)
          throw model_error(str_cat({"the ", which, " bound '", e.describe(), "' has ", std::to_string(m),
                                     " elements but the parameter has ", std::to_string(n)}));
        if constexpr (requires { e.constant_values(); }) {
          const Eigen::VectorXd v = e.constant_values();
          for (index_t i = 0; i < v.size(); ++i)
            if (!std::isfinite(v[i]))
              throw model_error(str_cat({"the ", which, " bound is not finite (", std::to_string(v[i]), ")"}));
        }
      }
    };
    side(lo, "lower");
    side(hi, "upper");
  }
  template <class St, class SEnv>
  void init(St& s, const SEnv& senv) const {
    if constexpr (lo_expr) lo.init(s.lo, senv);
    if constexpr (hi_expr) hi.init(s.hi, senv);
  }
  template <class St, class Env>
  void forward_bounds(St& s, const Env& env) const {
    if constexpr (lo_expr) lo.forward(s.lo, env);
    if constexpr (hi_expr) hi.forward(s.hi, env);
  }
  // Element i's effective bounds (after forward_bounds), and whether each is the expression's
  // value (which then receives the partial) or the support's.
  template <class T>
  struct at_element {
    T lo, hi;
    bool lo_from_expr, hi_from_expr;
  };
  template <class St, class Env>
  at_element<typename Env::scalar> bounds_at(const St& s, const Env& env, index_t i) const {
    using T = typename Env::scalar;
    at_element<T> b{static_cast<T>(support_lo), static_cast<T>(support_hi), false, false};
    if constexpr (lo_expr) {
      const T v = elem(lo.value(s.lo, env), i);
      if (!(v < b.lo)) b.lo = v, b.lo_from_expr = true;  // NaN stays in, and is rejected below
    }
    if constexpr (hi_expr) {
      const T v = elem(hi.value(s.hi, env), i);
      if (!(v > b.hi)) b.hi = v, b.hi_from_expr = true;
    }
    return b;
  }
  template <class T>
  bool valid(const at_element<T>& b) const {
    const bool l = has_lower(), h = has_upper();
    if (l && !std::isfinite(b.lo)) return false;
    if (h && !std::isfinite(b.hi)) return false;
    return !(l && h) || b.lo < b.hi;
  }

  // Forwards the bounds and writes x from u; log |dx/du| summed, -inf where the bounds are not a
  // proper interval at these parameter values or exp would overflow.
  template <class St, class Env>
  double constrain(St& s, const Env& env, const typename Env::scalar* u, typename Env::scalar* x, index_t n) const {
    using T = typename Env::scalar;
    using std::exp, std::log;
    forward_bounds(s, env);
    const bool l = has_lower(), h = has_upper();
    double lj = 0;
    for (index_t i = 0; i < n; ++i) {
      const auto b = bounds_at(s, env, i);
      if (!valid(b)) return -math::inf<double>;
      if (l && h) {
        const T w = b.hi - b.lo;
        x[i] = b.lo + w * math::inv_logit(u[i]);
        lj += static_cast<double>(log(w) + math::log_inv_logit(u[i]) + math::log1m_inv_logit(u[i]));
      } else {
        if (!(u[i] < math::max_exp_arg<T>)) return -math::inf<double>;
        x[i] = l ? b.lo + exp(u[i]) : b.hi - exp(u[i]);
        lj += static_cast<double>(u[i]);
      }
    }
    return lj;
  }

  // g = adj dx/du (+ dlogJ/du with jacobian), and the partials with respect to the bounds, times
  // adj (+ those of log J), into the bound expressions, which then run their backward passes.
  template <class St, class Env>
  void chain(St& s, Env& env, const typename Env::scalar* u, const typename Env::scalar* x,
             const typename Env::scalar* adj, typename Env::scalar* g, index_t n, bool jacobian) const {
    using T = typename Env::scalar;
    using I = typename Env::info;
    const bool l = has_lower(), h = has_upper();
    const T dj = jacobian ? T(1) : T(0);
    T lo_total = 0, hi_total = 0;  // partials of a scalar bound
    auto to_side = [&](const auto& e, auto& es, T& total, index_t i, T d) {
      using E = std::remove_cvref_t<decltype(e)>;
      if constexpr (!std::is_same_v<E, unbounded>) {
        if constexpr (E::template has_grad<I>) {
          if constexpr (E::template is_vec<I>)
            e.adj(es, env)[i] += d;
          else
            total += d;
        }
      }
    };
    for (index_t i = 0; i < n; ++i) {
      const auto b = bounds_at(s, env, i);
      T dlo, dhi;
      if (l && h) {
        const T w = b.hi - b.lo, p = math::inv_logit(u[i]);
        g[i] = adj[i] * w * p * (T(1) - p) + dj * (T(1) - T(2) * p);
        dlo = adj[i] * (T(1) - p) - dj / w;
        dhi = adj[i] * p + dj / w;
      } else if (l) {
        g[i] = adj[i] * (x[i] - b.lo) + dj;
        dlo = adj[i], dhi = T(0);
      } else {
        g[i] = -adj[i] * (b.hi - x[i]) + dj;
        dlo = T(0), dhi = adj[i];
      }
      if (b.lo_from_expr) to_side(lo, s.lo, lo_total, i, dlo);
      if (b.hi_from_expr) to_side(hi, s.hi, hi_total, i, dhi);
    }
    auto finish = [&](const auto& e, auto& es, T total) {
      using E = std::remove_cvref_t<decltype(e)>;
      if constexpr (!std::is_same_v<E, unbounded>) {
        if constexpr (E::template has_grad<I>) {
          if constexpr (!E::template is_vec<I>) e.adj(es, env) += total;
          e.backward(es, env);
        }
      }
    };
    finish(lo, s.lo, lo_total);
    finish(hi, s.hi, hi_total);
  }

  // For initial values and prior draws, given element i's bounds.
  template <class T>
  bool inside(double x, const at_element<T>& b) const {
    if (!std::isfinite(x)) return false;
    if (has_lower() && !(x > static_cast<double>(b.lo))) return false;
    if (has_upper() && !(x < static_cast<double>(b.hi))) return false;
    return true;
  }
  template <class T>
  double unconstrain(double x, const at_element<T>& b) const {
    const double lo_v = static_cast<double>(b.lo), hi_v = static_cast<double>(b.hi);
    if (has_lower() && has_upper()) {
      const double p = (x - lo_v) / (hi_v - lo_v);
      return std::log(p) - std::log1p(-p);
    }
    return has_lower() ? std::log(x - lo_v) : std::log(hi_v - x);
  }

  template <class T>
  auto cast() const {
    using CL = decltype(lo.template cast<T>());
    using CH = decltype(hi.template cast<T>());
    return dependent_tf<CL, CH>{lo.template cast<T>(), hi.template cast<T>(), support_lo, support_hi};
  }
  std::string describe() const {
    auto side = [](const auto& e, double support, bool is_lo) -> std::string {
      using E = std::remove_cvref_t<decltype(e)>;
      std::string s;
      if constexpr (!std::is_same_v<E, unbounded>) s = e.describe();
      if (std::isfinite(support)) {
        const std::string c = std::to_string(support);
        s = s.empty() ? c : str_cat({is_lo ? "max(" : "min(", s, ", ", c, ")"});
      }
      return s;
    };
    const std::string l = side(lo, support_lo, true), h = side(hi, support_hi, false);
    if (!l.empty() && !h.empty()) return str_cat({"bounds(", l, ", ", h, "): x = lo + (hi - lo) inv_logit(u)"});
    if (!l.empty()) return str_cat({"lower(", l, "): x = lo + exp(u)"});
    return str_cat({"upper(", h, "): x = hi - exp(u)"});
  }
};

template <class Tf>
struct is_dependent_tf : std::false_type {};
template <class Lo, class Hi>
struct is_dependent_tf<dependent_tf<Lo, Hi>> : std::true_type {};
template <class Tf>
inline constexpr bool dependent_transform = is_dependent_tf<std::remove_cvref_t<Tf>>::value;

// The names a parameter's transform refers to (a dependent bound's), beside its prior's.
template <class Tf>
struct transform_refs {
  using type = name_list<>;
};
template <class Lo, class Hi>
struct transform_refs<dependent_tf<Lo, Hi>> {
  using type = typename dependent_tf<Lo, Hi>::refs;
};

}  // namespace exmc
