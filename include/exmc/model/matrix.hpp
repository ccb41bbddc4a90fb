#pragma once
// Matrix-shaped helpers over the flattened (column by column) values the DSL works on.
//   diag_pre_multiply(tau, L)   diag(tau) * L for a K x K matrix parameter L (a Cholesky factor
//                               of a correlation matrix) and K scales tau (a parameter vector,
//                               one scale parameter, or data): the Cholesky factor of the
//                               covariance diag(tau) R diag(tau), for mv_normal_cholesky.
//   flatten(M)                  an Eigen matrix as the K * K vector expressions combine with
//                               (a distance matrix for a Gaussian-process kernel, say)
#include <Eigen/Core>
#include <cmath>
#include <type_traits>

#include "declarations.hpp"

namespace exmc {

namespace detail {
template <class D>
struct is_param_decl : std::false_type {};
template <fixed_string Name, class Dist, bool Vec, class Tf>
struct is_param_decl<param_decl<Name, Dist, Vec, Tf>> : std::true_type {};

// Row index of each value of a K x K matrix stored column by column.
inline Eigen::VectorXi row_of_each_value(index_t K) {
  Eigen::VectorXi rows(K * K);
  for (index_t j = 0; j < K; ++j)
    for (index_t i = 0; i < K; ++i) rows[i + j * K] = static_cast<int>(i);
  return rows;
}
}  // namespace detail

template <class Tau, class L>
auto diag_pre_multiply(const Tau& tau, const L& chol) {
  static_assert(detail::is_param_decl<L>::value && requires { chol.tf.matrix_dim(index_t{1}); },
                "exmc::diag_pre_multiply: L must be a matrix parameter, such as "
                "param<\"L\">(lkj_corr_cholesky(eta), K)");
  const index_t K = chol.tf.matrix_dim(chol.n);
  const auto mismatch = [&](index_t got) {
    return model_error(str_cat({"diag_pre_multiply: '", L::name, "' is ", std::to_string(K), " x ", std::to_string(K),
                                " but the scales have ", std::to_string(got), " elements"}));
  };
  if constexpr (std::is_base_of_v<Eigen::EigenBase<Tau>, Tau>) {
    if (tau.size() != K) throw mismatch(tau.size());
    const Eigen::VectorXd scales = tau.template cast<double>();
    return as_expr(Eigen::VectorXd(scales(detail::row_of_each_value(K)))) * chol;
  } else {
    static_assert(detail::is_param_decl<Tau>::value,
                  "exmc::diag_pre_multiply: tau must be a parameter (a vector of K scales, or one) or an Eigen vector");
    if constexpr (Tau::vec) {
      if (tau.n != K) throw mismatch(tau.n);
      return tau[detail::row_of_each_value(K)] * chol;
    } else {
      return tau * chol;
    }
  }
}

// The values of a matrix column by column, as data in expressions.
inline Eigen::VectorXd flatten(const Eigen::MatrixXd& m) { return Eigen::Map<const Eigen::VectorXd>(m.data(), m.size()); }

}  // namespace exmc
