#pragma once
// Matrix-shaped expressions. A matrix is a vector expression (is_vec) of rows * cols values
// stored column by column, Eigen's and Stan's order, so every distribution and deterministic
// that takes a flat K * K vector takes a matrix; a matrix expression also states
//   is_matrix = true        a distinct kind: M * v is a matrix-vector product, M * N a matrix
//                           product, while * between vectors stays element-wise
//   rows(), cols()          its shape, known when the expression is built, so shape mismatches
//                           are reported there
//   lower                   its values are lower triangular (a Cholesky factor): products read
//                           only the lower triangle and leave the upper triangle of its adjoint
//                           alone, which the node ignores
// This header has the shape wrapper (data, references and element-wise results as matrices) and
// the scalar-only wrapper that element-wise operations with a matrix put on their other operand;
// products are in matrix_product.hpp, covariance functions in gp_cov.hpp, the factorisation in
// cholesky.hpp.
#include <string>

#include "leaf.hpp"
#include "node.hpp"

namespace exmc {

template <class E>
concept matrix_expression = expression<E> && requires {
  requires std::remove_cvref_t<E>::is_matrix;
};

// Whether a matrix expression E is lower triangular.
template <class E>
inline constexpr bool lower_triangular = [] {
  if constexpr (requires { std::remove_cvref_t<E>::lower; })
    return std::remove_cvref_t<E>::lower;
  else
    return false;
}();

// What a wrapper node passes straight to the expression it wraps (its state is E's), so the
// wrapper costs nothing at run time.
template <class E>
struct wrapped : expr_tag {
  E e;
  explicit wrapped(E x) : e(std::move(x)) {}

  using refs = typename E::refs;
  template <class Info>
  static constexpr bool has_grad = E::template has_grad<Info>;
  template <class Env>
  using state = typename E::template state<Env>;

  template <class SEnv>
  index_t size(const SEnv& s) const {
    return e.size(s);
  }
  template <class St, class SEnv>
  void init(St& s, const SEnv& senv) const {
    e.init(s, senv);
  }
  template <class St, class Env>
  void forward(St& s, const Env& env) const {
    e.forward(s, env);
  }
  template <class St, class Env>
  decltype(auto) value(const St& s, const Env& env) const {
    return e.value(s, env);
  }
  template <class St, class Env>
  decltype(auto) adj(St& s, Env& env) const {
    return e.adj(s, env);
  }
  template <class St, class Env>
  void backward(St& s, Env& env) const {
    e.backward(s, env);
  }
  std::string describe() const { return e.describe(); }
};

// The rows x cols values of vector expression E as a matrix: data matrices, references to
// matrix parameters and deterministics, element-wise results, to_matrix(v, rows, cols).
template <class E, bool Lower = false>
struct matrix_of : wrapped<E> {
  index_t r, c;
  matrix_of(E x, index_t rows, index_t cols) : wrapped<E>(std::move(x)), r(rows), c(cols) {}

  static constexpr bool is_matrix = true;
  static constexpr bool lower = Lower;
  index_t rows() const { return r; }
  index_t cols() const { return c; }
  template <class Info>
  static constexpr bool is_vec = true;

  template <class SEnv>
  index_t size(const SEnv& s) const {
    static_assert(E::template is_vec<typename SEnv::info>,
                  "exmc: a matrix is made of a vector expression (to_matrix of a scalar is not a matrix)");
    const index_t n = this->e.size(s);
    if (n != r * c)
      throw model_error(str_cat({"'", this->e.describe(), "' has ", std::to_string(n), " values, not the ",
                                 std::to_string(r), " x ", std::to_string(c), " of the matrix it stands for"}));
    return n;
  }
  // What the wrapped expression knows (a reference's cached logs, data's constant values).
  template <class Env>
  auto known_log(const Env& env) const
    requires requires { this->e.known_log(env); }
  {
    return this->e.known_log(env);
  }
  Eigen::VectorXd constant_values() const
    requires requires { this->e.constant_values(); }
  {
    return this->e.constant_values();
  }
  template <class T>
  auto cast() const {
    return matrix_of<decltype(this->e.template cast<T>()), Lower>(this->e.template cast<T>(), r, c);
  }
};

// The other operand of an element-wise operation with a matrix: it must be a scalar (a matrix
// and a vector do not combine element by element), which is known once the model is.
template <class X>
struct scalar_arg : wrapped<X> {
  using wrapped<X>::wrapped;

  template <class Info>
  static constexpr bool scalar_check() {
    static_assert(!X::template is_vec<Info>,
                  "exmc: a matrix and a vector do not combine element-wise; make the vector a matrix with "
                  "to_matrix(v, rows, cols), or multiply: M * v is the matrix-vector product");
    return true;
  }
  template <class Info>
  static constexpr bool is_vec = !scalar_check<Info>();
  template <class T>
  auto cast() const {
    return scalar_arg<decltype(this->e.template cast<T>())>(this->e.template cast<T>());
  }
};

// value() and adj() of a node that keeps both in its state's `c` (cached<T, true>).
struct cached_access {
  template <class St, class Env>
  static const auto& value(const St& s, const Env&) {
    return s.c.val;
  }
  template <class St, class Env>
  static auto& adj(St& s, Env&) {
    return s.c.adj;
  }
};

namespace detail {
// A matrix expression's values (or adjoints) as an Eigen matrix view.
template <class T>
using matrix_view = Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>>;
template <class T>
using matrix_ref = Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>>;

template <class V>
auto as_matrix_view(const V& v, index_t rows, index_t cols) {
  using T = typename V::Scalar;
  return matrix_view<T>(v.data(), rows, cols);
}
template <class V>
auto as_matrix_ref(V& v, index_t rows, index_t cols) {
  using T = typename V::Scalar;
  return matrix_ref<T>(v.data(), rows, cols);
}
inline std::string shape_text(index_t rows, index_t cols) {
  return str_cat({std::to_string(rows), " x ", std::to_string(cols)});
}
}  // namespace detail

}  // namespace exmc
