#pragma once
// truncated(d, bounds): the family d restricted to an interval and renormalised.
//   param<"sigma">(truncated(normal(0.0, 2.0), lower(0.0)))       a half-normal by another name
//   observe<"y">(truncated(normal(mu, sigma), bounds(0.0, 100.0)), y)
// log density: lpdf(x) - log(F(upper) - F(lower)) on [lower, upper], -inf outside. A parameter
// with a truncated prior gets the matching lower / upper / interval transform. The wrapped
// family must provide lcdf and lccdf. Stan: T[lower, upper]; PyMC: pm.Truncated.
#include <array>

#include "censored.hpp"

namespace exmc {

template <bool HasLo, bool HasHi>
struct truncation {
  template <class Fn>
  struct fn {
    static_assert(Fn::elementwise && !has_whole_args<Fn>(), "exmc::truncated: the family must be elementwise");
    static constexpr std::size_t K = Fn::arg_names.size();
    static constexpr const char* name = "truncated";
    static constexpr auto arg_names = detail::append2(Fn::arg_names, "lower", "upper");
    static constexpr auto domains = detail::append2(Fn::domains, domain::extended, domain::extended);
    static constexpr support_kind support =
        HasLo && HasHi ? support_kind::bounded : (HasLo ? support_kind::lower_bounded : support_kind::upper_bounded);
    static constexpr std::size_t lower_arg = K, upper_arg = K + 1;
    static constexpr bool elementwise = true;
    static constexpr bool discrete = Fn::discrete;
    static bool in_support(double x) { return Fn::in_support(x); }

    template <class X, class... V>
    static double lpdf(index_t n, X& x, V&... v) {
      return detail::with_first<K>([&](auto&... a) { return total(n, x, detail::second_last(v...), detail::last(v...), a...); },
                                   v...);
    }

    // Rejection from the wrapped family: fine unless the interval holds almost no mass, which is
    // reported rather than looped on.
    static double generate(rng& g, auto... a) {
      const auto t = std::make_tuple(a...);
      const double lo = std::get<K>(t), hi = std::get<K + 1>(t);
      for (int tries = 0; tries < 100000; ++tries) {
        const double y = [&]<std::size_t... I>(std::index_sequence<I...>) {
          return Fn::generate(g, std::get<I>(t)...);
        }(std::make_index_sequence<K>{});
        if (y >= lo && y <= hi) return y;
      }
      throw sampling_error(str_cat({"truncated ", Fn::name, ": no draw inside [", std::to_string(lo), ", ",
                                    std::to_string(hi),
                                    "] in 100000 tries (the interval holds almost no probability)"}));
    }

   private:
    // log Z = log P(lower <= Y <= upper) at element i, with its partials for each argument.
    template <class T, class L, class H, class... A>
    static double log_mass(index_t i, const L& lo, const H& hi, std::array<T, K>& d, A&... a) {
      auto lcdf = [](index_t m, auto& y, auto&... s) { return Fn::lcdf(m, y, s...); };
      auto lccdf = [](index_t m, auto& y, auto&... s) { return Fn::lccdf(m, y, s...); };
      // For a discrete family P(Y >= lower) = P(Y > lower - 1).
      const detail::value_holder<T> l{discrete ? lo.val(i) - T(1) : lo.val(i)}, h{hi.val(i)};
      if constexpr (HasLo && !HasHi) {
        return detail::call_element(lccdf, l.view(), i, d, a...);
      } else if constexpr (!HasLo && HasHi) {
        return detail::call_element(lcdf, h.view(), i, d, a...);
      } else {
        // log(F(h) - F(l)) from whichever side keeps precision: the CDFs when the interval sits
        // in the lower half, the CCDFs (S(l) - S(h)) when it sits in the upper half.
        std::array<T, K> dl{}, dh{};
        const double a_l = detail::call_element(lcdf, l.view(), i, dl, a...);
        const bool upper_half = a_l > -std::log(2.0);
        double big, small;
        if (upper_half) {
          big = detail::call_element(lccdf, l.view(), i, dl, a...);
          small = detail::call_element(lccdf, h.view(), i, dh, a...);
        } else {
          big = detail::call_element(lcdf, h.view(), i, dh, a...);
          small = a_l;
          std::swap(dl, dh);  // dl: partials of `big`, dh: of `small`
        }
        // log(e^big - e^small) = big + log1m_exp(small - big); its partials are
        // (d big - r d small) / (1 - r) with r = e^(small - big).
        const double r = std::exp(small - big);
        if (!(r < 1)) return -math::inf<double>;
        for (std::size_t k = 0; k < K; ++k) d[k] = static_cast<T>((static_cast<double>(dl[k]) - r * static_cast<double>(dh[k])) / (1 - r));
        return big + std::log1p(-r);
      }
    }

    template <class X, class L, class H, class... A>
    static double total(index_t n, X& x, const L& lo, const H& hi, A&... a) {
      using T = decltype(lo.val(0));
      for (index_t i = 0; i < n; ++i) {
        const T xi = static_cast<T>(x.val(i));
        if (!(xi >= lo.val(i) && xi <= hi.val(i))) return -math::inf<double>;
      }
      double lp = Fn::lpdf(n, x, a...);
      if (!std::isfinite(lp)) return lp;
      std::array<T, K> d{};
      constexpr bool all_scalar = (!A::is_vec && ...);
      if constexpr (all_scalar) {  // one normaliser for every element
        const double z = log_mass<T>(0, lo, hi, d, a...);
        if (!std::isfinite(z)) return -math::inf<double>;
        detail::add_partials(d, static_cast<T>(-static_cast<double>(n)), 0, a...);
        return lp - static_cast<double>(n) * z;
      } else {
        for (index_t i = 0; i < n; ++i) {
          const double z = log_mass<T>(i, lo, hi, d, a...);
          if (!std::isfinite(z)) return -math::inf<double>;
          detail::add_partials(d, T(-1), i, a...);
          lp -= z;
        }
        return lp;
      }
    }
  };
};

template <distribution D>
auto truncated(D&& d, lower_bound b) {
  return detail::wrap_with_bounds<truncation<true, false>::template fn>(std::forward<D>(d), b.lo, detail::inf);
}
template <distribution D>
auto truncated(D&& d, upper_bound b) {
  return detail::wrap_with_bounds<truncation<false, true>::template fn>(std::forward<D>(d), -detail::inf, b.hi);
}
template <distribution D>
auto truncated(D&& d, interval_bound b) {
  return detail::wrap_with_bounds<truncation<true, true>::template fn>(std::forward<D>(d), b.lo, b.hi);
}

}  // namespace exmc
