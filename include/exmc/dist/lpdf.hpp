#pragma once
// lpdf(d, x): the log density of distribution d at the values of expression x, summed over x's
// elements, as a scalar expression. Stan's `normal_lpdf(x | mu, sigma)`, PyMC's
// `pm.logp(pm.Normal.dist(mu, sigma), x)`. With potential<> it states what `~` cannot, a
// density on something that is not a declaration:
//   potential<"walk">(lpdf(normal(s.head(T - 1), sigma), s.tail(T - 1)))   // s[2:T] ~ normal(s[1:T-1], sigma)
// and with log_mix it combines densities. Partials flow into x and into d's arguments exactly,
// through the family's own analytic partials (dist_expr::term_held), so every family works and
// none is written twice.
//
// Jacobian: when x is a non-linear function of parameters (lpdf(normal(0, 1), log(y)) with y a
// parameter), the density of x is not the density of the parameters; adding log |dx/dparams| is
// the user's task, as Stan's compiler warns for `log(y) ~ normal(...)` (docs/dsl.md).
#include <cmath>

#include "dist.hpp"

namespace exmc {

template <class D, class X>
struct lpdf_node : expr_tag {
  using Fn = typename D::family;
  static_assert(!Fn::discrete,
                "exmc::lpdf: a discrete family's density needs integer data; state it with observe<>()");
  static_assert(!requires { Fn::observe_only; }, "exmc::lpdf: censored() describes observed data; use observe<>()");

  D d;
  X x;
  lpdf_node(D dist, X variate) : d(std::move(dist)), x(std::move(variate)) {}

  using refs = concat_t<typename D::refs, typename X::refs>;
  template <class Info>
  static constexpr bool is_vec = false;
  template <class Info>
  static constexpr bool has_grad = X::template has_grad<Info> || D::template any_arg_grad<Info>;
  template <class Env>
  struct state {
    using T = typename Env::scalar;
    static constexpr bool vec = X::template is_vec<typename Env::info>;
    typename D::template state<Env> d;
    typename X::template state<Env> x;
    typename D::template held_partials<Env> held;
    value_t<T, vec> dx{};  // the variate's partials, kept until the adjoint is known
    T val{};
    T adj{};
  };

  template <class SEnv>
  index_t size(const SEnv& s) const {
    const index_t n = x.size(s);
    if (n < 1) throw model_error(str_cat({"lpdf: the variate '", x.describe(), "' is empty"}));
    d.validate(s, n);
    if constexpr (requires { x.constant_values(); }) {  // data: checked once here
      const Eigen::VectorXd v = x.constant_values();
      for (index_t i = 0; i < v.size(); ++i)
        if (!Fn::in_support(v[i]))
          throw model_error(str_cat({"lpdf: element ", std::to_string(i), " (", std::to_string(v[i]),
                                     ") of the variate is outside the support of ", Fn::name}));
    }
    return 1;
  }
  template <class St, class SEnv>
  void init(St& s, const SEnv& senv) const {
    d.init(s.d, senv);
    x.init(s.x, senv);
    d.init_held(s.held, senv);
    if constexpr (St::vec) s.dx.setZero(x.size(senv));
  }
  template <class St, class Env>
  void forward(St& s, const Env& cenv) const {
    using T = typename Env::scalar;
    using I = typename Env::info;
    constexpr bool xg = X::template has_grad<I>;
    // Only pointers into the arguments' adjoints are taken here (then redirected to s.held):
    // nothing in the environment is written.
    Env& env = const_cast<Env&>(cenv);
    x.forward(s.x, env);
    s.adj = T(0);
    const auto& xv = x.value(s.x, env);
    if constexpr (St::vec) {
      const index_t n = xv.size();
      if constexpr (!requires { x.constant_values(); } && Fn::support != support_kind::real)
        for (index_t i = 0; i < n; ++i)
          if (!Fn::in_support(static_cast<double>(xv[i]))) return outside(s);
      if constexpr (xg) zero(s.dx);
      vector_view<T, T, xg> view{xv.data(), xg ? s.dx.data() : nullptr};
      view.size = n;
      s.val = static_cast<T>(d.term_held(s.d, env, view, n, s.held));
    } else {
      if constexpr (Fn::support != support_kind::real)
        if (!Fn::in_support(static_cast<double>(xv))) return outside(s);
      scalar_view<T, xg, true> view{static_cast<T>(xv)};
      s.val = static_cast<T>(d.term_held(s.d, env, view, 1, s.held));
      if constexpr (xg) s.dx = view.acc;
    }
  }
  // Optional member of the node protocol: the value as a model term, whose adjoint is 1 (a
  // potential's whole expression, model/compiled.hpp). The family's partials then go straight
  // into the variate's and the arguments' adjoints through dist_expr::term, as an observe<>
  // term's do, and nothing is held for a backward pass; returns the value.
  template <class St, class Env>
  double forward_term(St& s, Env& env) const {
    using T = typename Env::scalar;
    using I = typename Env::info;
    constexpr bool xg = X::template has_grad<I>;
    x.forward(s.x, env);
    s.adj = T(0);
    const auto& xv = x.value(s.x, env);
    double lp;
    if constexpr (St::vec) {
      const index_t n = xv.size();
      if constexpr (!requires { x.constant_values(); } && Fn::support != support_kind::real)
        for (index_t i = 0; i < n; ++i)
          if (!Fn::in_support(static_cast<double>(xv[i]))) return outside(s), -math::inf<double>;
      T* g = nullptr;
      if constexpr (xg) g = x.adj(s.x, env).data();
      vector_view<T, T, xg> view{xv.data(), g};
      view.size = n;
      lp = d.term(s.d, env, view, n);
    } else {
      if constexpr (Fn::support != support_kind::real)
        if (!Fn::in_support(static_cast<double>(xv))) return outside(s), -math::inf<double>;
      scalar_view<T, xg, true> view{static_cast<T>(xv)};
      lp = d.term(s.d, env, view, 1);
      if constexpr (xg) x.adj(s.x, env) += view.acc;
    }
    if constexpr (xg) x.backward(s.x, env);
    s.val = static_cast<T>(lp);
    return lp;
  }
  // A variate outside the family's support: density zero, and no partials (a log_mix may still
  // weight this node's adjoint by zero and push it on).
  template <class St>
  static void outside(St& s) {
    using T = decltype(s.val);
    s.val = -math::inf<T>;
    zero(s.dx);
    std::apply([](auto&... part) { (zero_held(part), ...); }, s.held);
  }
  template <class P>
  static void zero_held(P& part) {
    if constexpr (!std::is_same_v<P, empty_state>) zero(part);
  }
  template <class St, class Env>
  const auto& value(const St& s, const Env&) const {
    return s.val;
  }
  template <class St, class Env>
  auto& adj(St& s, Env&) const {
    return s.adj;
  }
  template <class St, class Env>
  void backward(St& s, Env& env) const {
    using I = typename Env::info;
    if constexpr (X::template has_grad<I>) {
      x.adj(s.x, env) += s.adj * s.dx;
      x.backward(s.x, env);
    }
    if constexpr (D::template any_arg_grad<I>) d.push_held(s.d, env, s.held, s.adj);
  }
  template <class T>
  auto cast() const {
    using CD = decltype(d.template cast<T>());
    using CX = decltype(x.template cast<T>());
    return lpdf_node<CD, CX>(d.template cast<T>(), x.template cast<T>());
  }
  std::string describe() const { return str_cat({"lpdf(", d.describe(), ", ", x.describe(), ")"}); }
};

// lpdf(d, x) with x any expression or data (a parameter, a slice, log(y), an Eigen vector).
template <distribution D, operand X>
auto lpdf(D&& d, X&& x) {
  return lpdf_node<std::remove_cvref_t<D>, expr_of<X>>(std::forward<D>(d), as_expr(std::forward<X>(x)));
}

}  // namespace exmc
