#pragma once
// Reductions from vectors to scalars: sum, mean, dot.
#include "node.hpp"

namespace exmc {

// sum(v) or, with Mean = true, mean(v). On a scalar it is the identity (sum) as in Stan.
template <class A, bool Mean>
struct reduce_sum : expr_tag {
  A a;
  explicit reduce_sum(A x) : a(std::move(x)) {}

  using refs = typename A::refs;
  template <class Info>
  static constexpr bool is_vec = false;
  template <class Info>
  static constexpr bool has_grad = A::template has_grad<Info>;
  template <class Env>
  struct state {
    typename A::template state<Env> a;
    cached<typename Env::scalar, false> c;
  };

  template <class SEnv>
  index_t size(const SEnv& s) const {
    if (a.size(s) == 0 && Mean) throw model_error(str_cat({"mean of an empty vector in '", describe(), "'"}));
    return 1;
  }
  template <class S, class SEnv>
  void init(S& s, const SEnv& senv) const {
    a.init(s.a, senv);
  }
  template <class S, class Env>
  void forward(S& s, const Env& env) const {
    using T = typename Env::scalar;
    a.forward(s.a, env);
    const auto& x = a.value(s.a, env);
    if constexpr (A::template is_vec<typename Env::info>) {
      s.c.val = Mean ? x.mean() : x.sum();
    } else {
      s.c.val = x;
    }
    s.c.adj = T(0);
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
    using T = typename Env::scalar;
    if constexpr (A::template has_grad<typename Env::info>) {
      auto& g = a.adj(s.a, env);
      if constexpr (A::template is_vec<typename Env::info>) {
        const T d = Mean ? s.c.adj / static_cast<T>(g.size()) : s.c.adj;
        g.array() += d;
      } else {
        g += s.c.adj;
      }
      a.backward(s.a, env);
    }
  }
  template <class T>
  auto cast() const {
    return reduce_sum<decltype(a.template cast<T>()), Mean>(a.template cast<T>());
  }
  std::string describe() const { return str_cat({Mean ? "mean(" : "sum(", a.describe(), ")"}); }
};

template <class A, class B>
struct dot_product : expr_tag {
  A a;
  B b;
  dot_product(A x, B y) : a(std::move(x)), b(std::move(y)) {}

  using refs = concat_t<typename A::refs, typename B::refs>;
  template <class Info>
  static constexpr bool is_vec = false;
  template <class Info>
  static constexpr bool has_grad = A::template has_grad<Info> || B::template has_grad<Info>;
  template <class Env>
  struct state {
    typename A::template state<Env> a;
    typename B::template state<Env> b;
    cached<typename Env::scalar, false> c;
  };

  template <class SEnv>
  index_t size(const SEnv& s) const {
    using I = typename SEnv::info;
    static_assert(A::template is_vec<I> && B::template is_vec<I>, "exmc: dot(a, b) needs two vectors");
    if (a.size(s) != b.size(s))
      throw model_error(
          str_cat({"size mismatch in '", describe(), "': ", std::to_string(a.size(s)), " vs ",
                   std::to_string(b.size(s))}));
    return 1;
  }
  template <class S, class SEnv>
  void init(S& s, const SEnv& senv) const {
    a.init(s.a, senv);
    b.init(s.b, senv);
  }
  template <class S, class Env>
  void forward(S& s, const Env& env) const {
    a.forward(s.a, env);
    b.forward(s.b, env);
    if constexpr (vectors<typename Env::info>) s.c.val = a.value(s.a, env).dot(b.value(s.b, env));
    s.c.adj = 0;
  }
  template <class S, class Env>
  const auto& value(const S& s, const Env&) const {
    return s.c.val;
  }
  template <class S, class Env>
  auto& adj(S& s, Env&) const {
    return s.c.adj;
  }
  // Both operands are vectors (else size() stopped the model, and the passes compile empty).
  template <class Info>
  static constexpr bool vectors = A::template is_vec<Info> && B::template is_vec<Info>;
  template <class S, class Env>
  void backward(S& s, Env& env) const {
    using I = typename Env::info;
    if constexpr (vectors<I> && A::template has_grad<I>) {
      a.adj(s.a, env) += s.c.adj * b.value(s.b, env);
      a.backward(s.a, env);
    }
    if constexpr (vectors<I> && B::template has_grad<I>) {
      b.adj(s.b, env) += s.c.adj * a.value(s.a, env);
      b.backward(s.b, env);
    }
  }
  template <class T>
  auto cast() const {
    return dot_product<decltype(a.template cast<T>()), decltype(b.template cast<T>())>(a.template cast<T>(),
                                                                                      b.template cast<T>());
  }
  std::string describe() const { return str_cat({"dot(", a.describe(), ", ", b.describe(), ")"}); }
};

}  // namespace exmc
