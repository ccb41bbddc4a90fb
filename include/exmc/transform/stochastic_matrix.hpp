#pragma once
// A K x K (right) stochastic matrix from K (K - 1) free coordinates: every row on the simplex, as
// the transition matrix of a hidden Markov model (Stan: array[K] simplex[K] Gamma). Values are
// stored column by column like every matrix of the DSL (Gamma[i + j K] = Gamma[i, j]), so row i
// is strided by K; each row is the stick-breaking simplex of vector_transforms.hpp on its own K - 1
// coordinates, u[i (K - 1) .. (i + 1)(K - 1)), and the log-Jacobian is the sum over rows.
#include <cmath>
#include <string>

#include "vector_transforms.hpp"

namespace exmc {

struct stochastic_matrix_tf {
  static constexpr const char* name = "stochastic_matrix";

  // K from the number of constrained values K * K (this also names the values Gamma[i,j]).
  static transform_index matrix_dim(transform_index n) {
    return static_cast<transform_index>(std::lround(std::sqrt(static_cast<double>(n))));
  }
  static transform_index free_size(transform_index n) {
    const transform_index K = matrix_dim(n);
    return K * (K - 1);
  }

  template <class T>
  double constrain(const T* u, T* x, transform_index n) const {
    const transform_index K = matrix_dim(n);
    double lj = 0;
    for (transform_index i = 0; i < K; ++i) lj += simplex_tf{}.constrain(u + i * (K - 1), x + i, K, K);
    return lj;
  }
  template <class T>
  void chain(const T* u, const T* x, const T* adj, T* g, transform_index n, bool jacobian = true) const {
    const transform_index K = matrix_dim(n);
    for (transform_index i = 0; i < K; ++i)
      simplex_tf{}.chain(u + i * (K - 1), x + i, adj + i, g + i * (K - 1), K, jacobian, K);
  }
  // The first value (in storage order) of the first row that is not on the simplex, or -1.
  static transform_index check(const double* x, transform_index n) {
    const transform_index K = matrix_dim(n);
    if (K * K != n) return 0;
    for (transform_index i = 0; i < K; ++i) {
      const transform_index bad = simplex_tf::check(x + i, K, K);
      if (bad >= 0) return i + bad * K;
    }
    return -1;
  }
  static void unconstrain(const double* x, double* u, transform_index n) {
    const transform_index K = matrix_dim(n);
    for (transform_index i = 0; i < K; ++i) simplex_tf::unconstrain(x + i, u + i * (K - 1), K, K);
  }
  static const char* support_text() { return "a stochastic matrix (each row positive and summing to 1)"; }
  std::string describe() const { return "stochastic_matrix: each row stick-breaking from K - 1 free coordinates"; }
};

}  // namespace exmc
