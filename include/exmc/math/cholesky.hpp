#pragma once
// The Cholesky factorisation A = L L^T and its reverse-mode adjoint, in place and without
// allocation, for float, double and long double (the last for tests).
//   cholesky_factor(A)            A (n x n, lower triangle read) becomes L, upper triangle
//                                 zeroed; false unless A is positive definite with a finite
//                                 factor (A is then partly overwritten)
//   cholesky_adjoint(L, G, work)  G holds dF/dL (lower triangle; the upper one is never read)
//                                 and becomes dF/dA, for F a function of A through its lower
//                                 triangle; work holds cholesky_block^2 values
// Both are blocked, so that the O(n^3) work runs in Eigen's matrix-product kernels: the factor
// right-looking, as LAPACK's potrf; the adjoint as Murray (2016, "Differentiation of the
// Cholesky decomposition", arXiv:1602.07527) derives it, block columns from the last, each
// diagonal block by the unblocked reverse sweep. The adjoint costs n^3 / 3 multiply-adds, twice
// the factor's n^3 / 6, and about what forming A^-1 from L costs.
//
// Eigen packs the operands of a dense product into buffers on the stack when they fit under
// EIGEN_STACK_ALLOCATION_LIMIT and on the heap otherwise; every product here is cut into tiles
// (product_tile rows or columns, product_depth deep) whose buffers fit, so nothing allocates
// whatever n is.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>

namespace exmc::math {

// Width of a block column: the unblocked sweeps run on blocks this wide, the rest is level-3.
inline constexpr Eigen::Index cholesky_block = 32;

namespace detail {
template <class T>
using dense = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
template <class T>
using dense_ref = Eigen::Ref<dense<T>>;
template <class T>
using const_dense_ref = Eigen::Ref<const dense<T>>;

// Tile sizes: Eigen's packed left and right operands of one tile product hold at most
// product_depth * product_tile<T> values each, half the stack allocation limit.
inline constexpr Eigen::Index product_depth = 64;
template <class T>
inline constexpr Eigen::Index product_tile =
    std::max<Eigen::Index>(16, EIGEN_STACK_ALLOCATION_LIMIT / 2 / (product_depth * static_cast<Eigen::Index>(sizeof(T))));

// C += sign * A * B, tile by tile (A, B any dense expressions, transposes included).
template <int Sign, class C, class A, class B>
void add_product(C&& c, const A& a, const B& b) {
  using T = typename std::remove_cvref_t<C>::Scalar;
  constexpr Eigen::Index tile = product_tile<T>;
  const Eigen::Index m = c.rows(), n = c.cols(), k = a.cols();
  for (Eigen::Index j = 0; j < n; j += tile) {
    const Eigen::Index nj = std::min(tile, n - j);
    for (Eigen::Index i = 0; i < m; i += tile) {
      const Eigen::Index mi = std::min(tile, m - i);
      for (Eigen::Index p = 0; p < k; p += product_depth) {
        const Eigen::Index kp = std::min(product_depth, k - p);
        if constexpr (Sign > 0)
          c.block(i, j, mi, nj).noalias() += a.block(i, p, mi, kp) * b.block(p, j, kp, nj);
        else
          c.block(i, j, mi, nj).noalias() -= a.block(i, p, mi, kp) * b.block(p, j, kp, nj);
      }
    }
  }
}

// The lower triangle of C (square) += sign * A * B: off-diagonal tiles as full products, the
// diagonal ones through Eigen's triangular-destination product (half the work).
template <int Sign, class C, class A, class B>
void add_product_lower(C&& c, const A& a, const B& b) {
  using T = typename std::remove_cvref_t<C>::Scalar;
  constexpr Eigen::Index tile = product_tile<T>;
  const Eigen::Index n = c.rows(), k = a.cols();
  for (Eigen::Index j = 0; j < n; j += tile) {
    const Eigen::Index nj = std::min(tile, n - j);
    for (Eigen::Index p = 0; p < k; p += product_depth) {
      const Eigen::Index kp = std::min(product_depth, k - p);
      auto diag = c.block(j, j, nj, nj).template triangularView<Eigen::Lower>();
      if constexpr (Sign > 0)
        diag += a.block(j, p, nj, kp) * b.block(p, j, kp, nj);
      else
        diag -= a.block(j, p, nj, kp) * b.block(p, j, kp, nj);
    }
    const Eigen::Index below = n - j - nj;
    if (below > 0)
      add_product<Sign>(c.block(j + nj, j, below, nj), a.middleRows(j + nj, below), b.middleCols(j, nj));
  }
}

// X := X * D^-T (Transposed) or X * D^-1, D lower triangular; rows of X in tiles.
template <bool Transposed, class D, class X>
void solve_right_lower(const D& d, X&& x) {
  using T = typename std::remove_cvref_t<X>::Scalar;
  constexpr Eigen::Index tile = product_tile<T>;
  for (Eigen::Index i = 0; i < x.rows(); i += tile) {
    auto rows = x.middleRows(i, std::min(tile, x.rows() - i));
    if constexpr (Transposed)
      d.template triangularView<Eigen::Lower>().transpose().template solveInPlace<Eigen::OnTheRight>(rows);
    else
      d.template triangularView<Eigen::Lower>().template solveInPlace<Eigen::OnTheRight>(rows);
  }
}

// Column by column ("left-looking"): column j less the earlier columns times row j, then
// scaled by the square root of its diagonal element. Plain loops over contiguous columns: these
// run on blocks of at most cholesky_block columns, where Eigen's per-call overhead would cost
// more than the arithmetic (measured: 1.6x the instructions at n = 11).
template <class T>
bool cholesky_unblocked(dense_ref<T> a) {
  using std::isfinite, std::sqrt;
  const Eigen::Index n = a.rows(), ld = a.outerStride();
  T* const A = a.data();
  for (Eigen::Index j = 0; j < n; ++j) {
    T* const cj = A + j * ld;
    for (Eigen::Index k = 0; k < j; ++k) {
      const T* const ck = A + k * ld;
      const T ajk = ck[j];
      for (Eigen::Index i = j; i < n; ++i) cj[i] -= ck[i] * ajk;
    }
    const T d = cj[j];
    if (!(d > T(0)) || !isfinite(d)) return false;  // also NaN, which fails d > 0
    const T l = sqrt(d);
    cj[j] = l;
    for (Eigen::Index i = j + 1; i < n; ++i) cj[i] /= l;
  }
  return true;
}

// Murray's unblocked reverse sweep: the reverse of cholesky_unblocked, column from the last.
// With d = L_jj, c = L(j+1:, j), r = L(j, :j), B = L(j+1:, :j) and their adjoints in g:
//   dbar = (dbar - c.cbar / d) / d;  cbar /= d;  rbar -= dbar r + cbar^T B;  Bbar -= cbar r;
//   dbar /= 2,
// the last two column by column of B, so every inner loop runs down a contiguous column.
template <class T>
void cholesky_adjoint_unblocked(const_dense_ref<T> l, dense_ref<T> g) {
  const Eigen::Index n = l.rows(), ldl = l.outerStride(), ldg = g.outerStride();
  const T* const L = l.data();
  T* const G = g.data();
  for (Eigen::Index j = n - 1; j >= 0; --j) {
    const T* const lj = L + j * ldl;
    T* const gj = G + j * ldg;
    const T d = lj[j];
    T s = 0;
    for (Eigen::Index i = j + 1; i < n; ++i) s += lj[i] * gj[i];
    const T dbar = (gj[j] - s / d) / d;
    for (Eigen::Index i = j + 1; i < n; ++i) gj[i] /= d;
    for (Eigen::Index k = 0; k < j; ++k) {
      const T* const lk = L + k * ldl;
      T* const gk = G + k * ldg;
      const T ljk = lk[j];
      T t = 0;
      for (Eigen::Index i = j + 1; i < n; ++i) {
        t += gj[i] * lk[i];
        gk[i] -= gj[i] * ljk;
      }
      gk[j] -= dbar * ljk + t;
    }
    gj[j] = dbar / T(2);
  }
}
}  // namespace detail

// A = L L^T in place (lower triangle of A read, upper triangle of L zero).
template <class T>
bool cholesky_factor(detail::dense_ref<T> a) {
  const Eigen::Index n = a.rows();
  for (Eigen::Index k = 0; k < n; k += cholesky_block) {
    const Eigen::Index b = std::min(cholesky_block, n - k), m = n - k - b;
    if (!detail::cholesky_unblocked<T>(a.block(k, k, b, b))) return false;
    if (m > 0) {
      auto c = a.block(k + b, k, m, b);
      detail::solve_right_lower<true>(a.block(k, k, b, b), c);                  // C := A21 D^-T
      detail::add_product_lower<-1>(a.block(k + b, k + b, m, m), c, c.transpose());  // A22 -= C C^T
    }
  }
  for (Eigen::Index j = 1; j < n; ++j) a.col(j).head(j).setZero();
  return true;
}

// The reverse of cholesky_factor (see the top of this file); `work` holds at least
// cholesky_block^2 values.
template <class T>
void cholesky_adjoint(detail::const_dense_ref<T> l, detail::dense_ref<T> g, T* work) {
  const Eigen::Index n = l.rows();
  // Block [j, k): R = L(j:k, :j), D = L(j:k, j:k), B = L(k:, :j), C = L(k:, j:k); in the
  // adjoint, C's and D's become final (dF/dA) and R's and B's take their share.
  for (Eigen::Index k = n; k > 0;) {
    const Eigen::Index j = std::max<Eigen::Index>(0, k - cholesky_block), b = k - j, m = n - k;
    auto dbar = g.block(j, j, b, b);
    if (m > 0) {
      auto cbar = g.block(k, j, m, b);
      detail::solve_right_lower<false>(l.block(j, j, b, b), cbar);  // Cbar := Cbar D^-1
      if (j > 0) detail::add_product<-1>(g.block(k, 0, m, j), cbar, l.block(j, 0, b, j));  // Bbar -= Cbar R
      detail::add_product_lower<-1>(dbar, cbar.transpose(), l.block(k, j, m, b));  // Dbar -= tril(Cbar^T C)
    }
    detail::cholesky_adjoint_unblocked<T>(l.block(j, j, b, b), dbar);
    if (j > 0) {
      auto rbar = g.block(j, 0, b, j);
      if (m > 0) detail::add_product<-1>(rbar, g.block(k, j, m, b).transpose(), l.block(k, 0, m, j));  // Rbar -= Cbar^T B
      // Rbar -= (Dbar + Dbar^T) R, with the symmetric matrix formed in `work`
      Eigen::Map<detail::dense<T>> sym(work, b, b);
      sym = dbar.template triangularView<Eigen::Lower>();
      sym.template triangularView<Eigen::StrictlyUpper>() = dbar.transpose();
      sym.diagonal() *= T(2);
      detail::add_product<-1>(rbar, sym, l.block(j, 0, b, j));
    }
    k = j;
  }
}

// The lower triangle of (A + A^T) / 2 into the lower triangle of out (n x n): what
// cholesky_factor factors when a matrix is read through its symmetric part.
template <class A, class Out>
void symmetric_part_lower(const A& a, Out&& out) {
  using T = typename std::remove_cvref_t<Out>::Scalar;
  const Eigen::Index n = a.rows();
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = j; i < n; ++i) out(i, j) = T(0.5) * (a(i, j) + a(j, i));
}

// Adds to out (n x n) the adjoint of a matrix read through its symmetric part, given the adjoint g
// of that part's lower triangle (cholesky_adjoint's result): each off-diagonal pair shares its
// value evenly.
template <class G, class Out>
void add_symmetric_part_adjoint(const G& g, Out&& out) {
  using T = typename std::remove_cvref_t<Out>::Scalar;
  const Eigen::Index n = g.rows();
  for (Eigen::Index j = 0; j < n; ++j) {
    out(j, j) += g(j, j);
    for (Eigen::Index i = j + 1; i < n; ++i) {
      const T h = T(0.5) * g(i, j);
      out(i, j) += h;
      out(j, i) += h;
    }
  }
}

}  // namespace exmc::math
