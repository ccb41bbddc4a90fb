#pragma once
// log_mix(theta, lp1, lp2) = log(theta exp(lp1) + (1 - theta) exp(lp2)): the log density of a
// two-component mixture from the components' log densities, Stan's log_mix(theta, lp1, lp2).
// Element by element when any argument is a vector (scalars broadcast). Evaluated as a
// log-sum-exp, so it stays finite when exp(lp1) and exp(lp2) underflow; partials are exact:
//   d/dlp1 = r, d/dlp2 = 1 - r, d/dtheta = exp(lp1 - v) - exp(lp2 - v),
// with v the value and r = theta exp(lp1 - v) the first component's responsibility.
// theta must lie in [0, 1]; outside, the value is -inf (a rejected point).
#include <cmath>

#include "build.hpp"

namespace exmc {

template <class Th, class A, class B>
struct log_mix_node : expr_tag {
  Th th;
  A a;
  B b;
  log_mix_node(Th t, A x, B y) : th(std::move(t)), a(std::move(x)), b(std::move(y)) {}

  using refs = concat_t<typename Th::refs, typename A::refs, typename B::refs>;
  template <class Info>
  static constexpr bool is_vec = Th::template is_vec<Info> || A::template is_vec<Info> || B::template is_vec<Info>;
  template <class Info>
  static constexpr bool has_grad =
      Th::template has_grad<Info> || A::template has_grad<Info> || B::template has_grad<Info>;
  template <class Env>
  struct state {
    static constexpr bool vec = is_vec<typename Env::info>;
    typename Th::template state<Env> th;
    typename A::template state<Env> a;
    typename B::template state<Env> b;
    cached<typename Env::scalar, vec> c;
    value_t<typename Env::scalar, vec> r{};    // responsibility of the first component
    value_t<typename Env::scalar, vec> dth{};  // d value / d theta
  };

  template <class SEnv>
  index_t size(const SEnv& s) const {
    using I = typename SEnv::info;
    const index_t n[3] = {th.size(s), a.size(s), b.size(s)};
    const bool v[3] = {Th::template is_vec<I>, A::template is_vec<I>, B::template is_vec<I>};
    index_t len = 1;
    for (int k = 0; k < 3; ++k) {
      if (!v[k]) continue;
      if (len != 1 && n[k] != len)
        throw model_error(str_cat({"size mismatch in '", describe(), "': ", std::to_string(len), " vs ",
                                   std::to_string(n[k])}));
      len = n[k];
    }
    if constexpr (requires { th.constant_values(); }) {
      const Eigen::VectorXd t = th.constant_values();
      for (index_t i = 0; i < t.size(); ++i)
        if (!(t[i] >= 0 && t[i] <= 1))
          throw model_error(str_cat({"log_mix: theta must be in [0, 1], got ", std::to_string(t[i])}));
    }
    return len;
  }
  template <class St, class SEnv>
  void init(St& s, const SEnv& senv) const {
    th.init(s.th, senv);
    a.init(s.a, senv);
    b.init(s.b, senv);
    const index_t n = size(senv);
    s.c.allocate(n);
    if constexpr (St::vec) {
      s.r.setZero(n);
      s.dth.setZero(n);
    }
  }
  template <class St, class Env>
  void forward(St& s, const Env& env) const {
    using T = typename Env::scalar;
    using std::exp, std::log, std::log1p;
    th.forward(s.th, env);
    a.forward(s.a, env);
    b.forward(s.b, env);
    const auto& tv = th.value(s.th, env);
    const auto& av = a.value(s.a, env);
    const auto& bv = b.value(s.b, env);
    const index_t n = length(s.c.val);
    for (index_t i = 0; i < n; ++i) {
      const T t = elem(tv, i), x = elem(av, i), y = elem(bv, i);
      T v, r, d;
      if (!(t >= T(0) && t <= T(1))) {
        v = -math::inf<T>, r = T(0), d = T(0);
      } else {
        // log(t e^x + (1 - t) e^y) as a log-sum-exp of log t + x and log(1 - t) + y
        const T lx = log(t) + x, ly = log1p(-t) + y;
        const T m = lx > ly ? lx : ly;
        if (m == -math::inf<T>) {
          v = -math::inf<T>, r = T(0), d = T(0);
        } else {
          const T ex = exp(lx - m), ey = exp(ly - m);
          v = m + log(ex + ey);
          r = ex / (ex + ey);
          d = exp(x - v) - exp(y - v);
        }
      }
      if constexpr (St::vec) {
        s.c.val[i] = v;
        s.r[i] = r;
        s.dth[i] = d;
      } else {
        s.c.val = v;
        s.r = r;
        s.dth = d;
      }
    }
    zero(s.c.adj);
  }
  template <class St, class Env>
  const auto& value(const St& s, const Env&) const {
    return s.c.val;
  }
  template <class St, class Env>
  auto& adj(St& s, Env&) const {
    return s.c.adj;
  }
  template <class St, class Env>
  void backward(St& s, Env& env) const {
    using I = typename Env::info;
    using T = typename Env::scalar;
    const index_t n = length(s.c.val);
    // Pushes g_i * p_i into operand e (summed when e is a scalar broadcast against a vector).
    auto push = [&](const auto& e, auto& es, auto&& partial) {
      using E = std::remove_cvref_t<decltype(e)>;
      if constexpr (E::template has_grad<I>) {
        auto& g = e.adj(es, env);
        if constexpr (E::template is_vec<I>) {
          for (index_t i = 0; i < n; ++i) g[i] += elem(s.c.adj, i) * partial(i);
        } else {
          T acc = 0;
          for (index_t i = 0; i < n; ++i) acc += elem(s.c.adj, i) * partial(i);
          g += acc;
        }
        e.backward(es, env);
      }
    };
    push(th, s.th, [&](index_t i) { return elem(s.dth, i); });
    push(a, s.a, [&](index_t i) { return elem(s.r, i); });
    push(b, s.b, [&](index_t i) { return T(1) - elem(s.r, i); });
  }
  template <class T>
  auto cast() const {
    using CT = decltype(th.template cast<T>());
    using CA = decltype(a.template cast<T>());
    using CB = decltype(b.template cast<T>());
    return log_mix_node<CT, CA, CB>(th.template cast<T>(), a.template cast<T>(), b.template cast<T>());
  }
  std::string describe() const {
    return str_cat({"log_mix(", th.describe(), ", ", a.describe(), ", ", b.describe(), ")"});
  }
};

template <operand Th, operand A, operand B>
  requires(symbolic<Th> || symbolic<A> || symbolic<B>)
auto log_mix(Th&& theta, A&& lp1, B&& lp2) {
  return log_mix_node<expr_of<Th>, expr_of<A>, expr_of<B>>(as_expr(std::forward<Th>(theta)), as_expr(std::forward<A>(lp1)),
                                                            as_expr(std::forward<B>(lp2)));
}

}  // namespace exmc
