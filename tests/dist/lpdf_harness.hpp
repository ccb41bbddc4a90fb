#pragma once
// Calls a family's lpdf directly through views, so densities and partials can be checked without
// building a model: x is a vector variate, each argument is a scalar or a vector.
#include <catch2/catch.hpp>
#include <exmc/exmc.hpp>
#include <vector>

namespace exmc::test {

struct lpdf_result {
  double lp;
  Eigen::VectorXd dx;
  std::vector<Eigen::VectorXd> dargs;  // one per argument, sized like the argument
};

// Which of a family's summed functions to call.
enum class density_fn { lpdf, lcdf, lccdf };

template <class Fn, class X, class... V>
double call_density(density_fn which, index_t n, X& x, V&... v) {
  switch (which) {
    case density_fn::lpdf: return Fn::lpdf(n, x, v...);
    case density_fn::lcdf:
      if constexpr (requires { Fn::lcdf(n, x, v...); }) return Fn::lcdf(n, x, v...);
      break;
    case density_fn::lccdf:
      if constexpr (requires { Fn::lccdf(n, x, v...); }) return Fn::lccdf(n, x, v...);
      break;
  }
  FAIL(Fn::name << " has no such function");
  return 0;
}

// args[k] of size 1 are passed as scalars (unless Fn takes argument k whole), others as vectors.
template <class Fn>
lpdf_result call_lpdf(const Eigen::VectorXd& x, const std::vector<Eigen::VectorXd>& args,
                      density_fn which = density_fn::lpdf) {
  constexpr std::size_t K = Fn::arg_names.size();
  REQUIRE(args.size() == K);
  lpdf_result r;
  r.dx = Eigen::VectorXd::Zero(x.size());
  r.dargs.resize(K);
  for (std::size_t k = 0; k < K; ++k) r.dargs[k] = Eigen::VectorXd::Zero(args[k].size());
  vector_view<double, double, true> xv{x.data(), r.dx.data()};
  auto view = [&](std::size_t k, auto vec_tag) {
    if constexpr (decltype(vec_tag)::value) {
      vector_view<double, double, true> v{args[k].data(), r.dargs[k].data()};
      v.size = args[k].size();
      return v;
    } else
      return scalar_view<double, true>{args[k][0]};
  };
  auto finish = [&](std::size_t k, const auto& v) {
    if constexpr (!std::remove_cvref_t<decltype(v)>::is_vec) r.dargs[k][0] += v.acc;
  };
  // Expand every scalar/vector combination of arguments at compile time, pick at run time.
  auto dispatch = [&]<std::size_t... I>(std::index_sequence<I...>) {
    bool done = false;
    auto try_combo = [&](auto... flags) {
      constexpr bool pattern[] = {decltype(flags)::value...};
      bool match = true;
      std::size_t k = 0;
      ((match &= (args[I].size() > 1 || whole_arg<Fn, I>()) == pattern[k++]), ...);
      if (!match || done) return;
      auto views = std::make_tuple(view(I, std::integral_constant<bool, decltype(flags)::value>{})...);
      r.lp = call_density<Fn>(which, x.size(), xv, std::get<I>(views)...);
      (finish(I, std::get<I>(views)), ...);
      done = true;
    };
    using T = std::true_type;
    using F = std::false_type;
    if constexpr (K == 1) {
      try_combo(F{});
      try_combo(T{});
    } else if constexpr (K == 2) {
      try_combo(F{}, F{});
      try_combo(T{}, F{});
      try_combo(F{}, T{});
      try_combo(T{}, T{});
    } else if constexpr (K == 4) {  // a two-argument family inside a combinator (bounds last)
      try_combo(F{}, F{}, F{}, F{});
      try_combo(T{}, F{}, F{}, F{});
      try_combo(F{}, T{}, F{}, F{});
      try_combo(T{}, T{}, F{}, F{});
    } else if constexpr (K == 5) {
      try_combo(F{}, F{}, F{}, F{}, F{});
      try_combo(T{}, F{}, F{}, F{}, F{});
      try_combo(T{}, T{}, T{}, F{}, F{});
    } else {
      try_combo(F{}, F{}, F{});
      try_combo(T{}, F{}, F{});
      try_combo(F{}, T{}, F{});
      try_combo(F{}, F{}, T{});
      try_combo(T{}, T{}, T{});
      try_combo(F{}, T{}, T{});
    }
    REQUIRE(done);
  };
  dispatch(std::make_index_sequence<K>{});
  return r;
}

// Checks every partial of lpdf (or lcdf, lccdf: then x has none) against fourth-order central
// differences.
template <class Fn>
void check_lpdf_partials(const Eigen::VectorXd& x, const std::vector<Eigen::VectorXd>& args, bool x_continuous = true,
                         double tol = 1e-6, density_fn which = density_fn::lpdf,
                         std::size_t checked_args = static_cast<std::size_t>(-1)) {
  if (which != density_fn::lpdf) x_continuous = false;
  const lpdf_result r = call_lpdf<Fn>(x, args, which);
  auto fd = [](auto&& f, double v) {
    const double h = 1e-4 * std::max(1.0, std::abs(v));
    return (-f(v + 2 * h) + 8 * f(v + h) - 8 * f(v - h) + f(v - 2 * h)) / (12 * h);
  };
  if (x_continuous)
    for (Eigen::Index i = 0; i < x.size(); ++i) {
      const double d = fd(
          [&](double v) {
            Eigen::VectorXd xx = x;
            xx[i] = v;
            return call_lpdf<Fn>(xx, args, which).lp;
          },
          x[i]);
      INFO(Fn::name << ": d/dx[" << i << "]");
      CHECK(r.dx[i] == Approx(d).epsilon(tol).margin(tol));
    }
  // checked_args: only the first arguments (combinators' bounds are constants with no partials).
  for (std::size_t k = 0; k < std::min(args.size(), checked_args); ++k)
    for (Eigen::Index i = 0; i < args[k].size(); ++i) {
      const double d = fd(
          [&](double v) {
            auto aa = args;
            aa[k][i] = v;
            return call_lpdf<Fn>(x, aa, which).lp;
          },
          args[k][i]);
      INFO(Fn::name << ": d/d" << Fn::arg_names[k] << "[" << i << "]");
      CHECK(r.dargs[k][i] == Approx(d).epsilon(tol).margin(tol));
    }
}

inline Eigen::VectorXd vec(std::initializer_list<double> v) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(v.size()));
  Eigen::Index i = 0;
  for (double x : v) out[i++] = x;
  return out;
}

}  // namespace exmc::test
