#pragma once
// censored(d, bounds): observations known only to lie beyond a bound.
//   observe<"y">(censored(normal(mu, sigma), upper(10.0)), y)   y >= 10 means "10 or more"
//   observe<"t">(censored(weibull(k, lam), bounds(0.0, 52.0)), t)
// An observation at or below the lower bound contributes log P(Y <= lower) (the log CDF), at or
// above the upper bound log P(Y >= upper) (the log CCDF; for a discrete family P(Y > upper - 1)),
// and otherwise the log density. The wrapped family must provide lcdf / lccdf.
// Stan: y ~ d with lcdf/lccdf terms by hand; PyMC: pm.Censored.
#include <array>
#include <limits>
#include <tuple>

#include "../core/bounds.hpp"
#include "dist.hpp"
#include "element_call.hpp"

namespace exmc {

namespace detail {
template <class A, std::size_t N, std::size_t... I>
constexpr auto append2(const std::array<A, N>& a, A x, A y, std::index_sequence<I...>) {
  return std::array<A, N + 2>{a[I]..., x, y};
}
template <class A, std::size_t N>
constexpr std::array<A, N + 2> append2(const std::array<A, N>& a, A x, A y) {
  return append2(a, x, y, std::make_index_sequence<N>{});
}
// Calls f(first K views...) from a pack of K + 2 views.
template <std::size_t K, class F, class... V>
decltype(auto) with_first(F&& f, V&... v) {
  auto t = std::tie(v...);
  return [&]<std::size_t... I>(std::index_sequence<I...>) -> decltype(auto) {
    return f(std::get<I>(t)...);
  }(std::make_index_sequence<K>{});
}
template <class... V>
auto& second_last(V&... v) {
  return std::get<sizeof...(V) - 2>(std::tie(v...));
}
template <class... V>
auto& last(V&... v) {
  return std::get<sizeof...(V) - 1>(std::tie(v...));
}
inline constexpr double inf = std::numeric_limits<double>::infinity();
}  // namespace detail

template <class Fn>
struct censored_fn {
  static_assert(Fn::elementwise && !has_whole_args<Fn>(), "exmc::censored: the family must be elementwise");
  static constexpr std::size_t K = Fn::arg_names.size();
  static constexpr const char* name = "censored";
  static constexpr auto arg_names = detail::append2(Fn::arg_names, "lower", "upper");
  static constexpr auto domains = detail::append2(Fn::domains, domain::extended, domain::extended);
  static constexpr support_kind support = Fn::support;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = Fn::discrete;
  static constexpr bool observe_only = true;  // censoring describes data (x gets no partial)
  static bool in_support(double x) { return Fn::in_support(x); }

  template <class X, class... V>
  static double lpdf(index_t n, X& x, V&... v) {
    return detail::with_first<K>([&](auto&... a) { return sum(n, x, detail::second_last(v...), detail::last(v...), a...); }, v...);
  }

  static double generate(rng& g, auto... a) {
    const auto t = std::make_tuple(a...);
    const double lo = std::get<K>(t), hi = std::get<K + 1>(t);
    const double y = [&]<std::size_t... I>(std::index_sequence<I...>) {
      return Fn::generate(g, std::get<I>(t)...);
    }(std::make_index_sequence<K>{});
    return y < lo ? lo : (y > hi ? hi : y);
  }

 private:
  template <class X, class L, class H, class... A>
  static double sum(index_t n, X& x, const L& lo, const H& hi, A&... a) {
    using T = decltype(lo.val(0));
    std::array<T, K> partials{};
    double lp = 0;
    for (index_t i = 0; i < n; ++i) {
      const T xi = static_cast<T>(x.val(i)), l = lo.val(i), h = hi.val(i);
      if (!(l < h)) return -math::inf<double>;
      double term;
      if (xi <= l) {
        const detail::value_holder<T> b{l};
        term = detail::call_element(
            [](index_t m, auto& y, auto&... s) { return Fn::lcdf(m, y, s...); }, b.view(), i, partials, a...);
      } else if (xi >= h) {
        const detail::value_holder<T> b{discrete ? h - T(1) : h};
        term = detail::call_element(
            [](index_t m, auto& y, auto&... s) { return Fn::lccdf(m, y, s...); }, b.view(), i, partials, a...);
      } else {
        const detail::value_holder<T> b{xi};
        term = detail::call_element(
            [](index_t m, auto& y, auto&... s) { return Fn::lpdf(m, y, s...); }, b.view(), i, partials, a...);
      }
      if (!std::isfinite(term)) return -math::inf<double>;
      lp += term;
      detail::add_partials(partials, T(1), i, a...);
    }
    return lp;
  }
};

namespace detail {
template <template <class> class Comb, class D>
auto wrap_with_bounds(D&& d, double lo, double hi) {
  using Dist = std::remove_cvref_t<D>;
  using Fn = typename Dist::family;
  return std::apply(
      [&](const auto&... a) {
        return dist_expr<Comb<Fn>, std::remove_cvref_t<decltype(a)>..., constant, constant>(a..., constant(lo), constant(hi));
      },
      d.args);
}
}  // namespace detail

template <distribution D>
auto censored(D&& d, lower_bound b) {
  return detail::wrap_with_bounds<censored_fn>(std::forward<D>(d), b.lo, detail::inf);
}
template <distribution D>
auto censored(D&& d, upper_bound b) {
  return detail::wrap_with_bounds<censored_fn>(std::forward<D>(d), -detail::inf, b.hi);
}
template <distribution D>
auto censored(D&& d, interval_bound b) {
  return detail::wrap_with_bounds<censored_fn>(std::forward<D>(d), b.lo, b.hi);
}

}  // namespace exmc
