// Gaussian processes and correlated effects as models: the non-centred GP written by hand
// (f = L * eta) and the automatic non-centring of mv_normal priors against a hand-written density,
// the centred and non-centred forms against each other (they differ by log det L), initial values
// and prior draws through the rewrite, no heap allocation in an evaluation (Eigen's own
// allocations included), and NUTS on a GP whose posterior is known in closed form.
//
// Built without the precompiled header: Eigen is told here to count its heap allocations
// (EIGEN_RUNTIME_NO_MALLOC), which must be set before Eigen is first included.
#include <atomic>

namespace exmc_test {
inline std::atomic<long> eigen_assert_failures{0};
}
#define EIGEN_RUNTIME_NO_MALLOC
#define eigen_assert(x) ((x) ? void(0) : void(++exmc_test::eigen_assert_failures))

#include <Eigen/Cholesky>
#include <exmc/exmc.hpp>

#include "../support/gradient_check.hpp"

using namespace exmc;
using V = Eigen::VectorXd;
using M = Eigen::MatrixXd;

namespace {

const double log_sqrt_2pi = 0.5 * std::log(2 * M_PI);

struct gp_data {
  V x;
  Eigen::VectorXi y;
};
gp_data poisson_data(int n) {
  gp_data d{V::LinSpaced(n, -3, 3), Eigen::VectorXi(n)};
  exmc::rng r(3);
  for (int i = 0; i < n; ++i) d.y[i] = static_cast<int>(poisson_fn::generate(r, std::exp(1 + std::sin(d.x[i]))));
  return d;
}

// alpha ~ half_normal(1), rho ~ inv_gamma(5, 5), the GP prior's K = alpha^2 exp(-d^2 / (2 rho^2))
// + 1e-9 I, y ~ poisson_log(f); q = (log alpha, log rho, eta or f).
M gp_cov_by_hand(const V& x, double alpha, double rho) {
  M k(x.size(), x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i)
    for (Eigen::Index j = 0; j < x.size(); ++j)
      k(i, j) = alpha * alpha * std::exp(-(x[i] - x[j]) * (x[i] - x[j]) / (2 * rho * rho)) + (i == j ? 1e-9 : 0.0);
  return k;
}
double hyper_prior(double la, double lr) {
  const double a = std::exp(la), r = std::exp(lr);
  return std::log(2.0) - log_sqrt_2pi - a * a / 2 + la                                    // half_normal(1), Jacobian
         + 5 * std::log(5.0) - std::lgamma(5.0) - 6 * std::log(r) - 5 / r + lr;           // inv_gamma(5, 5), Jacobian
}
double poisson_lik(const V& f, const Eigen::VectorXi& y) {
  double lp = 0;
  for (Eigen::Index i = 0; i < f.size(); ++i) lp += y[i] * f[i] - std::exp(f[i]) - std::lgamma(y[i] + 1.0);
  return lp;
}
// The non-centred density: eta ~ normal(0, 1), f = L eta.
double noncentred_by_hand(const gp_data& d, const V& q) {
  const Eigen::Index n = d.x.size();
  const V eta = q.tail(n);
  const M L = Eigen::LLT<M>(gp_cov_by_hand(d.x, std::exp(q[0]), std::exp(q[1]))).matrixL();
  return hyper_prior(q[0], q[1]) - 0.5 * eta.squaredNorm() - static_cast<double>(n) * log_sqrt_2pi +
         poisson_lik(L * eta, d.y);
}

template <class C>
long eigen_allocations_per_call(const C& c) {
  using T = typename C::scalar;
  auto ws = c.make_workspace();
  vector_t<T> q = vector_t<T>::Constant(c.dim(), T(0.1)), g(c.dim());
  c.logp_grad(q, g, ws);  // warm (mv_normal's per-thread scratch)
  const long before = exmc_test::eigen_assert_failures.load();
  Eigen::internal::set_is_malloc_allowed(false);
  for (int i = 0; i < 3; ++i) c.logp_grad(q, g, ws);
  Eigen::internal::set_is_malloc_allowed(true);
  return exmc_test::eigen_assert_failures.load() - before;
}

}  // namespace

TEST_CASE("non-centred GP Poisson regression: by hand (L * eta) and by the automatic rewrite", "[model][gp][ncp]") {
  const gp_data d = poisson_data(9);
  auto alpha = param<"alpha">(half_normal(1.0));
  auto rho = param<"rho">(inv_gamma(5.0, 5.0));
  const auto K = add_diag(gp_exp_quad_cov(d.x, alpha, rho), 1e-9);
  // Written the way Stan's user's guide writes it.
  auto eta = param<"eta">(normal(0.0, 1.0), 9);
  auto L = let<"L">(cholesky(K));
  auto f_nc = let<"f">(L * eta);
  const auto by_hand = compile<double>(model(alpha, rho, eta, L, f_nc, observe<"y">(poisson_log(f_nc), d.y)));
  // Written centred: the compiler non-centres f (one observation per element).
  auto f = param<"f">(mv_normal(0.0, K), 9);
  const auto m = model(alpha, rho, f, observe<"y">(poisson_log(f), d.y));
  const auto automatic = compile<double>(m);
  REQUIRE(automatic.noncentered("f"));
  CHECK_THAT(automatic.describe(), Catch::Contains("f = 0 + L z, L = cholesky(") && Catch::Contains("z ~ normal(0, 1)"));
  REQUIRE(by_hand.dim() == 11);
  REQUIRE(automatic.dim() == 11);
  exmc::rng r(12);
  for (int p = 0; p < 3; ++p) {
    const V q = test::random_point(11, r, 1.0);
    V g1(11), g2(11);
    const double ref = noncentred_by_hand(d, q);
    CHECK(by_hand.logp_grad(q, g1) == Approx(ref).epsilon(1e-10));
    CHECK(automatic.logp_grad(q, g2) == Approx(ref).epsilon(1e-10));
    CHECK((g1 - g2).cwiseAbs().maxCoeff() < 1e-9 * (1 + g1.cwiseAbs().maxCoeff()));
    // The user sees f = L z.
    const V out = automatic.constrain(q);
    const M Lm = Eigen::LLT<M>(gp_cov_by_hand(d.x, std::exp(q[0]), std::exp(q[1]))).matrixL();
    CHECK((out.tail(9) - Lm * q.tail(9)).cwiseAbs().maxCoeff() < 1e-10);
  }
  test::check_gradient(by_hand, 3, 1e-6, 4, 1.0);
  test::check_gradient(automatic, 3, 1e-6, 4, 1.0);
  test::check_float_matches_double(automatic, compile<float>(m));
  test::check_float_matches_double(by_hand, compile<float>(model(alpha, rho, eta, L, f_nc, observe<"y">(poisson_log(f_nc), d.y))));
  CHECK(by_hand.param_names()[11] == "L[0,0]");
  CHECK(by_hand.param_names()[12] == "L[1,0]");
}

TEST_CASE("centred and non-centred mv_normal priors: the densities differ by log det L; initial values and draws",
          "[model][gp][ncp]") {
  const gp_data d = poisson_data(7);
  auto alpha = param<"alpha">(half_normal(1.0));
  auto rho = param<"rho">(inv_gamma(5.0, 5.0));
  auto f = param<"f">(mv_normal(0.5, add_diag(gp_matern32_cov(d.x, alpha, rho), 1e-9)), 7);
  const auto m = model(alpha, rho, f, observe<"y">(poisson_log(f), d.y));
  const auto nc = compile<double>(m);
  const auto ce = compile<double>(m, {.ncp = ncp_policy::never});
  REQUIRE(nc.noncentered("f"));
  REQUIRE_FALSE(ce.noncentered("f"));
  test::check_gradient(ce, 3, 1e-6, 6, 1.0);
  test::check_gradient(nc, 3, 1e-6, 6, 1.0);
  exmc::rng r(8);
  for (int p = 0; p < 3; ++p) {
    const V q = test::random_point(9, r, 1.0);
    const V out = nc.constrain(q);
    V qc = q;
    qc.tail(7) = out.tail(7);  // the same point, f instead of z
    M Km(7, 7);
    for (int i = 0; i < 7; ++i)
      for (int j = 0; j < 7; ++j) {
        const double s = std::sqrt(3.0) * std::abs(d.x[i] - d.x[j]) / out[1];
        Km(i, j) = out[0] * out[0] * (1 + s) * std::exp(-s) + (i == j ? 1e-9 : 0.0);
      }
    const M Lm = Eigen::LLT<M>(Km).matrixL();
    CHECK((out.tail(7) - (0.5 + (Lm * q.tail(7)).array()).matrix()).cwiseAbs().maxCoeff() < 1e-10);
    // p(z) = p(f(z)) |det L|
    CHECK(nc.logp(q) - ce.logp(qc) == Approx(Lm.diagonal().array().log().sum()).epsilon(1e-8));
    // Initial values on the constrained scale come back through z.
    V q0 = q;
    q0.tail(7).setZero();
    nc.unconstrain({{"f", out.tail(7)}}, q0);
    CHECK((q0.tail(7) - q.tail(7)).cwiseAbs().maxCoeff() < 1e-8);
  }
  // Prior draws are finite points whose f is 0.5 + L z.
  auto ws = nc.make_workspace();
  exmc::rng g(2);
  V q(9);
  for (int k = 0; k < 5; ++k) {
    nc.draw_prior(g, q, ws);
    CHECK(q.allFinite());
    CHECK(std::isfinite(nc.logp(q)));
  }
  // An initial f whose covariance does not factor at the other initial values is reported.
  V qb = V::Zero(9);
  qb[0] = 400;  // alpha = e^400: alpha^2 overflows
  CHECK_THROWS_WITH(nc.unconstrain({{"f", V::Zero(7)}}, qb), Catch::Contains("'f'") && Catch::Contains("not positive definite"));
}

TEST_CASE("correlated effects: mv_normal_cholesky prior with diag_pre_multiply, automatic and by hand",
          "[model][gp][ncp]") {
  // beta_j ~ mv_normal_cholesky(0, diag(tau) L_Omega), j = 1..J, stored as a K x J matrix column by
  // column, against beta = diag_pre_multiply(tau, L_Omega) * z with z standard normal.
  const index_t K = 3, J = 6;
  auto L_Omega = param<"L_Omega">(lkj_corr_cholesky(2.0), K);
  auto tau = param<"tau">(half_normal(1.0), K);
  M y(K, J);
  for (index_t i = 0; i < y.size(); ++i) y.data()[i] = std::cos(1.3 * static_cast<double>(i));
  const V yv = Eigen::Map<const V>(y.data(), y.size());
  auto beta = param<"beta">(mv_normal_cholesky(0.0, diag_pre_multiply(tau, L_Omega)), K * J);
  const auto automatic = compile<double>(model(L_Omega, tau, beta, observe<"y">(normal(beta, 0.5), yv)));
  REQUIRE(automatic.noncentered("beta"));
  auto z = param<"z">(normal(0.0, 1.0), K, J);
  auto b = let<"b">(diag_pre_multiply(tau, L_Omega) * z);
  const auto by_hand = compile<double>(model(L_Omega, tau, z, b, observe<"y">(normal(b, 0.5), yv)));
  REQUIRE(automatic.dim() == by_hand.dim());
  exmc::rng r(5);
  for (int p = 0; p < 3; ++p) {
    const V q = test::random_point(automatic.dim(), r, 1.0);
    V g1(q.size()), g2(q.size());
    CHECK(automatic.logp_grad(q, g1) == Approx(by_hand.logp_grad(q, g2)).epsilon(1e-12));
    CHECK((g1 - g2).cwiseAbs().maxCoeff() < 1e-10 * (1 + g1.cwiseAbs().maxCoeff()));
  }
  test::check_gradient(automatic, 3, 1e-6, 3, 1.0);
}

TEST_CASE("an evaluation allocates nothing, Eigen's product buffers included", "[model][gp][allocation]") {
  for (const int n : {11, 100, 300}) {
    INFO("n = " << n);
    const V x = V::LinSpaced(n, 0, 10);
    V y(n);
    for (int i = 0; i < n; ++i) y[i] = std::sin(x[i]);
    auto alpha = param<"alpha">(half_normal(1.0));
    auto rho = param<"rho">(inv_gamma(5.0, 5.0));
    auto sigma = param<"sigma">(half_normal(1.0));
    const auto marginal = model(alpha, rho, sigma,
                                observe<"y">(mv_normal_cholesky(0.0, cholesky(add_diag(gp_exp_quad_cov(x, alpha, rho), square(sigma)))), y));
    CHECK(eigen_allocations_per_call(compile<double>(marginal)) == 0);
    CHECK(eigen_allocations_per_call(compile<float>(marginal)) == 0);
    auto f = param<"f">(mv_normal(0.0, add_diag(gp_matern32_cov(x, alpha, rho), 1e-6)), n);
    CHECK(eigen_allocations_per_call(compile<double>(model(alpha, rho, sigma, f, observe<"y">(normal(f, sigma), y)))) == 0);
  }
  const index_t K = 4, J = 200;
  auto L_Omega = param<"L_Omega">(lkj_corr_cholesky(2.0), K);
  auto tau = param<"tau">(half_normal(1.0), K);
  auto z = param<"z">(normal(0.0, 1.0), K, J);
  auto A = param<"A">(normal(0.0, 1.0), 300, K);
  const auto effects = model(L_Omega, tau, z, A, observe<"y">(normal(A * (diag_pre_multiply(tau, L_Omega) * z), 1.0), V::Zero(300 * J)));
  CHECK(eigen_allocations_per_call(compile<double>(effects)) == 0);
  // The counter itself works: an Eigen matrix allocated while forbidden is counted.
  const long before = exmc_test::eigen_assert_failures.load();
  Eigen::internal::set_is_malloc_allowed(false);
  const M big = M::Constant(50, 50, 1.0);
  Eigen::internal::set_is_malloc_allowed(true);
  CHECK(exmc_test::eigen_assert_failures.load() > before);
  CHECK(big.sum() == 2500);
}

TEST_CASE("NUTS on a GP with known hyperparameters recovers the closed-form posterior of f", "[model][gp][sampling]") {
  // f ~ mv_normal(0, K), y ~ normal(f, sigma): f | y ~ normal(K (K + s^2 I)^-1 y, K - K (K + s^2 I)^-1 K).
  const int n = 8;
  const V x = V::LinSpaced(n, 0, 4);
  V y(n);
  for (int i = 0; i < n; ++i) y[i] = std::sin(x[i]) + 0.1 * std::cos(7.0 * x[i]);
  const double sigma = 0.4;
  // A covariance of constants is not non-centred (its scale does not depend on parameters), so s
  // enters with weight zero: K depends on a parameter, its value does not, and s keeps its prior.
  auto s = param<"s">(normal(0.0, 1.0));
  auto f = param<"f">(mv_normal(0.0, add_diag(gp_exp_quad_cov(x, 1.2, 1.1), 1e-8 + 0.0 * s)), n);
  const auto c = compile<double>(model(s, f, observe<"y">(normal(f, sigma), y)));
  REQUIRE(c.noncentered("f"));
  M Km(n, n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) Km(i, j) = 1.44 * std::exp(-(x[i] - x[j]) * (x[i] - x[j]) / (2 * 1.21)) + (i == j ? 1e-8 : 0.0);
  const M S = Km + sigma * sigma * M::Identity(n, n);
  const V mean = Km * Eigen::LLT<M>(S).solve(y);
  const M cov = Km - Km * Eigen::LLT<M>(S).solve(Km);
  sample_options o;
  o.chains = 2;
  o.seed = 31;
  o.warmup = 400;
  o.draws = 600;
  const fit fit = sample(c, o);
  REQUIRE(fit.all_ok());
  for (int i = 0; i < n; ++i) {
    const M draws = fit.posterior.column("f[" + std::to_string(i) + "]");
    const double se = mcse_mean(draws), sd = std::sqrt(cov(i, i));
    INFO("f[" << i << "]: mean " << draws.mean() << ", expected " << mean[i] << ", mcse " << se);
    CHECK(std::abs(draws.mean() - mean[i]) < 4.5 * se);
    const double sd_draws = std::sqrt((draws.array() - draws.mean()).square().sum() / static_cast<double>(draws.size() - 1));
    CHECK(std::abs(sd_draws - sd) < 4.5 * mcse_sd(draws));
  }
  CHECK(fit.total_divergent() == 0);

  // A matrix parameter comes back whole from the draws (draw_view::matrix, any shape).
  auto z = param<"z">(normal(0.0, 1.0), 2, 3);
  sample_options oz;
  oz.chains = 1;
  oz.warmup = 50;
  oz.draws = 20;
  const auto fz = sample(compile<double>(model(z)), oz);
  const draws zz = generated_quantities(fz.posterior, {"z12"}, [](const draw_view& d, rng&, std::span<double> out) {
    const M zm = d.matrix("z");
    out[0] = zm.rows() == 2 && zm.cols() == 3 ? zm(1, 2) : std::nan("");
  });
  CHECK((zz.column("z12") - fz.posterior.column("z[1,2]")).cwiseAbs().maxCoeff() == 0);
}
