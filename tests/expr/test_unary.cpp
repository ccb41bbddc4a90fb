#include "expr_fixture.hpp"

using namespace exmc;
using exmc::test::check_expression;
using V = Eigen::VectorXd;


// Scalars are exercised on b, which is real: functions of positive arguments get exp(b).
TEST_CASE("unary functions of vectors match the standard library", "[expr]") {
  check_expression([](auto a, auto, auto) { return exp(a); },
                   [](const test::expr_values& v) { return V(v.a.array().exp()); }, test::n_elem);
  check_expression([](auto, auto p, auto) { return log(p); },
                   [](const test::expr_values& v) { return V(v.p.array().log()); }, test::n_elem);
  check_expression([](auto, auto p, auto) { return log1p(p); },
                   [](const test::expr_values& v) { return V(v.p.array().log1p()); }, test::n_elem);
  check_expression([](auto a, auto, auto) { return expm1(a); },
                   [](const test::expr_values& v) { return V(v.a.unaryExpr([](double x) { return std::expm1(x); })); },
                   test::n_elem);
  check_expression([](auto, auto p, auto) { return sqrt(p); },
                   [](const test::expr_values& v) { return V(v.p.array().sqrt()); }, test::n_elem);
  check_expression([](auto a, auto, auto) { return square(a); },
                   [](const test::expr_values& v) { return V(v.a.array().square()); }, test::n_elem);
  check_expression([](auto a, auto, auto) { return abs(a); },
                   [](const test::expr_values& v) { return V(v.a.array().abs()); }, test::n_elem);
  check_expression([](auto a, auto, auto) { return -a; }, [](const test::expr_values& v) { return V(-v.a); },
                   test::n_elem);
}

TEST_CASE("logistic-family functions are stable and exact", "[expr]") {
  check_expression([](auto a, auto, auto) { return inv_logit(a * 3.0); },
                   [](const test::expr_values& v) {
                     return V(v.a.unaryExpr([](double x) { return 1 / (1 + std::exp(-3 * x)); }));
                   },
                   test::n_elem);
  check_expression([](auto a, auto, auto) { return log_inv_logit(a * 3.0); },
                   [](const test::expr_values& v) {
                     return V(v.a.unaryExpr([](double x) { return -std::log1p(std::exp(-3 * x)); }));
                   },
                   test::n_elem);
  check_expression([](auto a, auto, auto) { return log1p_exp(a * 3.0); },
                   [](const test::expr_values& v) {
                     return V(v.a.unaryExpr([](double x) { return std::log1p(std::exp(3 * x)); }));
                   },
                   test::n_elem);
  check_expression([](auto, auto p, auto) { return lgamma(p + 0.5); },
                   [](const test::expr_values& v) {
                     return V(v.p.unaryExpr([](double x) { return std::lgamma(x + 0.5); }));
                   },
                   test::n_elem);
}

TEST_CASE("unary functions of scalars", "[expr]") {
  check_expression([](auto, auto, auto b) { return exp(b) + log(exp(b) + 1.0) + sqrt(exp(b)); },
                   [](const test::expr_values& v) {
                     const double x = std::exp(v.b);
                     return V(V::Constant(1, x + std::log(x + 1) + std::sqrt(x)));
                   },
                   1);
  check_expression([](auto, auto, auto b) { return lgamma(exp(b) + 1.0) - log1p_exp(b) + inv_logit(b); },
                   [](const test::expr_values& v) {
                     const double x = v.b;
                     return V(V::Constant(1, std::lgamma(std::exp(x) + 1) - std::log1p(std::exp(x)) +
                                                 1 / (1 + std::exp(-x))));
                   },
                   1);
}

TEST_CASE("math::log1p_exp does not overflow", "[expr][math]") {
  CHECK(math::log1p_exp(1000.0) == Approx(1000.0));
  CHECK(math::log1p_exp(-1000.0) == 0.0);
  CHECK(math::log1p_exp(800.0f) == Approx(800.0f));
  CHECK(math::log_inv_logit(-800.0) == Approx(-800.0));
  CHECK(math::inv_logit(-800.0) >= 0.0);
  CHECK(math::log_sum_exp(1000.0, 1000.0) == Approx(1000.0 + std::log(2.0)));
}
