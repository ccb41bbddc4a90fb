// logp_grad allocates nothing after construction: every buffer lives in the workspace.
#include <atomic>
#include <cstdlib>
#include <new>

#include "../support/gradient_check.hpp"
#include "hmm/hmm_models.hpp"
#include "models/models.hpp"

namespace {
std::atomic<long> allocations{0};
}

void* operator new(std::size_t n) {
  ++allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  ++allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
// Every form that the default delete might be paired with is replaced (std::stable_sort uses the
// nothrow form), so AddressSanitizer sees matching pairs.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  ++allocations;
  return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  ++allocations;
  return std::malloc(n ? n : 1);
}
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

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

TEST_CASE("a hidden Markov model's gradient performs no heap allocation", "[model][allocation][hmm]") {
  const Eigen::VectorXd y = bench_hmm::simulate(bench_hmm::default_truth(3), 50, 1).y;
  CHECK(allocations_per_call<double>(bench_hmm::gaussian_hmm(y, 3)) == 0);
  CHECK(allocations_per_call<float>(bench_hmm::gaussian_hmm(y, 3)) == 0);
}
