// Matrix expressions: the Cholesky factorisation and its adjoint (against Eigen and against
// central differences in long double), covariance functions, add_diag, cholesky(), products and
// element-wise operations with the shape kept (values against hand-written formulas, gradients
// against finite differences, float against double), matrix parameters and correlated effects,
// and the faults: matrices that are not positive definite give -inf, shapes that do not match
// are reported when the model is built.
#include <Eigen/Cholesky>
#include <vector>

#include "expr_fixture.hpp"

using namespace exmc;
using exmc::test::check_expression;
using V = Eigen::VectorXd;
using M = Eigen::MatrixXd;

namespace {

template <class T>
using dense = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

// A random symmetric positive-definite matrix, well conditioned.
dense<long double> spd(Eigen::Index n, std::uint64_t seed) {
  exmc::rng r(seed);
  dense<long double> x(n, n);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<long double>(r.normal());
  dense<long double> a = x * x.transpose() / static_cast<long double>(n);
  a.diagonal().array() += 0.5L;
  return a;
}

// F(A) = sum_ij W_ij L_ij over the lower triangle, L = cholesky(A), in long double.
long double weighted_factor(const dense<long double>& a, const dense<long double>& w) {
  dense<long double> l = a;
  REQUIRE(math::cholesky_factor<long double>(l));
  return (w.array() * l.array()).sum();
}

V flat(const M& m) { return Eigen::Map<const V>(m.data(), m.size()); }

// Kernel values by the formulas (Stan's functions reference), d the distance.
double kernel(int which, double d, double alpha, double rho) {
  const double a2 = alpha * alpha;
  switch (which) {
    case 0: return a2 * std::exp(-d * d / (2 * rho * rho));
    case 1: return a2 * (1 + std::sqrt(3.0) * d / rho) * std::exp(-std::sqrt(3.0) * d / rho);
    case 2: {
      const double s = std::sqrt(5.0) * d / rho;
      return a2 * (1 + s + s * s / 3) * std::exp(-s);
    }
    default: return a2 * std::exp(-d / rho);
  }
}
M covariance(int which, const M& pts, double alpha, double rho) {
  M k(pts.rows(), pts.rows());
  for (Eigen::Index i = 0; i < pts.rows(); ++i)
    for (Eigen::Index j = 0; j < pts.rows(); ++j) k(i, j) = kernel(which, (pts.row(i) - pts.row(j)).norm(), alpha, rho);
  return k;
}

// Inputs for the fixture's expressions: four points (its vectors have four elements).
const V x1 = (V(4) << -1.0, 0.2, 0.5, 2.0).finished();
M x2() {
  M p(4, 2);
  p << 0.0, 1.0, 0.5, -0.3, 1.5, 0.2, -0.7, 0.4;
  return p;
}
// The fixture's alpha and rho: exp(b) and sum(p), both positive.
double alpha_of(const test::expr_values& v) { return std::exp(v.b); }
double rho_of(const test::expr_values& v) { return v.p.sum(); }
M base_cov(const test::expr_values& v) { return covariance(0, x1, alpha_of(v), rho_of(v)); }

}  // namespace

TEST_CASE("cholesky_factor and cholesky_adjoint: against Eigen and central differences in long double",
          "[expr][matrix][cholesky]") {
  // Sizes around the block width (32) exercise the unblocked, the blocked and the tiled paths.
  for (const Eigen::Index n : {1, 2, 5, 31, 32, 33, 70}) {
    INFO("n = " << n);
    const dense<long double> a = spd(n, 100 + static_cast<std::uint64_t>(n));
    dense<long double> l = a;
    REQUIRE(math::cholesky_factor<long double>(l));
    CHECK((l * l.transpose() - a).cwiseAbs().maxCoeff() < 1e-15L);
    CHECK(l.triangularView<Eigen::StrictlyUpper>().toDenseMatrix().cwiseAbs().maxCoeff() == 0);
    const M ad = a.cast<double>();
    M ld = ad;
    REQUIRE(math::cholesky_factor<double>(ld));
    const M le = Eigen::LLT<M>(ad).matrixL();
    CHECK((ld - le).cwiseAbs().maxCoeff() < 1e-12);
    dense<float> lf = a.cast<float>();
    REQUIRE(math::cholesky_factor<float>(lf));
    CHECK((lf.cast<double>() - le).cwiseAbs().maxCoeff() < 1e-4);

    // The adjoint of F(A) = sum W .* L, against central differences of F in long double (each
    // lower element of A moved alone: F reads only the lower triangle).
    exmc::rng r(7 + static_cast<std::uint64_t>(n));
    dense<long double> w = dense<long double>::Zero(n, n);
    for (Eigen::Index j = 0; j < n; ++j)
      for (Eigen::Index i = j; i < n; ++i) w(i, j) = static_cast<long double>(r.normal());
    dense<long double> g = w;
    std::vector<long double> work(math::cholesky_block * math::cholesky_block);
    math::cholesky_adjoint<long double>(l, g, work.data());
    const int samples = n <= 5 ? static_cast<int>(n * (n + 1) / 2) : 40;
    for (int t = 0; t < samples; ++t) {
      Eigen::Index i = 0, j = 0;
      if (n <= 5) {  // every lower element
        for (int k = t; k > i; k -= static_cast<int>(++i)) {
        }
        j = t - i * (i + 1) / 2;
      } else {
        i = static_cast<Eigen::Index>(r.uniform() * static_cast<double>(n));
        j = static_cast<Eigen::Index>(r.uniform() * static_cast<double>(i + 1));
      }
      const long double h = 1e-7L;
      dense<long double> up = a, down = a;
      up(i, j) += h;
      down(i, j) -= h;
      const long double fd = (weighted_factor(up, w) - weighted_factor(down, w)) / (2 * h);
      INFO("element (" << i << ", " << j << "): adjoint " << static_cast<double>(g(i, j)) << ", central difference "
                       << static_cast<double>(fd));
      CHECK(std::abs(static_cast<double>(g(i, j) - fd)) < 1e-9 * (1 + std::abs(static_cast<double>(fd))));
    }
    // Double and float against the long double adjoint.
    M gd = w.cast<double>();
    std::vector<double> wd(work.size());
    math::cholesky_adjoint<double>(ld, gd, wd.data());
    dense<float> gf = w.cast<float>();
    std::vector<float> wf(work.size());
    math::cholesky_adjoint<float>(lf, gf, wf.data());
    const M gl = g.cast<double>();
    for (Eigen::Index j = 0; j < n; ++j)
      for (Eigen::Index i = j; i < n; ++i) {
        CHECK(std::abs(gd(i, j) - gl(i, j)) < 1e-11 * (1 + std::abs(gl(i, j))));
        CHECK(std::abs(gf(i, j) - gl(i, j)) < 1e-4 * (1 + std::abs(gl(i, j))));
      }
  }
  // Not positive definite, or not finite: false, in double and float.
  M a = spd(6, 3).cast<double>();
  M bad = a;
  bad(3, 3) = -1;
  CHECK_FALSE(math::cholesky_factor<double>(bad));
  bad = a;
  bad(4, 1) = std::nan("");
  CHECK_FALSE(math::cholesky_factor<double>(bad));
  bad = a;
  bad(5, 0) = math::inf<double>;
  CHECK_FALSE(math::cholesky_factor<double>(bad));
  dense<float> badf = a.cast<float>();
  badf(2, 1) = 50;  // |A_21| > sqrt(A_11 A_22): indefinite
  CHECK_FALSE(math::cholesky_factor<float>(badf));
}

TEST_CASE("covariance functions: values by the formulas, gradients in alpha and rho, float", "[expr][matrix][gp]") {
  const auto ref = [](int which, const M& pts) {
    return [which, pts](const test::expr_values& v) { return flat(covariance(which, pts, alpha_of(v), rho_of(v))); };
  };
  check_expression([](auto, auto p, auto b) { return gp_exp_quad_cov(x1, exp(b), sum(p)); }, ref(0, x1), 16);
  check_expression([](auto, auto p, auto b) { return gp_matern32_cov(x1, exp(b), sum(p)); }, ref(1, x1), 16);
  check_expression([](auto, auto p, auto b) { return gp_matern52_cov(x1, exp(b), sum(p)); }, ref(2, x1), 16);
  check_expression([](auto, auto p, auto b) { return gp_exponential_cov(x1, exp(b), sum(p)); }, ref(3, x1), 16);
  // Inputs as std::vector<double>, as an N x D matrix and as a std::vector of points.
  const std::vector<double> xs(x1.data(), x1.data() + x1.size());
  check_expression([xs](auto, auto p, auto b) { return gp_exp_quad_cov(xs, exp(b), sum(p)); }, ref(0, x1), 16);
  const M pts = x2();
  check_expression([pts](auto, auto p, auto b) { return gp_matern32_cov(pts, exp(b), sum(p)); }, ref(1, pts), 16);
  std::vector<V> points;
  for (Eigen::Index i = 0; i < pts.rows(); ++i) points.push_back(pts.row(i).transpose());
  check_expression([points](auto, auto p, auto b) { return gp_exp_quad_cov(points, exp(b), sum(p)); }, ref(0, pts), 16);
  // Constants as hyperparameters, and the magnitude from a parameter alone.
  check_expression([](auto, auto, auto b) { return gp_matern52_cov(x1, exp(b), 1.5); },
                   [](const test::expr_values& v) { return flat(covariance(2, x1, std::exp(v.b), 1.5)); }, 16);
}

TEST_CASE("add_diag, cholesky and element-wise operations keep the matrix shape", "[expr][matrix]") {
  const auto K = [](auto p, auto b) { return gp_exp_quad_cov(x1, exp(b), sum(p)); };
  check_expression([K](auto, auto p, auto b) { return add_diag(K(p, b), exp(b)); },
                   [](const test::expr_values& v) {
                     M k = base_cov(v);
                     k.diagonal().array() += std::exp(v.b);
                     return flat(k);
                   },
                   16);
  check_expression([K](auto, auto p, auto b) { return add_diag(K(p, b), p); },
                   [](const test::expr_values& v) {
                     M k = base_cov(v);
                     k.diagonal() += v.p;
                     return flat(k);
                   },
                   16);
  // The factor, against Eigen's of the same matrix.
  check_expression([K](auto, auto p, auto b) { return cholesky(add_diag(K(p, b), p)); },
                   [](const test::expr_values& v) {
                     M k = base_cov(v);
                     k.diagonal() += v.p;
                     return flat(Eigen::LLT<M>(k).matrixL().toDenseMatrix());
                   },
                   16);
  // Element-wise: with a scalar (either side), with a matrix of the same shape, unary functions.
  check_expression([K](auto, auto p, auto b) { return exp(b) * K(p, b) - 1.0; },
                   [](const test::expr_values& v) { return V(flat(std::exp(v.b) * base_cov(v)).array() - 1.0); }, 16);
  check_expression([K](auto, auto p, auto b) { return -(K(p, b) / exp(b)) + cholesky(add_diag(K(p, b), 1.0)); },
                   [](const test::expr_values& v) {
                     M k = base_cov(v);
                     M l = Eigen::LLT<M>(M(k + M::Identity(4, 4))).matrixL();
                     return flat(l - k / std::exp(v.b));
                   },
                   16);
  check_expression([K](auto, auto p, auto b) { return square(K(p, b)); },
                   [](const test::expr_values& v) { return V(flat(base_cov(v)).array().square()); }, 16);
  // to_matrix: a vector's values as a matrix (here two 2 x 2 matrices multiplied).
  check_expression([](auto a, auto p, auto) { return to_matrix(exp(p), 2, 2) * to_matrix(a, 2, 2); },
                   [](const test::expr_values& v) {
                     const V ep = v.p.array().exp();
                     return flat(Eigen::Map<const M>(ep.data(), 2, 2) * Eigen::Map<const M>(v.a.data(), 2, 2));
                   },
                   4);
}

TEST_CASE("products with matrix expressions: M * v, lower-triangular factors, M * N, diag multiplies",
          "[expr][matrix]") {
  const auto K = [](auto p, auto b) { return gp_exp_quad_cov(x1, exp(b), sum(p)); };
  const auto L = [K](auto p, auto b) { return cholesky(add_diag(K(p, b), 0.5)); };
  const auto Lv = [](const test::expr_values& v) {
    M k = base_cov(v);
    k.diagonal().array() += 0.5;
    return M(Eigen::LLT<M>(k).matrixL());
  };
  // Matrix times vector: a full matrix, a factor (f = L * eta), data.
  check_expression([K](auto a, auto p, auto b) { return K(p, b) * a; },
                   [](const test::expr_values& v) { return V(base_cov(v) * v.a); }, 4);
  check_expression([L](auto a, auto p, auto b) { return L(p, b) * a; }, [Lv](const test::expr_values& v) { return V(Lv(v) * v.a); },
                   4);
  const V w = (V(4) << 0.3, -1.0, 2.0, 0.5).finished();
  check_expression([L, w](auto, auto p, auto b) { return L(p, b) * w; }, [Lv, w](const test::expr_values& v) { return V(Lv(v) * w); },
                   4);
  // Products of matrices: lower times full, full times lower, with data on either side.
  check_expression([K, L](auto, auto p, auto b) { return L(p, b) * K(p, b); },
                   [Lv](const test::expr_values& v) { return flat(Lv(v) * base_cov(v)); }, 16);
  check_expression([K, L](auto, auto p, auto b) { return K(p, b) * L(p, b); },
                   [Lv](const test::expr_values& v) { return flat(base_cov(v) * Lv(v)); }, 16);
  const M X = (M(3, 4) << 1, 0, 2, -1, 0.5, 0.5, 0, 1, -2, 1, 1, 0).finished();
  check_expression([L, X](auto, auto p, auto b) { return X * L(p, b); },
                   [Lv, X](const test::expr_values& v) { return flat(X * Lv(v)); }, 12);
  check_expression([L, X](auto, auto p, auto b) { return L(p, b) * M(X.transpose()); },
                   [Lv, X](const test::expr_values& v) { return flat(Lv(v) * X.transpose()); }, 12);
  // diag(v) M and M diag(v), with a vector and with one scale.
  check_expression([L](auto, auto p, auto b) { return diag_pre_multiply(p, L(p, b)); },
                   [Lv](const test::expr_values& v) { return flat(v.p.asDiagonal() * Lv(v)); }, 16);
  check_expression([K](auto a, auto p, auto b) { return diag_post_multiply(K(p, b), a); },
                   [](const test::expr_values& v) { return flat(base_cov(v) * v.a.asDiagonal()); }, 16);
  check_expression([L](auto, auto p, auto b) { return diag_pre_multiply(b, L(p, b)) * p; },
                   [Lv](const test::expr_values& v) { return V(v.b * Lv(v) * v.p); }, 4);
}

TEST_CASE("matrix parameters and correlated random effects: names, values, gradients", "[expr][matrix][model]") {
  // beta = diag(tau) L_Omega z, z a K x J matrix of standard normals (Stan's non-centred
  // multivariate effects), y ~ normal(beta + X * gamma, sigma) element by element.
  const index_t K = 3, J = 5;
  auto L_Omega = param<"L_Omega">(lkj_corr_cholesky(2.0), K);
  auto tau = param<"tau">(half_normal(1.0), K);
  auto z = param<"z">(normal(0.0, 1.0), K, J);
  auto beta = let<"beta">(diag_pre_multiply(tau, L_Omega) * z);
  auto sigma = param<"sigma">(half_normal(1.0));
  M y(K, J);
  for (index_t i = 0; i < y.size(); ++i) y.data()[i] = std::sin(0.7 * static_cast<double>(i));
  const auto m = model(L_Omega, tau, z, beta, sigma, observe<"y">(normal(beta, sigma), flat(y)));
  const auto c = compile<double>(m);
  REQUIRE(c.dim() == 3 + 3 + 15 + 1);
  const auto names = c.param_names();
  REQUIRE(names.size() == 9 + 3 + 15 + 15 + 1);
  CHECK(names[12] == "z[0,0]");
  CHECK(names[13] == "z[1,0]");
  CHECK(names[26] == "z[2,4]");
  CHECK(names[27] == "beta[0,0]");
  CHECK(names[41] == "beta[2,4]");
  test::check_gradient(c, 3, 1e-6, 5, 1.0);
  test::check_float_matches_double(c, compile<float>(m));
  // Values of the deterministic against diag(tau) L z.
  exmc::rng r(4);
  const V q = test::random_point(c.dim(), r, 1.0);
  const V out = c.constrain(q);
  const M Lm = Eigen::Map<const M>(out.data(), K, K);
  const V tv = out.segment(9, K);
  const M zm = Eigen::Map<const M>(out.data() + 12, K, J);
  const M expected = tv.asDiagonal() * Lm * zm;
  CHECK((Eigen::Map<const M>(out.data() + 27, K, J) - expected).cwiseAbs().maxCoeff() < 1e-12);
  // Parameter matrices on both sides, a data matrix on the left, a parameter vector on the right.
  auto A = param<"A">(normal(0.0, 1.0), 2, K);
  auto v = param<"v">(normal(0.0, 1.0), J);
  const M X = (M(4, 2) << 1, 0, 0.5, 2, -1, 1, 0, 3).finished();
  auto e = let<"e">(X * (A * z) * v);
  const auto m2 = model(A, z, v, e, observe<"y">(normal(e, 1.0), V::LinSpaced(4, -1, 1)));
  const auto c2 = compile<double>(m2);
  test::check_gradient(c2, 3, 1e-6, 9, 1.0);
  test::check_float_matches_double(c2, compile<float>(m2));
  const V q2 = test::random_point(c2.dim(), r, 1.0);
  const V out2 = c2.constrain(q2);
  const M Am = Eigen::Map<const M>(out2.data(), 2, K), zm2 = Eigen::Map<const M>(out2.data() + 6, K, J);
  const V ev = X * (Am * zm2) * out2.segment(21, J);
  CHECK((out2.tail(4) - ev).cwiseAbs().maxCoeff() < 1e-12);
  CHECK(c2.param_names()[6] == "z[0,0]");
  CHECK(c2.param_names()[26] == "e[0]");  // a matrix times a vector is a vector
}

TEST_CASE("matrices that are not positive definite give -inf; shapes are checked when the model is built",
          "[expr][matrix][errors]") {
  const Eigen::VectorXd x = V::LinSpaced(6, 0, 2);
  auto alpha = param<"alpha">(half_normal(1.0));
  auto rho = param<"rho">(normal(1.0, 1.0));  // may be negative: an invalid length scale
  auto eta = param<"eta">(normal(0.0, 1.0), 6);
  // add_diag(K, 0.3 - alpha^2): indefinite once alpha^2 > 0.3 + the smallest eigenvalue.
  auto L = let<"L">(cholesky(add_diag(gp_exp_quad_cov(x, alpha, rho), 0.3 - 2.0 * square(alpha))));
  const Eigen::VectorXi counts = (Eigen::VectorXi(6) << 0, 1, 3, 2, 0, 1).finished();
  const auto m = model(alpha, rho, eta, L, observe<"y">(poisson_log(L * eta), counts));
  const auto check = [&](const auto& c) {
    using T = typename std::remove_cvref_t<decltype(c)>::scalar;
    vector_t<T> q = vector_t<T>::Zero(c.dim()), g(c.dim());
    q[0] = T(-3);  // alpha = 0.05: positive definite
    q[1] = T(1);
    CHECK(std::isfinite(c.logp_grad(q, g)));
    q[0] = T(1);  // alpha = e: indefinite
    CHECK(c.logp_grad(q, g) == -math::inf<double>);
    CHECK(g.cwiseAbs().maxCoeff() == 0);
    CHECK(c.logp(q) == -math::inf<double>);
    q[0] = T(-3);
    q[1] = T(-1);  // rho < 0
    CHECK(c.logp_grad(q, g) == -math::inf<double>);
  };
  check(compile<double>(m));
  check(compile<float>(m));
  // The factor as mv_normal_cholesky's argument, and mv_normal's own factorisation.
  Eigen::VectorXd y = V::LinSpaced(6, -1, 1);
  const auto K = add_diag(gp_exp_quad_cov(x, alpha, 1.0), 0.3 - 2.0 * square(alpha));
  const auto mc = compile<double>(model(alpha, observe<"y">(mv_normal_cholesky(0.0, cholesky(K)), y)));
  const auto mv = compile<double>(model(alpha, observe<"y">(mv_normal(0.0, K), y)));
  V q1(1), g1(1);
  q1 << -3;
  CHECK(mc.logp_grad(q1, g1) == Approx(mv.logp_grad(q1, g1)).epsilon(1e-10));
  q1 << 1;
  CHECK(mc.logp_grad(q1, g1) == -math::inf<double>);
  CHECK(mv.logp_grad(q1, g1) == -math::inf<double>);

  // Shapes: each message names the operands.
  auto z = param<"z">(normal(0.0, 1.0), 3, 4);
  auto Lc = param<"Lc">(lkj_corr_cholesky(2.0), 3);
  CHECK_THROWS_WITH(z * z, Catch::Contains("size mismatch") && Catch::Contains("3 x 4 times 3 x 4"));
  CHECK_THROWS_WITH(z + Lc, Catch::Contains("3 x 4 and 3 x 3"));
  CHECK_THROWS_WITH(cholesky(z), Catch::Contains("cholesky: the matrix 'z' is 3 x 4, not square"));
  CHECK_THROWS_WITH(add_diag(z, 1.0), Catch::Contains("not square"));
  auto t3 = param<"t3">(half_normal(1.0), 3);
  CHECK_THROWS_WITH(diag_post_multiply(z, t3), Catch::Contains("diag_post_multiply: 'z' is 3 x 4 but the scales have 3"));
  CHECK_THROWS_WITH(param<"w">(normal(0.0, 1.0), 0, 4), Catch::Contains("at least one row"));
  CHECK_THROWS_WITH(gp_exp_quad_cov(x, -1.0, 1.0), Catch::Contains("magnitude alpha must be positive"));
  CHECK_THROWS_WITH(model(eta, observe<"y">(normal(gp_exp_quad_cov(x, 1.0, 0.0) * eta, 1.0), y)),
                    Catch::Contains("length scale rho must be positive"));
  auto v5 = param<"v5">(normal(0.0, 1.0), 5);
  CHECK_THROWS_WITH(model(z, v5, let<"e">(z * v5)),
                    Catch::Contains("let<\"e\">") && Catch::Contains("the matrix is 3 x 4 but the vector has 5"));
  CHECK_THROWS_WITH(model(eta, let<"e">(to_matrix(eta, 2, 2))), Catch::Contains("has 6 values, not the 2 x 2"));
  auto t2 = param<"t2">(half_normal(1.0), 2);
  CHECK_THROWS_WITH(model(t2, z, let<"e">(diag_pre_multiply(exp(t2), z))),
                    Catch::Contains("diag_pre_multiply: 'z' is 3 x 4 but the scales have 2"));
}
