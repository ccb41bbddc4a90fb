#pragma once
// mv_normal(mu, Sigma) and mv_normal_cholesky(mu, L): multivariate normal with a known
// covariance (data). The variate is one K-vector (a parameter of size K) or N of them (observed
// data given as an N x K matrix, one row per observation). mu is a K-vector (parameter or data)
// or one number for every coordinate. Sigma is factored once, when the model is built; each
// evaluation costs two triangular solves per K-vector.
// Stan: multi_normal, multi_normal_cholesky; PyMC: MvNormal.
#include <Eigen/Cholesky>
#include <array>
#include <cmath>
#include <span>

#include "dist.hpp"

namespace exmc {

struct mv_normal_fn {
  static constexpr const char* name = "mv_normal";
  static constexpr std::array<const char*, 2> arg_names{"mu", "L"};
  static constexpr std::array<domain, 2> domains{domain::real, domain::real};
  static constexpr std::array<bool, 2> whole{true, true};
  static constexpr support_kind support = support_kind::real;
  static constexpr bool elementwise = false;
  static constexpr bool discrete = false;
  static bool in_support(double x) { return std::isfinite(x); }

  // The factories always pass L as data (factored when the model is built), so L gets no partial.
  template <class X, class M, class L>
  static double lpdf(index_t n, X& x, M& mu, L& chol) {
    if constexpr (!L::is_vec) {
      return -math::inf<double>;  // not a matrix: only reachable by calling the family directly
    } else {
      return lpdf_blocks(n, x, mu, chol);
    }
  }

  template <class X, class M, class L>
  static double lpdf_blocks(index_t n, X& x, M& mu, L& chol) {
    using T = decltype(chol.val(0));
    const auto K = static_cast<index_t>(std::lround(std::sqrt(static_cast<double>(chol.size))));
    if (K * K != chol.size || n % K != 0) return -math::inf<double>;
    if constexpr (M::is_vec)
      if (mu.size != K) return -math::inf<double>;
    const Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>> Lm(chol.v, K, K);
    const auto tri = Lm.template triangularView<Eigen::Lower>();
    double lp = 0;
    // A small fixed buffer keeps the evaluation allocation-free for K <= 64.
    Eigen::Matrix<T, Eigen::Dynamic, 1, 0, 64, 1> r(K);
    for (index_t b = 0; b < n / K; ++b) {
      for (index_t k = 0; k < K; ++k) r[k] = static_cast<T>(x.val(b * K + k)) - mu.val(k);
      tri.solveInPlace(r);                  // z = L^-1 (x - mu)
      lp -= 0.5 * static_cast<double>(r.squaredNorm());
      tri.transpose().solveInPlace(r);      // w = L^-T z = Sigma^-1 (x - mu)
      for (index_t k = 0; k < K; ++k) {
        if constexpr (X::grad) x.add(b * K + k, -r[k]);
        if constexpr (M::grad) mu.add(k, r[k]);
      }
    }
    double log_det_half = 0;
    for (index_t k = 0; k < K; ++k) log_det_half += std::log(static_cast<double>(Lm(k, k)));
    return lp - static_cast<double>(n / K) * (log_det_half + static_cast<double>(K) * math::log_sqrt_two_pi);
  }

  static void generate(rng& g, index_t n, double* out, std::span<const double> mu, std::span<const double> chol) {
    const auto K = static_cast<index_t>(std::lround(std::sqrt(static_cast<double>(chol.size()))));
    const Eigen::Map<const Eigen::MatrixXd> Lm(chol.data(), K, K);
    Eigen::VectorXd z(K);
    for (index_t b = 0; b < n / K; ++b) {
      for (auto& v : z) v = g.normal();
      const Eigen::VectorXd y = Lm.triangularView<Eigen::Lower>() * z;
      for (index_t k = 0; k < K; ++k) out[b * K + k] = y[k] + mu[mu.size() == 1 ? 0 : static_cast<std::size_t>(k)];
    }
  }
  static void generate(rng& g, index_t n, double* out, double mu, std::span<const double> chol) {
    generate(g, n, out, std::span<const double>(&mu, 1), chol);
  }
};

namespace detail {
inline Eigen::VectorXd flatten_cholesky(const Eigen::MatrixXd& L, const char* who) {
  if (L.rows() != L.cols() || L.rows() < 1)
    throw model_error(
        str_cat({who, ": the matrix must be square, got ", std::to_string(L.rows()), " x ", std::to_string(L.cols())}));
  for (Eigen::Index k = 0; k < L.rows(); ++k)
    if (!(L(k, k) > 0) || !std::isfinite(L(k, k)))
      throw model_error(str_cat({who, ": the Cholesky factor needs a positive diagonal (element ", std::to_string(k),
                                 " is ", std::to_string(L(k, k)), ")"}));
  Eigen::MatrixXd lower = L.triangularView<Eigen::Lower>();
  return Eigen::Map<const Eigen::VectorXd>(lower.data(), lower.size());
}
}  // namespace detail

template <class M>
auto mv_normal_cholesky(M&& mu, const Eigen::MatrixXd& L) {
  return make_dist<mv_normal_fn>(std::forward<M>(mu), detail::flatten_cholesky(L, "mv_normal_cholesky"));
}
template <class M>
auto mv_normal(M&& mu, const Eigen::MatrixXd& Sigma) {
  if (Sigma.rows() != Sigma.cols()) throw model_error(str_cat({"mv_normal: the covariance must be square, got ", std::to_string(Sigma.rows()), " x ",
                               std::to_string(Sigma.cols())}));
  if (!Sigma.isApprox(Sigma.transpose(), 1e-12)) throw model_error("mv_normal: the covariance is not symmetric");
  const Eigen::LLT<Eigen::MatrixXd> llt(Sigma);
  if (llt.info() != Eigen::Success) throw model_error("mv_normal: the covariance is not positive definite");
  return make_dist<mv_normal_fn>(std::forward<M>(mu), detail::flatten_cholesky(llt.matrixL(), "mv_normal"));
}

}  // namespace exmc
