#pragma once
// The solution of an ODE as an expression: ode_rk45(f, y0, t0, ts, args...) and
// ode_rosenbrock(...) are vectors of T x N values, the N states at the T output times, stored
// column by column like every matrix of the DSL (state n at time ts[t] is element t + n * T).
//
//   auto f = [](auto t, const auto& y, auto theta) { return std::array{-theta * y[0]}; };
//   let<"y">(ode_rk45(f, y0, 0.0, ts, theta))
//
// y0 is a vector expression of N elements (parameters, lets, data; a scalar when N = 1); each
// extra argument an expression, scalar or vector, passed on to f. t0 and ts are data: ts sorted,
// t0 before ts[0]. The forward pass solves the ODE with forward sensitivities and keeps
// d values / d(y0, args) in the node's state; the backward pass contracts the incoming adjoint
// with them (D101). The solver runs in double in float models too (D102).
#include <memory>
#include <sstream>
#include <tuple>
#include <type_traits>
#include <vector>

#include "../expr/build.hpp"
#include "solvers.hpp"

namespace exmc {

namespace ode {
// A node state's solver: built in init, on the heap so that a workspace moves cheaply; a copy of
// the state gets a fresh solver of the same shape.
template <class S>
struct solver_slot {
  std::unique_ptr<S> p;
  solver_slot() = default;
  solver_slot(const solver_slot& o) : p(o.p ? std::make_unique<S>(*o.p) : nullptr) {}
  solver_slot(solver_slot&&) noexcept = default;
  solver_slot& operator=(solver_slot o) noexcept {
    p.swap(o.p);
    return *this;
  }
  ~solver_slot() = default;
  S* operator->() const { return p.get(); }
};
}  // namespace ode

template <class Method, class F, class Y0, class... Args>
struct ode_solution : expr_tag {
  F f;
  Y0 y0;
  std::tuple<Args...> args;
  double t0;
  std::vector<double> ts;
  ode::options opts;

  ode_solution(F fn, Y0 init, std::tuple<Args...> a, double start, std::vector<double> times, const ode::options& o)
      : f(std::move(fn)), y0(std::move(init)), args(std::move(a)), t0(start), ts(std::move(times)), opts(o) {}

  using refs = concat_t<typename Y0::refs, typename Args::refs...>;
  template <class Info>
  static constexpr bool is_vec = true;
  template <class Info>
  static constexpr bool has_grad = Y0::template has_grad<Info> || (Args::template has_grad<Info> || ...);

  template <class Info>
  using solver_t = ode::solver<Method, F, Y0::template has_grad<Info>,
                               ode::arg_spec<Args::template is_vec<Info>, Args::template has_grad<Info>>...>;

  template <class Env>
  struct state {
    using solver_type = solver_t<typename Env::info>;
    typename Y0::template state<Env> y0;
    std::tuple<typename Args::template state<Env>...> args;
    cached<typename Env::scalar, true> c;
    ode::solver_slot<solver_type> solver;
    std::vector<double> y0_values;                            // y0 in double
    std::array<std::vector<double>, sizeof...(Args)> arg_values;  // each argument in double
    Eigen::VectorXd adj_d;                                    // the adjoint in double (float models)
    Eigen::VectorXd g;                                        // d target / d direction
  };

  index_t outputs() const { return static_cast<index_t>(ts.size()); }

  template <class SEnv>
  index_t size(const SEnv& s) const {
    constexpr int N = solver_t<typename SEnv::info>::N;
    const index_t n = y0.size(s);
    if (n != N)
      throw model_error(str_cat({Method::name, ": y0 has ", std::to_string(n), n == 1 ? " element" : " elements",
                                 " but the right-hand side returns ", std::to_string(N), N == 1 ? " derivative" : " derivatives"}));
    std::apply([&](const auto&... a) { (a.size(s), ...); }, args);
    return outputs() * N;
  }

  template <class St, class SEnv>
  void init(St& s, const SEnv& senv) const {
    using solver_type = typename St::solver_type;
    y0.init(s.y0, senv);
    std::array<index_t, sizeof...(Args)> lens{};
    [&]<std::size_t... J>(std::index_sequence<J...>) {
      ((std::get<J>(args).init(std::get<J>(s.args), senv), lens[J] = std::get<J>(args).size(senv)), ...);
    }(std::index_sequence_for<Args...>{});
    s.c.allocate(size(senv));
    s.solver.p = std::make_unique<solver_type>(f, outputs(), lens, opts);
    s.y0_values.assign(solver_type::N, 0.0);
    for (std::size_t j = 0; j < sizeof...(Args); ++j) s.arg_values[j].assign(static_cast<std::size_t>(lens[j]), 0.0);
    s.adj_d.setZero(outputs() * solver_type::N);
    s.g.setZero(s.solver->directions());
  }

  template <class St, class Env>
  void forward(St& s, const Env& env) const {
    y0.forward(s.y0, env);
    copy_values(y0.value(s.y0, env), s.y0_values);
    std::array<const double*, sizeof...(Args)> ptrs{};
    [&]<std::size_t... J>(std::index_sequence<J...>) {
      ((std::get<J>(args).forward(std::get<J>(s.args), env),
        copy_values(std::get<J>(args).value(std::get<J>(s.args), env), s.arg_values[J]), ptrs[J] = s.arg_values[J].data()),
       ...);
    }(std::index_sequence_for<Args...>{});
    s.solver->solve(s.y0_values.data(), ptrs, t0, ts.data());
    s.c.val = s.solver->values().template cast<typename Env::scalar>();
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
    if constexpr (has_grad<I>) {
      const Eigen::MatrixXd& S = s.solver->sensitivities();
      if constexpr (std::is_same_v<T, double>) {
        s.g.noalias() = S.transpose() * s.c.adj;
      } else {
        s.adj_d = s.c.adj.template cast<double>();
        s.g.noalias() = S.transpose() * s.adj_d;
      }
      index_t k = 0;
      if constexpr (Y0::template has_grad<I>) {
        push(y0, s.y0, env, s.g, k);
        k += St::solver_type::N;
      }
      auto one = [&]<std::size_t J>(std::integral_constant<std::size_t, J>) {
        if constexpr (std::tuple_element_t<J, std::tuple<Args...>>::template has_grad<I>) {
          push(std::get<J>(args), std::get<J>(s.args), env, s.g, k);
          k += static_cast<index_t>(s.arg_values[J].size());
        }
      };
      [&]<std::size_t... J>(std::index_sequence<J...>) {
        (one(std::integral_constant<std::size_t, J>{}), ...);
      }(std::index_sequence_for<Args...>{});
    }
  }

  template <class T>
  auto cast() const {
    auto cast_args = std::apply([](const auto&... a) { return std::make_tuple(a.template cast<T>()...); }, args);
    using Y = decltype(y0.template cast<T>());
    return ode_solution<Method, F, Y, decltype(std::declval<const Args&>().template cast<T>())...>(
        f, y0.template cast<T>(), std::move(cast_args), t0, ts, opts);
  }

  std::string describe() const {
    std::string out = str_cat({Method::name, "(f, ", y0.describe(), ", ", number(t0), ", ts[", std::to_string(ts.size()), "]"});
    std::apply([&](const auto&... a) { ((out += ", ", out += a.describe()), ...); }, args);
    return out + ")";
  }

 private:
  static std::string number(double x) {
    std::ostringstream os;
    os << x;
    return os.str();
  }
  template <class V>
  static void copy_values(const V& v, std::vector<double>& out) {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<double>(elem(v, static_cast<index_t>(i)));
  }
  // Adds g[k, k + length) into child e's adjoint and runs its backward pass.
  template <class E, class St, class Env>
  static void push(const E& e, St& st, Env& env, const Eigen::VectorXd& g, index_t k) {
    using T = typename Env::scalar;
    if constexpr (E::template has_grad<typename Env::info>) {
      auto& a = e.adj(st, env);
      if constexpr (E::template is_vec<typename Env::info>) {
        for (index_t i = 0; i < a.size(); ++i) a[i] += static_cast<T>(g[k + i]);
      } else {
        a += static_cast<T>(g[k]);
      }
      e.backward(st, env);
    }
  }
};

namespace detail {
// Output times as doubles, checked with the options (ode::check_inputs).
template <class Method, class Ts>
std::vector<double> ode_times(double t0, const Ts& ts, const ode::options& o) {
  std::vector<double> out;
  if constexpr (std::is_arithmetic_v<Ts>) {
    out.push_back(static_cast<double>(ts));
  } else {
    out.reserve(static_cast<std::size_t>(ts.size()));
    for (index_t i = 0; i < static_cast<index_t>(ts.size()); ++i) out.push_back(static_cast<double>(ts[i]));
  }
  ode::check_inputs<Method>(t0, out, o);
  return out;
}

template <class Method, class F, class Y0, class Ts, class... A>
auto make_ode(F&& f, Y0&& y0, double t0, const Ts& ts, const ode::options& o, A&&... args) {
  std::vector<double> times = ode_times<Method>(t0, ts, o);
  return ode_solution<Method, std::decay_t<F>, expr_of<Y0>, expr_of<A>...>(
      std::forward<F>(f), as_expr(std::forward<Y0>(y0)), std::make_tuple(as_expr(std::forward<A>(args))...), t0,
      std::move(times), o);
}
}  // namespace detail

// Stan's ode_rk45(f, y0, t0, ts, ...): the non-stiff adaptive Runge-Kutta (Dormand-Prince 5(4)),
// relative and absolute tolerances 1e-6, at most 1e6 steps between output times.
template <class F, operand Y0, class Ts, operand... A>
auto ode_rk45(F&& f, Y0&& y0, double t0, const Ts& ts, A&&... args) {
  return detail::make_ode<ode::rk45_method>(std::forward<F>(f), std::forward<Y0>(y0), t0, ts, ode::options{},
                                            std::forward<A>(args)...);
}
template <class F, operand Y0, class Ts, operand... A>
auto ode_rk45_tol(F&& f, Y0&& y0, double t0, const Ts& ts, double rtol, double atol, long max_num_steps, A&&... args) {
  return detail::make_ode<ode::rk45_method>(std::forward<F>(f), std::forward<Y0>(y0), t0, ts,
                                            ode::options{rtol, atol, max_num_steps}, std::forward<A>(args)...);
}

// The stiff solver: the 4th-order L-stable Rosenbrock method of Boost.Odeint (linearly implicit,
// with the exact Jacobian of the system and its sensitivities), same defaults as ode_rk45.
template <class F, operand Y0, class Ts, operand... A>
auto ode_rosenbrock(F&& f, Y0&& y0, double t0, const Ts& ts, A&&... args) {
  return detail::make_ode<ode::rosenbrock_method>(std::forward<F>(f), std::forward<Y0>(y0), t0, ts, ode::options{},
                                                  std::forward<A>(args)...);
}
template <class F, operand Y0, class Ts, operand... A>
auto ode_rosenbrock_tol(F&& f, Y0&& y0, double t0, const Ts& ts, double rtol, double atol, long max_num_steps,
                        A&&... args) {
  return detail::make_ode<ode::rosenbrock_method>(std::forward<F>(f), std::forward<Y0>(y0), t0, ts,
                                                  ode::options{rtol, atol, max_num_steps}, std::forward<A>(args)...);
}

}  // namespace exmc
