#pragma once
// Multivariate normal. The variate is one K-vector (a parameter of size K) or N of them
// (observed data given as an N x K matrix, one row per observation). mu is a K-vector
// (parameter or data) or one number for every coordinate.
//   mv_normal_cholesky(mu, L)   L the lower Cholesky factor of the covariance: an Eigen matrix
//                               (data), or an expression of K * K values column by column (a
//                               parameter, such as diag_pre_multiply(tau, L_Omega))
//   mv_normal(mu, Sigma)        Sigma an Eigen matrix (data, factored once when the model is
//                               built), or an expression of K * K values column by column (a
//                               parameter covariance, a Gaussian-process kernel), factored on
//                               every evaluation
// With data or a Cholesky factor each evaluation costs two triangular solves per K-vector; a
// parameter covariance adds its factorisation and inverse (K^3). Only the lower triangle of L is
// read (the upper one gets no partials); a covariance expression is read through its symmetric
// part (Sigma + Sigma^T) / 2, so a slightly asymmetric one (rounding) is still a covariance.
// Stan: multi_normal, multi_normal_cholesky; PyMC: MvNormal.
#include <Eigen/Cholesky>
#include <array>
#include <cmath>
#include <span>
#include <vector>

#include "dist.hpp"

namespace exmc {

namespace detail {
// Scratch memory for dense-matrix families, one buffer per thread and slot, grown as needed and
// kept: after the first evaluation of a model no evaluation allocates, whatever K is.
template <class T, int Slot>
T* mv_scratch(index_t size) {
  thread_local std::vector<T> buf;
  if (static_cast<index_t>(buf.size()) < size) buf.resize(static_cast<std::size_t>(size));
  return buf.data();
}
template <class T>
using mv_matrix = Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>>;
template <class T>
using mv_vector = Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, 1>>;

inline index_t square_dim(index_t n) {
  return static_cast<index_t>(std::lround(std::sqrt(static_cast<double>(n))));
}
}  // namespace detail

struct mv_normal_fn {
  static constexpr const char* name = "mv_normal";
  static constexpr std::array<const char*, 2> arg_names{"mu", "L"};
  static constexpr std::array<domain, 2> domains{domain::real, domain::real};
  static constexpr std::array<bool, 2> whole{true, true};
  static constexpr support_kind support = support_kind::real;
  static constexpr bool elementwise = false;
  static constexpr bool discrete = false;
  static bool in_support(double x) { return std::isfinite(x); }

  template <class X, class M, class L>
  static double lpdf(index_t n, X& x, M& mu, L& chol) {
    if constexpr (!L::is_vec) {
      return -math::inf<double>;  // not a matrix: only reachable by calling the family directly
    } else {
      return lpdf_blocks(n, x, mu, chol);
    }
  }

  // What both forms share. For each K-vector b: z = L^-1 (x_b - mu), w = L^-T z (= Sigma^-1
  // (x_b - mu)); returns sum_b -z.z / 2, adds d/dx = -w and d/dmu = w, and hands (w, z) to
  // on_block for the factor's or the covariance's partials. The log-determinant is the caller's.
  template <class X, class M, class Tri, class OnBlock>
  static double quadratic_terms(index_t n, index_t K, X& x, M& mu, const Tri& tri, OnBlock&& on_block) {
    using T = typename Tri::Scalar;
    detail::mv_vector<T> w(detail::mv_scratch<T, 0>(K), K), z(detail::mv_scratch<T, 1>(K), K);
    double lp = 0;
    for (index_t b = 0; b < n / K; ++b) {
      for (index_t k = 0; k < K; ++k) w[k] = static_cast<T>(x.val(b * K + k)) - mu.val(k);
      tri.solveInPlace(w);
      lp -= 0.5 * static_cast<double>(w.squaredNorm());
      z = w;
      tri.transpose().solveInPlace(w);
      for (index_t k = 0; k < K; ++k) {
        if constexpr (X::grad) x.add(b * K + k, -w[k]);
        if constexpr (M::grad) mu.add(k, w[k]);
      }
      on_block(w, z);
    }
    return lp;
  }

  // Per K-vector b: z = L^-1 (x_b - mu), w = L^-T z = Sigma^-1 (x_b - mu);
  // lp = -z.z / 2 - sum log L_kk - K log sqrt(2 pi); d/dx = -w, d/dmu = w,
  // d/dL = lower(w z^T) - diag(1 / L_kk).
  template <class X, class M, class L>
  static double lpdf_blocks(index_t n, X& x, M& mu, L& chol) {
    using T = decltype(chol.val(0));
    const index_t K = detail::square_dim(chol.size);
    if (K * K != chol.size || n % K != 0) return -math::inf<double>;
    if constexpr (M::is_vec)
      if (mu.size != K) return -math::inf<double>;
    const Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>> Lm(chol.v, K, K);
    if constexpr (L::grad)  // data factors were checked when the model was built
      for (index_t k = 0; k < K; ++k)
        if (!(Lm(k, k) > T(0))) return -math::inf<double>;
    const auto tri = Lm.template triangularView<Eigen::Lower>();
    const double lp = quadratic_terms(n, K, x, mu, tri, [&](const auto& w, const auto& z) {
      if constexpr (L::grad)
        for (index_t j = 0; j < K; ++j)
          for (index_t i = j; i < K; ++i) chol.add(i + j * K, w[i] * z[j]);
    });
    const T blocks = static_cast<T>(n / K);
    double log_det_half = 0;
    for (index_t k = 0; k < K; ++k) {
      log_det_half += std::log(static_cast<double>(Lm(k, k)));
      if constexpr (L::grad) chol.add(k + k * K, -blocks / Lm(k, k));
    }
    return lp - static_cast<double>(n / K) * (log_det_half + static_cast<double>(K) * math::log_sqrt_two_pi);
  }

  template <class = void>  // instantiated only when called (D72)
  static void generate(rng& g, index_t n, double* out, std::span<const double> mu, std::span<const double> chol) {
    const index_t K = detail::square_dim(static_cast<index_t>(chol.size()));
    const Eigen::Map<const Eigen::MatrixXd> Lm(chol.data(), K, K);
    Eigen::VectorXd z(K);
    for (index_t b = 0; b < n / K; ++b) {
      for (auto& v : z) v = g.normal();
      const Eigen::VectorXd y = Lm.triangularView<Eigen::Lower>() * z;
      for (index_t k = 0; k < K; ++k) out[b * K + k] = y[k] + mu[mu.size() == 1 ? 0 : static_cast<std::size_t>(k)];
    }
  }
  template <class = void>  // instantiated only when called (D72)
  static void generate(rng& g, index_t n, double* out, double mu, std::span<const double> chol) {
    generate(g, n, out, std::span<const double>(&mu, 1), chol);
  }
};

// mv_normal with a covariance that is an expression (a parameter): the symmetric part S of Sigma
// is factored on every evaluation. Per K-vector, w = S^-1 (x_b - mu):
//   lp = -(x_b - mu).w / 2 - log det(S) / 2 - K log sqrt(2 pi);  d/dSigma = (w w^T - S^-1) / 2.
// A covariance that is not positive definite gives -inf (a rejected step).
struct mv_normal_cov_fn {
  static constexpr const char* name = "mv_normal";
  static constexpr std::array<const char*, 2> arg_names{"mu", "Sigma"};
  static constexpr std::array<domain, 2> domains{domain::real, domain::real};
  static constexpr std::array<bool, 2> whole{true, true};
  static constexpr support_kind support = support_kind::real;
  static constexpr bool elementwise = false;
  static constexpr bool discrete = false;
  static bool in_support(double x) { return std::isfinite(x); }

  template <class X, class M, class S>
  static double lpdf(index_t n, X& x, M& mu, S& sigma) {
    if constexpr (!S::is_vec) {
      return -math::inf<double>;
    } else {
      using T = decltype(sigma.val(0));
      const index_t K = detail::square_dim(sigma.size);
      if (K * K != sigma.size || n % K != 0) return -math::inf<double>;
      if constexpr (M::is_vec)
        if (mu.size != K) return -math::inf<double>;
      detail::mv_matrix<T> Lm(detail::mv_scratch<T, 2>(K * K), K, K);
      for (index_t j = 0; j < K; ++j)
        for (index_t i = j; i < K; ++i) Lm(i, j) = T(0.5) * (sigma.val(i + j * K) + sigma.val(j + i * K));
      if (!cholesky_in_place(Lm)) return -math::inf<double>;
      const auto tri = Lm.template triangularView<Eigen::Lower>();
      constexpr bool sigma_grad = S::grad;
      // Accumulates sum_b w_b w_b^T (lower triangle) for the covariance's partials.
      detail::mv_matrix<T> W(detail::mv_scratch<T, 3>(sigma_grad ? K * K : 0), sigma_grad ? K : 0, sigma_grad ? K : 0);
      if constexpr (sigma_grad) W.setZero();
      const double lp = mv_normal_fn::quadratic_terms(n, K, x, mu, tri, [&](const auto& w, const auto&) {
        if constexpr (sigma_grad)
          for (index_t j = 0; j < K; ++j)
            for (index_t i = j; i < K; ++i) W(i, j) += w[i] * w[j];
      });
      double log_det_half = 0;
      for (index_t k = 0; k < K; ++k) log_det_half += std::log(static_cast<double>(Lm(k, k)));
      if constexpr (sigma_grad) {
        // S^-1 column by column from the factor, K values at a time.
        const T blocks = static_cast<T>(n / K);
        detail::mv_vector<T> r(detail::mv_scratch<T, 0>(K), K);
        for (index_t j = 0; j < K; ++j) {
          r.setZero();
          r[j] = T(1);
          tri.solveInPlace(r);
          tri.transpose().solveInPlace(r);  // column j of S^-1
          for (index_t i = j; i < K; ++i) {
            const T d = T(0.5) * (W(i, j) - blocks * r[i]);
            if (i == j) {
              sigma.add(i + j * K, d);
            } else {  // S_ij = (Sigma_ij + Sigma_ji) / 2 and d/dS is symmetric: both get d
              sigma.add(i + j * K, d);
              sigma.add(j + i * K, d);
            }
          }
        }
      }
      return lp - static_cast<double>(n / K) * (log_det_half + static_cast<double>(K) * math::log_sqrt_two_pi);
    }
  }

  // Lower Cholesky factor in place (the upper triangle is left alone); false unless positive
  // definite. A plain loop: allocation-free and the same in float and double.
  template <class Mat>
  static bool cholesky_in_place(Mat& A) {
    using T = typename Mat::Scalar;
    const index_t K = A.rows();
    for (index_t j = 0; j < K; ++j) {
      T d = A(j, j);
      for (index_t k = 0; k < j; ++k) d -= A(j, k) * A(j, k);
      if (!(d > T(0)) || !std::isfinite(d)) return false;
      const T ljj = std::sqrt(d);
      A(j, j) = ljj;
      for (index_t i = j + 1; i < K; ++i) {
        T v = A(i, j);
        for (index_t k = 0; k < j; ++k) v -= A(i, k) * A(j, k);
        A(i, j) = v / ljj;
      }
    }
    return true;
  }

  template <class = void>  // instantiated only when called (D72)
  static void generate(rng& g, index_t n, double* out, std::span<const double> mu, std::span<const double> sigma) {
    const index_t K = detail::square_dim(static_cast<index_t>(sigma.size()));
    Eigen::MatrixXd S(K, K);
    for (index_t j = 0; j < K; ++j)
      for (index_t i = 0; i < K; ++i) S(i, j) = 0.5 * (sigma[static_cast<std::size_t>(i + j * K)] + sigma[static_cast<std::size_t>(j + i * K)]);
    const Eigen::LLT<Eigen::MatrixXd> llt(S);
    if (llt.info() != Eigen::Success) throw sampling_error("mv_normal: the covariance is not positive definite");
    const Eigen::MatrixXd L = llt.matrixL();
    mv_normal_fn::generate(g, n, out, mu, std::span<const double>(L.data(), static_cast<std::size_t>(L.size())));
  }
  template <class = void>  // instantiated only when called (D72)
  static void generate(rng& g, index_t n, double* out, double mu, std::span<const double> sigma) {
    generate(g, n, out, std::span<const double>(&mu, 1), sigma);
  }
};

namespace detail {
template <class = void>  // instantiated only when called (D72)
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

// L (K * K values, column by column) or Sigma given as an expression of parameters.
template <class M, symbolic L>
auto mv_normal_cholesky(M&& mu, L&& chol) {
  return make_dist<mv_normal_fn>(std::forward<M>(mu), std::forward<L>(chol));
}
template <class M, symbolic S>
auto mv_normal(M&& mu, S&& sigma) {
  return make_dist<mv_normal_cov_fn>(std::forward<M>(mu), std::forward<S>(sigma));
}

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
