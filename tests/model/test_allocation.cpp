// logp_grad allocates nothing after construction: every buffer lives in the workspace.
#include <atomic>
#include <cstdlib>
#include <new>

#include "../support/gradient_check.hpp"
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
  // The counter itself works: constructing a model does allocate.
  const long before = allocations.load();
  auto c = compile<double>(bench::simple_model(d("simple")));
  CHECK(allocations.load() > before);
}
