#pragma once
// custom(fn, args...): a log density given by a C++ function, for terms that are not static
// expressions (an ARMA or GARCH filter, an HMM forward pass).
//
//   auto arma = [](const auto& y, auto mu, auto phi, auto theta, auto sigma) {
//     decltype(mu) lp = 0, err_prev = 0;
//     for (Eigen::Index t = 0; t < y.size(); ++t) {
//       const auto pred = mu + phi * (t > 0 ? y[t - 1] : mu) + theta * err_prev;
//       err_prev = y[t] - pred;
//       lp += exmc::ad::normal_lpdf(y[t], pred, sigma);
//     }
//     return lp;
//   };
//   observe<"y">(custom<decltype(arma)>(mu, phi, theta, sigma), y);
//
// fn is called with the variate (data: an Eigen::VectorXd; a parameter: a std::vector<ad::var>),
// then each argument: a scalar argument as ad::var, a vector argument as a std::vector<ad::var>.
// It must be generic over its scalar types, return the log density, and capture nothing (data it
// needs are passed as arguments), because the model stores only its type. Gradients are exact,
// by reverse-mode automatic differentiation (math/reverse_ad.hpp).
#include <Eigen/Core>
#include <array>
#include <type_traits>
#include <vector>

#include "../math/reverse_ad.hpp"
#include "dist.hpp"

namespace exmc {

template <class F, std::size_t K>
struct custom_fn {
  static_assert(std::is_default_constructible_v<F>,
                "exmc::custom: the function must not capture anything; pass the data it needs as arguments");
  static constexpr const char* name = "custom";
  static constexpr std::array<const char*, K> arg_names = [] {
    std::array<const char*, K> a{};
    constexpr const char* names[] = {"argument 1", "argument 2", "argument 3", "argument 4", "argument 5",
                                     "argument 6", "argument 7", "argument 8", "argument 9", "argument 10"};
    for (std::size_t k = 0; k < K; ++k) a[k] = k < 10 ? names[k] : "argument";
    return a;
  }();
  static constexpr std::array<domain, K> domains = [] {
    std::array<domain, K> d{};
    d.fill(domain::real);
    return d;
  }();
  static constexpr std::array<bool, K> whole = [] {
    std::array<bool, K> w{};
    w.fill(true);
    return w;
  }();
  static constexpr support_kind support = support_kind::real;
  static constexpr bool elementwise = false;
  static constexpr bool discrete = false;
  static bool in_support(double x) { return std::isfinite(x); }

  template <class X, class... A>
  static double lpdf(index_t n, X& x, A&... args) {
    ad::tape& tape = ad::tape::current();
    tape.clear();
    const auto y = variate(n, x);
    auto inputs = std::make_tuple(input(args)...);
    ad::var lp;
    try {
      lp = std::apply([&](const auto&... in) { return ad::var(F{}(y, in...)); }, inputs);
    } catch (...) {
      tape.clear();
      throw;  // the sampler turns an exception into a divergent transition
    }
    if (!std::isfinite(lp.v)) {
      tape.clear();
      return -math::inf<double>;
    }
    if (lp.id >= 0) {
      const auto& adj = tape.backward(lp.id);
      if constexpr (X::grad)
        for (index_t i = 0; i < n; ++i) x.add(i, static_cast<decltype(x.val(0) + 0)>(adj[static_cast<std::size_t>(y[static_cast<std::size_t>(i)].id)]));
      auto push = [&](auto& view, const auto& in) { scatter(view, in, adj); };
      std::apply([&](const auto&... in) { (push(args, in), ...); }, inputs);
    }
    tape.clear();
    return lp.v;
  }

 private:
  template <class X>
  static auto variate(index_t n, const X& x) {
    if constexpr (X::grad) {
      std::vector<ad::var> y(static_cast<std::size_t>(n));
      for (index_t i = 0; i < n; ++i) y[static_cast<std::size_t>(i)] = ad::var::independent(static_cast<double>(x.val(i)));
      return y;
    } else {
      Eigen::VectorXd y(n);
      for (index_t i = 0; i < n; ++i) y[i] = static_cast<double>(x.val(i));
      return y;
    }
  }
  template <class A>
  static auto input(const A& a) {
    if constexpr (A::is_vec) {
      std::vector<ad::var> v(static_cast<std::size_t>(a.size));
      for (index_t i = 0; i < a.size; ++i)
        v[static_cast<std::size_t>(i)] = A::grad ? ad::var::independent(static_cast<double>(a.val(i))) : ad::var(static_cast<double>(a.val(i)));
      return v;
    } else {
      return A::grad ? ad::var::independent(static_cast<double>(a.val(0))) : ad::var(static_cast<double>(a.val(0)));
    }
  }
  template <class A, class In>
  static void scatter(A& a, const In& in, const std::vector<double>& adj) {
    if constexpr (A::grad) {
      using T = decltype(a.val(0));
      if constexpr (A::is_vec) {
        for (index_t i = 0; i < a.size; ++i) a.add(i, static_cast<T>(adj[static_cast<std::size_t>(in[static_cast<std::size_t>(i)].id)]));
      } else {
        a.add(0, static_cast<T>(adj[static_cast<std::size_t>(in.id)]));
      }
    }
  }
};

template <class F, class... A>
auto custom(A&&... args) {
  return make_dist<custom_fn<F, sizeof...(A)>>(std::forward<A>(args)...);
}
// custom(fn, args...) with the function object given (its type is what is kept).
template <class F, class... A>
  requires(!std::is_arithmetic_v<std::remove_cvref_t<F>> && std::is_empty_v<std::remove_cvref_t<F>>)
auto custom(F&&, A&&... args) {
  return make_dist<custom_fn<std::remove_cvref_t<F>, sizeof...(A)>>(std::forward<A>(args)...);
}

}  // namespace exmc
