#include "expr_fixture.hpp"

using namespace exmc;
using exmc::test::check_expression;
using V = Eigen::VectorXd;

TEST_CASE("sum, mean and dot reduce vectors to scalars", "[expr]") {
  check_expression([](auto a, auto, auto) { return sum(a); },
                   [](const test::expr_values& v) { return V(V::Constant(1, v.a.sum())); }, 1);
  check_expression([](auto, auto p, auto) { return mean(log(p)); },
                   [](const test::expr_values& v) { return V(V::Constant(1, v.p.array().log().mean())); }, 1);
  check_expression([](auto a, auto p, auto) { return dot(a, p); },
                   [](const test::expr_values& v) { return V(V::Constant(1, v.a.dot(v.p))); }, 1);
  Eigen::VectorXd w(test::n_elem);
  w << 1, 2, 3, 4;
  check_expression([w](auto a, auto, auto) { return dot(w, a); },
                   [w](const test::expr_values& v) { return V(V::Constant(1, w.dot(v.a))); }, 1);
}

TEST_CASE("matrix-vector products with data", "[expr]") {
  Eigen::MatrixXd X(6, test::n_elem);
  for (int i = 0; i < X.size(); ++i) X.data()[i] = std::sin(1.0 + i);
  check_expression([X](auto a, auto, auto b) { return b + X * a; },
                   [X](const test::expr_values& v) { return V((X * v.a).array() + v.b); }, 6);
  check_expression([X](auto, auto p, auto) { return X * log(p); },
                   [X](const test::expr_values& v) { return V(X * v.p.array().log().matrix()); }, 6);
}

TEST_CASE("gather by integer index scatters adjoints back", "[expr]") {
  Eigen::VectorXi idx(7);
  idx << 0, 3, 3, 1, 0, 2, 3;
  check_expression([idx](auto a, auto, auto) { return a[idx]; },
                   [idx](const test::expr_values& v) { return V(v.a(idx)); }, 7);
  check_expression([idx](auto, auto p, auto) { return at(exp(p), idx) * 2.0; },
                   [idx](const test::expr_values& v) { return V(2.0 * v.p(idx).array().exp()); }, 7);
}

TEST_CASE("lets reference other lets", "[expr][model]") {
  auto a = param<"a">(normal(0.0, 1.0), 3);
  auto s = param<"s">(half_normal(1.0));
  auto e1 = let<"e1">(exp(a) * s);
  auto e2 = let<"e2">(sum(e1) + s);
  Eigen::VectorXd y(3);
  y << 0.1, 0.2, 0.3;
  auto m = model(e2, a, s, e1, observe<"y">(normal(e1, e2), y));
  auto c = compile<double>(m);
  test::check_gradient(c, 3, 1e-6);
  const Eigen::VectorXd q = Eigen::VectorXd::LinSpaced(4, -0.5, 0.5);
  const Eigen::VectorXd out = c.constrain(q);
  // Declaration order: e2, a[3], s, e1[3].
  const Eigen::VectorXd av = q.head(3);
  const double sv = std::exp(q[3]);
  const Eigen::VectorXd e1v = av.array().exp() * sv;
  CHECK(out[0] == Approx(e1v.sum() + sv));
  CHECK(out[5] == Approx(e1v[0]));
  CHECK(c.param_names()[0] == "e2");
  CHECK(c.param_names()[7] == "e1[2]");
}
