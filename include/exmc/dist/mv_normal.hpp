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

#include "../math/cholesky.hpp"
#include "dist.hpp"
#include "innovations.hpp"

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
template <class T>
using mv_const_matrix = Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>>;
template <class T>
using mv_const_vector = Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, 1>>;

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
// is factored on every evaluation (math/cholesky.hpp). Per K-vector, w = S^-1 (x_b - mu):
//   lp = -(x_b - mu).w / 2 - log det(S) / 2 - K log sqrt(2 pi);  d/dSigma = (w w^T - S^-1) / 2,
// computed as the factor's partials taken back through the factorisation (D86).
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
      math::symmetric_part_lower(detail::mv_const_matrix<T>(sigma.v, K, K), Lm);
      if (!math::cholesky_factor<T>(Lm)) return -math::inf<double>;
      const auto tri = Lm.template triangularView<Eigen::Lower>();
      constexpr bool sigma_grad = S::grad;
      // The factor's adjoint, as mv_normal_fn gives it: lower(sum_b w_b z_b^T) - B diag(1 / L_kk).
      detail::mv_matrix<T> G(detail::mv_scratch<T, 3>(sigma_grad ? K * K : 0), sigma_grad ? K : 0, sigma_grad ? K : 0);
      if constexpr (sigma_grad) G.setZero();
      const double lp = mv_normal_fn::quadratic_terms(n, K, x, mu, tri, [&](const auto& w, const auto& z) {
        if constexpr (sigma_grad)
          for (index_t j = 0; j < K; ++j) G.col(j).tail(K - j) += z[j] * w.tail(K - j);
      });
      double log_det_half = 0;
      for (index_t k = 0; k < K; ++k) log_det_half += std::log(static_cast<double>(Lm(k, k)));
      if constexpr (sigma_grad) {
        // Through the factorisation (math/cholesky.hpp) to the symmetric part, whose adjoint each
        // off-diagonal pair of Sigma shares: K^3 / 3, where forming S^-1 would cost K^3.
        const T blocks = static_cast<T>(n / K);
        for (index_t k = 0; k < K; ++k) G(k, k) -= blocks / Lm(k, k);
        math::cholesky_adjoint<T>(Lm, G, detail::mv_scratch<T, 4>(math::cholesky_block * math::cholesky_block));
        for (index_t j = 0; j < K; ++j) {
          sigma.add(j + j * K, G(j, j));
          for (index_t i = j + 1; i < K; ++i) {
            const T d = T(0.5) * G(i, j);
            sigma.add(i + j * K, d);
            sigma.add(j + i * K, d);
          }
        }
      }
      return lp - static_cast<double>(n / K) * (log_det_half + static_cast<double>(K) * math::log_sqrt_two_pi);
    }
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

// mv_normal(mu, Sigma) and mv_normal_cholesky(mu, L) with Sigma or L an expression. As the
// prior of a parameter x whose covariance depends on other parameters (a Gaussian process's
// latent values), x may be sampled non-centred (model/ncp.hpp, D88): z ~ normal(0, 1) with
// x_b = mu + L z_b for each K-vector b, L = cholesky(Sigma) (Sigma's symmetric part) or the
// factor given. The compiler's non-centring pass uses the steps below instead of the
// location-scale ones of dist_expr; a covariance that is not positive definite makes the
// evaluation -inf, as in the centred form.
template <class Fn, class Mu, class S>
struct mv_normal_dist : dist_expr<Fn, Mu, S> {
  using base = dist_expr<Fn, Mu, S>;
  using base::base;
  static constexpr bool standardizes = true;                              // ncp_standardize below
  static constexpr bool given_factor = std::is_same_v<Fn, mv_normal_fn>;  // S is L, else Sigma

  template <class Env>
  struct state : base::template state<Env> {
    vector_t<typename Env::scalar> L, Lbar, work;  // the factor (of Sigma), its adjoint, scratch
  };
  template <class Info>
  static constexpr bool ncp_eligible() {
    return S::template has_grad<Info>;
  }

  template <class St, class SEnv>
  void init(St& s, const SEnv& senv) const {
    base::init(s, senv);
    if constexpr (ncp_eligible<typename SEnv::info>()) {
      const index_t K = detail::square_dim(std::get<1>(this->args).size(senv));
      s.Lbar.setZero(K * K);
      if constexpr (!given_factor) {
        s.L.setZero(K * K);
        s.work.setZero(math::cholesky_block * math::cholesky_block);
      }
    }
  }

  template <class St, class Env, class X>
  bool ncp_forward(St& s, const Env& env, const typename Env::scalar* z, X& x, index_t n) const {
    using T = typename Env::scalar;
    std::get<0>(this->args).forward(std::get<0>(s.s), env);
    std::get<1>(this->args).forward(std::get<1>(s.s), env);
    const index_t K = dim(s, env);
    if (K == 0 || n % K != 0) return false;
    const T* lp = factor(s, env);
    if (!lp) return false;
    T* xp = detail::variate_data(x);
    const auto tri = detail::mv_const_matrix<T>(lp, K, K).template triangularView<Eigen::Lower>();
    const auto& mu = std::get<0>(this->args).value(std::get<0>(s.s), env);
    for (index_t b = 0; b < n / K; ++b) {
      detail::mv_vector<T> xb(xp + b * K, K);
      xb.noalias() = tri * detail::mv_const_vector<T>(z + b * K, K);
      if constexpr (std::is_arithmetic_v<std::remove_cvref_t<decltype(mu)>>)
        xb.array() += mu;
      else
        xb += mu;
    }
    return true;
  }
  // z ~ normal(0, 1), element by element.
  template <class St, class Env, class Z>
  double standard_term(St&, Env&, Z& z, index_t n) const {
    return detail::standard_normal_term(z, n);
  }
  template <class St, class Env, class AdjX>
  void ncp_backward(St& s, Env& env, const typename Env::scalar* z, const AdjX& adj_x, typename Env::scalar* zg,
                    index_t n) const {
    using T = typename Env::scalar;
    using I = typename Env::info;
    const auto& ma = std::get<0>(this->args);
    const auto& sa = std::get<1>(this->args);
    using MA = std::remove_cvref_t<decltype(ma)>;
    const index_t K = dim(s, env);
    const T* lp = given_factor ? sa.value(std::get<1>(s.s), env).data() : s.L.data();
    const auto tri = detail::mv_const_matrix<T>(lp, K, K).template triangularView<Eigen::Lower>();
    detail::mv_matrix<T> lbar(s.Lbar.data(), K, K);
    lbar.setZero();
    T mu_total = 0;
    for (index_t b = 0; b < n / K; ++b) {
      const detail::mv_const_vector<T> fb(adj_x.data() + b * K, K), zb(z + b * K, K);
      detail::mv_vector<T>(zg + b * K, K).noalias() += tri.transpose() * fb;  // dx/dz = L
      if constexpr (MA::template has_grad<I>) {
        if constexpr (MA::template is_vec<I>)
          ma.adj(std::get<0>(s.s), env) += fb;
        else
          mu_total += fb.sum();
      }
      for (index_t j = 0; j < K; ++j) lbar.col(j).tail(K - j) += zb[j] * fb.tail(K - j);  // dx/dL = lower(f z^T)
    }
    if constexpr (MA::template has_grad<I>) {
      if constexpr (!MA::template is_vec<I>) ma.adj(std::get<0>(s.s), env) += mu_total;
      ma.backward(std::get<0>(s.s), env);
    }
    auto gs = detail::mv_matrix<T>(sa.adj(std::get<1>(s.s), env).data(), K, K);
    if constexpr (given_factor) {
      gs += lbar;  // its upper triangle is zero
    } else {
      math::cholesky_adjoint<T>(detail::mv_const_matrix<T>(lp, K, K), lbar, s.work.data());
      math::add_symmetric_part_adjoint(lbar, gs);
    }
    sa.backward(std::get<1>(s.s), env);
  }
  // z_b = L^-1 (x_b - mu), for draws from the prior and initial values; the arguments are forwarded
  // already. False when there is no factor.
  template <class St, class Env>
  bool ncp_standardize(St& s, const Env& env, const typename Env::scalar* x, typename Env::scalar* z, index_t n) const {
    using T = typename Env::scalar;
    const index_t K = dim(s, env);
    if (K == 0 || n % K != 0) return false;
    const T* lp = factor(s, env);
    if (!lp) return false;
    const auto tri = detail::mv_const_matrix<T>(lp, K, K).template triangularView<Eigen::Lower>();
    const auto& mu = std::get<0>(this->args).value(std::get<0>(s.s), env);
    for (index_t b = 0; b < n / K; ++b) {
      detail::mv_vector<T> zb(z + b * K, K);
      zb = detail::mv_const_vector<T>(x + b * K, K);
      if constexpr (std::is_arithmetic_v<std::remove_cvref_t<decltype(mu)>>)
        zb.array() -= mu;
      else
        zb -= mu;
      tri.solveInPlace(zb);
    }
    return true;
  }
  static const char* ncp_fault() {
    return given_factor ? "its Cholesky factor has a diagonal element that is not positive"
                        : "its covariance is not positive definite";
  }
  std::string describe_noncentred(std::string_view x) const {
    const std::string s = std::get<1>(this->args).describe();
    return str_cat({x, " = ", std::get<0>(this->args).describe(), " + L z, L = ",
                    given_factor ? s : str_cat({"cholesky(", s, ")"}), ", z ~ normal(0, 1)"});
  }
  template <class T>
  auto cast() const {
    return std::apply(
        [](const auto&... a) { return mv_normal_dist<Fn, decltype(a.template cast<T>())...>(a.template cast<T>()...); },
        this->args);
  }

 private:
  // K from the covariance or factor; 0 when it is not square or mu does not match.
  template <class St, class Env>
  index_t dim(const St& s, const Env& env) const {
    const index_t size = std::get<1>(this->args).value(std::get<1>(s.s), env).size(), K = detail::square_dim(size);
    if (K * K != size) return 0;
    if constexpr (!std::is_arithmetic_v<std::remove_cvref_t<decltype(std::get<0>(this->args).value(std::get<0>(s.s), env))>>)
      if (std::get<0>(this->args).value(std::get<0>(s.s), env).size() != K) return 0;
    return K;
  }
  // The lower factor L of the forwarded covariance (or the factor given, checked), or null.
  template <class St, class Env>
  const typename Env::scalar* factor(St& s, const Env& env) const {
    using T = typename Env::scalar;
    const auto& v = std::get<1>(this->args).value(std::get<1>(s.s), env);
    const index_t K = detail::square_dim(v.size());
    if constexpr (given_factor) {
      for (index_t k = 0; k < K; ++k)
        if (!(v[k + k * K] > T(0))) return nullptr;
      return v.data();
    } else {
      detail::mv_matrix<T> L(s.L.data(), K, K);
      math::symmetric_part_lower(detail::mv_const_matrix<T>(v.data(), K, K), L);
      return math::cholesky_factor<T>(L) ? s.L.data() : nullptr;
    }
  }
};

// L (K * K values, column by column) or Sigma given as an expression of parameters.
template <class M, symbolic L>
auto mv_normal_cholesky(M&& mu, L&& chol) {
  return mv_normal_dist<mv_normal_fn, expr_of<M>, expr_of<L>>(as_expr(std::forward<M>(mu)), as_expr(std::forward<L>(chol)));
}
template <class M, symbolic S>
auto mv_normal(M&& mu, S&& sigma) {
  return mv_normal_dist<mv_normal_cov_fn, expr_of<M>, expr_of<S>>(as_expr(std::forward<M>(mu)),
                                                                  as_expr(std::forward<S>(sigma)));
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
