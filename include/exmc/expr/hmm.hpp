#pragma once
// hmm_marginal(log_omega, Gamma, rho): the log density of a hidden Markov model's observations
// with the hidden states summed out by the forward algorithm, as Stan's function of that name.
// It is a scalar expression; `potential<"hmm">(hmm_marginal(...))` is Stan's
// `target += hmm_marginal(...)`.
//   log_omega   K x n log densities of each observation under each state, column-major as every
//               matrix in the DSL (log_omega[k + t K]): emission_lpdf(normal(mu, sigma), y)
//               (model/emission.hpp) builds it from an emission family
//   Gamma       K x K transition matrix, Gamma[i, j] = P(state j next | state i now), rows on the
//               simplex: a parameter declared stochastic_matrix(K) (model/stochastic_matrix.hpp),
//               a data matrix, or any expression of K * K non-negative values
//   rho         the K initial state probabilities: a simplex parameter, data or an expression
// The gradient is analytic (math/hmm.hpp), with respect to all three. The numeric functions at
// the end take plain matrices, for generated quantities written by hand (Stan's
// hmm_hidden_state_prob and hmm_latent_rng); predictive/hmm.hpp computes both from a fit.
#include <Eigen/Core>
#include <string>
#include <type_traits>
#include <utility>

#include "../core/random.hpp"
#include "../math/hmm.hpp"
#include "build.hpp"

namespace exmc {

namespace detail {
// Data must be what they claim: rho and the rows of Gamma on the simplex (a transposed Gamma,
// whose columns sum to one, is the usual mistake). `count` values from `first`, `stride` apart.
inline void hmm_check_simplex(const double* v, index_t count, index_t stride, std::string_view what) {
  double sum = 0;
  for (index_t k = 0; k < count; ++k) {
    const double x = v[k * stride];
    if (!(x >= 0) || !std::isfinite(x))
      throw model_error(str_cat(
          {"hmm_marginal: ", what, " has an entry ", std::to_string(x), "; probabilities must be finite and >= 0"}));
    sum += x;
  }
  if (std::abs(sum - 1) > 1e-8)
    throw model_error(str_cat({"hmm_marginal: ", what, " sums to ", std::to_string(sum), ", not 1"}));
}
inline void hmm_check_stochastic(const double* g, index_t K) {
  for (index_t i = 0; i < K; ++i)
    hmm_check_simplex(g + i, K, K,
                      str_cat({"row ", std::to_string(i),
                               " of Gamma (Gamma[i, j] is the probability of moving from state i to state j)"}));
}
}  // namespace detail

template <class LO, class G, class R>
struct hmm_marginal_node : expr_tag {
  LO log_omega;
  G Gamma;
  R rho;
  hmm_marginal_node(LO lo, G g, R r) : log_omega(std::move(lo)), Gamma(std::move(g)), rho(std::move(r)) {}

  using refs = concat_t<typename LO::refs, typename G::refs, typename R::refs>;
  template <class Info>
  static constexpr bool is_vec = false;
  template <class Info>
  static constexpr bool has_grad =
      LO::template has_grad<Info> || G::template has_grad<Info> || R::template has_grad<Info>;

  // The forward pass's filtered distributions, inverse scales and exponentiated densities, which
  // the backward pass, the smoothed probabilities and the path draws all read; allocated in init.
  template <class Env>
  struct state {
    using T = typename Env::scalar;
    typename LO::template state<Env> lo;
    typename G::template state<Env> g;
    typename R::template state<Env> r;
    cached<T, false> c;
    index_t K = 0, n = 0;
    bool ok = false;  // the last forward pass gave a finite value
    vector_t<T> w, a, inv_c, b, v;
  };

  template <class SEnv>
  index_t size(const SEnv& s) const {
    using I = typename SEnv::info;
    static_assert(LO::template is_vec<I>, "exmc::hmm_marginal: log_omega must be a vector of K x n values (a matrix)");
    static_assert(G::template is_vec<I>, "exmc::hmm_marginal: Gamma must be a K x K matrix (K * K values)");
    static_assert(R::template is_vec<I>, "exmc::hmm_marginal: rho must be a vector of K probabilities");
    const index_t K = rho.size(s), ng = Gamma.size(s), nlo = log_omega.size(s);
    const auto fail = [&](std::string_view what) { return model_error(str_cat({"hmm_marginal: ", what})); };
    if (ng != K * K)
      throw fail(str_cat({"Gamma has ", std::to_string(ng), " values but rho has ", std::to_string(K),
                          " states, so Gamma must be ", std::to_string(K), " x ", std::to_string(K)}));
    if (nlo < K || nlo % K != 0)
      throw fail(str_cat({"log_omega has ", std::to_string(nlo), " values, not a K x n matrix with K = ",
                          std::to_string(K), " states (from rho) and n >= 1 time points"}));
    if constexpr (requires { log_omega.states(s); }) {
      const index_t ke = log_omega.states(s);
      if (ke != K)
        throw fail(str_cat({"log_omega ('", log_omega.describe(), "') has ", std::to_string(ke), " states but rho has ",
                            std::to_string(K)}));
    }
    if constexpr (requires { Gamma.constant_values(); })
      detail::hmm_check_stochastic(Gamma.constant_values().data(), K);
    if constexpr (requires { rho.constant_values(); })
      detail::hmm_check_simplex(rho.constant_values().data(), K, 1, "rho");
    return 1;
  }
  template <class S, class SEnv>
  void init(S& s, const SEnv& senv) const {
    log_omega.init(s.lo, senv);
    Gamma.init(s.g, senv);
    rho.init(s.r, senv);
    s.K = rho.size(senv);
    s.n = log_omega.size(senv) / s.K;
    s.w.setZero(s.K * s.n);
    s.a.setZero(s.K * s.n);
    s.inv_c.setZero(s.n);
    s.b.setZero(s.K);
    s.v.setZero(s.K);
  }
  template <class S, class Env>
  void forward(S& s, const Env& env) const {
    using T = typename Env::scalar;
    log_omega.forward(s.lo, env);
    Gamma.forward(s.g, env);
    rho.forward(s.r, env);
    const T* G_ = Gamma.value(s.g, env).data();
    const T* r = rho.value(s.r, env).data();
    double lp = -math::inf<double>;
    if (math::hmm_inputs_valid(s.K, G_, r))
      lp =
          math::hmm_forward(s.K, s.n, log_omega.value(s.lo, env).data(), G_, r, s.w.data(), s.a.data(), s.inv_c.data());
    s.ok = std::isfinite(lp);
    s.c.val = static_cast<T>(lp);
    s.c.adj = T(0);
  }
  template <class S, class Env>
  const auto& value(const S& s, const Env&) const {
    return s.c.val;
  }
  template <class S, class Env>
  auto& adj(S& s, Env&) const {
    return s.c.adj;
  }
  template <class S, class Env>
  void backward(S& s, Env& env) const {
    using I = typename Env::info;
    using T = typename Env::scalar;
    if constexpr (has_grad<I>) {
      if (!s.ok) return;  // a non-finite value: the evaluation is rejected, partials unused
      T* glo = nullptr;
      T* gg = nullptr;
      T* gr = nullptr;
      if constexpr (LO::template has_grad<I>) glo = log_omega.adj(s.lo, env).data();
      if constexpr (G::template has_grad<I>) gg = Gamma.adj(s.g, env).data();
      if constexpr (R::template has_grad<I>) gr = rho.adj(s.r, env).data();
      math::hmm_backward(s.K, s.n, Gamma.value(s.g, env).data(), s.w.data(), s.a.data(), s.inv_c.data(), s.c.adj, glo,
                         gg, gr, s.b.data(), s.v.data());
      if constexpr (LO::template has_grad<I>) log_omega.backward(s.lo, env);
      if constexpr (G::template has_grad<I>) Gamma.backward(s.g, env);
      if constexpr (R::template has_grad<I>) rho.backward(s.r, env);
    }
  }

  // ---- after forward(): the generated quantities (predictive/hmm.hpp) -----------------------
  // P(z_t = k | y) into out[k + t K]; false (out untouched) when the forward pass failed.
  template <class S, class Env>
  bool state_probabilities(S& s, const Env& env, double* out) const {
    using T = typename Env::scalar;
    if (!s.ok) return false;
    vector_t<T> p = vector_t<T>::Zero(s.K * s.n);
    math::hmm_backward(s.K, s.n, Gamma.value(s.g, env).data(), s.w.data(), s.a.data(), s.inv_c.data(), T(1), p.data(),
                       static_cast<T*>(nullptr), static_cast<T*>(nullptr), s.b.data(), s.v.data());
    for (index_t i = 0; i < p.size(); ++i) out[i] = static_cast<double>(p[i]);
    return true;
  }
  // One draw of the hidden path from P(z | y) into z[0..n); false when the forward pass failed.
  template <class S, class Env>
  bool sample_path(S& s, const Env& env, rng& g, int* z) const {
    if (!s.ok) return false;
    math::hmm_sample_path(
        s.K, s.n, Gamma.value(s.g, env).data(), s.a.data(), [&] { return g.uniform(); }, z, s.v.data());
    return true;
  }

  template <class T>
  auto cast() const {
    using CL = decltype(log_omega.template cast<T>());
    using CG = decltype(Gamma.template cast<T>());
    using CR = decltype(rho.template cast<T>());
    return hmm_marginal_node<CL, CG, CR>(log_omega.template cast<T>(), Gamma.template cast<T>(),
                                         rho.template cast<T>());
  }
  std::string describe() const {
    return str_cat({"hmm_marginal(", log_omega.describe(), ", ", Gamma.describe(), ", ", rho.describe(), ")"});
  }
};

template <class X>
struct is_hmm_marginal : std::false_type {};
template <class LO, class G, class R>
struct is_hmm_marginal<hmm_marginal_node<LO, G, R>> : std::true_type {};

namespace detail {
// Gamma may also be given as a data matrix (K x K), taken column by column.
template <class X>
auto hmm_operand(X&& x) {
  using D = std::remove_cvref_t<X>;
  if constexpr (data_matrix<D> && !data_vector<D>) {
    if (x.rows() != x.cols())
      throw model_error(str_cat({"hmm_marginal: the data matrix Gamma is ", std::to_string(x.rows()), " x ",
                                 std::to_string(x.cols()), "; it must be square (K x K)"}));
    const Eigen::MatrixXd m = x.template cast<double>();
    hmm_check_stochastic(m.data(), m.rows());
    return vec_data<double>(Eigen::Map<const Eigen::VectorXd>(m.data(), m.size()));
  } else {
    return as_expr(std::forward<X>(x));
  }
}
}  // namespace detail

template <class LO, class G, class R>
  requires(symbolic<LO> || symbolic<G> || symbolic<R>)
auto hmm_marginal(LO&& log_omega, G&& Gamma, R&& rho) {
  auto lo = as_expr(std::forward<LO>(log_omega));
  auto g = detail::hmm_operand(std::forward<G>(Gamma));
  auto r = as_expr(std::forward<R>(rho));
  return hmm_marginal_node<decltype(lo), decltype(g), decltype(r)>(std::move(lo), std::move(g), std::move(r));
}

// ---- the same on plain matrices (Stan's hmm_marginal, hmm_hidden_state_prob, hmm_latent_rng) --
namespace detail {
// Checks shapes and probabilities, runs the forward pass; throws model_error naming the culprit.
struct hmm_numeric {
  index_t K, n;
  Eigen::VectorXd w, a, inv_c, b, v;
  double lp;
  hmm_numeric(const Eigen::MatrixXd& log_omega, const Eigen::MatrixXd& Gamma, const Eigen::VectorXd& rho)
      : K(rho.size()), n(log_omega.cols()) {
    if (K < 1) throw model_error("hmm_marginal: rho is empty");
    if (log_omega.rows() != K || n < 1)
      throw model_error(
          str_cat({"hmm_marginal: log_omega is ", std::to_string(log_omega.rows()), " x ", std::to_string(n),
                   " but rho has ", std::to_string(K), " states; it must be K x n with n >= 1"}));
    if (Gamma.rows() != K || Gamma.cols() != K)
      throw model_error(str_cat({"hmm_marginal: Gamma is ", std::to_string(Gamma.rows()), " x ",
                                 std::to_string(Gamma.cols()), " but rho has ", std::to_string(K), " states"}));
    hmm_check_stochastic(Gamma.data(), K);
    hmm_check_simplex(rho.data(), K, 1, "rho");
    w.resize(K * n);
    a.resize(K * n);
    inv_c.resize(n);
    b.resize(K);
    v.resize(K);
    lp = math::hmm_forward(K, n, log_omega.data(), Gamma.data(), rho.data(), w.data(), a.data(), inv_c.data());
  }
};
}  // namespace detail

// log p(y) with the states summed out; -inf when no path is possible.
inline double hmm_marginal(const Eigen::MatrixXd& log_omega, const Eigen::MatrixXd& Gamma, const Eigen::VectorXd& rho) {
  return detail::hmm_numeric(log_omega, Gamma, rho).lp;
}

// K x n matrix of P(z_t = k | y); throws when no path is possible.
inline Eigen::MatrixXd hmm_hidden_state_prob(const Eigen::MatrixXd& log_omega, const Eigen::MatrixXd& Gamma,
                                             const Eigen::VectorXd& rho) {
  detail::hmm_numeric h(log_omega, Gamma, rho);
  if (!std::isfinite(h.lp))
    throw model_error("hmm_hidden_state_prob: the observations have probability 0 under the model");
  Eigen::MatrixXd p = Eigen::MatrixXd::Zero(h.K, h.n);
  math::hmm_backward(h.K, h.n, Gamma.data(), h.w.data(), h.a.data(), h.inv_c.data(), 1.0, p.data(),
                     static_cast<double*>(nullptr), static_cast<double*>(nullptr), h.b.data(), h.v.data());
  return p;
}

// One draw of the hidden path z (0-based states) from P(z | y), by forward filtering and backward
// sampling; throws when no path is possible.
inline Eigen::VectorXi hmm_latent_rng(const Eigen::MatrixXd& log_omega, const Eigen::MatrixXd& Gamma,
                                      const Eigen::VectorXd& rho, rng& g) {
  detail::hmm_numeric h(log_omega, Gamma, rho);
  if (!std::isfinite(h.lp)) throw model_error("hmm_latent_rng: the observations have probability 0 under the model");
  Eigen::VectorXi z(h.n);
  math::hmm_sample_path(
      h.K, h.n, Gamma.data(), h.a.data(), [&] { return g.uniform(); }, z.data(), h.v.data());
  return z;
}

}  // namespace exmc
