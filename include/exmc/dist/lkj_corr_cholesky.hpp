#pragma once
// lkj_corr_cholesky(eta): the LKJ distribution of a K x K correlation matrix R = L L^T,
// p(R) proportional to det(R)^(eta - 1), stated on its Cholesky factor L. The variate is L, all
// K * K values column by column (upper triangle zero); a parameter with this prior is declared
// with its dimension K, as in Stan's cholesky_factor_corr[K]:
//   auto L = param<"L_Omega">(lkj_corr_cholesky(2.0), 3);    // 3 x 3, values L_Omega[i,j]
// and sampled through the Cholesky-correlation transform (transform/cholesky_corr.hpp).
//
// Density on the strictly lower entries of L (R -> L has Jacobian prod_k L_kk^(K-k), 1-based):
//   log p(L) = sum_{k=2..K} (K - k + 2 eta - 2) log L_kk - log c_K(eta)
//   log c_K(eta) = sum_{m=1..K-1} m [ (2 eta - 2 + m) log 2 + log B(b_m, b_m) ],  b_m = eta + (m-1)/2
// (Lewandowski, Kurowicka and Joe 2009, the normalising constant of det(R)^(eta-1)).
// eta may be a parameter: d log c_K / d eta = sum_m 2 m [ log 2 + psi(b_m) - psi(2 b_m) ].
// Stan: lkj_corr_cholesky; PyMC: LKJCholeskyCov's correlation part (LKJCorr).
#include <algorithm>
#include <array>
#include <cmath>

#include "dist.hpp"
#include "../math/special.hpp"

namespace exmc {

struct lkj_corr_cholesky_fn {
  static constexpr const char* name = "lkj_corr_cholesky";
  static constexpr std::array<const char*, 1> arg_names{"eta"};
  static constexpr std::array<domain, 1> domains{domain::positive};
  static constexpr support_kind support = support_kind::cholesky_corr;
  static constexpr bool elementwise = false;
  static constexpr bool discrete = false;
  static bool in_support(double x) { return std::isfinite(x) && std::abs(x) <= 1; }

  static index_t dim(index_t n) { return static_cast<index_t>(std::lround(std::sqrt(static_cast<double>(n)))); }

  // log c_K(eta) and its derivative in eta.
  template <class T>
  static double log_normaliser(index_t K, T eta, T* d_eta) {
    double lc = 0;
    T d = 0;
    for (index_t m = 1; m < K; ++m) {
      const T b = eta + static_cast<T>(m - 1) / T(2);
      const double dm = static_cast<double>(m);
      lc += dm * ((2 * static_cast<double>(eta) - 2 + dm) * math::log_two +
                  static_cast<double>(T(2) * math::lgamma(b) - math::lgamma(T(2) * b)));
      d += static_cast<T>(2 * m) * (static_cast<T>(math::log_two) + math::digamma(b) - math::digamma(T(2) * b));
    }
    *d_eta = d;
    return lc;
  }

  template <class X, class E>
  static double lpdf(index_t n, X& x, E& eta_v) {
    using T = decltype(eta_v.val(0));
    using std::log;
    const index_t K = dim(n);
    const T eta = eta_v.val(0);
    if (K * K != n || !(eta > T(0))) return -math::inf<double>;
    if constexpr (E::is_vec)
      if (eta_v.size != 1) return -math::inf<double>;
    T d_eta = 0;
    double lp = -log_normaliser(K, eta, &d_eta);
    T sum_log_diag = 0;
    for (index_t k = 1; k < K; ++k) {
      const T d = static_cast<T>(x.val(k + k * K));
      if (!(d > T(0))) return -math::inf<double>;
      const T c = static_cast<T>(K - k - 3) + T(2) * eta;  // K - k' + 2 eta - 2 with k' = k + 1
      const T ld = log(d);
      lp += static_cast<double>(c * ld);
      sum_log_diag += ld;
      if constexpr (X::grad) x.add(k + k * K, c / d);
    }
    if constexpr (E::grad) eta_v.add(0, T(2) * sum_log_diag - d_eta);
    return lp;
  }

  // The canonical partial correlation of row i, column j (0-based) is 2 Beta(b, b) - 1 with
  // b = eta + (K - 2 - j) / 2 under LKJ(eta): the C-vine construction of the same paper, whose
  // partial correlations given the first j variables are exactly the transform's z.
  static void generate(rng& g, index_t n, double* out, double eta) {
    const index_t K = dim(n);
    std::fill(out, out + n, 0.0);
    out[0] = 1;
    for (index_t i = 1; i < K; ++i) {
      double rem = 1;
      for (index_t j = 0; j < i; ++j) {
        const double b = eta + 0.5 * static_cast<double>(K - 2 - j);
        const double ga = g.gamma(b), gb = g.gamma(b);
        const double z = (ga - gb) / (ga + gb);  // 2 Beta(b, b) - 1
        out[i + j * K] = z * std::sqrt(rem);
        rem *= (1 - z) * (1 + z);
      }
      out[i + i * K] = std::sqrt(rem);
    }
  }
};

template <class E>
auto lkj_corr_cholesky(E&& eta) {
  return make_dist<lkj_corr_cholesky_fn>(std::forward<E>(eta));
}

}  // namespace exmc
