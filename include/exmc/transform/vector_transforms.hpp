#pragma once
// Transforms of a whole vector: ordered, positive_ordered and the simplex. Beyond the
// element-wise protocol of transforms.hpp they state
//   free_size(n)                 how many unconstrained coordinates n constrained values take
//   check(x, n)                  the first element where x leaves the support, or -1
//   unconstrain(x, u, n)         inverse of constrain, for initial values
// and constrain/chain see the whole vector (the ith output depends on earlier inputs).
#include <cmath>
#include <string>

#include "../core/bounds.hpp"
#include "../expr/node.hpp"  // index_t
#include "cholesky_corr.hpp"
#include "transforms.hpp"

namespace exmc {

// x[0] = u[0] (positive_ordered: exp(u[0])), x[i] = x[i-1] + exp(u[i]): strictly increasing.
template <bool Positive>
struct ordered_transform {
  static constexpr const char* name = Positive ? "positive_ordered" : "ordered";
  static index_t free_size(index_t n) { return n; }
  template <class T>
  double constrain(const T* u, T* x, transform_index n) const {
    double lj = 0;
    bool ok = true;
    for (transform_index i = 0; i < n; ++i) {
      if (i == 0 && !Positive) {
        x[0] = u[0];
        continue;
      }
      ok &= u[i] < math::max_exp_arg<T>;
      x[i] = (i == 0 ? T(0) : x[i - 1]) + std::exp(u[i]);
      lj += static_cast<double>(u[i]);
    }
    return ok ? lj : -math::inf<double>;
  }
  // x[j] depends on u[i] for every j >= i, through exp(u[i]): g[i] = exp(u[i]) sum_{j>=i} adj[j]
  // (+1 from the Jacobian), and g[0] = sum_j adj[j] when x[0] = u[0].
  template <class T>
  void chain(const T* u, const T*, const T* adj, T* g, transform_index n, bool jacobian = true) const {
    T suffix = 0;
    const T dj = jacobian ? T(1) : T(0);
    for (transform_index i = n - 1; i >= 0; --i) {
      suffix += adj[i];
      if (i == 0 && !Positive)
        g[0] = suffix;
      else
        g[i] = std::exp(u[i]) * suffix + dj;
    }
  }
  static transform_index check(const double* x, transform_index n) {
    for (transform_index i = 0; i < n; ++i) {
      if (!std::isfinite(x[i])) return i;
      if (i == 0 ? (Positive && !(x[0] > 0)) : !(x[i] > x[i - 1])) return i;
    }
    return -1;
  }
  static void unconstrain(const double* x, double* u, transform_index n) {
    for (transform_index i = 0; i < n; ++i) u[i] = i == 0 ? (Positive ? std::log(x[0]) : x[0]) : std::log(x[i] - x[i - 1]);
  }
  static const char* support_text() { return Positive ? "positive and strictly increasing" : "strictly increasing"; }
  std::string describe() const {
    return Positive ? "positive_ordered: x[0] = exp(u[0]), x[i] = x[i-1] + exp(u[i])"
                    : "ordered: x[0] = u[0], x[i] = x[i-1] + exp(u[i])";
  }
};
using ordered_tf = ordered_transform<false>;
using positive_ordered_tf = ordered_transform<true>;

// Stick-breaking onto the simplex (x >= 0, sum x = 1) from K - 1 free coordinates:
// z[k] = inv_logit(u[k] - log(K - 1 - k)), x[k] = stick[k] z[k], stick[k + 1] = stick[k] - x[k],
// x[K - 1] = stick[K - 1]. The offsets make u = 0 the uniform simplex point. x (and its adjoint)
// may be strided, `stride` apart: a row of a column-major matrix (stochastic_matrix.hpp).
struct simplex_tf {
  static constexpr const char* name = "simplex";
  static index_t free_size(index_t n) { return n - 1; }
  template <class T>
  double constrain(const T* u, T* x, transform_index n, transform_index stride = 1) const {
    double lj = 0;
    T stick = 1;
    for (transform_index k = 0; k + 1 < n; ++k) {
      const T a = u[k] - static_cast<T>(std::log(static_cast<double>(n - 1 - k)));
      const T z = math::inv_logit(a);
      x[k * stride] = stick * z;
      lj += static_cast<double>(std::log(stick) + math::log_inv_logit(a) + math::log1m_inv_logit(a));
      stick -= x[k * stride];
    }
    x[(n - 1) * stride] = stick;
    return std::isfinite(lj) ? lj : -math::inf<double>;
  }
  // Reverse pass: stick[k] = sum_{j >= k} x[j] is rebuilt from x as a running sum, which is
  // stabler than dividing stick by (1 - z) again.
  template <class T>
  void chain(const T* u, const T* x, const T* adj, T* g, transform_index n, bool jacobian = true,
             transform_index stride = 1) const {
    T a_stick = adj[(n - 1) * stride];  // adjoint of stick[k + 1] while processing k
    T stick_next = x[(n - 1) * stride];
    for (transform_index k = n - 2; k >= 0; --k) {
      const T stick = stick_next + x[k * stride];
      const T z = math::inv_logit(u[k] - static_cast<T>(std::log(static_cast<double>(n - 1 - k))));
      // stick[k+1] = stick (1 - z) and x[k] = stick z
      const T adj_k = adj[k * stride];
      const T a_z = (adj_k - a_stick) * stick;
      T a_stick_k = a_stick * (T(1) - z) + adj_k * z;
      g[k] = a_z * z * (T(1) - z);
      if (jacobian) {
        g[k] += T(1) - T(2) * z;
        a_stick_k += T(1) / stick;
      }
      a_stick = a_stick_k;
      stick_next = stick;
    }
  }
  static transform_index check(const double* x, transform_index n, transform_index stride = 1) {
    double sum = 0;
    for (transform_index i = 0; i < n; ++i) {
      const double xi = x[i * stride];
      if (!(xi > 0) || !std::isfinite(xi)) return i;
      sum += xi;
    }
    return std::abs(sum - 1) < 1e-8 ? -1 : n - 1;
  }
  static void unconstrain(const double* x, double* u, transform_index n, transform_index stride = 1) {
    double stick = 1;
    for (transform_index k = 0; k + 1 < n; ++k) {
      const double z = x[k * stride] / stick;
      u[k] = std::log(z) - std::log1p(-z) + std::log(static_cast<double>(n - 1 - k));
      stick -= x[k * stride];
    }
  }
  static const char* support_text() { return "positive and summing to 1 (a simplex)"; }
  std::string describe() const { return "simplex: stick-breaking from K - 1 free coordinates"; }
};

// The vector protocol for any transform: element-wise transforms get it from their scalar
// functions.
template <class Tf>
index_t free_size(const Tf& tf, index_t n) {
  if constexpr (requires { tf.free_size(n); })
    return tf.free_size(n);
  else
    return n;
}
template <class Tf>
transform_index first_outside(const Tf& tf, const double* x, transform_index n) {
  if constexpr (requires { tf.check(x, n); }) {
    return tf.check(x, n);
  } else {
    for (transform_index i = 0; i < n; ++i)
      if (!tf.in_support(x[i])) return i;
    return -1;
  }
}
template <class Tf>
void unconstrain_all(const Tf& tf, const double* x, double* u, transform_index n) {
  if constexpr (requires { tf.check(x, n); }) {
    tf.unconstrain(x, u, n);
  } else {
    for (transform_index i = 0; i < n; ++i) u[i] = tf.unconstrain(x[i]);
  }
}

// ---- user-given constraints on a parameter -----------------------------------------------
//   param<"p">(normal(0, 1), lower(0.0))             p > 0 (lower/upper/bounds: core/bounds.hpp)
//   param<"c">(normal(0, 5), 4, ordered)             c[0] < c[1] < ...
inline constexpr ordered_tf ordered{};
inline constexpr positive_ordered_tf positive_ordered{};

inline lower_tf to_transform(lower_bound b) { return lower_tf{b.lo}; }
inline upper_tf to_transform(upper_bound b) { return upper_tf{b.hi}; }
inline interval_tf to_transform(interval_bound b) { return interval_tf{b.lo, b.hi}; }

template <class Tf>
concept transform = requires(const Tf& tf, const double* u, double* x, transform_index n) {
  { tf.constrain(u, x, n) } -> std::convertible_to<double>;
  tf.describe();
};

}  // namespace exmc
