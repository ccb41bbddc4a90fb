#include "expr_fixture.hpp"

using namespace exmc;
using exmc::test::check_expression;
using V = Eigen::VectorXd;

TEST_CASE("arithmetic between vectors", "[expr]") {
  check_expression([](auto a, auto p, auto) { return a + p; },
                   [](const test::expr_values& v) { return V(v.a + v.p); }, test::n_elem);
  check_expression([](auto a, auto p, auto) { return a - p; },
                   [](const test::expr_values& v) { return V(v.a - v.p); }, test::n_elem);
  check_expression([](auto a, auto p, auto) { return a * p; },
                   [](const test::expr_values& v) { return V(v.a.cwiseProduct(v.p)); }, test::n_elem);
  check_expression([](auto a, auto p, auto) { return a / p; },
                   [](const test::expr_values& v) { return V(v.a.cwiseQuotient(v.p)); }, test::n_elem);
}

TEST_CASE("scalar broadcasting on either side", "[expr]") {
  check_expression([](auto a, auto, auto b) { return b * a + 1.5; },
                   [](const test::expr_values& v) { return V((v.b * v.a).array() + 1.5); }, test::n_elem);
  check_expression([](auto, auto p, auto b) { return p / b - b; },
                   [](const test::expr_values& v) { return V((v.p / v.b).array() - v.b); }, test::n_elem);
  check_expression([](auto a, auto, auto b) { return 2.0 - a * b / 3.0; },
                   [](const test::expr_values& v) { return V(2.0 - (v.a * v.b / 3.0).array()); }, test::n_elem);
  // b / 3.0 multiplies by a reciprocal (D66); 1.0 / b divides (b is a parameter and a scalar)
  check_expression([](auto a, auto, auto b) { return a * (b / 3.0) + 1.0 / b; },
                   [](const test::expr_values& v) { return V((v.a * (v.b / 3.0)).array() + 1.0 / v.b); }, test::n_elem);
  Eigen::VectorXd w(test::n_elem);
  w << 0.5, -1.0, 2.0, 0.25;
  check_expression([w](auto a, auto, auto b) { return w * a + b * w; },
                   [w](const test::expr_values& v) { return V(w.cwiseProduct(v.a) + v.b * w); }, test::n_elem);
}

TEST_CASE("pow, fmin and fmax", "[expr]") {
  check_expression([](auto, auto p, auto b) { return pow(p, b); },
                   [](const test::expr_values& v) { return V(v.p.array().pow(v.b)); }, test::n_elem);
  check_expression([](auto, auto p, auto) { return pow(p, 2.5); },
                   [](const test::expr_values& v) { return V(v.p.array().pow(2.5)); }, test::n_elem);
  check_expression([](auto a, auto p, auto) { return fmin(a, p) + fmax(a, p * 0.5); },
                   [](const test::expr_values& v) {
                     return V(v.a.cwiseMin(v.p) + v.a.cwiseMax(0.5 * v.p));
                   },
                   test::n_elem);
}
