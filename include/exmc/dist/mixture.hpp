#pragma once
// mixture(w, d1, d2, ...): the finite mixture sum_k w_k d_k(x), element by element.
//   auto w = param<"w">(dirichlet(Eigen::VectorXd::Ones(2)), 2);
//   observe<"y">(mixture(w, normal(mu1, s), normal(mu2, s)), y);
// w is a vector of K weights on the simplex (a parameter with a dirichlet prior, or data); the
// components are elementwise families with the same support, each with its own arguments.
// With two components w may be one number theta in [0, 1], the weights being theta and
// 1 - theta: Stan's log_mix(theta, normal_lpdf(y | mu1, s1), normal_lpdf(y | mu2, s2)) summed
// over the data.
//   auto theta = param<"theta">(beta(2.0, 2.0));
//   observe<"y">(mixture(theta, normal(mu1, s1), normal(mu2, s2)), y);
// log p(x) = log_sum_exp_k(log w_k + log d_k(x)), evaluated stably, with exact partials: each
// component's partials weighted by its responsibility r_k = w_k d_k(x) / p(x).
// Stan: log_mix / log_sum_exp by hand; PyMC: pm.Mixture.
#include <array>
#include <span>
#include <tuple>

#include "dist.hpp"
#include "element_call.hpp"

namespace exmc {

template <class... Fn>
struct mixture_fn {
  static constexpr std::size_t K = sizeof...(Fn);
  static_assert(K >= 2, "exmc::mixture: give at least two components");
  static_assert(((Fn::elementwise && !has_whole_args<Fn>()) && ...), "exmc::mixture: components must be elementwise");
  using first = std::tuple_element_t<0, std::tuple<Fn...>>;
  static_assert(((Fn::support == first::support) && ...), "exmc::mixture: components must share one support");
  static_assert(((Fn::discrete == first::discrete) && ...), "exmc::mixture: components must be all discrete or all continuous");

  static constexpr std::array<std::size_t, K> arity{Fn::arg_names.size()...};
  static constexpr std::size_t total_args = (Fn::arg_names.size() + ...);
  static constexpr std::array<std::size_t, K> offset = [] {
    std::array<std::size_t, K> o{};
    std::size_t acc = 1;  // argument 0 is w
    for (std::size_t k = 0; k < K; ++k) {
      o[k] = acc;
      acc += arity[k];
    }
    return o;
  }();

  static constexpr const char* name = "mixture";
  static constexpr auto arg_names = [] {
    std::array<const char*, total_args + 1> a{};
    a[0] = "weights";
    std::size_t i = 1;
    ((std::copy(Fn::arg_names.begin(), Fn::arg_names.end(), a.begin() + static_cast<std::ptrdiff_t>(i)), i += Fn::arg_names.size()), ...);
    return a;
  }();
  static constexpr auto domains = [] {
    std::array<domain, total_args + 1> d{};
    d[0] = domain::unit;
    std::size_t i = 1;
    ((std::copy(Fn::domains.begin(), Fn::domains.end(), d.begin() + static_cast<std::ptrdiff_t>(i)), i += Fn::domains.size()), ...);
    return d;
  }();
  static constexpr auto whole = [] {
    std::array<bool, total_args + 1> w{};
    w[0] = true;
    return w;
  }();
  static constexpr support_kind support = first::support;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = first::discrete;
  static bool in_support(double x) { return (Fn::in_support(x) || ...); }

  template <class X, class W, class... V>
  static double lpdf(index_t n, X& x, W& w, V&... v) {
    using T = decltype(w.val(0));
    using std::log;
    static_assert(W::is_vec || K == 2,
                  "exmc::mixture: one weight theta serves two components (theta and 1 - theta); give a vector of K "
                  "weights for K components");
    if constexpr (W::is_vec)
      if (w.size != static_cast<index_t>(K)) return -math::inf<double>;
    std::array<T, K> logw;
    if constexpr (W::is_vec) {
      for (std::size_t k = 0; k < K; ++k) {
        const T wk = w.val(static_cast<index_t>(k));
        if (!(wk >= T(0))) return -math::inf<double>;
        logw[k] = log(wk);
      }
    } else {
      using std::log1p;
      const T theta = w.val(0);
      if (!(theta >= T(0) && theta <= T(1))) return -math::inf<double>;
      logw[0] = log(theta);
      logw[1] = log1p(-theta);
    }
    auto views = std::tie(v...);
    double lp = 0;
    for (index_t i = 0; i < n; ++i) {
      std::array<double, K> term, comp;
      std::array<T, K> dx{};
      std::array<T, total_args> parts{};
      // Each component's log density at x_i and its partials (per argument, and for x).
      for_components([&](auto kc) {
        constexpr std::size_t k = decltype(kc)::value;
        T slot_x = 0;
        auto xi = detail::probe(x, i, slot_x);
        std::array<T, arity[k]> p{};
        comp[k] = call_component<k>(xi, i, p, views);
        term[k] = static_cast<double>(logw[k]) + comp[k];
        if constexpr (X::grad) {
          if constexpr (X::is_vec) dx[k] = slot_x;
          else dx[k] = xi.acc;
        }
        std::copy(p.begin(), p.end(), parts.begin() + static_cast<std::ptrdiff_t>(offset[k] - 1));
      });
      double m = term[0];
      for (double t : term) m = t > m ? t : m;
      if (!std::isfinite(m)) return -math::inf<double>;
      double s = 0;
      for (double t : term) s += std::exp(t - m);
      lp += m + std::log(s);
      // Responsibilities, then partials.
      std::array<T, K> r;
      for (std::size_t k = 0; k < K; ++k) r[k] = static_cast<T>(std::exp(term[k] - m) / s);
      if constexpr (X::grad) {
        T g = 0;
        for (std::size_t k = 0; k < K; ++k) g += r[k] * dx[k];
        x.add(i, g);
      }
      if constexpr (W::grad && W::is_vec) {
        for (std::size_t k = 0; k < K; ++k) w.add(static_cast<index_t>(k), r[k] / w.val(static_cast<index_t>(k)));
      } else if constexpr (W::grad) {
        // d/dtheta log(theta p1 + (1 - theta) p2) = (p1 - p2) / p, finite at theta = 0 and 1 too
        const double lpi = m + std::log(s);
        w.add(i, static_cast<T>(std::exp(comp[0] - lpi) - std::exp(comp[1] - lpi)));
      }
      for_components([&](auto kc) {
        constexpr std::size_t k = decltype(kc)::value;
        add_component<k>(i, r[k], parts, views);
      });
    }
    return lp;
  }

  // Picks a component by its weight, then draws from it.
  static double generate(rng& g, std::span<const double> w, auto... a) {
    double u = g.uniform(), acc = 0;
    std::size_t pick = K - 1;
    for (std::size_t k = 0; k < K && k < w.size(); ++k) {
      acc += w[k];
      if (u < acc) {
        pick = k;
        break;
      }
    }
    const auto t = std::make_tuple(a...);
    double out = 0;
    for_components([&](auto kc) {
      constexpr std::size_t k = decltype(kc)::value;
      if (k != pick) return;
      using F = std::tuple_element_t<k, std::tuple<Fn...>>;
      out = [&]<std::size_t... I>(std::index_sequence<I...>) {
        return F::generate(g, static_cast<double>(std::get<offset[k] - 1 + I>(t))...);
      }(std::make_index_sequence<arity[k]>{});
    });
    return out;
  }

 private:
  template <class F>
  static void for_components(F&& f) {
    [&]<std::size_t... k>(std::index_sequence<k...>) { (f(std::integral_constant<std::size_t, k>{}), ...); }(std::make_index_sequence<K>{});
  }
  template <std::size_t k, class Xi, class T, class Views>
  static double call_component(Xi& xi, index_t i, std::array<T, arity[k]>& p, Views& views) {
    using F = std::tuple_element_t<k, std::tuple<Fn...>>;
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return detail::call_element(
          [&](index_t m, auto&, auto&... s) { return F::lpdf(m, xi, s...); }, xi, i, p, std::get<offset[k] - 1 + I>(views)...);
    }(std::make_index_sequence<arity[k]>{});
  }
  template <std::size_t k, class T, class Views>
  static void add_component(index_t i, T r, const std::array<T, total_args>& parts, Views& views) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (std::get<offset[k] - 1 + I>(views).add(i, r * parts[offset[k] - 1 + I]), ...);
    }(std::make_index_sequence<arity[k]>{});
  }
};

template <class W, distribution... D>
auto mixture(W&& w, D&&... d) {
  return std::apply(
      [&](auto&&... a) {
        return dist_expr<mixture_fn<typename std::remove_cvref_t<D>::family...>, expr_of<W>, std::remove_cvref_t<decltype(a)>...>(
            as_expr(std::forward<W>(w)), a...);
      },
      std::tuple_cat(d.args...));
}

}  // namespace exmc
