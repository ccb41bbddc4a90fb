#pragma once
// The forward algorithm of a hidden Markov model, its adjoint, and forward-filtering
// backward-sampling, on raw column-major arrays, allocating nothing. These are the kernels
// behind hmm_marginal (expr/hmm.hpp) and its generated quantities (predictive/hmm.hpp).
//
// K states, n time points, in Stan's notation (hmm_marginal(log_omega, Gamma, rho)):
//   log_omega[k + t K]   log density of observation t in state k (a K x n matrix)
//   Gamma[i + j K]       probability of moving from state i to state j (rows on the simplex)
//   rho[k]               probability of state k at t = 0
//
// Scaled forward pass, with w_t = exp(log_omega[., t] - m_t), m_t the column's maximum (Rabiner's
// scaling, in log space only for the emissions):
//   u_0 = rho .* w_0,   u_t = (Gamma^T a_{t-1}) .* w_t,   c_t = sum(u_t),   a_t = u_t / c_t
//   log p(y) = sum_t (m_t + log c_t)
// a_t is the filtered distribution P(z_t | y_0..t). Every quantity stays within a few orders of
// magnitude of 1 however long the series and however small the densities, so float works too.
//
// Adjoint, with b_{n-1} = 1 and b_{t-1} = Gamma (w_t .* b_t) / c_t (the scaled backward messages):
//   d log p / d log_omega[k, t] = a_t[k] b_t[k]              (= P(z_t = k | y), the smoothed state)
//   d log p / d Gamma[i, j]     = sum_{t>0} a_{t-1}[i] w_t[j] b_t[j] / c_t
//   d log p / d rho[k]          = w_0[k] b_0[k] / c_0
// (derivation: docs/DECISIONS.md D95). Each step costs about 3 K^2 multiply-adds and K exps.
#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <type_traits>

#include "functions.hpp"

namespace exmc::math {

using hmm_index = std::ptrdiff_t;

namespace detail {
// The kernels take the number of states as a compile-time constant KC when it is small (the
// loops over states then unroll and the K x K products vectorise without run-time tails), or
// KC = 0 and the run-time Kr.
template <hmm_index KC, class T>
auto hmm_forward(hmm_index Kr, hmm_index n, const T* log_omega, const T* Gamma, const T* rho, T* w, T* a, T* inv_c) {
  const hmm_index K = KC > 0 ? KC : Kr;
  using R = decltype(T() + double());
  constexpr R nan = std::numeric_limits<R>::quiet_NaN();
  using array = Eigen::Array<T, Eigen::Dynamic, 1>;
  R lp = 0;
  // 1. each column shifted by its maximum m_t, which log p(y) gets back
  bool bad = false;
  for (hmm_index t = 0; t < n; ++t) {
    const T* lo = log_omega + t * K;
    T m = lo[0];
    for (hmm_index k = 0; k < K; ++k) {
      bad |= lo[k] != lo[k];  // NaN
      m = lo[k] > m ? lo[k] : m;
    }
    if (!(m > -inf<T>) || bad) return bad || m != m ? nan : -inf<R>;  // no state can emit y_t
    if (!(m < inf<T>)) return nan;
    for (hmm_index k = 0; k < K; ++k) w[t * K + k] = lo[k] - m;
    lp += static_cast<R>(m);
  }
  // 2. w = exp(log_omega - m) in one vectorised pass (Eigen's exp, several times glibc's speed).
  // Below the smallest normal number w is 0: Eigen's exp would give a subnormal even for -inf,
  // where a state that cannot emit y_t must get exactly 0, and subnormals are slow to multiply.
  Eigen::Map<array> wa(w, K * n);
  wa = wa.exp();
  constexpr T smallest = std::numeric_limits<T>::min();
  for (hmm_index i = 0; i < K * n; ++i) w[i] = w[i] < smallest ? T(0) : w[i];
  // 3. the recursion; 1 / c_t is kept for the backward pass
  for (hmm_index t = 0; t < n; ++t) {
    const T* wt = w + t * K;
    T* at = a + t * K;
    T sum = 0;
    if (t == 0) {
      for (hmm_index k = 0; k < K; ++k) {
        at[k] = rho[k] * wt[k];
        sum += at[k];
      }
    } else {
      const T* prev = a + (t - 1) * K;
      for (hmm_index j = 0; j < K; ++j) {
        const T* col = Gamma + j * K;  // column j: the probabilities of arriving in state j
        T pred = 0;
        for (hmm_index i = 0; i < K; ++i) pred += col[i] * prev[i];
        at[j] = pred * wt[j];
        sum += at[j];
      }
    }
    if (!(sum > T(0))) return -inf<R>;  // every state that can emit y_t is unreachable
    const T inv = T(1) / sum;
    inv_c[t] = inv;
    for (hmm_index k = 0; k < K; ++k) at[k] *= inv;
  }
  // 4. log p(y) = sum_t m_t + log c_t, the logs vectorised and summed in R by blocks
  constexpr hmm_index block = 256;
  for (hmm_index t = 0; t < n; t += block)
    lp -= static_cast<R>(Eigen::Map<const array>(inv_c + t, std::min(block, n - t)).log().sum());
  return lp;
}

template <hmm_index KC, class T>
void hmm_backward(hmm_index Kr, hmm_index n, const T* Gamma, const T* w, const T* a, const T* inv_c, T adj,
                  T* g_log_omega, T* g_Gamma, T* g_rho, T* b_scratch, T* v_scratch) {
  const hmm_index K = KC > 0 ? KC : Kr;
  // with K known, b and v live in registers
  std::array<T, (KC > 0 ? KC : 1)> b_local, v_local;
  T* b = KC > 0 ? b_local.data() : b_scratch;
  T* v = KC > 0 ? v_local.data() : v_scratch;
  for (hmm_index k = 0; k < K; ++k) b[k] = T(1);
  for (hmm_index t = n - 1; t >= 0; --t) {
    const T* at = a + t * K;
    const T* wt = w + t * K;
    if (g_log_omega) {
      T* g = g_log_omega + t * K;
      for (hmm_index k = 0; k < K; ++k) g[k] += adj * at[k] * b[k];
    }
    for (hmm_index k = 0; k < K; ++k) v[k] = wt[k] * b[k] * inv_c[t];
    if (t == 0) {
      if (g_rho)
        for (hmm_index k = 0; k < K; ++k) g_rho[k] += adj * v[k];
      break;
    }
    const T* prev = a + (t - 1) * K;
    // b_{t-1} = Gamma v, and Gamma's partial gains a_{t-1} v^T: both column by column
    for (hmm_index i = 0; i < K; ++i) b[i] = T(0);
    for (hmm_index j = 0; j < K; ++j) {
      const T* col = Gamma + j * K;
      const T vj = v[j];
      for (hmm_index i = 0; i < K; ++i) b[i] += col[i] * vj;
      if (g_Gamma) {
        T* gcol = g_Gamma + j * K;
        const T av = adj * vj;
        for (hmm_index i = 0; i < K; ++i) gcol[i] += prev[i] * av;
      }
    }
  }
}

}  // namespace detail

// Calls f(std::integral_constant<hmm_index, KC>) with KC = K for the common small K, else KC = 0.
template <class F>
decltype(auto) with_states(hmm_index K, F&& f) {
  switch (K) {
    case 2:
      return f(std::integral_constant<hmm_index, 2>{});
    case 3:
      return f(std::integral_constant<hmm_index, 3>{});
    case 4:
      return f(std::integral_constant<hmm_index, 4>{});
    default:
      return f(std::integral_constant<hmm_index, 0>{});
  }
}

// Forward pass: writes w (K x n), a (K x n) and inv_c (the n values 1 / c_t); returns log p(y),
// -inf when no path has positive probability, NaN when an input is NaN. Gamma and rho must be
// non-negative and finite (the caller checks: hmm_inputs_valid). The sum over time is kept in
// double (long double for long double inputs, which the tests' finite differences use).
template <class T>
auto hmm_forward(hmm_index K, hmm_index n, const T* log_omega, const T* Gamma, const T* rho, T* w, T* a, T* inv_c) {
  return with_states(K, [&](auto kc) { return detail::hmm_forward<kc()>(K, n, log_omega, Gamma, rho, w, a, inv_c); });
}

// Backward pass after hmm_forward (with its w, a and inv_c): adds adj times the partials of log p(y) into g_log_omega
// (K x n), g_Gamma (K x K) and g_rho (K); a null pointer skips that input. b and v are scratch of
// K values each. With adj = 1 and only g_log_omega (zeroed), it writes the smoothed state
// probabilities P(z_t = k | y) (hmm_hidden_state_prob).
template <class T>
void hmm_backward(hmm_index K, hmm_index n, const T* Gamma, const T* w, const T* a, const T* inv_c, T adj,
                  T* g_log_omega, T* g_Gamma, T* g_rho, T* b, T* v) {
  with_states(K, [&](auto kc) {
    detail::hmm_backward<kc()>(K, n, Gamma, w, a, inv_c, adj, g_log_omega, g_Gamma, g_rho, b, v);
  });
}

// Index of a categorical draw with weights p[0..K) (not necessarily normalised), from a uniform
// u in [0, 1).
template <class T>
hmm_index categorical_index(hmm_index K, const T* p, double u) {
  double total = 0;
  for (hmm_index k = 0; k < K; ++k) total += static_cast<double>(p[k]);
  const double target = u * total;
  double acc = 0;
  for (hmm_index k = 0; k < K; ++k) {
    acc += static_cast<double>(p[k]);
    if (target < acc) return k;
  }
  // u * total rounded up to total: the last state of positive weight
  for (hmm_index k = K - 1; k > 0; --k)
    if (p[k] > T(0)) return k;
  return 0;
}

// Forward-filtering backward-sampling after hmm_forward: one draw of the hidden path from
// P(z | y), z[t] in 0..K-1. z_{n-1} ~ a_{n-1}; then z_t ~ a_t[i] Gamma[i, z_{t+1}].
// `uniform` returns doubles in [0, 1); p is scratch of K values.
template <class T, class Uniform>
void hmm_sample_path(hmm_index K, hmm_index n, const T* Gamma, const T* a, Uniform&& uniform, int* z, T* p) {
  z[n - 1] = static_cast<int>(categorical_index(K, a + (n - 1) * K, uniform()));
  for (hmm_index t = n - 2; t >= 0; --t) {
    const T* at = a + t * K;
    const T* col = Gamma + static_cast<hmm_index>(z[t + 1]) * K;
    for (hmm_index i = 0; i < K; ++i) p[i] = at[i] * col[i];
    z[t] = static_cast<int>(categorical_index(K, p, uniform()));
  }
}

// Gamma and rho are usable: every entry finite and non-negative.
template <class T>
bool hmm_inputs_valid(hmm_index K, const T* Gamma, const T* rho) {
  bool ok = true;
  for (hmm_index i = 0; i < K * K; ++i) ok &= Gamma[i] >= T(0) && Gamma[i] < inf<T>;
  for (hmm_index k = 0; k < K; ++k) ok &= rho[k] >= T(0) && rho[k] < inf<T>;
  return ok;
}

}  // namespace exmc::math
