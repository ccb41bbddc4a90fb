#pragma once
// A model around one expression: parameters a (vector, real), p (vector, positive), b (scalar),
// the expression kept as let<"e">, and a normal likelihood on it so adjoints flow through it.
// Tests check e's values (via constrain) against direct computation, and the gradient against
// finite differences, in double and float.
#include <exmc/exmc.hpp>

#include "../support/gradient_check.hpp"

namespace exmc::test {

inline constexpr Eigen::Index n_elem = 4;

// Constrained values of a, p, b and the let e from the constrained output vector.
struct expr_values {
  Eigen::VectorXd a, p;
  double b;
  Eigen::VectorXd e;
};

template <class C>
expr_values values_at(const C& c, const Eigen::VectorXd& q, Eigen::Index e_size) {
  const Eigen::VectorXd out = c.constrain(q);
  expr_values v;
  v.a = out.segment(0, n_elem);
  v.p = out.segment(n_elem, n_elem);
  v.b = out[2 * n_elem];
  v.e = out.segment(2 * n_elem + 1, e_size);
  return v;
}

// Builds the model for expression factory F(a, p, b), checks values against Ref(values) and
// the gradient. e_size is 1 for scalar expressions.
template <class F, class Ref>
void check_expression(F make, Ref reference, Eigen::Index e_size) {
  auto a = param<"a">(normal(0.0, 1.0), n_elem);
  auto p = param<"p">(half_normal(1.0), n_elem);
  auto b = param<"b">(normal(0.0, 1.0));
  auto e = let<"e">(make(a, p, b));
  Eigen::VectorXd y = Eigen::VectorXd::LinSpaced(e_size, -0.5, 0.7);
  auto m = model(a, p, b, e, observe<"y">(normal(e, 2.0), y));
  auto cd = compile<double>(m);
  auto cf = compile<float>(m);
  exmc::rng r(3);
  for (int k = 0; k < 3; ++k) {
    const Eigen::VectorXd q = random_point(cd.dim(), r, 1.0);
    const expr_values v = values_at(cd, q, e_size);
    const Eigen::VectorXd expected = reference(v);
    REQUIRE(expected.size() == e_size);
    for (Eigen::Index i = 0; i < e_size; ++i) CHECK(v.e[i] == Approx(expected[i]).epsilon(1e-12).margin(1e-12));
  }
  check_gradient(cd, 3, 1e-6, 11, 1.0);
  check_float_matches_double(cd, cf);
}

}  // namespace exmc::test
