// logp_grad allocates nothing after construction: every buffer lives in the workspace.
#include "../support/allocation_counter.hpp"
#include "../support/gradient_check.hpp"
#include "models/models.hpp"

using exmc::test::allocations;

using namespace exmc;

template <class T, class Model>
long allocations_per_call(const Model& m) {
  auto c = compile<T>(m);
  auto ws = c.make_workspace();
  vector_t<T> q = vector_t<T>::Constant(c.dim(), T(0.1)), g(c.dim());
  c.logp_grad(q, g, ws);  // warm
  const long before = allocations.load();
  for (int i = 0; i < 10; ++i) c.logp_grad(q, g, ws);
  return allocations.load() - before;
}

TEST_CASE("logp_grad performs no heap allocation", "[model][allocation]") {
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
  // The counter itself works: constructing a model does allocate.
  const long before = allocations.load();
  auto c = compile<double>(bench::simple_model(d("simple")));
  CHECK(allocations.load() > before);
}
