#pragma once
// A K x K stochastic matrix parameter, each row a simplex with a Dirichlet prior: the transition
// matrix of a hidden Markov model.
//   auto Gamma = param<"Gamma">(dirichlet(1.0), stochastic_matrix(3));            // uniform rows
//   auto Gamma = param<"Gamma">(dirichlet(flatten(A)), stochastic_matrix(3));     // row i ~ Dirichlet(A(i, :))
// Stan: array[K] simplex[K] Gamma; for (k in 1:K) Gamma[k] ~ dirichlet(alpha[k]);
// PyMC: pm.Dirichlet("Gamma", a=np.ones((K, K))).
// alpha is one number (every row symmetric), K numbers (every row the same) or K x K numbers
// (row i's concentrations in row i, column-major as flatten() gives them). The values are the
// K * K entries column by column, named Gamma[i,j]; K (K - 1) coordinates are sampled
// (transform/stochastic_matrix.hpp).
#include <cmath>
#include <span>
#include <vector>

#include "../dist/dirichlet.hpp"
#include "../transform/stochastic_matrix.hpp"
#include "declarations.hpp"

namespace exmc {

struct stochastic_matrix_shape {
  index_t K;
};
// The shape argument of param: a K x K matrix whose rows are on the simplex.
inline stochastic_matrix_shape stochastic_matrix(index_t K) { return {K}; }

namespace detail {

// Row i of a K x K column-major matrix (its values K apart), with partials added in place.
template <class V, class T, bool Grad>
struct strided_view {
  static constexpr bool is_vec = true;
  static constexpr bool grad = Grad;
  const V* v;
  T* g;
  index_t stride;
  index_t size;
  V val(index_t k) const { return v[k * stride]; }
  void add(index_t k, T d) {
    if constexpr (Grad) g[k * stride] += d;
  }
};

// dirichlet on every row of the matrix: dirichlet_fn's own density, row by row.
struct dirichlet_rows_fn {
  static constexpr const char* name = "dirichlet (each row)";
  static constexpr auto arg_names = dirichlet_fn::arg_names;
  static constexpr auto domains = dirichlet_fn::domains;
  static constexpr auto whole = dirichlet_fn::whole;
  static constexpr support_kind support = dirichlet_fn::support;
  static constexpr bool elementwise = false;
  static constexpr bool discrete = false;
  static bool in_support(double x) { return dirichlet_fn::in_support(x); }

  template <class X, class A>
  static double lpdf(index_t n, X& x, A& alpha) {
    const index_t K = stochastic_matrix_tf::matrix_dim(n);
    if (K * K != n) return -math::inf<double>;
    using V = std::remove_cvref_t<decltype(*x.v)>;
    using T = decltype(alpha.val(0));
    double lp = 0;
    for (index_t i = 0; i < K; ++i) {
      strided_view<V, T, X::grad> row{x.v + i, X::grad ? x.g + i : nullptr, K, K};
      if constexpr (A::is_vec) {
        if (alpha.size == K * K && K > 1) {
          strided_view<T, T, A::grad> a_row{alpha.v + i, A::grad ? alpha.g + i : nullptr, K, K};
          lp += dirichlet_fn::lpdf(K, row, a_row);
        } else {
          lp += dirichlet_fn::lpdf(K, row, alpha);  // -inf unless alpha has K values
        }
      } else {
        lp += dirichlet_fn::lpdf(K, row, alpha);
      }
      if (!(lp > -math::inf<double>)) return -math::inf<double>;
    }
    return lp;
  }

  static void generate(rng& g, index_t n, double* out, std::span<const double> alpha) {
    const index_t K = stochastic_matrix_tf::matrix_dim(n);
    const auto m = static_cast<index_t>(alpha.size());
    if (m != 1 && m != K && m != K * K)
      throw model_error(str_cat({"stochastic_matrix: the dirichlet prior's alpha has ", std::to_string(m),
                                 " values; give 1, K or K x K with K = ", std::to_string(K)}));
    std::vector<double> row(static_cast<std::size_t>(K)), a(static_cast<std::size_t>(K));
    for (index_t i = 0; i < K; ++i) {
      std::span<const double> ai = alpha;
      if (m == K * K && K > 1) {
        for (index_t j = 0; j < K; ++j) a[static_cast<std::size_t>(j)] = alpha[static_cast<std::size_t>(i + j * K)];
        ai = a;
      }
      dirichlet_fn::generate(g, K, row.data(), ai);
      for (index_t j = 0; j < K; ++j) out[i + j * K] = row[static_cast<std::size_t>(j)];
    }
  }
  static void generate(rng& g, index_t n, double* out, double alpha) {
    generate(g, n, out, std::span<const double>(&alpha, 1));
  }
};

}  // namespace detail

template <fixed_string Name, distribution D>
auto param(D&& d, stochastic_matrix_shape shape) {
  using Dist = std::remove_cvref_t<D>;
  static_assert(std::is_same_v<typename Dist::family, dirichlet_fn>,
                "exmc::param: a stochastic matrix takes a dirichlet prior for its rows: "
                "param<\"Gamma\">(dirichlet(alpha), stochastic_matrix(K))");
  const index_t K = shape.K;
  if (K < 2)
    throw model_error(
        str_cat({"param<\"", Name.view(), "\">: a stochastic matrix needs K >= 2 states, got ", std::to_string(K)}));
  using A = std::tuple_element_t<0, decltype(Dist::args)>;
  const A& alpha = std::get<0>(d.args);
  if constexpr (requires { alpha.constant_values(); }) {
    const index_t m = alpha.constant_values().size();
    if (m != 1 && m != K && m != K * K)
      throw model_error(str_cat({"param<\"", Name.view(), "\">: the dirichlet prior's alpha has ", std::to_string(m),
                                 " values; for a ", std::to_string(K), " x ", std::to_string(K),
                                 " stochastic matrix give 1, ", std::to_string(K), " (every row) or ",
                                 std::to_string(K * K), " (row by row, column-major: flatten(A))"}));
  }
  using Rows = dist_expr<detail::dirichlet_rows_fn, A>;
  return param_decl<Name, Rows, true, stochastic_matrix_tf>{Rows(alpha), K * K, stochastic_matrix_tf{},
                                                            parameterization::automatic};
}

}  // namespace exmc
