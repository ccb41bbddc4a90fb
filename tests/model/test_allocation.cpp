// logp_grad allocates nothing after construction: every buffer lives in the workspace. Nor does
// constrain in a workspace, which the sampler calls for every stored draw.
#include "../support/allocation_counter.hpp"
#include "../support/gradient_check.hpp"
#include "hmm/hmm_models.hpp"
#include "models/models.hpp"

using exmc::test::allocations;

using namespace exmc;

template <class T, class Model>
long allocations_per_call(const Model& m) {
  auto c = compile<T>(m);
  auto ws = c.make_workspace();
  vector_t<T> q = vector_t<T>::Constant(c.dim(), T(0.1)), q2 = vector_t<T>::Constant(c.dim(), T(-0.2)), g(c.dim());
  Eigen::VectorXd out, fresh;
  c.logp_grad(q, g, ws);  // warm
  c.constrain(q2, out, ws);
  c.constrain(q2, fresh);
  CHECK(out == fresh);  // after a gradient elsewhere, the workspace gives the values a fresh one does
  const long before = allocations.load();
  for (int i = 0; i < 10; ++i) {
    c.logp_grad(q, g, ws);
    c.constrain(q2, out, ws);
  }
  return allocations.load() - before;
}

TEST_CASE("logp_grad and constrain in a workspace perform no heap allocation", "[model][allocation]") {
  const std::string dir = EXMC_DATA_DIR;
  auto d = [&](const char* n) { return data_file::from_file(dir + "/" + n + ".json"); };
  CHECK(allocations_per_call<double>(bench::simple_model(d("simple"))) == 0);
  CHECK(allocations_per_call<double>(bench::stress_model(d("stress"))) == 0);
  CHECK(allocations_per_call<double>(bench::eight_schools_model(d("eight_schools"))) == 0);
  CHECK(allocations_per_call<double>(bench::logistic_model(d("logistic"))) == 0);
  CHECK(allocations_per_call<double>(bench::sv_model(d("sv"))) == 0);
  CHECK(allocations_per_call<float>(bench::logistic_model(d("logistic"))) == 0);
  CHECK(allocations_per_call<float>(bench::sv_model(d("sv"))) == 0);
  // Dense-matrix likelihoods use per-thread scratch that the warm-up call sizes: an LKJ prior
  // with a parameter Cholesky factor, and a covariance built from parameters.
  Eigen::MatrixXd y(5, 3);
  y << 1, 0, 2, 0.5, -1, 2.2, 0.1, -0.5, 1.9, 0.7, -1.2, 2.5, 0.3, 0.2, 2.0;
  auto L = param<"L">(lkj_corr_cholesky(2.0), 3);
  auto tau = param<"tau">(half_normal(1.0), 3);
  auto mu = param<"mu">(normal(0.0, 5.0), 3);
  const auto lkj = model(L, tau, mu, observe<"y">(mv_normal_cholesky(mu, diag_pre_multiply(tau, L)), y));
  CHECK(allocations_per_call<double>(lkj) == 0);
  CHECK(allocations_per_call<float>(lkj) == 0);
  const Eigen::VectorXd eye = flatten(Eigen::MatrixXd::Identity(3, 3));
  auto s = param<"s">(half_normal(1.0));
  CHECK(allocations_per_call<double>(model(mu, s, observe<"y">(mv_normal(mu, square(s) * eye + 0.5), y))) == 0);
  // Issue 25's constructs: elements, slices, linear combinations, lpdf (as a term and inside
  // log_mix), a mixture with one weight, flat priors and bounds that depend on parameters.
  {
    const Eigen::VectorXd x = Eigen::VectorXd::LinSpaced(12, -1.0, 1.0), yy = Eigen::VectorXd::LinSpaced(12, 0.0, 2.0);
    Eigen::MatrixXd X(12, 2);
    X << x, x.array().square().matrix();
    auto a = param<"a">(flat());
    auto b = param<"b">(flat(), 3);
    auto sg = param<"sigma">(flat(), lower(0.0));
    auto a1 = param<"a1">(uniform(0.0, 1.0));
    auto b1 = param<"b1">(flat(), bounds(0.0, 1.0 - a1));
    auto w = param<"w">(normal(0.0, 1.0), 12, upper(b[0] + x));
    auto th = param<"theta">(beta(2.0, 2.0));
    auto lang = model(a, b, sg, a1, b1, w, th,
                      observe<"y">(normal(a + b[0] * x + b[1] * yy, sg), yy),
                      observe<"z">(mixture(th, normal(a + X * b.head(2), sg), normal(b[2], 1.0)), yy),
                      potential<"walk">(lpdf(normal(w.head(11), b1 + 0.5), w.tail(11))),
                      potential<"mix">(log_mix(a1, lpdf(normal(a, 1.0), yy), lpdf(student_t(3.0, b[1], 1.0), w.segment(2, 5)))));
    CHECK(allocations_per_call<double>(lang) == 0);
    CHECK(allocations_per_call<float>(lang) == 0);
  }
  // Matrix expressions keep their scratch in their states: a Gaussian process through cholesky()
  // (factor and adjoint), its non-centred form f = L * eta, mv_normal's automatic non-centring,
  // and correlated effects with a matrix parameter (tests/model/test_gp.cpp also counts Eigen's
  // own heap allocations).
  const Eigen::VectorXd gx = Eigen::VectorXd::LinSpaced(40, 0, 4), gy = gx.array().sin();
  const Eigen::VectorXi counts = Eigen::VectorXi::LinSpaced(40, 0, 5);
  auto alpha = param<"alpha">(half_normal(1.0));
  auto rho = param<"rho">(inv_gamma(5.0, 5.0));
  const auto Kgp = add_diag(gp_exp_quad_cov(gx, alpha, rho), square(s));
  const auto gp_marginal = model(alpha, rho, s, observe<"y">(mv_normal_cholesky(0.0, cholesky(Kgp)), gy));
  CHECK(allocations_per_call<double>(gp_marginal) == 0);
  CHECK(allocations_per_call<float>(gp_marginal) == 0);
  auto eta = param<"eta">(normal(0.0, 1.0), 40);
  const auto gp_latent = model(alpha, rho, s, eta, observe<"y">(poisson_log(cholesky(Kgp) * eta), counts));
  CHECK(allocations_per_call<double>(gp_latent) == 0);
  auto f = param<"f">(mv_normal(0.0, add_diag(gp_matern32_cov(gx, alpha, rho), 1e-9)), 40);
  CHECK(allocations_per_call<double>(model(alpha, rho, f, observe<"y">(poisson_log(f), counts))) == 0);
  auto z = param<"z">(normal(0.0, 1.0), 3, 5);
  const auto effects = model(L, tau, z, observe<"y">(normal(diag_pre_multiply(tau, L) * z, 1.0), Eigen::VectorXd::Zero(15)));
  CHECK(allocations_per_call<double>(effects) == 0);
  CHECK(allocations_per_call<float>(effects) == 0);
  // The counter itself works: constructing a model does allocate.
  const long before = allocations.load();
  auto c = compile<double>(bench::simple_model(d("simple")));
  CHECK(allocations.load() > before);
}

TEST_CASE("a hidden Markov model's gradient performs no heap allocation", "[model][allocation][hmm]") {
  const Eigen::VectorXd y = bench_hmm::simulate(bench_hmm::default_truth(3), 50, 1).y;
  CHECK(allocations_per_call<double>(bench_hmm::gaussian_hmm(y, 3)) == 0);
  CHECK(allocations_per_call<float>(bench_hmm::gaussian_hmm(y, 3)) == 0);
}
