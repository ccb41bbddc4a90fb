#pragma once
// Elementwise nodes: unary functions and binary arithmetic with scalar broadcasting.
#include "node.hpp"
#include "leaf.hpp"
#include "ops.hpp"

namespace exmc {

template <class Op, class A>
struct unary : expr_tag {
  A a;
  explicit unary(A x) : a(std::move(x)) {}

  using refs = typename A::refs;
  template <class Info>
  static constexpr bool is_vec = A::template is_vec<Info>;
  template <class Info>
  static constexpr bool has_grad = A::template has_grad<Info>;
  template <class Env>
  struct state {
    typename A::template state<Env> a;
    cached<typename Env::scalar, is_vec<typename Env::info>> c;
  };

  template <class SEnv>
  index_t size(const SEnv& s) const {
    return a.size(s);
  }
  template <class S, class SEnv>
  void init(S& s, const SEnv& senv) const {
    a.init(s.a, senv);
    s.c.allocate(size(senv));
  }
  template <class S, class Env>
  void forward(S& s, const Env& env) const {
    a.forward(s.a, env);
    const auto& x = a.value(s.a, env);
    if constexpr (is_vec<typename Env::info> && op::vec_form<Op>::unary) {
      s.c.val.array() = op::vec_form<Op>::f(x.array());
    } else if constexpr (is_vec<typename Env::info>) {
      for (index_t i = 0; i < x.size(); ++i) s.c.val[i] = Op::f(x[i]);
    } else {
      s.c.val = Op::f(x);
    }
    zero(s.c.adj);
  }
  template <class S, class Env>
  const auto& value(const S& s, const Env&) const {
    return s.c.val;
  }
  template <class S, class Env>
  auto& adj(S& s, Env&) const {
    return s.c.adj;
  }
  template <class S, class Env>
  void backward(S& s, Env& env) const {
    if constexpr (A::template has_grad<typename Env::info>) {
      const auto& x = a.value(s.a, env);
      auto& g = a.adj(s.a, env);
      if constexpr (is_vec<typename Env::info> && op::vec_form<Op>::unary) {
        g.array() += s.c.adj.array() * op::vec_form<Op>::df(x.array(), s.c.val.array());
      } else if constexpr (is_vec<typename Env::info>) {
        for (index_t i = 0; i < x.size(); ++i) g[i] += s.c.adj[i] * Op::df(x[i], s.c.val[i]);
      } else {
        g += s.c.adj * Op::df(x, s.c.val);
      }
      a.backward(s.a, env);
    }
  }
  template <class T>
  auto cast() const {
    return unary<Op, decltype(a.template cast<T>())>(a.template cast<T>());
  }
  std::string describe() const { return str_cat({Op::name, "(", a.describe(), ")"}); }
};

template <class Op, class A, class B>
struct binary : expr_tag {
  A a;
  B b;
  binary(A x, B y) : a(std::move(x)), b(std::move(y)) {}

  using refs = concat_t<typename A::refs, typename B::refs>;
  template <class Info>
  static constexpr bool is_vec = A::template is_vec<Info> || B::template is_vec<Info>;
  template <class Info>
  static constexpr bool has_grad = A::template has_grad<Info> || B::template has_grad<Info>;
  template <class Env>
  struct state {
    typename A::template state<Env> a;
    typename B::template state<Env> b;
    cached<typename Env::scalar, is_vec<typename Env::info>> c;
  };

  template <class SEnv>
  index_t size(const SEnv& s) const {
    using I = typename SEnv::info;
    const index_t na = a.size(s), nb = b.size(s);
    constexpr bool va = A::template is_vec<I>, vb = B::template is_vec<I>;
    if (va && vb && na != nb) {
      std::string msg = "size mismatch in '";
      msg += describe();
      msg += "': ";
      msg += std::to_string(na);
      msg += " vs ";
      msg += std::to_string(nb);
      throw model_error(msg);
    }
    return va ? na : (vb ? nb : 1);
  }
  template <class S, class SEnv>
  void init(S& s, const SEnv& senv) const {
    a.init(s.a, senv);
    b.init(s.b, senv);
    s.c.allocate(size(senv));
  }
  // Division by a scalar that is constant in q, or of a vector by any scalar, multiplies by the
  // reciprocal: the one division is off the path from q to the result (a constant's does not
  // wait for q) or shared by every element. It rounds twice, within 1 ulp of x / y (D66).
  template <class Info>
  static constexpr bool by_reciprocal =
      std::is_same_v<Op, op::div> && !B::template is_vec<Info> && (is_vec<Info> || !B::template has_grad<Info>);

  template <class T, class Y>
  T reciprocal(const Y& y) const {
    if constexpr (std::is_same_v<B, constant>)
      return static_cast<T>(b.invv);  // a constant's, computed once
    else
      return T(1) / y;
  }

  template <class S, class Env>
  void forward(S& s, const Env& env) const {
    a.forward(s.a, env);
    b.forward(s.b, env);
    const auto& x = a.value(s.a, env);
    const auto& y = b.value(s.b, env);
    if constexpr (by_reciprocal<typename Env::info>) {
      using T = typename Env::scalar;
      const T r = reciprocal<T>(y);
      if constexpr (is_vec<typename Env::info>)
        s.c.val.array() = as_array(x, s.c.val.size()) * r;
      else
        s.c.val = x * r;
    } else if constexpr (is_vec<typename Env::info> && op::vec_form<Op>::binary) {
      const index_t n = s.c.val.size();
      s.c.val.array() = op::vec_form<Op>::f(as_array(x, n), as_array(y, n));
    } else if constexpr (is_vec<typename Env::info>) {
      const index_t n = s.c.val.size();
      for (index_t i = 0; i < n; ++i) s.c.val[i] = Op::f(elem(x, i), elem(y, i));
    } else {
      s.c.val = Op::f(x, y);
    }
    zero(s.c.adj);
  }
  template <class S, class Env>
  const auto& value(const S& s, const Env&) const {
    return s.c.val;
  }
  template <class S, class Env>
  auto& adj(S& s, Env&) const {
    return s.c.adj;
  }
  template <class S, class Env>
  void backward(S& s, Env& env) const {
    using I = typename Env::info;
    using T = typename Env::scalar;
    const auto& x = a.value(s.a, env);
    const auto& y = b.value(s.b, env);
    const index_t n = length(s.c.val);
    if constexpr (by_reciprocal<I>) {
      // d(x r)/dx = r; d(x / y)/dy = -(x / y) r
      const T r = reciprocal<T>(y);
      if constexpr (A::template has_grad<I>) {
        if constexpr (A::template is_vec<I>)
          a.adj(s.a, env).array() += s.c.adj.array() * r;
        else
          a.adj(s.a, env) += s.c.adj * r;
        a.backward(s.a, env);
      }
      if constexpr (B::template has_grad<I>) {
        if constexpr (is_vec<I>)
          b.adj(s.b, env) -= (s.c.adj.array() * s.c.val.array()).sum() * r;
        else
          b.adj(s.b, env) -= s.c.adj * s.c.val * r;
        b.backward(s.b, env);
      }
      return;
    } else if constexpr (is_vec<I> && op::vec_form<Op>::binary) {
      using V = op::vec_form<Op>;
      const auto xa = as_array(x, n);
      const auto ya = as_array(y, n);
      const auto va = s.c.val.array();
      const auto ga = s.c.adj.array();
      if constexpr (A::template has_grad<I>) {
        if constexpr (A::template is_vec<I>)
          a.adj(s.a, env).array() += V::ga(xa, ya, va, ga);
        else
          a.adj(s.a, env) += V::ga(xa, ya, va, ga).sum();
        a.backward(s.a, env);
      }
      if constexpr (B::template has_grad<I>) {
        if constexpr (B::template is_vec<I>)
          b.adj(s.b, env).array() += V::gb(xa, ya, va, ga);
        else
          b.adj(s.b, env) += V::gb(xa, ya, va, ga).sum();
        b.backward(s.b, env);
      }
      return;
    }
    if constexpr (A::template has_grad<I>) {
      auto& g = a.adj(s.a, env);
      if constexpr (A::template is_vec<I>) {
        for (index_t i = 0; i < n; ++i) g[i] += elem(s.c.adj, i) * Op::da(x[i], elem(y, i), elem(s.c.val, i));
      } else {
        T acc = 0;
        for (index_t i = 0; i < n; ++i) acc += elem(s.c.adj, i) * Op::da(x, elem(y, i), elem(s.c.val, i));
        g += acc;
      }
      a.backward(s.a, env);
    }
    if constexpr (B::template has_grad<I>) {
      auto& g = b.adj(s.b, env);
      if constexpr (B::template is_vec<I>) {
        for (index_t i = 0; i < n; ++i) g[i] += elem(s.c.adj, i) * Op::db(elem(x, i), y[i], elem(s.c.val, i));
      } else {
        T acc = 0;
        for (index_t i = 0; i < n; ++i) acc += elem(s.c.adj, i) * Op::db(elem(x, i), y, elem(s.c.val, i));
        g += acc;
      }
      b.backward(s.b, env);
    }
  }
  template <class T>
  auto cast() const {
    using CA = decltype(a.template cast<T>());
    using CB = decltype(b.template cast<T>());
    return binary<Op, CA, CB>(a.template cast<T>(), b.template cast<T>());
  }
  std::string describe() const {
    const std::string_view sym = Op::name;
    if (sym.size() == 1) return str_cat({"(", a.describe(), " ", sym, " ", b.describe(), ")"});
    return str_cat({sym, "(", a.describe(), ", ", b.describe(), ")"});
  }
};

}  // namespace exmc
