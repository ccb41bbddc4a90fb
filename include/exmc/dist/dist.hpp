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
// and may state
//   whole                     std::array<bool, K>: argument k is a vector taken whole, of its own
//                             size (categorical's probabilities), not broadcast against the variate;
//                             its view's `size` says how long it is
//   lower_arg, upper_arg      with support bounded/lower_bounded: which constant arguments bound the
//                             support (uniform(a, b), pareto(y_min, alpha)); a parameter with such a
//                             prior gets the matching interval or lower-bound transform
//   lcdf(n, x, args...), lccdf(n, x, args...)
//                             summed log CDF / log complementary CDF at data x (no partials for x),
//                             partials for the arguments as in lpdf; used by censored and truncated
//   generate(g, args...)      one random draw given argument values (doubles) for elementwise
//                             families; generate(g, n, out, args...) filling out[0..n) for the
//                             others, vector arguments as std::span<const double>
#include <algorithm>
#include <cmath>
#include <span>
#include <tuple>
#include <utility>
#include <vector>

#include "../core/random.hpp"
#include "../expr/build.hpp"
#include "support.hpp"
#include "views.hpp"
#include "../math/functions.hpp"

namespace exmc {

// ---- the distribution expression ----------------------------------------------------------
template <class A>
struct is_gather : std::false_type {};
template <class A>
struct is_gather<gather<A>> : std::true_type {};

template <class A>
struct is_vec_data : std::false_type {};
template <class S>
struct is_vec_data<vec_data<S>> : std::true_type {};
// exp(a) with a vector a: log of its values is a itself.
template <class A, class Info>
struct is_exp_of_vector : std::false_type {};
template <class A, class Info>
  requires A::template is_vec<Info>
struct is_exp_of_vector<unary<op::exp, A>, Info> : std::true_type {};

template <class A>
struct is_ref : std::false_type {};
template <fixed_string Name>
struct is_ref<ref<Name>> : std::true_type {};

// exp(a) with a scalar a: its log is a.
template <class A, class Info>
struct is_exp_of_scalar : std::false_type {};
template <class A, class Info>
  requires(!A::template is_vec<Info>)
struct is_exp_of_scalar<unary<op::exp, A>, Info> : std::true_type {};

// Argument K of family Fn arrives as a log_scale_view (views.hpp, D69): the family takes one at
// that position and the argument is exp(a) with a scalar a.
template <class Fn, std::size_t K, class A, class Info>
constexpr bool log_scale_arg() {
  if constexpr (requires { Fn::log_scale_index; })
    return K == Fn::log_scale_index && is_exp_of_scalar<A, Info>::value;
  else
    return false;
}

template <class Fn, class... Args>
struct dist_expr {
  using family = Fn;
  std::tuple<Args...> args;
  explicit dist_expr(Args... a) : args(std::move(a)...) {}

  using refs = concat_t<typename Args::refs...>;
  static constexpr support_kind support = Fn::support;
  // Grouped evaluation: when every vector argument is a gather by one shared index vector
  // (normal(theta[g], sigma[g])), the observations are sorted by group once at construction and
  // each group's contiguous segment is evaluated with scalar arguments, the fast path of every
  // family (hoisted logs, vectorised sums), instead of gathering per element.
  template <class Info>
  static constexpr bool groupable = Fn::elementwise && !has_whole_args<Fn>() && (is_gather<Args>::value || ...) &&
                                    ((!Args::template is_vec<Info> || is_gather<Args>::value) && ...);

  template <class Env>
  struct state {
    std::tuple<typename Args::template state<Env>...> s;
    bool grouped = false;
    std::vector<index_t> seg_begin;  // segment k is [seg_begin[k], seg_begin[k + 1])
    std::vector<int> seg_group;      // its group, the shared index value
    // Families reading data moments (D65): one per segment (or one for the whole variate), for the
    // data at `moments_of`; computed on the first evaluation, sized here so no call allocates.
    std::vector<data_moments> moments;
    const void* moments_of = nullptr;
  };
  static constexpr bool reads_moments = requires { Fn::reads_data_moments; };
  // Whether a variate view of type X gets data moments: constant data, for a family reading them.
  template <class X>
  static constexpr bool moments_for = reads_moments && X::is_vec && !X::grad && requires(X& x) { x.moments; };

  // The shared index vector of the gathered arguments, if they all share one (else empty).
  const Eigen::VectorXi* shared_index() const {
    const Eigen::VectorXi* idx = nullptr;
    bool same = true;
    std::apply(
        [&](const auto&... a) {
          auto visit = [&](const auto& arg) {
            if constexpr (is_gather<std::remove_cvref_t<decltype(arg)>>::value) {
              if (!idx)
                idx = &arg.idx;
              else if (*idx != arg.idx)
                same = false;
            }
          };
          (visit(a), ...);
        },
        args);
    return same ? idx : nullptr;
  }

  // Sorts the gathered index vectors by group (stable) and returns the permutation the caller
  // must apply to the observed data; empty when there is nothing to group. Only a likelihood
  // may be permuted: its log density is a sum over observations.
  std::vector<index_t> sort_by_group() {
    const Eigen::VectorXi* idx = shared_index();
    if (!idx || !(Fn::elementwise)) return {};
    std::vector<index_t> perm(static_cast<std::size_t>(idx->size()));
    for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<index_t>(i);
    const Eigen::VectorXi key = *idx;
    std::stable_sort(perm.begin(), perm.end(), [&](index_t a, index_t b) { return key[a] < key[b]; });
    std::apply(
        [&](auto&... a) {
          auto apply_perm = [&](auto& arg) {
            if constexpr (is_gather<std::remove_cvref_t<decltype(arg)>>::value) {
              Eigen::VectorXi sorted(arg.idx.size());
              for (index_t i = 0; i < sorted.size(); ++i) sorted[i] = key[perm[static_cast<std::size_t>(i)]];
              arg.idx = std::move(sorted);
            }
          };
          (apply_perm(a), ...);
        },
        args);
    return perm;
  }

  // ---- non-centred parameterisation (model/ncp) -------------------------------------------
  // For a location-scale family, a parameter x ~ F(loc, scale, ...) can be sampled as
  // z ~ F(0, 1, ...) with x = loc + scale * z; these three steps let the compiler do that.
  static constexpr bool location_scale = requires {
    Fn::loc_index;
    Fn::scale_index;
  };
  template <class Info>
  static constexpr bool ncp_eligible() {
    if constexpr (location_scale)
      return std::tuple_element_t<Fn::scale_index, std::tuple<Args...>>::template has_grad<Info>;
    else
      return false;
  }

  // Forwards loc and scale and writes x = loc + scale * z; false when scale is not positive.
  template <class S, class Env, class X>
  bool ncp_forward(S& s, const Env& env, const typename Env::scalar* z, X& x, index_t n) const {
    using T = typename Env::scalar;
    const auto& la = std::get<Fn::loc_index>(args);
    const auto& sa = std::get<Fn::scale_index>(args);
    auto& ls = std::get<Fn::loc_index>(s.s);
    auto& ss = std::get<Fn::scale_index>(s.s);
    la.forward(ls, env);
    sa.forward(ss, env);
    const auto& loc = la.value(ls, env);
    const auto& scale = sa.value(ss, env);
    bool ok = true;
    for (index_t i = 0; i < n; ++i) ok &= elem(scale, i) > T(0);
    if constexpr (std::is_arithmetic_v<X>)
      x = elem(loc, 0) + elem(scale, 0) * z[0];
    else
      x.array() = as_array(loc, n) + as_array(scale, n) * Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>(z, n);
    return ok;
  }

  // Log density of z under the standardised family (loc 0, scale 1, other arguments as given).
  template <class S, class Env, class Z>
  double standard_term(S& s, Env& env, Z& z, index_t n) const {
    return standard_impl(s, env, z, n, std::index_sequence_for<Args...>{});
  }

  // Pushes x's adjoint into z's gradient and into loc and scale, then through their expressions.
  template <class S, class Env, class AdjX>
  void ncp_backward(S& s, Env& env, const typename Env::scalar* z, const AdjX& adj_x, typename Env::scalar* zg,
                    index_t n) const {
    using T = typename Env::scalar;
    using I = typename Env::info;
    const auto& la = std::get<Fn::loc_index>(args);
    const auto& sa = std::get<Fn::scale_index>(args);
    auto& ls = std::get<Fn::loc_index>(s.s);
    auto& ss = std::get<Fn::scale_index>(s.s);
    const auto& scale = sa.value(ss, env);
    using LA = std::remove_cvref_t<decltype(la)>;
    using SA = std::remove_cvref_t<decltype(sa)>;
    T loc_total = 0, scale_total = 0;
    for (index_t i = 0; i < n; ++i) {
      const T a = elem(adj_x, i);
      zg[i] += a * elem(scale, i);
      if constexpr (LA::template has_grad<I>) {
        if constexpr (LA::template is_vec<I>)
          la.adj(ls, env)[i] += a;
        else
          loc_total += a;
      }
      if constexpr (SA::template is_vec<I>)
        sa.adj(ss, env)[i] += a * z[i];
      else
        scale_total += a * z[i];
    }
    if constexpr (LA::template has_grad<I>) {
      if constexpr (!LA::template is_vec<I>) la.adj(ls, env) += loc_total;
      la.backward(ls, env);
    }
    if constexpr (!SA::template is_vec<I>) sa.adj(ss, env) += scale_total;
    sa.backward(ss, env);
  }

  // "x = loc + scale * z, z ~ F(0, 1, ...)" for the compiled graph's description.
  std::string describe_noncentred(std::string_view x) const {
    std::string out = str_cat({x, " = ", std::get<Fn::loc_index>(args).describe(), " + ",
                               std::get<Fn::scale_index>(args).describe(), " * z, z ~ ", Fn::name, "("});
    std::size_t k = 0;
    std::apply(
        [&](const auto&... a) {
          ((out = str_cat({out, k ? ", " : "",
                           k == Fn::loc_index     ? std::string("0")
                           : k == Fn::scale_index ? std::string("1")
                                                  : a.describe()}),
            ++k),
           ...);
        },
        args);
    return str_cat({out, ")"});
  }

  // Current loc and scale values (after ncp_forward or a full evaluation), for initial values.
  template <class S, class Env>
  auto loc_scale(const S& s, const Env& env) const {
    using L = std::remove_cvref_t<decltype(std::get<Fn::loc_index>(args).value(std::get<Fn::loc_index>(s.s), env))>;
    using Sc = std::remove_cvref_t<decltype(std::get<Fn::scale_index>(args).value(std::get<Fn::scale_index>(s.s), env))>;
    return std::pair<L, Sc>(std::get<Fn::loc_index>(args).value(std::get<Fn::loc_index>(s.s), env),
                            std::get<Fn::scale_index>(args).value(std::get<Fn::scale_index>(s.s), env));
  }

  // Validates argument sizes against the variate length n and constant arguments against their
  // domains. Throws model_error naming the family and argument.
  template <class SEnv>
  void validate(const SEnv& senv, index_t n) const {
    validate_impl(senv, n, std::index_sequence_for<Args...>{});
  }
  template <class S, class SEnv>
  void init(S& s, const SEnv& senv) const {
    std::apply([&](auto&... st) { init_impl(senv, std::index_sequence_for<Args...>{}, st...); }, s.s);
    if constexpr (groupable<typename SEnv::info>) {
      const Eigen::VectorXi* idx = shared_index();
      s.grouped = idx && std::is_sorted(idx->data(), idx->data() + idx->size());
      if (s.grouped) {
        for (index_t i = 0; i < idx->size(); ++i)
          if (i == 0 || (*idx)[i] != (*idx)[i - 1]) {
            s.seg_begin.push_back(i);
            s.seg_group.push_back((*idx)[i]);
          }
        s.seg_begin.push_back(idx->size());
      }
    }
    if constexpr (reads_moments) s.moments.resize(s.grouped ? s.seg_begin.size() - 1 : 1);
  }

  // Log density of variate view x (n elements) given the current environment; partials flow into
  // x and, through the arguments' backward passes, into the environment's adjoints.
  // Over constant data x, term points x.moments at the workspace's moments of those data (D65).
  // It sets the caller's view rather than a copy: a copy of the view went through the stack as
  // 8-byte stores read back by 16-byte loads, which the CPU cannot forward, a stall that cost a
  // float model 10 ns a call (D67).
  template <class S, class Env, class X>
  double term(S& s, Env& env, X& x, index_t n) const {
    if constexpr (moments_for<X>)
      if (s.moments_of != static_cast<const void*>(x.v)) compute_moments(s, x, n);
    if constexpr (groupable<typename Env::info> && X::is_vec)
      if (s.grouped) return term_grouped(s, env, x, std::index_sequence_for<Args...>{});
    if constexpr (moments_for<X>) x.moments = s.moments.data();
    return term_impl(s, env, x, n, std::index_sequence_for<Args...>{});
  }

  // ---- the log density as a value inside an expression (dist/lpdf.hpp) ---------------------
  // term() pushes each argument's partials on at once: a model term's adjoint is 1. Inside an
  // expression (log_mix(theta, lpdf(...), ...)) the adjoint is known only in the backward pass,
  // so term_held keeps the partials, a scalar argument's in a number and a vector argument's in a
  // buffer sized by init_held, and push_held scales them by the adjoint and pushes them on.
  template <class Info>
  static constexpr bool any_arg_grad = (Args::template has_grad<Info> || ... || false);
  template <class A, class Env>
  using held_partial =
      std::conditional_t<!A::template has_grad<typename Env::info>, empty_state,
                         std::conditional_t<A::template is_vec<typename Env::info>, vector_t<typename Env::scalar>,
                                            typename Env::scalar>>;
  template <class Env>
  using held_partials = std::tuple<held_partial<Args, Env>...>;

  template <class H, class SEnv>
  void init_held(H& h, const SEnv& senv) const {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      auto one = [&](auto& part, const auto& a) {
        if constexpr (requires { part.setZero(index_t{1}); }) part.setZero(a.size(senv));
      };
      (one(std::get<I>(h), std::get<I>(args)), ...);
    }(std::index_sequence_for<Args...>{});
  }
  // The log density of view x (n elements) with the arguments' partials kept in h. The variate's
  // partials go where x's view points. Arguments are forwarded here; the grouped path and data
  // moments, which need data sorted or fixed, are not taken.
  template <class S, class Env, class X, class H>
  double term_held(S& s, Env& env, X& x, index_t n, H& h) const {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      (term_forward<I>(s, env), ...);
      [[maybe_unused]] auto views = std::make_tuple(term_view<I, !X::is_vec>(s, env)...);
      auto redirect = [](auto& view, auto& part) {
        if constexpr (requires { part.setZero(index_t{1}); }) {
          zero(part);
          view.g = part.data();
        }
      };
      (redirect(std::get<I>(views), std::get<I>(h)), ...);
      const double lp = call_lpdf(n, x, std::get<I>(views)...);
      auto keep = [](const auto& view, auto& part) {
        if constexpr (std::is_arithmetic_v<std::remove_cvref_t<decltype(part)>>) part = view.acc;
      };
      (keep(std::get<I>(views), std::get<I>(h)), ...);
      return lp;
    }(std::index_sequence_for<Args...>{});
  }
  // Adds w times the kept partials into the arguments' adjoints and runs their backward passes.
  template <class S, class Env, class H>
  void push_held(S& s, Env& env, const H& h, typename Env::scalar w) const {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      auto one = [&](auto ic) {
        constexpr std::size_t K = decltype(ic)::value;
        using A = std::tuple_element_t<K, std::tuple<Args...>>;
        using Info = typename Env::info;
        if constexpr (A::template has_grad<Info>) {
          const auto& a = std::get<K>(args);
          auto& st = std::get<K>(s.s);
          if constexpr (log_scale_arg<Fn, K, A, Info>()) {  // the partial is with respect to a in exp(a)
            a.a.adj(st.a, env) += w * std::get<K>(h);
            a.a.backward(st.a, env);
          } else {
            a.adj(st, env) += w * std::get<K>(h);
            a.backward(st, env);
          }
        }
      };
      (one(std::integral_constant<std::size_t, I>{}), ...);
    }(std::index_sequence_for<Args...>{});
  }

  // ---- simulation and pointwise log densities (model/, predictive/) -------------------------
  // Generators take doubles, or spans for whole-vector arguments (one overload of each is enough).
  static constexpr bool can_generate =
      requires(rng& g) { Fn::generate(g, (void(sizeof(Args)), 0.0)...); } ||
      requires(rng& g, double* out) { Fn::generate(g, index_t{1}, out, (void(sizeof(Args)), 0.0)...); } ||
      requires(rng& g, std::span<const double> v) { Fn::generate(g, (void(sizeof(Args)), v)...); } ||
      requires(rng& g, double* out, std::span<const double> v) { Fn::generate(g, index_t{1}, out, (void(sizeof(Args)), v)...); };

  // Writes n random draws of the variate given the arguments' values in env (parameters and
  // deterministics already set): Fn::generate per element, or once for the whole variate.
  template <class S, class Env>
  void generate(S& s, const Env& env, rng& g, double* out, index_t n) const {
    static_assert(can_generate, "exmc: this distribution family has no random generator (generate)");
    generate_impl(s, env, g, out, n, std::index_sequence_for<Args...>{});
  }

  // Log density of each variate element on its own (out[i], i < n) for an elementwise family;
  // out[0] is the whole term for the others. Arguments are forwarded here.
  template <class S, class Env, class V>
  void pointwise(S& s, const Env& env, const V* x, index_t n, double* out) const {
    pointwise_impl(s, env, x, n, out, std::index_sequence_for<Args...>{});
  }

  template <class T>
  auto cast() const {
    return std::apply([](const auto&... a) { return dist_expr<Fn, decltype(a.template cast<T>())...>(a.template cast<T>()...); },
                      args);
  }
  std::string describe() const {
    std::string out = str_cat({Fn::name, "("});
    std::apply(
        [&](const auto&... a) {
          bool first = true;
          ((out = str_cat({out, first ? "" : ", ", a.describe()}), first = false), ...);
        },
        args);
    return str_cat({out, ")"});
  }

 private:
  template <std::size_t K, class S, class Env>
  auto arg_value(S& s, const Env& env) const {
    const auto& a = std::get<K>(args);
    a.forward(std::get<K>(s.s), env);
    return a.value(std::get<K>(s.s), env);
  }
  // An argument's values as doubles for a generator taking whole vectors.
  template <class V>
  static auto as_doubles(const V& v, std::vector<double>& buf) {
    if constexpr (std::is_arithmetic_v<V>) {
      return static_cast<double>(v);
    } else {
      buf.assign(v.data(), v.data() + v.size());
      return std::span<const double>(buf);
    }
  }
  template <class S, class Env, std::size_t... I>
  void generate_impl(S& s, const Env& env, rng& g, double* out, index_t n, std::index_sequence<I...>) const {
    // const_cast: forwarding writes the arguments' scratch state, not the model.
    auto& st = const_cast<S&>(s);
    auto& e = const_cast<Env&>(env);
    [[maybe_unused]] const auto values = std::make_tuple(arg_value<I>(st, e)...);
    if constexpr (Fn::elementwise && !has_whole_args<Fn>()) {
      for (index_t i = 0; i < n; ++i) out[i] = Fn::generate(g, static_cast<double>(elem(std::get<I>(values), i))...);
    } else {
      std::array<std::vector<double>, sizeof...(I)> bufs;
      if constexpr (Fn::elementwise) {  // whole arguments as spans, the others element by element
        const auto spans = std::make_tuple(whole_span<I>(std::get<I>(values), bufs[I])...);
        for (index_t i = 0; i < n; ++i) out[i] = Fn::generate(g, generate_arg<I>(std::get<I>(values), std::get<I>(spans), i)...);
      } else {
        const auto dv = std::make_tuple(as_doubles(std::get<I>(values), bufs[I])...);
        Fn::generate(g, n, out, std::get<I>(dv)...);
      }
    }
  }
  template <std::size_t K, class V>
  static auto whole_span(const V& v, std::vector<double>& buf) {
    if constexpr (whole_arg<Fn, K>()) {
      if constexpr (std::is_arithmetic_v<V>)
        buf.assign(1, static_cast<double>(v));
      else
        buf.assign(v.data(), v.data() + v.size());
      return std::span<const double>(buf);
    } else {
      return 0;
    }
  }
  template <std::size_t K, class V, class S>
  static auto generate_arg(const V& v, const S& span, index_t i) {
    if constexpr (whole_arg<Fn, K>())
      return span;
    else
      return static_cast<double>(elem(v, i));
  }
  template <class A, class St, class Env>
  static auto value_view(const A& a, St& st, const Env& env) {
    using I = typename Env::info;
    using T = typename Env::scalar;
    if constexpr (A::template is_vec<I>) {
      vector_view<T, T, false> view{a.value(st, env).data(), nullptr};
      view.size = a.value(st, env).size();
      return view;
    } else {
      return scalar_view<T, false>{static_cast<T>(a.value(st, env))};
    }
  }
  // View of element i alone (whole-vector arguments stay whole).
  template <std::size_t K, class View>
  static View element_view(const View& v, index_t i) {
    if constexpr (View::is_vec && !whole_arg<Fn, K>()) {
      View out = v;
      out.v = v.v + i;
      if (v.logv) out.logv = v.logv + i;
      out.moments = nullptr;
      out.log_sum = nullptr;
      out.size = 1;
      return out;
    } else {
      return v;
    }
  }
  template <class S, class Env, class V, std::size_t... I>
  void pointwise_impl(S& s, const Env& env, const V* x, index_t n, double* out, std::index_sequence<I...>) const {
    using T = typename Env::scalar;
    auto& st = const_cast<S&>(s);
    (std::get<I>(args).forward(std::get<I>(st.s), env), ...);
    [[maybe_unused]] auto views = std::make_tuple(value_view(std::get<I>(args), std::get<I>(st.s), env)...);
    if constexpr (Fn::elementwise) {
      for (index_t i = 0; i < n; ++i) {
        vector_view<V, T, false> xi{x + i, nullptr};
        auto vi = std::make_tuple(element_view<I>(std::get<I>(views), i)...);
        out[i] = Fn::lpdf(1, xi, std::get<I>(vi)...);
      }
    } else {
      vector_view<V, T, false> xv{x, nullptr};
      out[0] = Fn::lpdf(n, xv, std::get<I>(views)...);
    }
  }

  template <class SEnv, std::size_t... I>
  void validate_impl([[maybe_unused]] const SEnv& senv, [[maybe_unused]] index_t n, std::index_sequence<I...>) const {
    (validate_arg<I>(senv, n), ...);
  }
  template <std::size_t I, class SEnv>
  void validate_arg(const SEnv& senv, index_t n) const {
    const auto& a = std::get<I>(args);
    using A = std::remove_cvref_t<decltype(a)>;
    const std::string who = str_cat({Fn::name, ": argument ", Fn::arg_names[I]});
    index_t m = 0;
    try {
      m = a.size(senv);
    } catch (const model_error& e) {
      throw model_error(str_cat({who, ": ", e.what()}));
    }
    if constexpr (A::template is_vec<typename SEnv::info> && whole_arg<Fn, I>()) {
      if (m < 1) throw model_error(str_cat({who, " is empty"}));
    } else if constexpr (A::template is_vec<typename SEnv::info>) {
      if (!Fn::elementwise)
        throw model_error(str_cat({who, " must be a scalar (", Fn::name, " takes the whole variate vector)"}));
      if (m != n)
        throw model_error(str_cat({who, " ('", a.describe(), "') has ", std::to_string(m),
                                   " elements but the variate has ", std::to_string(n)}));
    }
    if constexpr (requires { a.constant_values(); }) {
      const Eigen::VectorXd v = a.constant_values();
      for (index_t i = 0; i < v.size(); ++i)
        if (!in_domain(Fn::domains[I], v[i]))
          throw model_error(str_cat({who, " must be ", domain_text(Fn::domains[I]), ", got ", std::to_string(v[i]),
                                     v.size() > 1 ? str_cat({" at element ", std::to_string(i)}) : std::string()}));
    }
  }
  template <class SEnv, std::size_t... I, class... St>
  void init_impl(const SEnv& senv, std::index_sequence<I...>, St&... st) const {
    (std::get<I>(args).init(st, senv), ...);
  }

  // One: the variate is a scalar (scalar_view's One).
  template <bool One = false, class A, class St, class Env>
  static auto make_view(const A& a, St& st, Env& env) {
    using I = typename Env::info;
    using T = typename Env::scalar;
    constexpr bool g = A::template has_grad<I>;
    if constexpr (A::template is_vec<I>) {
      T* gp = nullptr;
      if constexpr (g) gp = a.adj(st, env).data();
      vector_view<T, T, g> view{a.value(st, env).data(), gp};
      view.size = a.value(st, env).size();
      if constexpr (is_vec_data<A>::value) {
        view.logv = a.logv.data();
        view.log_sum = &a.log_sum;
        view.valid = true;  // checked against the argument's domain when the model was built
      } else if constexpr (is_exp_of_vector<A, I>::value) {
        view.logv = a.a.value(st.a, env).data();
      } else if constexpr (is_ref<A>::value) {
        view.logv = a.known_log(env);
      }
      return view;
    } else {
      scalar_view<T, g, One> view{static_cast<T>(a.value(st, env))};
      if constexpr (std::is_same_v<A, constant>) {
        view.lg = static_cast<T>(a.logv);
        view.has_log = true;
        view.inv = static_cast<T>(a.invv);
        view.has_inv = true;
      } else if constexpr (is_exp_of_scalar<A, I>::value) {
        view.lg = static_cast<T>(a.a.value(st.a, env));
        view.has_log = true;
      } else if constexpr (is_ref<A>::value) {
        view.use_log(a.known_log(env));
      }
      return view;
    }
  }
  template <class A, class St, class Env, class View>
  static void finish(const A& a, St& st, Env& env, const View& v) {
    if constexpr (A::template has_grad<typename Env::info>) {
      if constexpr (!View::is_vec) a.adj(st, env) += v.acc;
      a.backward(st, env);
    }
  }
  // Grouped path: gathers contribute their source element for the segment's group.
  template <class A, class St, class Env>
  static void forward_source(const A& a, St& st, const Env& env) {
    if constexpr (is_gather<A>::value)
      a.a.forward(st.a, env);
    else
      a.forward(st, env);
  }
  template <class A, class St, class Env>
  static auto segment_view(const A& a, St& st, Env& env, int group) {
    using I = typename Env::info;
    using T = typename Env::scalar;
    if constexpr (is_gather<A>::value) {
      scalar_view<T, A::template has_grad<I>> view{a.a.value(st.a, env)[group]};
      if constexpr (is_ref<std::remove_cvref_t<decltype(a.a)>>::value) {
        const T* logs = a.a.known_log(env);
        view.use_log(logs ? logs + group : nullptr);
      }
      return view;
    } else {
      return make_view(a, st, env);
    }
  }
  template <class A, class St, class Env, class View>
  static void finish_segment(const A& a, St& st, Env& env, int group, const View& v, typename Env::scalar& total) {
    if constexpr (A::template has_grad<typename Env::info>) {
      if constexpr (is_gather<A>::value)
        a.a.adj(st.a, env)[group] += v.acc;
      else
        total += v.acc;
    }
  }
  template <class A, class St, class Env>
  static void finish_grouped(const A& a, St& st, Env& env, typename Env::scalar total) {
    if constexpr (A::template has_grad<typename Env::info>) {
      if constexpr (is_gather<A>::value) {
        a.a.backward(st.a, env);
      } else {
        a.adj(st, env) += total;
        a.backward(st, env);
      }
    }
  }
  // Moments of each segment (or of all n values) of the constant data x, in double; two passes,
  // both relative to a pivot, so the mean and the centred sum of squares keep their digits
  // whatever the data's offset.
  template <class S, class X>
  static void compute_moments(S& s, const X& x, index_t n) {
    auto one = [&](index_t b, index_t e) {
      data_moments m;
      m.n = e - b;
      m.pivot = static_cast<double>(x.v[b]);
      double sum = 0;
      for (index_t i = b; i < e; ++i) sum += static_cast<double>(x.v[i]) - m.pivot;
      m.delta = sum / static_cast<double>(m.n);
      for (index_t i = b; i < e; ++i) {
        const double d = (static_cast<double>(x.v[i]) - m.pivot) - m.delta;
        m.ss += d * d;
      }
      return m;
    };
    if (s.grouped)
      for (std::size_t k = 0; k + 1 < s.seg_begin.size(); ++k) s.moments[k] = one(s.seg_begin[k], s.seg_begin[k + 1]);
    else
      s.moments[0] = one(0, n);
    s.moments_of = static_cast<const void*>(x.v);
  }
  // Fn::lpdf, or straight to the family's special case when one applies: its density from data
  // moments when x carries them for its n values, its element-by-element pass when n is at most
  // Fn::few. Each is small enough to inline where the whole lpdf is not, so the views stay in
  // registers instead of being written out for a call, per segment (D67).
  template <class X, class... V>
  static double call_lpdf(index_t n, X& x, V&... v) {
    if constexpr (moments_for<X> && (!V::is_vec && ...))
      if (x.moments && x.moments->n == n) return Fn::lpdf_moments(*x.moments, v...);
    if constexpr (requires { Fn::few; } && (X::is_vec || (V::is_vec || ...)))
      if (n <= Fn::few) return Fn::lpdf_few(n, x, v...);
    return Fn::lpdf(n, x, v...);
  }

  template <class S, class Env, class X, std::size_t... I>
  double term_grouped(S& s, Env& env, X& x, std::index_sequence<I...>) const {
    using T = typename Env::scalar;
    (forward_source(std::get<I>(args), std::get<I>(s.s), env), ...);
    std::array<T, sizeof...(I)> totals{};
    double lp = 0;
    for (std::size_t k = 0; k + 1 < s.seg_begin.size(); ++k) {
      const index_t b = s.seg_begin[k];
      const int group = s.seg_group[k];
      X xk{x.v + b, x.g ? x.g + b : nullptr};
      if constexpr (requires { x.log_fact; })
        if (x.log_fact) xk.log_fact = x.log_fact + b;
      if constexpr (moments_for<X>) xk.moments = &s.moments[k];
      auto views = std::make_tuple(segment_view(std::get<I>(args), std::get<I>(s.s), env, group)...);
      lp += call_lpdf(s.seg_begin[k + 1] - b, xk, std::get<I>(views)...);
      (finish_segment(std::get<I>(args), std::get<I>(s.s), env, group, std::get<I>(views), totals[I]), ...);
    }
    (finish_grouped(std::get<I>(args), std::get<I>(s.s), env, totals[I]), ...);
    return lp;
  }

  template <std::size_t K, bool One, class S, class Env>
  auto standard_view(S& s, Env& env) const {
    using T = typename Env::scalar;
    if constexpr (K == Fn::loc_index)
      return scalar_view<T, false, One>{T(0)};
    else if constexpr (K == Fn::scale_index)
      return scalar_view<T, false, One>{T(1)};
    else
      return make_view<One>(std::get<K>(args), std::get<K>(s.s), env);
  }
  template <class S, class Env, class Z, std::size_t... I>
  double standard_impl(S& s, Env& env, Z& z, index_t n, std::index_sequence<I...>) const {
    auto fwd = [&](auto ic) {
      constexpr std::size_t K = decltype(ic)::value;
      if constexpr (K != Fn::loc_index && K != Fn::scale_index) std::get<K>(args).forward(std::get<K>(s.s), env);
    };
    (fwd(std::integral_constant<std::size_t, I>{}), ...);
    auto views = std::make_tuple(standard_view<I, !Z::is_vec>(s, env)...);
    const double lp = Fn::lpdf(n, z, std::get<I>(views)...);
    auto fin = [&](auto ic) {
      constexpr std::size_t K = decltype(ic)::value;
      if constexpr (K != Fn::loc_index && K != Fn::scale_index)
        finish(std::get<K>(args), std::get<K>(s.s), env, std::get<K>(views));
    };
    (fin(std::integral_constant<std::size_t, I>{}), ...);
    return lp;
  }

  // A term's arguments: each is forwarded, viewed and finished as a whole, except a scale
  // written exp(a) for a family taking it by its log (D69), where only a is forwarded and a's
  // adjoint gets the family's partial with respect to log scale directly: exp(a) is never formed.
  template <std::size_t K, class S, class Env>
  void term_forward(S& s, const Env& env) const {
    using A = std::tuple_element_t<K, std::tuple<Args...>>;
    if constexpr (log_scale_arg<Fn, K, A, typename Env::info>())
      std::get<K>(args).a.forward(std::get<K>(s.s).a, env);
    else
      std::get<K>(args).forward(std::get<K>(s.s), env);
  }
  template <std::size_t K, bool One, class S, class Env>
  auto term_view(S& s, Env& env) const {
    using A = std::tuple_element_t<K, std::tuple<Args...>>;
    using T = typename Env::scalar;
    if constexpr (log_scale_arg<Fn, K, A, typename Env::info>()) {
      using std::exp;
      const T lg = static_cast<T>(std::get<K>(args).a.value(std::get<K>(s.s).a, env));
      return log_scale_view<T, A::template has_grad<typename Env::info>>{lg, exp(-lg)};
    } else {
      return make_view<One>(std::get<K>(args), std::get<K>(s.s), env);
    }
  }
  template <std::size_t K, class S, class Env, class View>
  void term_finish(S& s, Env& env, const View& v) const {
    const auto& a = std::get<K>(args);
    auto& st = std::get<K>(s.s);
    if constexpr (log_scale_arg<Fn, K, std::remove_cvref_t<decltype(a)>, typename Env::info>()) {
      if constexpr (View::grad) {
        a.a.adj(st.a, env) += v.acc;
        a.a.backward(st.a, env);
      }
    } else {
      finish(a, st, env, v);
    }
  }
  template <class S, class Env, class X, std::size_t... I>
  double term_impl(S& s, Env& env, X& x, index_t n, std::index_sequence<I...>) const {
    (term_forward<I>(s, env), ...);
    [[maybe_unused]] auto views = std::make_tuple(term_view<I, !X::is_vec>(s, env)...);
    const double lp = call_lpdf(n, x, std::get<I>(views)...);
    (term_finish<I>(s, env, std::get<I>(views)), ...);
    return lp;
  }
};

// make_dist<Fn>(args...): the user-facing factories (normal(mu, sigma), ...) call this.
// Misuse stops at one static_assert: after it a distribution of constants is returned, so no
// further errors follow.
template <class Fn, class... A>
auto make_dist(A&&... a) {
  static_assert(sizeof...(A) == Fn::arg_names.size(), "exmc: wrong number of arguments for this distribution");
  if constexpr (!all_operands<A...>) {
    static_assert(all_operands<A...>, "exmc: a distribution's argument: " EXMC_OPERAND_RULE);
    return dist_expr<Fn, std::conditional_t<true, constant, A>...>(((void)sizeof(A), constant(0.0))...);
  } else {
    return dist_expr<Fn, expr_of<A>...>(as_expr(std::forward<A>(a))...);
  }
}

template <class D>
concept distribution = requires { typename std::remove_cvref_t<D>::family; };

}  // namespace exmc
