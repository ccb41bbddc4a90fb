#pragma once
// scan: a vector deterministic defined by a recurrence over time, with an exact, fused gradient.
//
//   auto garch = [](auto sigma2, auto r_prev, auto alpha0, auto alpha1, auto beta1, auto mu) {
//     return alpha0 + alpha1 * square(r_prev - mu) + beta1 * sigma2;
//   };
//   auto sigma2 = let<"sigma2">(scan(garch, sigma2_1, lag(r), alpha0, alpha1, beta1, mu));
//
// out[t] = step(previous state, the series inputs at t, the parameter inputs). The arguments of
// scan(step, init, ...) are, in this order:
//   init           the first state out[0] (a scalar or a vector operand: parameter, let, data,
//                  number); presample(init) instead gives the state before out[0], and the step
//                  then runs from t = 0
//   horizon(T)     the output's length, needed only when there is no series
//   series(x)      a vector of the output's length read at t; lag(x) reads x[t-1], lag<k>(x)
//                  x[t-k]; data or any vector expression of parameters
//   parameters     scalars, or vectors the step reads whole (a std::span); anything else
//
// scan<states<S>>: the state has S components; the step takes and returns std::array<D, S>, and
// the output is the T x S matrix of states column by column (component s is out[s*T .. s*T+T)).
// scan<lags<Q>>: the step sees the Q previous states, prev[0] = out[t-1], ..., prev[Q-1] =
// out[t-Q] (a std::array); init then gives Q states (out[0..Q) or, with presample, out[-Q..0)),
// in time order, component by component. A scalar init is broadcast.
//
// The step is user code, generic in its scalar type D, which is the same for every argument:
// math::dual<T, N> (math/dual.hpp) with one tangent per previous-state component and per
// differentiated input. One evaluation per time step gives the step's value and its exact local
// Jacobian, which the forward pass stores in the node's state; the backward pass sweeps over
// time in reverse, accumulating into the inputs' adjoints (D90, D91). Vector parameters get their
// tangents in chunks of `vector_chunk` (one more evaluation per chunk). Nothing allocates per
// evaluation.
#include <algorithm>
#include <array>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "../math/dual.hpp"
#include "build.hpp"
#include "scan_inputs.hpp"

namespace exmc {

// ---- the node --------------------------------------------------------------------------------
template <class F, int S, int Q, bool Pre, bool HasHorizon, class Init, class Seqs, class Pars>
struct scan_node;

template <class F, int S, int Q, bool Pre, bool HasHorizon, class Init, class... Sq, class... P>
struct scan_node<F, S, Q, Pre, HasHorizon, Init, std::tuple<Sq...>, std::tuple<P...>> : expr_tag {
  static constexpr std::size_t NS = sizeof...(Sq), NP = sizeof...(P);
  static constexpr int SQ = S * Q;
  static constexpr index_t first_step = Pre ? 0 : Q;  // steps run for t in [first_step, T)
  static_assert(!Pre || ((Sq::lag == 0) && ...),
                "exmc::scan: with presample(init) the step runs from t = 0, so a series cannot be lagged; "
                "give the first state(s) as init instead");
  static_assert(Pre || ((Sq::lag <= Q) && ...),
                "exmc::scan: a series lagged by k needs the first k outputs given by init; use lags<Q> with Q >= k");

  F step;
  Init initial;
  std::tuple<Sq...> seqs;
  std::tuple<P...> pars;
  index_t length = 0;  // horizon(T), when given

  scan_node(F f, Init i, std::tuple<Sq...> s, std::tuple<P...> p, index_t n)
      : step(std::move(f)), initial(std::move(i)), seqs(std::move(s)), pars(std::move(p)), length(n) {}

  using refs = concat_t<typename Init::refs, typename Sq::expr::refs..., typename P::refs...>;
  template <class Info>
  static constexpr bool is_vec = true;
  template <class Info>
  static constexpr bool has_grad = Init::template has_grad<Info> || (Sq::expr::template has_grad<Info> || ...) ||
                                   (P::template has_grad<Info> || ...);

  // Which tangent of the step's dual each input gets, and the Jacobian's columns: the SQ
  // previous-state components, then series with gradients, scalar parameters with gradients,
  // then (from a run-time offset) the elements of vector parameters with gradients.
  template <class Info>
  struct plan {
    static constexpr bool grad = has_grad<Info>;
    static constexpr std::array<bool, NS> seq_grad{Sq::expr::template has_grad<Info>...};
    static constexpr std::array<bool, NP> par_vec{P::template is_vec<Info>...};
    static constexpr std::array<bool, NP> par_grad{P::template has_grad<Info>...};
    static constexpr int state_tangents = grad ? SQ : 0;
    static constexpr std::array<int, NS> seq_tangent = [] {
      std::array<int, NS> a{};
      int k = state_tangents;
      for (std::size_t i = 0; i < NS; ++i) a[i] = seq_grad[i] ? k++ : -1;
      return a;
    }();
    static constexpr int par_begin = [] {
      int k = state_tangents;
      for (bool g : seq_grad) k += g;
      return k;
    }();
    static constexpr std::array<int, NP> par_tangent = [] {
      std::array<int, NP> a{};
      int k = par_begin;
      for (std::size_t i = 0; i < NP; ++i) a[i] = par_grad[i] && !par_vec[i] ? k++ : -1;
      return a;
    }();
    static constexpr int fixed = [] {
      int k = par_begin;
      for (std::size_t i = 0; i < NP; ++i) k += par_grad[i] && !par_vec[i];
      return k;
    }();
    static constexpr bool vec_grad = [] {
      for (std::size_t i = 0; i < NP; ++i)
        if (par_grad[i] && par_vec[i]) return true;
      return false;
    }();
    static constexpr int width = vec_grad ? vector_chunk : 0;
    static constexpr int tangents = fixed + width > 0 ? fixed + width : 1;
  };
  template <class Env>
  using dual_of = math::dual<typename Env::scalar, plan<typename Env::info>::tangents>;

  // The step's first argument: the previous state(s).
  template <class D>
  using prev_type = std::conditional_t<
      Q == 1, std::conditional_t<S == 1, D, std::array<D, S>>,
      std::conditional_t<S == 1, std::array<D, Q>, std::array<std::array<D, S>, Q>>>;
  template <class D, class Info, std::size_t J>
  using par_type = std::conditional_t<plan<Info>::par_vec[J], std::span<const D>, const D&>;

  template <class Env>
  struct state {
    using T = typename Env::scalar;
    using D = dual_of<Env>;
    typename Init::template state<Env> initial;
    std::tuple<typename Sq::expr::template state<Env>...> seq;
    std::tuple<typename P::template state<Env>...> par;
    vector_t<T> val, adj;   // S * n, component by component
    vector_t<T> jac;        // per step: S rows of `cols` partials
    vector_t<T> acc;        // parameter adjoints summed over time (vector parameters)
    std::vector<D> vduals;  // vector parameters' elements, as the step reads them
    std::array<D, NP == 0 ? 1 : NP> pduals;  // scalar parameters, as the step reads them
    std::array<index_t, NP> voff{}, vlen{}, vcol{};
    index_t n = 0, cols = 0, vgrad = 0;
  };

  template <class SEnv>
  index_t size(const SEnv& senv) const {
    using Info = typename SEnv::info;
    static_assert(((Sq::expr::template is_vec<Info>) && ...),
                  "exmc::scan: series(x) and lag(x) need a vector x, one element per time step");
    static_assert(NS > 0 || HasHorizon, "exmc::scan: give the output's length with horizon(T) or a series(x)");
    index_t n = HasHorizon ? length : -1;
    const char* what = "horizon";
    std::size_t k = 0;
    auto check_series = [&](const auto& sq) {
      ++k;
      const index_t m = sq.e.size(senv);
      if (n < 0) {
        n = m;
        what = "series 1";
      } else if (m != n) {
        throw model_error(str_cat({"size mismatch in '", describe(), "': series ", std::to_string(k), " (",
                                   sq.e.describe(), ") has ", std::to_string(m), " elements but ", what, " gives ",
                                   std::to_string(n), " time steps"}));
      }
    };
    std::apply([&](const auto&... sq) { (check_series(sq), ...); }, seqs);
    if (n < 1) throw model_error(str_cat({"'", describe(), "': the output needs at least one time step"}));
    if (!Pre && n < Q)
      throw model_error(str_cat({"'", describe(), "': ", std::to_string(n), " time steps is fewer than the ",
                                 std::to_string(Q), " initial states"}));
    const index_t ni = initial.size(senv);
    if (Init::template is_vec<Info> && ni != SQ)
      throw model_error(str_cat({"size mismatch in '", describe(), "': the initial state (", initial.describe(), ") has ",
                                 std::to_string(ni), " elements, the scan needs ", std::to_string(SQ),
                                 " (states x lags), or a scalar to broadcast"}));
    std::apply([&](const auto&... p) { (static_cast<void>(p.size(senv)), ...); }, pars);
    return S * n;
  }

  template <class St, class SEnv>
  void init(St& s, const SEnv& senv) const {
    using Info = typename SEnv::info;
    using PL = plan<Info>;
    initial.init(s.initial, senv);
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (std::get<I>(seqs).e.init(std::get<I>(s.seq), senv), ...);
    }(std::index_sequence_for<Sq...>{});
    index_t voff = 0, vcol = PL::fixed;
    [&]<std::size_t... J>(std::index_sequence<J...>) {
      auto one = [&](auto jc) {
        constexpr std::size_t j = jc;
        const auto& p = std::get<j>(pars);
        p.init(std::get<j>(s.par), senv);
        if constexpr (PL::par_vec[j]) {
          const index_t m = p.size(senv);
          s.voff[j] = voff;
          s.vlen[j] = m;
          voff += m;
          if constexpr (PL::par_grad[j]) {
            s.vcol[j] = vcol;
            vcol += m;
          }
        }
      };
      (one(std::integral_constant<std::size_t, J>{}), ...);
    }(std::index_sequence_for<P...>{});
    s.n = size(senv) / S;
    s.cols = vcol;
    s.vgrad = vcol - PL::fixed;
    s.val.setZero(S * s.n);
    s.adj.setZero(S * s.n);
    s.vduals.assign(static_cast<std::size_t>(voff), typename St::D(0));
    if constexpr (PL::grad) {
      s.jac.setZero((s.n - first_step) * S * s.cols);
      s.acc.setZero(s.cols);
    }
  }

  template <class St, class Env>
  void forward(St& s, const Env& env) const {
    using Info = typename Env::info;
    using PL = plan<Info>;
    using T = typename Env::scalar;
    using D = dual_of<Env>;
    initial.forward(s.initial, env);
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (std::get<I>(seqs).e.forward(std::get<I>(s.seq), env), ...);
    }(std::index_sequence_for<Sq...>{});
    [&]<std::size_t... J>(std::index_sequence<J...>) {
      (std::get<J>(pars).forward(std::get<J>(s.par), env), ...);
    }(std::index_sequence_for<P...>{});

    const index_t n = s.n;
    const auto& iv = initial.value(s.initial, env);
    auto init_at = [&](index_t k) -> T {
      if constexpr (Init::template is_vec<Info>)
        return iv[k];
      else
        return iv;
    };
    T* val = s.val.data();
    if constexpr (!Pre)
      for (int c = 0; c < S; ++c)
        for (int j = 0; j < Q; ++j) val[c * n + j] = init_at(c * Q + j);

    // The series' values, read at t - lag.
    const std::array<const T*, NS> xs = [&]<std::size_t... I>(std::index_sequence<I...>) {
      return std::array<const T*, NS>{std::get<I>(seqs).e.value(std::get<I>(s.seq), env).data()...};
    }(std::index_sequence_for<Sq...>{});
    static constexpr std::array<int, NS> seq_lag{Sq::lag...};

    const index_t passes = PL::vec_grad ? std::max<index_t>(1, (s.vgrad + PL::width - 1) / PL::width) : 1;
    for (index_t pass = 0; pass < passes; ++pass) {
      const bool seed = PL::grad && pass == 0;
      // Parameters are constant in time: their duals are set once per pass, in the state, and
      // the scalars' copied whole into a local array that the step's arguments are copied from.
      // Built in place on the stack instead, g++ 12 assembles each argument's copy from an 8-byte
      // store and a 16-byte load, a store-forwarding stall on every step (ARMA(1,1) at 4x the
      // hand-written gradient's time instead of 1.4x); read through the state, they are loaded
      // again on every step, since the stores to the outputs may alias them (D91).
      [&]<std::size_t... J>(std::index_sequence<J...>) {
        (set_par<J, PL, D>(s, env, seed, pass), ...);
      }(std::index_sequence_for<P...>{});
      const auto pd = s.pduals;
      auto pargs = [&]<std::size_t... J>(std::index_sequence<J...>) {
        return std::tuple<par_type<D, Info, J>...>{par_ref<J, PL, D>(s, pd)...};
      }(std::index_sequence_for<P...>{});
      const index_t col_lo = PL::fixed + pass * PL::width;
      const index_t col_hi = PL::vec_grad ? std::min<index_t>(s.cols, col_lo + PL::width) : 0;
      // The last Q states, kept in registers: last[j * S + c] is component c at t - 1 - j (reading
      // them back from val would put a store-to-load forwarding on the recurrence's latency).
      std::array<T, SQ> last;
      for (int j = 0; j < Q; ++j)
        for (int c = 0; c < S; ++c) last[static_cast<std::size_t>(j * S + c)] = init_at(c * Q + Q - 1 - j);

      for (index_t t = first_step; t < n; ++t) {
        prev_type<D> prev;
        for (int j = 0; j < Q; ++j)
          for (int c = 0; c < S; ++c) {
            const T x = last[static_cast<std::size_t>(j * S + c)];
            prev_elem(prev, j, c) = seed ? D::variable(x, j * S + c) : D(x);
          }
        std::array<D, NS == 0 ? 1 : NS> xt;
        for (std::size_t i = 0; i < NS; ++i) {
          const T x = xs[i][t - seq_lag[i]];
          xt[i] = seed && PL::seq_tangent[i] >= 0 ? D::variable(x, PL::seq_tangent[i]) : D(x);
        }
        const auto r = call(prev, xt, pargs, std::index_sequence_for<Sq...>{}, std::index_sequence_for<P...>{});
        for (int j = Q - 1; j > 0; --j)
          for (int c = 0; c < S; ++c)
            last[static_cast<std::size_t>(j * S + c)] = last[static_cast<std::size_t>((j - 1) * S + c)];
        for (int c = 0; c < S; ++c) {
          const D& y = result_elem(r, c);
          last[static_cast<std::size_t>(c)] = y.v;
          if (pass == 0) val[c * n + t] = y.v;
          if constexpr (PL::grad) {
            T* rc = s.jac.data() + ((t - first_step) * S + c) * s.cols;
            if (pass == 0)
              for (int m = 0; m < PL::fixed; ++m) rc[m] = y.d[m];
            for (index_t m = col_lo; m < col_hi; ++m) rc[m] = y.d[PL::fixed + (m - col_lo)];
          }
        }
      }
    }
    zero(s.adj);
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
    using Info = typename Env::info;
    using PL = plan<Info>;
    using T = typename Env::scalar;
    if constexpr (PL::grad) {
      // Parameter adjoints: in registers when the columns are known at compile time. The sweep
      // returns what the steps pushed into the states before the first step.
      std::array<T, SQ> before;
      if constexpr (PL::vec_grad) {
        zero(s.acc);
        before = sweep<PL>(s, env, s.acc.data(), s.cols);
      } else {
        std::array<T, PL::fixed> acc{};
        before = sweep<PL>(s, env, acc.data(), std::integral_constant<index_t, PL::fixed>{});
        std::copy(acc.begin(), acc.end(), s.acc.data());
      }
      // the initial state: init[c * Q + j] is component c at time j (or j - Q, presample)
      if constexpr (Init::template has_grad<Info>) {
        const index_t n = s.n;
        auto& g = initial.adj(s.initial, env);
        for (int c = 0; c < S; ++c)
          for (int j = 0; j < Q; ++j) {
            const T a = (Pre ? T(0) : s.adj[c * n + j]) + before[static_cast<std::size_t>((Q - 1 - j) * S + c)];
            if constexpr (Init::template is_vec<Info>)
              g[c * Q + j] += a;
            else
              g += a;
          }
        initial.backward(s.initial, env);
      }
      // parameters
      [&]<std::size_t... J>(std::index_sequence<J...>) {
        auto one = [&](auto jc) {
          constexpr std::size_t j = jc;
          if constexpr (PL::par_grad[j]) {
            const auto& p = std::get<j>(pars);
            auto& g = p.adj(std::get<j>(s.par), env);
            if constexpr (PL::par_vec[j]) {
              for (index_t k = 0; k < s.vlen[j]; ++k) g[k] += s.acc[s.vcol[j] + k];
            } else {
              g += s.acc[PL::par_tangent[j]];
            }
            p.backward(std::get<j>(s.par), env);
          }
        };
        (one(std::integral_constant<std::size_t, J>{}), ...);
      }(std::index_sequence_for<P...>{});
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        auto one = [&](auto ic) {
          constexpr std::size_t i = ic;
          if constexpr (PL::seq_grad[i]) std::get<i>(seqs).e.backward(std::get<i>(s.seq), env);
        };
        (one(std::integral_constant<std::size_t, I>{}), ...);
      }(std::index_sequence_for<Sq...>{});
    }
  }

  template <class T>
  auto cast() const {
    auto cs = std::apply([](const auto&... q) { return std::make_tuple(cast_series<T>(q)...); }, seqs);
    auto cp = std::apply([](const auto&... p) { return std::make_tuple(p.template cast<T>()...); }, pars);
    using CI = decltype(initial.template cast<T>());
    return scan_node<F, S, Q, Pre, HasHorizon, CI, decltype(cs), decltype(cp)>(step, initial.template cast<T>(),
                                                                               std::move(cs), std::move(cp), length);
  }

  std::string describe() const {
    std::string d = "scan";
    if (S > 1 || Q > 1) d += str_cat({"<states ", std::to_string(S), ", lags ", std::to_string(Q), ">"});
    d += str_cat({"(", Pre ? "presample(" : "", initial.describe(), Pre ? ")" : ""});
    if (HasHorizon) d += str_cat({", horizon(", std::to_string(length), ")"});
    auto add_series = [&](const auto& q) {
      const int k = std::remove_cvref_t<decltype(q)>::lag;
      d += k == 0 ? str_cat({", series(", q.e.describe(), ")"})
                  : str_cat({", lag<", std::to_string(k), ">(", q.e.describe(), ")"});
    };
    std::apply([&](const auto&... q) { (add_series(q), ...); }, seqs);
    std::apply([&](const auto&... p) { ((d += str_cat({", ", p.describe()})), ...); }, pars);
    return d + ")";
  }

 private:
  template <class T, int L, class E>
  static auto cast_series(const series_arg<L, E>& q) {
    using CE = decltype(q.e.template cast<T>());
    return series_arg<L, CE>{q.e.template cast<T>()};
  }

  template <class Prev>
  static auto& prev_elem(Prev& p, int j, int c) {
    if constexpr (S == 1 && Q == 1)
      return p;
    else if constexpr (Q == 1)
      return p[static_cast<std::size_t>(c)];
    else if constexpr (S == 1)
      return p[static_cast<std::size_t>(j)];
    else
      return p[static_cast<std::size_t>(j)][static_cast<std::size_t>(c)];
  }

  template <class R>
  static const auto& result_elem(const R& r, int c) {
    if constexpr (S == 1)
      return r;
    else
      return r[static_cast<std::size_t>(c)];
  }

  // Parameter J as the step reads it in this pass, seeded for the tangents this pass computes:
  // a dual in the state's pduals (a scalar) or duals in its vduals (a vector).
  template <std::size_t J, class PL, class D, class St, class Env>
  void set_par(St& s, const Env& env, bool seed, index_t pass) const {
    const auto& p = std::get<J>(pars);
    const auto& v = p.value(std::get<J>(s.par), env);
    if constexpr (PL::par_vec[J]) {
      D* out = s.vduals.data() + s.voff[J];
      for (index_t k = 0; k < s.vlen[J]; ++k) {
        out[k] = D(v[k]);
        if constexpr (PL::par_grad[J]) {
          const index_t c = s.vcol[J] + k - PL::fixed - pass * PL::width;
          if (c >= 0 && c < PL::width) out[k].d[static_cast<std::size_t>(PL::fixed + c)] = 1;
        }
      }
    } else {
      D& d = s.pduals[J];
      if constexpr (PL::par_grad[J])
        d = seed ? D::variable(v, PL::par_tangent[J]) : D(v);
      else
        d = D(v);
    }
  }
  // The step's argument for parameter J: a scalar's dual from the local copy, a vector's span.
  template <std::size_t J, class PL, class D, class St, class PD>
  decltype(auto) par_ref(St& s, const PD& pd) const {
    if constexpr (PL::par_vec[J])
      return std::span<const D>(s.vduals.data() + s.voff[J], static_cast<std::size_t>(s.vlen[J]));
    else
      return static_cast<const D&>(pd[J]);
  }

  // One step: the user's function on the previous state, the series at t and the parameters,
  // checked for its signature and its result here, where the types are known (and nothing
  // else is compiled after a failed check, so its message is the only error).
  template <class Prev, class X, class Pargs, std::size_t... I, std::size_t... J>
  auto call(const Prev& prev, const X& xt, const Pargs& pargs, std::index_sequence<I...>,
            std::index_sequence<J...>) const {
    using D = typename X::value_type;
    using Out = std::conditional_t<S == 1, D, std::array<D, S>>;
    constexpr bool callable =
        std::is_invocable_v<const F&, const Prev&, decltype(xt[I])..., decltype(std::get<J>(pargs))...>;
    static_assert(callable,
                  "exmc::scan: the step cannot be called as step(previous state, one value per series or lag, "
                  "one argument per parameter input), in that order; check its number of arguments (the previous "
                  "state is a std::array for states<S> or lags<Q>, a vector parameter a std::span)");
    if constexpr (!callable) {
      return Out{};
    } else {
      using R = std::invoke_result_t<const F&, const Prev&, decltype(xt[I])..., decltype(std::get<J>(pargs))...>;
      constexpr bool returns_state = S == 1 ? std::is_convertible_v<R, D> : std::is_same_v<R, Out>;
      static_assert(returns_state || S > 1,
                    "exmc::scan: the step must return the new state: one number of its argument type");
      static_assert(returns_state || S == 1,
                    "exmc::scan: with states<S> the step must return the new state as std::array<D, S>, D being "
                    "its arguments' type (return std::array{a, b} with a and b of that type)");
      if constexpr (returns_state)
        return Out(step(prev, xt[I]..., std::get<J>(pargs)...));
      else
        return Out{};
    }
  }


  // The reverse sweep over time: each step's adjoint, complete once the later steps have added
  // theirs, goes to the states it read, to the series at t - lag and to the parameters'
  // accumulators. What the later steps owe the last Q states is carried in registers,
  // carry[k * S + c] for component c at t - k, so the recurrence's latency is two operations.
  template <class PL, class St, class Env, class Cols>
  std::array<typename Env::scalar, SQ> sweep(St& s, Env& env, typename Env::scalar* acc, Cols cols) const {
    using T = typename Env::scalar;
    const index_t n = s.n;
    static constexpr std::array<int, NS> seq_lag{Sq::lag...};
    const std::array<T*, NS> gx = [&]<std::size_t... I>(std::index_sequence<I...>) {
      return std::array<T*, NS>{seq_adj<I, PL>(s, env)...};
    }(std::index_sequence_for<Sq...>{});
    const T* adj = s.adj.data();
    const index_t nc = cols;
    std::array<T, SQ> carry{};
    index_t t = n - 1;
    if constexpr (S == 1 && Q == 1) t = sweep_blocks<PL>(s, acc, cols, gx, carry[0]);
    for (; t >= first_step; --t) {
      const T* row = s.jac.data() + (t - first_step) * S * nc;
      std::array<T, S> lam;
      for (int c = 0; c < S; ++c) lam[static_cast<std::size_t>(c)] = adj[c * n + t] + carry[static_cast<std::size_t>(c)];
      auto dot = [&](index_t m) {
        T g = lam[0] * row[m];
        for (int c = 1; c < S; ++c) g += lam[static_cast<std::size_t>(c)] * row[c * nc + m];
        return g;
      };
      for (int k = 0; k < Q; ++k)
        for (int c = 0; c < S; ++c) {
          const auto i = static_cast<std::size_t>(k * S + c);
          carry[i] = (k + 1 < Q ? carry[i + S] : T(0)) + dot(k * S + c);
        }
      for (std::size_t i = 0; i < NS; ++i)
        if (PL::seq_tangent[i] >= 0) gx[i][t - seq_lag[i]] += dot(PL::seq_tangent[i]);
      for (index_t m = PL::par_begin; m < nc; ++m) acc[m] += dot(m);
    }
    return carry;
  }

  // One state, one lag: the sweep in blocks of U steps. With c what the later steps owe
  // out[t], the block's adjoints are mu[t-k] = m[k] + p[k] c, where m is the block's own
  // recurrence started from c = 0 and p[k] the product of the state partials J[t]..J[t-k+1];
  // and what the block owes out[t-U] is b + p[U] c. Only that last line waits for c: one multiply
  // and one add per U steps instead of per step, the rest overlaps across blocks (D91).
  // Returns the first time step left for the plain sweep.
  template <class PL, class St, class Cols, class T>
  index_t sweep_blocks(St& s, T* acc, Cols cols, const std::array<T*, NS>& gx, T& c) const {
    static constexpr std::array<int, NS> seq_lag{Sq::lag...};
    constexpr int U = 4;
    const index_t n = s.n, nc = cols;
    const T* adj = s.adj.data();
    index_t t = n - 1;
    for (; t - (U - 1) >= first_step; t -= U) {
      std::array<const T*, U> row;
      std::array<T, U> m, p;
      for (int k = 0; k < U; ++k) row[static_cast<std::size_t>(k)] = s.jac.data() + (t - k - first_step) * nc;
      m[0] = adj[t];
      p[0] = T(1);
      for (int k = 1; k < U; ++k) {
        const T j = row[static_cast<std::size_t>(k - 1)][0];
        m[static_cast<std::size_t>(k)] = adj[t - k] + j * m[static_cast<std::size_t>(k - 1)];
        p[static_cast<std::size_t>(k)] = j * p[static_cast<std::size_t>(k - 1)];
      }
      const T j_last = row[U - 1][0];
      const T b = j_last * m[U - 1], p_all = j_last * p[U - 1];
      std::array<T, U> mu;
      for (int k = 0; k < U; ++k) mu[static_cast<std::size_t>(k)] = m[static_cast<std::size_t>(k)] + p[static_cast<std::size_t>(k)] * c;
      c = b + p_all * c;
      for (std::size_t i = 0; i < NS; ++i)
        if (PL::seq_tangent[i] >= 0)
          for (int k = 0; k < U; ++k)
            gx[i][t - k - seq_lag[i]] += mu[static_cast<std::size_t>(k)] * row[static_cast<std::size_t>(k)][PL::seq_tangent[i]];
      for (index_t col = PL::par_begin; col < nc; ++col) {
        T g = mu[0] * row[0][col];
        for (int k = 1; k < U; ++k) g += mu[static_cast<std::size_t>(k)] * row[static_cast<std::size_t>(k)][col];
        acc[col] += g;
      }
    }
    return t;
  }

  template <std::size_t I, class PL, class St, class Env>
  typename Env::scalar* seq_adj(St& s, Env& env) const {
    if constexpr (PL::seq_grad[I])
      return std::get<I>(seqs).e.adj(std::get<I>(s.seq), env).data();
    else
      return nullptr;
  }
};

// ---- building a scan ---------------------------------------------------------------------------
namespace detail {
template <class X>
constexpr bool is_scan_marker = is_series_arg<std::remove_cvref_t<X>>::value ||
                                std::is_same_v<std::remove_cvref_t<X>, horizon>;

template <class... A>
constexpr std::size_t leading_markers() {
  constexpr std::array<bool, sizeof...(A) + 1> m{is_scan_marker<A>..., false};
  std::size_t k = 0;
  while (m[k]) ++k;
  return k;
}

template <class Init>
struct init_of {
  static constexpr bool pre = false;
  template <class X>
  static auto get(X&& i) {
    return as_expr(std::forward<X>(i));
  }
};
template <class E>
struct init_of<presample_arg<E>> {
  static constexpr bool pre = true;
  template <class X>
  static E get(X&& i) {
    return std::forward<X>(i).e;
  }
};
}  // namespace detail

template <class... Opts, class F, class Init, class... A>
auto scan(F&& step, Init&& init, A&&... args) {
  static_assert((detail::is_shape_option<Opts> && ...),
                "exmc::scan: the template arguments of scan<...> are states<S> and lags<Q>");
  constexpr int S = detail::option_value<states, 1, Opts...>();
  constexpr int Q = detail::option_value<lags, 1, Opts...>();
  using I = std::remove_cvref_t<Init>;
  static_assert(operand<Init> || detail::init_of<I>::pre,
                "exmc::scan: the initial state must be a number, a data vector, a parameter, a let or an expression");
  constexpr std::size_t k = detail::leading_markers<A...>();
  static_assert(k == (0 + ... + detail::is_scan_marker<A>),
                "exmc::scan: give horizon(T) and the series (series(x), lag(x)) before the parameter inputs");
  static_assert((0 + ... + std::is_same_v<std::remove_cvref_t<A>, horizon>) <= 1, "exmc::scan: horizon(T) given twice");
  constexpr bool has_horizon = (std::is_same_v<std::remove_cvref_t<A>, horizon> || ...);
  auto all = std::forward_as_tuple(std::forward<A>(args)...);
  index_t n = -1;
  auto seqs = [&]<std::size_t... J>(std::index_sequence<J...>) {
    auto pick = [&](auto&& x) {
      using X = std::remove_cvref_t<decltype(x)>;
      if constexpr (std::is_same_v<X, horizon>) {
        n = x.n;
        return std::tuple<>{};
      } else {
        return std::tuple<X>{x};
      }
    };
    return std::tuple_cat(pick(std::get<J>(all))...);
  }(std::make_index_sequence<k>{});
  auto pars = [&]<std::size_t... J>(std::index_sequence<J...>) {
    static_assert((operand<std::tuple_element_t<k + J, std::tuple<A...>>> && ...),
                  "exmc::scan: a parameter input must be a number, a data vector, a parameter, a let or an "
                  "expression");
    return std::make_tuple(as_expr(std::forward<std::tuple_element_t<k + J, std::tuple<A...>>>(std::get<k + J>(all)))...);
  }(std::make_index_sequence<sizeof...(A) - k>{});
  using In = detail::init_of<I>;
  auto ie = In::get(std::forward<Init>(init));
  using Node = scan_node<std::decay_t<F>, S, Q, In::pre, has_horizon, decltype(ie), decltype(seqs), decltype(pars)>;
  return Node(std::forward<F>(step), std::move(ie), std::move(seqs), std::move(pars), n);
}

}  // namespace exmc
