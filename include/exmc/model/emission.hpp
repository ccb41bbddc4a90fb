#pragma once
// emission_lpdf(dist, y): the K x n matrix of log densities of each observation y_t under each
// state's emission distribution, the log_omega that hmm_marginal takes (expr/hmm.hpp):
//   emission_lpdf(normal(mu, sigma), y)[k + t K] = normal_lpdf(y[t] | mu[k], sigma[k])
// Each argument of the family is one value shared by every state (a scalar), one per state (a
// vector of K), or one per state and time point (K x n, column-major). K is the size of the
// smallest vector argument, or given: emission_lpdf(dist, y, K) (needed when every vector
// argument is K x n). Stan fills the same matrix in a loop of *_lpdf calls.
//
// Each entry is the family's own lpdf on one observation, through the same views as everywhere
// (dist/views.hpp), so every elementwise family works and nothing of its density is written
// twice. The forward pass stores each entry's partial with respect to each argument; the
// backward pass weights them by the adjoints hmm_marginal sends back (the smoothed state
// probabilities) and sums them per argument.
#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "../dist/dist.hpp"

namespace exmc {

template <class Fn, class S, class... Args>
struct emission_node : expr_tag {
  static constexpr std::size_t nargs = sizeof...(Args);
  // How argument k's values map onto the K x n entries.
  enum class layout : char { shared, per_state, per_point };

  std::tuple<Args...> args;
  vector_t<S> y;
  index_t given_states = 0;  // 0: the smallest vector argument's size
  emission_node(std::tuple<Args...> a, vector_t<S> data, index_t states)
      : args(std::move(a)), y(std::move(data)), given_states(states) {}

  using refs = concat_t<typename Args::refs...>;
  template <class Info>
  static constexpr bool is_vec = true;
  template <class Info>
  static constexpr bool has_grad = (Args::template has_grad<Info> || ...);

  template <class Env>
  struct state {
    using T = typename Env::scalar;
    std::tuple<typename Args::template state<Env>...> s;
    cached<T, true> c;
    index_t K = 0, n = 0;
    std::array<layout, nargs> lay{};
    std::array<vector_t<T>, nargs> part;  // d entry / d argument, per entry (arguments with gradients)
  };

  struct shape {
    index_t K = 0;
    std::array<layout, nargs> lay{};
  };
  template <class SEnv>
  shape resolve(const SEnv& senv) const {
    using I = typename SEnv::info;
    const index_t n = y.size();
    std::array<index_t, nargs> sz{};
    std::array<bool, nargs> vec{Args::template is_vec<I>...};
    index_t K = given_states;
    for_args([&](auto ic) {
      constexpr std::size_t k = ic;
      try {
        sz[k] = std::get<k>(args).size(senv);
      } catch (const model_error& e) {
        throw model_error(str_cat({who(k), ": ", e.what()}));
      }
      if (vec[k] && given_states == 0 && (K == 0 || sz[k] < K)) K = sz[k];
    });
    if (K < 1)
      throw model_error(str_cat({"emission_lpdf: no argument of ", Fn::name,
                                 " has one value per state; give a vector of K values (one per state) for at least "
                                 "one argument, or the number of states: emission_lpdf(dist, y, K)"}));
    shape out{K, {}};
    for (std::size_t k = 0; k < nargs; ++k) {
      if (!vec[k])
        out.lay[k] = layout::shared;
      else if (sz[k] == K)
        out.lay[k] = layout::per_state;
      else if (sz[k] == K * n)
        out.lay[k] = layout::per_point;
      else
        throw model_error(str_cat({who(k), " has ", std::to_string(sz[k]), " values; with ", std::to_string(K),
                                   " states and ", std::to_string(n), " observations it must have 1, ",
                                   std::to_string(K), " or ", std::to_string(K * n), " (K x n)"}));
    }
    for_args([&](auto ic) {
      constexpr std::size_t k = ic;
      if constexpr (requires { std::get<k>(args).constant_values(); }) {
        const Eigen::VectorXd v = std::get<k>(args).constant_values();
        for (index_t i = 0; i < v.size(); ++i)
          if (!in_domain(Fn::domains[k], v[i]))
            throw model_error(
                str_cat({who(k), " must be ", domain_text(Fn::domains[k]), ", got ", std::to_string(v[i])}));
      }
    });
    return out;
  }

  template <class SEnv>
  index_t states(const SEnv& senv) const {
    return resolve(senv).K;
  }
  template <class SEnv>
  index_t size(const SEnv& senv) const {
    return resolve(senv).K * y.size();
  }
  template <class St, class SEnv>
  void init(St& s, const SEnv& senv) const {
    using I = typename SEnv::info;
    for_args([&](auto ic) { std::get<ic>(args).init(std::get<ic>(s.s), senv); });
    const shape sh = resolve(senv);
    s.K = sh.K;
    s.n = y.size();
    s.lay = sh.lay;
    s.c.allocate(s.K * s.n);
    for_args([&](auto ic) {
      if constexpr (std::tuple_element_t<ic, std::tuple<Args...>>::template has_grad<I>) s.part[ic].setZero(s.K * s.n);
    });
  }

  template <class St, class Env>
  void forward(St& s, const Env& env) const {
    forward_impl(s, env, std::index_sequence_for<Args...>{});
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
    for_args([&](auto ic) { backward_arg<ic>(s, env); });
  }

  template <class T>
  auto cast() const {
    return std::apply(
        [&](const auto&... a) {
          return emission_node<Fn, T, decltype(a.template cast<T>())...>(std::make_tuple(a.template cast<T>()...),
                                                                         y.template cast<T>(), given_states);
        },
        args);
  }
  std::string describe() const {
    std::string inner;
    for_args([&](auto ic) { inner = str_cat({inner, ic == 0 ? "" : ", ", std::get<ic>(args).describe()}); });
    return str_cat({"emission_lpdf(", Fn::name, "(", inner, "), data[", std::to_string(y.size()), "])"});
  }

 private:
  template <class F>
  static void for_args(F&& f) {
    [&]<std::size_t... k>(std::index_sequence<k...>) {
      (f(std::integral_constant<std::size_t, k>{}), ...);
    }(std::index_sequence_for<Args...>{});
  }
  static std::string who(std::size_t k) {
    return str_cat({"emission_lpdf: ", Fn::name, ": argument ", Fn::arg_names[k]});
  }

  // Argument K's values are in its family's domain (a scale > 0, ...). A family answers -inf for
  // an invalid argument, which in a sum rejects the point; in a K x n matrix it would only rule
  // one state out, so the whole matrix is made NaN instead.
  template <std::size_t K, class St, class Env>
  bool in_domain_now(St& s, const Env& env) const {
    const auto& a = std::get<K>(args);
    const auto& v = a.value(std::get<K>(s.s), env);
    if constexpr (Fn::domains[K] == domain::real) {
      return true;  // a NaN or infinite location gives a NaN entry, which the HMM rejects anyway
    } else if constexpr (std::is_arithmetic_v<std::remove_cvref_t<decltype(v)>>) {
      return in_domain(Fn::domains[K], static_cast<double>(v));
    } else {
      bool ok = true;
      for (index_t i = 0; i < v.size(); ++i) ok &= in_domain(Fn::domains[K], static_cast<double>(v[i]));
      return ok;
    }
  }

  // View of argument A for state k: its value, log and inverse computed once for all n entries.
  template <std::size_t A, class St, class Env>
  auto state_view(St& s, const Env& env, index_t k) const {
    using T = typename Env::scalar;
    using Arg = std::tuple_element_t<A, std::tuple<Args...>>;
    const auto& v = std::get<A>(args).value(std::get<A>(s.s), env);
    scalar_view<T, Arg::template has_grad<typename Env::info>, true> view{T(0)};
    if (s.lay[A] == layout::per_point) return view;  // replaced entry by entry
    using std::log;
    view.v = static_cast<T>(s.lay[A] == layout::shared ? elem(v, 0) : elem(v, k));
    view.lg = log(view.v);  // NaN for a negative location, which no family reads
    view.has_log = true;
    view.inv = T(1) / view.v;
    view.has_inv = true;
    return view;
  }
  template <std::size_t A, class St, class Env, class View>
  View point_view(St& s, const Env& env, const View& base, index_t i) const {
    if (s.lay[A] != layout::per_point) return base;
    return View{static_cast<typename Env::scalar>(elem(std::get<A>(args).value(std::get<A>(s.s), env), i))};
  }

  template <class St, class Env, std::size_t... A>
  void forward_impl(St& s, const Env& env, std::index_sequence<A...>) const {
    using T = typename Env::scalar;
    using I = typename Env::info;
    (std::get<A>(args).forward(std::get<A>(s.s), env), ...);
    T* out = s.c.val.data();
    if (!(in_domain_now<A>(s, env) && ...)) {
      std::fill(out, out + s.c.val.size(), std::numeric_limits<T>::quiet_NaN());
      return;
    }
    const index_t K = s.K, n = s.n;
    for (index_t k = 0; k < K; ++k) {
      const auto base = std::make_tuple(state_view<A>(s, env, k)...);
      for (index_t t = 0; t < n; ++t) {
        const index_t i = k + t * K;
        auto views = std::make_tuple(point_view<A>(s, env, std::get<A>(base), i)...);
        scalar_view<T, false, true> x{static_cast<T>(y[t])};
        out[i] = static_cast<T>(Fn::lpdf(1, x, std::get<A>(views)...));
        auto keep = [&](auto ac, const auto& view) {
          if constexpr (std::tuple_element_t<ac, std::tuple<Args...>>::template has_grad<I>) s.part[ac][i] = view.acc;
        };
        (keep(std::integral_constant<std::size_t, A>{}, std::get<A>(views)), ...);
      }
    }
  }

  template <std::size_t A, class St, class Env>
  void backward_arg(St& s, Env& env) const {
    using T = typename Env::scalar;
    using Arg = std::tuple_element_t<A, std::tuple<Args...>>;
    if constexpr (Arg::template has_grad<typename Env::info>) {
      using M = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic>>;
      const M G(s.c.adj.data(), s.K, s.n), P(s.part[A].data(), s.K, s.n);
      const auto& a = std::get<A>(args);
      auto& st = std::get<A>(s.s);
      if constexpr (!Arg::template is_vec<typename Env::info>) {
        a.adj(st, env) += static_cast<T>(sum_as_double((G * P).reshaped()));
      } else if (s.lay[A] == layout::per_state) {
        a.adj(st, env).array() += (G * P).rowwise().sum();
      } else {
        a.adj(st, env).array() += (G * P).reshaped();
      }
      a.backward(st, env);
    }
  }
};

namespace detail {
// The observations as doubles, each checked against the family's support.
template <class Fn, class Data>
Eigen::VectorXd emission_data(const Data& y) {
  Eigen::VectorXd v;
  // a std::vector (anything with value_type that is not an Eigen object) or an Eigen vector
  constexpr bool std_container = requires { typename Data::value_type; } && !requires { Data::RowsAtCompileTime; };
  if constexpr (std_container)
    v = Eigen::Map<const Eigen::Matrix<typename Data::value_type, Eigen::Dynamic, 1>>(y.data(),
                                                                                      static_cast<index_t>(y.size()))
            .template cast<double>();
  else
    v = y.template cast<double>();
  if (v.size() == 0) throw model_error("emission_lpdf: the observations are empty");
  for (index_t t = 0; t < v.size(); ++t)
    if (!Fn::in_support(v[t]) || (Fn::discrete && v[t] != std::floor(v[t])))
      throw model_error(str_cat({"emission_lpdf: observation ", std::to_string(t), " (", std::to_string(v[t]),
                                 ") is outside the support of ", Fn::name}));
  return v;
}
}  // namespace detail

template <distribution D, class Data>
auto emission_lpdf(D&& d, const Data& y, index_t states = 0) {
  using Dist = std::remove_cvref_t<D>;
  using Fn = typename Dist::family;
  static_assert(Fn::elementwise && !has_whole_args<Fn>(),
                "exmc::emission_lpdf: the emission family must be elementwise (one observation at a time)");
  static_assert(!requires { Fn::observe_only; }, "exmc::emission_lpdf: censored() describes observed data only");
  if (states < 0)
    throw model_error(str_cat({"emission_lpdf: the number of states K must be >= 1 (or 0: from the arguments), got ",
                               std::to_string(states)}));
  Eigen::VectorXd v = detail::emission_data<Fn>(y);
  return std::apply(
      [&](const auto&... a) {
        return emission_node<Fn, double, std::remove_cvref_t<decltype(a)>...>(std::make_tuple(a...), std::move(v),
                                                                              states);
      },
      d.args);
}

}  // namespace exmc
