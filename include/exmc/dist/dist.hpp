#pragma once
// The distribution protocol. A distribution is a `dist_expr<Fn, Args...>`: argument expressions
// plus a stateless family `Fn` that states
//   name, arg_names           for messages ("normal: sigma must be > 0")
//   support                   which constraint transform a parameter with this prior gets
//   domains                   what each argument must satisfy (checked on constants at
//                             construction; on parameters at run time, giving -inf)
//   elementwise               true: arguments broadcast against the variate element by element;
//                             false: the variate is consumed whole (random walks) and arguments
//                             must be scalars
//   discrete                  observed data are integers
//   in_support(x)             for checking observed data at construction
//   lpdf(n, x, args...)       the normalised log density summed over n elements; it reads values
//                             through views (val(i)) and adds analytic partials through them
//                             (add(i, d)); returns -inf for invalid arguments.
#include <cmath>
#include <tuple>
#include <utility>

#include "../expr/build.hpp"
#include "../math/functions.hpp"

namespace exmc {

enum class support_kind { real, positive, unit, nonneg_int, binary };
enum class domain { real, positive, nonneg, unit };

inline bool in_domain(domain d, double v) {
  switch (d) {
    case domain::real: return std::isfinite(v);
    case domain::positive: return std::isfinite(v) && v > 0;
    case domain::nonneg: return std::isfinite(v) && v >= 0;
    case domain::unit: return v >= 0 && v <= 1;
  }
  return false;
}
inline const char* domain_text(domain d) {
  switch (d) {
    case domain::real: return "finite";
    case domain::positive: return "finite and > 0";
    case domain::nonneg: return "finite and >= 0";
    case domain::unit: return "in [0, 1]";
  }
  return "";
}

// ---- views: how lpdf code reads values and writes partials --------------------------------
// Scalar view: the value broadcasts; partials are summed locally and flushed once.
template <class T, bool Grad>
struct scalar_view {
  static constexpr bool is_vec = false;
  static constexpr bool grad = Grad;
  T v;
  T acc = T(0);
  T val(index_t) const { return v; }
  void add(index_t, T d) {
    if constexpr (Grad) acc += d;
  }
};

// Vector view over contiguous values; partials are added in place (the target is zeroed before).
template <class V, class T, bool Grad>
struct vector_view {
  static constexpr bool is_vec = true;
  static constexpr bool grad = Grad;
  const V* v;
  T* g;
  V val(index_t i) const { return v[i]; }
  void add(index_t i, T d) {
    if constexpr (Grad) g[i] += d;
  }
};

// Any argument's value where it is the same for every element: hoisting a log(sigma) out of a
// loop when sigma is a scalar is what makes vectorised lpdfs fast.
template <class View>
inline constexpr bool is_scalar_view = !View::is_vec;

// ---- the distribution expression ----------------------------------------------------------
template <class Fn, class... Args>
struct dist_expr {
  using family = Fn;
  std::tuple<Args...> args;
  explicit dist_expr(Args... a) : args(std::move(a)...) {}

  using refs = concat_t<typename Args::refs...>;
  static constexpr support_kind support = Fn::support;
  template <class Env>
  struct state {
    std::tuple<typename Args::template state<Env>...> s;
  };

  // Validates argument sizes against the variate length n and constant arguments against their
  // domains. Throws model_error naming the family and argument.
  template <class SEnv>
  void validate(const SEnv& senv, index_t n) const {
    validate_impl(senv, n, std::index_sequence_for<Args...>{});
  }
  template <class S, class SEnv>
  void init(S& s, const SEnv& senv) const {
    std::apply([&](auto&... st) { init_impl(senv, std::index_sequence_for<Args...>{}, st...); }, s.s);
  }

  // Log density of variate view x (n elements) given the current environment; partials flow into
  // x and, through the arguments' backward passes, into the environment's adjoints.
  template <class S, class Env, class X>
  double term(S& s, Env& env, X& x, index_t n) const {
    return term_impl(s, env, x, n, std::index_sequence_for<Args...>{});
  }

  template <class T>
  auto cast() const {
    return std::apply([](const auto&... a) { return dist_expr<Fn, decltype(a.template cast<T>())...>(a.template cast<T>()...); },
                      args);
  }
  std::string describe() const {
    std::string out = std::string(Fn::name) + "(";
    std::apply(
        [&](const auto&... a) {
          bool first = true;
          ((out += (first ? "" : ", ") + a.describe(), first = false), ...);
        },
        args);
    return out + ")";
  }

 private:
  template <class SEnv, std::size_t... I>
  void validate_impl(const SEnv& senv, index_t n, std::index_sequence<I...>) const {
    (validate_arg<I>(senv, n), ...);
  }
  template <std::size_t I, class SEnv>
  void validate_arg(const SEnv& senv, index_t n) const {
    const auto& a = std::get<I>(args);
    using A = std::remove_cvref_t<decltype(a)>;
    const std::string who = std::string(Fn::name) + ": argument " + Fn::arg_names[I];
    index_t m = 0;
    try {
      m = a.size(senv);
    } catch (const model_error& e) {
      throw model_error(who + ": " + e.what());
    }
    if constexpr (A::template is_vec<typename SEnv::info>) {
      if (!Fn::elementwise)
        throw model_error(who + " must be a scalar (" + Fn::name + " takes the whole variate vector)");
      if (m != n)
        throw model_error(who + " ('" + a.describe() + "') has " + std::to_string(m) + " elements but the variate has " +
                          std::to_string(n));
    }
    if constexpr (requires { a.constant_values(); }) {
      const Eigen::VectorXd v = a.constant_values();
      for (index_t i = 0; i < v.size(); ++i)
        if (!in_domain(Fn::domains[I], v[i]))
          throw model_error(who + " must be " + domain_text(Fn::domains[I]) + ", got " + std::to_string(v[i]) +
                            (v.size() > 1 ? " at element " + std::to_string(i) : std::string()));
    }
  }
  template <class SEnv, std::size_t... I, class... St>
  void init_impl(const SEnv& senv, std::index_sequence<I...>, St&... st) const {
    (std::get<I>(args).init(st, senv), ...);
  }

  template <class A, class St, class Env>
  static auto make_view(const A& a, St& st, Env& env) {
    using I = typename Env::info;
    using T = typename Env::scalar;
    constexpr bool g = A::template has_grad<I>;
    if constexpr (A::template is_vec<I>) {
      T* gp = nullptr;
      if constexpr (g) gp = a.adj(st, env).data();
      return vector_view<T, T, g>{a.value(st, env).data(), gp};
    } else {
      return scalar_view<T, g>{static_cast<T>(a.value(st, env))};
    }
  }
  template <class A, class St, class Env, class View>
  static void finish(const A& a, St& st, Env& env, const View& v) {
    if constexpr (A::template has_grad<typename Env::info>) {
      if constexpr (!View::is_vec) a.adj(st, env) += v.acc;
      a.backward(st, env);
    }
  }
  template <class S, class Env, class X, std::size_t... I>
  double term_impl(S& s, Env& env, X& x, index_t n, std::index_sequence<I...>) const {
    (std::get<I>(args).forward(std::get<I>(s.s), env), ...);
    auto views = std::make_tuple(make_view(std::get<I>(args), std::get<I>(s.s), env)...);
    const double lp = Fn::lpdf(n, x, std::get<I>(views)...);
    (finish(std::get<I>(args), std::get<I>(s.s), env, std::get<I>(views)), ...);
    return lp;
  }
};

// make_dist<Fn>(args...): the user-facing factories (normal(mu, sigma), ...) call this.
template <class Fn, class... A>
auto make_dist(A&&... a) {
  static_assert(sizeof...(A) == Fn::arg_names.size(), "exmc: wrong number of arguments for this distribution");
  return dist_expr<Fn, expr_of<A>...>(as_expr(std::forward<A>(a))...);
}

template <class D>
concept distribution = requires { typename std::remove_cvref_t<D>::family; };

}  // namespace exmc
