#pragma once
// The ODE dy/dt = f(t, y, args...) coupled with its forward sensitivities, as the solvers see it.
//
// The user's f is a generic C++ callable returning std::array<X, N>:
//   auto f = [](auto t, const auto& y, auto a, const auto& v) { return std::array{-a * y[0], ...}; };
// y arrives as a std::span of the N states; each extra argument as a number when it is a scalar
// and as a std::span when it is a vector. The numbers are doubles or duals (math::dual): calling
// f on duals gives its exact directional derivatives, so the sensitivity equations
//   dS_k/dt = J_y S_k + df/dp_k,   S_k(t0) = dy0/dp_k
// for every direction k (an element of y0 or of an argument that needs a gradient) come from one
// evaluation of f on duals with one tangent per direction, and the Jacobian of the whole coupled
// system, which the stiff solver needs, from one evaluation on nested duals (D101).
//
// Coupled state z (M = N (1 + K) doubles): y, then S_0, S_1, ..., S_{K-1}, N values each.
// The directions are numbered y0's N first (when y0 needs a gradient), then each argument that
// needs one, element by element, in argument order. They are processed W at a time ("chunks"):
// W = K when K is known at compile time (y0 and scalar arguments only), else kChunk (D102).
#include <array>
#include <cstddef>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/error.hpp"
#include "../expr/node.hpp"
#include "../math/dual.hpp"

namespace exmc::ode {

// How an extra argument of f is passed: a scalar or a vector; with or without sensitivities.
template <bool Vec, bool Grad>
struct arg_spec {
  static constexpr bool vec = Vec;
  static constexpr bool grad = Grad;
};

// Directions per dual evaluation when their number is known only at run time (a vector argument
// that needs a gradient); D102 says why (8 was chosen, not tuned by measurement).
inline constexpr int kChunk = 8;

namespace detail {
template <class R>
struct std_array_size : std::integral_constant<int, -1> {};
template <class X, std::size_t N>
struct std_array_size<std::array<X, N>> : std::integral_constant<int, static_cast<int>(N)> {};

// What f receives for an argument passed as numbers of type X.
template <class X, class Spec>
using arg_view_t = std::conditional_t<Spec::vec, std::span<const X>, X>;

// f's result when every number is a double; -1 for N when it is not a std::array.
template <class F, class... Specs>
using primal_result_t =
    std::invoke_result_t<const F&, double, std::span<const double>, arg_view_t<double, Specs>...>;
}  // namespace detail

// Number of states N that f returns, checked once with readable messages.
template <class F, class... Specs>
constexpr int state_count() {
  static_assert(std::is_invocable_v<const F&, double, std::span<const double>, detail::arg_view_t<double, Specs>...>,
                "exmc::ode: the right-hand side must be callable as f(t, y, args...): t a number, y a std::span "
                "of the states, then one argument per extra argument given to the solver (a number for a scalar, "
                "a std::span for a vector), and callable when const (no `mutable` lambda)");
  using R = std::remove_cvref_t<detail::primal_result_t<F, Specs...>>;
  constexpr int n = detail::std_array_size<R>::value;
  static_assert(n >= 1,
                "exmc::ode: the right-hand side must return std::array<T, N> holding dy/dt, one entry per state "
                "(e.g. `return std::array{dy0, dy1};`)");
  return n;
}

template <class F, bool Y0Grad, class... Specs>
class coupled_system {
 public:
  static constexpr int N = state_count<F, Specs...>();
  static constexpr std::size_t A = sizeof...(Specs);
  // Directions known at compile time: those of y0 and of scalar arguments.
  static constexpr bool static_directions = (!(Specs::vec && Specs::grad) && ...);
  static constexpr int static_count = (Y0Grad ? N : 0) + (int(Specs::grad && !Specs::vec) + ... + 0);
  static constexpr bool any_grad = Y0Grad || (Specs::grad || ...);
  static constexpr int W = static_directions ? (static_count > 0 ? static_count : 1) : kChunk;
  using D = math::dual<double, W>;            // one tangent per direction of a chunk
  using J = math::dual<D, N + 1>;             // and one per state and time: the coupled Jacobian
  using J0 = math::dual<double, N + 1>;       // the Jacobian of y alone (no sensitivities)

  // lens: the length of each extra argument (1 for a scalar); with_jacobian: jacobian() will be
  // called (the stiff solver), so the arguments' nested duals are kept too.
  coupled_system(const F& f, const std::array<index_t, A>& lens, bool with_jacobian) : f_(f), lens_(lens) {
    static_assert(std::is_invocable_v<const F&, double, std::span<const D>, detail::arg_view_t<D, Specs>...>,
                  "exmc::ode: the right-hand side must be generic in its number type (take `auto` or template "
                  "arguments) so that it can be differentiated with dual numbers");
    K_ = Y0Grad ? N : 0;
    for (std::size_t j = 0; j < A; ++j) {
      col_[j] = grads_[j] ? K_ : -1;
      if (grads_[j]) K_ += lens_[j];
    }
    chunks_ = K_ == 0 ? 0 : static_cast<int>((K_ + W - 1) / W);
    for (std::size_t j = 0; j < A; ++j) {
      args_[j].val.assign(static_cast<std::size_t>(lens_[j]), 0.0);
      if (grads_[j]) {
        args_[j].d1.assign(static_cast<std::size_t>(chunks_ * lens_[j]), D{});
        if (with_jacobian) args_[j].d2.assign(static_cast<std::size_t>(chunks_ * lens_[j]), J{});
      }
    }
  }

  const F& function() const { return f_; }
  const std::array<index_t, A>& lengths() const { return lens_; }
  index_t directions() const { return K_; }
  index_t coupled_size() const { return index_t{N} * (1 + K_); }

  // Sets the arguments' values (each lens[j] doubles) for the solves that follow: their duals,
  // whose tangents mark each argument's own directions, are built here once per solve.
  void set_arguments(const std::array<const double*, A>& values) {
    for (std::size_t j = 0; j < A; ++j) {
      auto& b = args_[j];
      for (index_t e = 0; e < lens_[j]; ++e) b.val[static_cast<std::size_t>(e)] = values[j][e];
      if (!grads_[j]) continue;
      for (int c = 0; c < chunks_; ++c)
        for (index_t e = 0; e < lens_[j]; ++e) {
          D d(b.val[static_cast<std::size_t>(e)]);
          const index_t w = col_[j] + e - index_t{c} * W;
          if (w >= 0 && w < W) d.d[static_cast<std::size_t>(w)] = 1.0;
          const auto at = static_cast<std::size_t>(c * lens_[j] + e);
          b.d1[at] = d;
          if (!b.d2.empty()) b.d2[at] = J(d);
        }
    }
  }

  // The coupled state at t0: y0, then S(t0) = [I | 0] for y0's directions and 0 for the others.
  void initial_state(const double* y0, double* z) const {
    const index_t M = coupled_size();
    for (index_t i = 0; i < M; ++i) z[i] = 0.0;
    for (int i = 0; i < N; ++i) z[i] = y0[i];
    if constexpr (Y0Grad)
      for (int i = 0; i < N; ++i) z[N + i * N + i] = 1.0;
  }

  // dz/dt at (z, t).
  void rhs(const double* z, double* dz, double t) const {
    if (K_ == 0) {
      const auto r = call<level::values>(t, std::span<const double>(z, N), 0);
      for (int i = 0; i < N; ++i) dz[i] = static_cast<double>(r[static_cast<std::size_t>(i)]);
      return;
    }
    for (int c = 0; c < chunks_; ++c) {
      for (int i = 0; i < N; ++i) {
        D& yi = yd_[static_cast<std::size_t>(i)];
        yi.v = z[i];
        for (int w = 0; w < W; ++w) {
          const index_t k = index_t{c} * W + w;
          yi.d[static_cast<std::size_t>(w)] = k < K_ ? z[N + k * N + i] : 0.0;
        }
      }
      const auto r = call<level::sensitivities>(t, std::span<const D>(yd_.data(), N), c);
      for (int i = 0; i < N; ++i) {
        const D ri = r[static_cast<std::size_t>(i)];
        if (c == 0) dz[i] = ri.v;
        for (int w = 0; w < W; ++w) {
          const index_t k = index_t{c} * W + w;
          if (k < K_) dz[N + k * N + i] = ri.d[static_cast<std::size_t>(w)];
        }
      }
    }
  }

  // The Jacobian of dz/dt in z, by blocks, and dz/dt's partial derivative in t (M values). It is
  // block lower triangular: y's rows depend on y alone (Jy = df/dy, N x N); the rows of S_k on y
  // (H_k, N x N, second derivatives of f: column block k of H, N x NK) and on S_k alone, again
  // through Jy. One evaluation of f on nested duals per chunk gives all of it.
  template <class MJ, class MH>
  void jacobian(const double* z, double t, MJ& Jy, MH& H, double* dfdt) const {
    if (K_ == 0) {
      for (int i = 0; i < N; ++i) y0d_[static_cast<std::size_t>(i)] = J0::variable(z[i], i);
      const auto r = call<level::jacobian>(J0::variable(t, N), std::span<const J0>(y0d_.data(), N), 0);
      for (int i = 0; i < N; ++i) {
        const J0 ri = r[static_cast<std::size_t>(i)];
        for (int j = 0; j < N; ++j) Jy(i, j) = ri.d[static_cast<std::size_t>(j)];
        dfdt[i] = ri.d[N];
      }
      return;
    }
    for (int c = 0; c < chunks_; ++c) {
      for (int i = 0; i < N; ++i) {
        D inner(z[i]);
        for (int w = 0; w < W; ++w) {
          const index_t k = index_t{c} * W + w;
          inner.d[static_cast<std::size_t>(w)] = k < K_ ? z[N + k * N + i] : 0.0;
        }
        J& yi = yj_[static_cast<std::size_t>(i)];
        yi = J(inner);
        yi.d[static_cast<std::size_t>(i)] = D(1.0);
      }
      J tj{D(t)};
      tj.d[N] = D(1.0);
      const auto r = call<level::coupled_jacobian>(tj, std::span<const J>(yj_.data(), N), c);
      for (int i = 0; i < N; ++i) {
        const J ri = r[static_cast<std::size_t>(i)];
        if (c == 0) {
          for (int j = 0; j < N; ++j) Jy(i, j) = ri.d[static_cast<std::size_t>(j)].v;
          dfdt[i] = ri.d[N].v;
        }
        for (int w = 0; w < W; ++w) {
          const index_t k = index_t{c} * W + w;
          if (k >= K_) break;
          const auto sw = static_cast<std::size_t>(w);
          for (int j = 0; j < N; ++j) H(i, k * N + j) = ri.d[static_cast<std::size_t>(j)].d[sw];
          dfdt[N + k * N + i] = ri.d[N].d[sw];
        }
      }
    }
  }

 private:
  struct arg_buffers {
    std::vector<double> val;  // values
    std::vector<D> d1;        // per chunk: values with their directions' tangents (gradient only)
    std::vector<J> d2;        // the same one level down, for the coupled Jacobian
  };

  // What f receives for argument Jx in chunk c at each level of differentiation: numbers for the
  // values and for y's Jacobian alone; duals with the chunk's tangents for the sensitivities;
  // those one level down for the coupled Jacobian. (A level, not y's type, decides: D and J0
  // are the same type when W = N + 1.)
  enum class level { values, sensitivities, coupled_jacobian, jacobian };
  template <level L, std::size_t Jx>
  auto view(int c) const {
    using S = std::tuple_element_t<Jx, std::tuple<Specs...>>;
    const arg_buffers& b = args_[Jx];
    const index_t n = lens_[Jx];
    if constexpr (!S::grad || L == level::values || L == level::jacobian) {
      if constexpr (S::vec)
        return std::span<const double>(b.val.data(), static_cast<std::size_t>(n));
      else
        return b.val[0];
    } else if constexpr (L == level::sensitivities) {
      if constexpr (S::vec)
        return std::span<const D>(b.d1.data() + c * n, static_cast<std::size_t>(n));
      else
        return b.d1[static_cast<std::size_t>(c)];
    } else {
      if constexpr (S::vec)
        return std::span<const J>(b.d2.data() + c * n, static_cast<std::size_t>(n));
      else
        return b.d2[static_cast<std::size_t>(c)];
    }
  }

  template <level L, class Tm, class Y>
  auto call(const Tm& t, std::span<const Y> y, int c) const {
    return [&]<std::size_t... Jx>(std::index_sequence<Jx...>) {
      return f_(t, y, view<L, Jx>(c)...);
    }(std::index_sequence_for<Specs...>{});
  }

  static constexpr std::array<bool, A> grads_{Specs::grad...};

  F f_;
  std::array<index_t, A> lens_;
  std::array<index_t, A> col_{};  // first direction of each argument, -1 without a gradient
  index_t K_ = 0;
  int chunks_ = 0;
  std::array<arg_buffers, A> args_;
  mutable std::array<D, N> yd_{};
  mutable std::array<J, N> yj_{};
  mutable std::array<J0, N> y0d_{};
};

}  // namespace exmc::ode
