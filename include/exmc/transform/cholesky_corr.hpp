#pragma once
// The Cholesky factor of a K x K correlation matrix from K(K-1)/2 free coordinates (the prior
// lkj_corr_cholesky picks it). Values are the whole K x K factor L stored column by column
// (Eigen's and Stan's order), upper triangle zero, so n = K * K constrained values.
//
// Row i of L is built from the canonical partial correlations z_j = tanh(u_ij), j < i:
//   L[i, j] = z_j sqrt(rem_j),   rem_0 = 1,   rem_{j+1} = rem_j (1 - z_j^2),   L[i, i] = sqrt(rem_i)
// so every row has unit length and a positive diagonal. The remainders are kept as products of
// 1 - z^2 = 1 / cosh(u)^2, never as 1 - sum of squares, which cancels near the boundary.
// log |dL/du| per row is sum_j (1 + (i - 1 - j) / 2) log(1 - z_j^2): each L[i, j] is z_j times a
// factor fixed by the earlier entries of the row, so the Jacobian is triangular, its diagonal
// is sqrt(rem_j) (1 - z_j^2), and log rem_j is a sum of the earlier log(1 - z^2).
#include <algorithm>
#include <cmath>
#include <string>

#include "../core/error.hpp"
#include "../math/functions.hpp"
#include "transforms.hpp"

namespace exmc {

struct cholesky_corr_tf {
  static constexpr const char* name = "cholesky_corr";

  // K from the number of constrained values K * K.
  static transform_index matrix_dim(transform_index n) { return static_cast<transform_index>(std::lround(std::sqrt(static_cast<double>(n)))); }
  static transform_index free_size(transform_index n) {
    const transform_index K = matrix_dim(n);
    return K * (K - 1) / 2;
  }

  template <class T>
  double constrain(const T* u, T* x, transform_index n) const {
    const transform_index K = matrix_dim(n);
    std::fill(x, x + n, T(0));
    x[0] = T(1);
    double lj = 0;
    const T* y = u;
    for (transform_index i = 1; i < K; ++i, y += i - 1) {
      T rem = 1;
      for (transform_index j = 0; j < i; ++j) {
        const T ch = std::cosh(y[j]);
        x[i + j * K] = std::tanh(y[j]) * std::sqrt(rem);
        rem *= T(1) / (ch * ch);  // 0 once cosh overflows: L[i, i] = 0, which the density rejects
        lj -= (2.0 + static_cast<double>(i - 1 - j)) * log_cosh(static_cast<double>(y[j]));
      }
      x[i + i * K] = std::sqrt(rem);
    }
    return std::isfinite(lj) ? lj : -math::inf<double>;
  }

  // With a_ij the adjoint of L[i, j] and S_m = sum_{j = m+1..i} a_ij L[i, j] (diagonal included):
  //   d/du_m = a_im sqrt(rem_m) (1 - z_m^2) - z_m S_m,  and the Jacobian adds -z_m (i + 1 - m).
  // S needs the entries after m and rem the ones before, so a row takes a backward and a
  // forward sweep; no scratch memory.
  template <class T>
  void chain(const T* u, const T* x, const T* adj, T* g, transform_index n, bool jacobian = true) const {
    const transform_index K = matrix_dim(n);
    const T* y = u;
    T* gy = g;
    for (transform_index i = 1; i < K; ++i, y += i - 1, gy += i - 1) {
      T S = adj[i + i * K] * x[i + i * K];
      for (transform_index m = i - 1; m >= 0; --m) {
        const T z = std::tanh(y[m]);
        gy[m] = -z * S;
        if (jacobian) gy[m] -= z * static_cast<T>(i + 1 - m);
        S += adj[i + m * K] * x[i + m * K];
      }
      T rem = 1;
      for (transform_index m = 0; m < i; ++m) {
        const T ch = std::cosh(y[m]);
        const T w = T(1) / (ch * ch);
        gy[m] += adj[i + m * K] * std::sqrt(rem) * w;
        rem *= w;
      }
    }
  }

  // The first element where x is not such a factor (upper triangle zero, positive diagonal,
  // rows of unit length), or -1.
  static transform_index check(const double* x, transform_index n) {
    const transform_index K = matrix_dim(n);
    if (K * K != n) return 0;
    for (transform_index i = 0; i < K; ++i) {
      double norm2 = 0;
      for (transform_index j = 0; j < K; ++j) {
        const double v = x[i + j * K];
        if (!std::isfinite(v) || (j > i && std::abs(v) > 1e-10) || (j == i && !(v > 0))) return i + j * K;
        if (j <= i) norm2 += v * v;
      }
      if (std::abs(norm2 - 1) > 1e-8) return i + i * K;
    }
    return -1;
  }

  static void unconstrain(const double* x, double* u, transform_index n) {
    const transform_index K = matrix_dim(n);
    double* y = u;
    for (transform_index i = 1; i < K; ++i, y += i - 1) {
      double rem = 1;
      for (transform_index j = 0; j < i; ++j) {
        const double bound = std::nextafter(1.0, 0.0);
        const double z = std::clamp(x[i + j * K] / std::sqrt(rem), -bound, bound);
        y[j] = std::atanh(z);
        rem *= (1 - z) * (1 + z);
      }
    }
  }

  static const char* support_text() {
    return "the Cholesky factor of a correlation matrix (lower triangular, positive diagonal, rows of length 1)";
  }
  std::string describe() const {
    return "cholesky_corr: K x K Cholesky factor of a correlation matrix from K(K-1)/2 free coordinates";
  }

 private:
  // log(cosh(y)) without overflow.
  static double log_cosh(double y) {
    const double a = std::abs(y);
    return a + std::log1p(std::exp(-2 * a)) - math::log_two;
  }
};

}  // namespace exmc
