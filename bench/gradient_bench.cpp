// Gradient evaluations per second of log densities: logp_grad at one fixed point, through
// exmc::evaluator (the path the samplers take, workspace included).
//
// Benchmarks are named logp_grad/<model>/<implementation>/<scalar>, e.g.
// logp_grad/sv/reference/double. To compare a compiled model with the hand-written reference,
// register it next to the references below with the same model name and its own
// implementation label:
//     add_gradient_bench("sv/compiled", make_sv_model<double>(data));
// Both then run at the same point (gradient_bench_point) on the same data.
//
// With -DEXMC_BENCH_STAN_MATH=ON each model also runs as logp_grad/<model>/stan_math/double: the
// same density through Stan Math's reverse mode (bench/stan_math/). Before any timing, the
// binary checks at random points that the compiled, reference and Stan Math gradients agree and
// that their log densities differ only by a constant; it prints the check and exits with 1 on a
// mismatch (`--benchmark_filter=^$` runs the check alone).
//
// Data files are read from EXMC_DATA_DIR (environment variable, else the path compiled in).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "exmc/core/log_density.hpp"
#include "exmc/core/random.hpp"
#include "exmc/io/cmdstan_json.hpp"
#include "reference/eight_schools.hpp"
#include "reference/funnel.hpp"
#include "reference/logistic.hpp"
#include "reference/medium.hpp"
#include "reference/simple.hpp"
#include "reference/stress.hpp"
#include "reference/sv.hpp"
#include "models/models.hpp"
#ifdef EXMC_BENCH_STAN_MATH
#include "stan_math/stan_math_densities.hpp"
#endif

namespace {

exmc::data_file bench_data(const std::string& model) {
  const char* dir = std::getenv("EXMC_DATA_DIR");
  return exmc::data_file::from_file(std::string(dir ? dir : EXMC_DATA_DIR) + "/" + model + ".json");
}

template <class T>
const char* scalar_label() {
  if constexpr (std::is_same_v<T, float>) return "float";
  else if constexpr (std::is_same_v<T, double>) return "double";
  else return "long_double";
}

// The point every implementation of a d-dimensional model is timed at: coordinates N(0, 0.5^2)
// from a fixed seed, i.e. positive parameters near 1 and locations near 0, a typical region.
template <class T>
exmc::vector_t<T> gradient_bench_point(std::ptrdiff_t dim) {
  exmc::rng gen(20240611, 0);
  exmc::vector_t<T> q(dim);
  for (std::ptrdiff_t i = 0; i < dim; ++i) q[i] = static_cast<T>(0.5 * gen.normal());
  return q;
}

// Registers logp_grad/<label>/<scalar> for any LogDensity; the density is owned by the benchmark.
template <exmc::LogDensity D>
void add_gradient_bench(const std::string& label, D density) {
  using T = typename D::scalar;
  auto owned = std::make_shared<const D>(std::move(density));
  const std::string name = "logp_grad/" + label + "/" + scalar_label<T>();
  benchmark::RegisterBenchmark(name.c_str(), [owned](benchmark::State& state) {
    exmc::evaluator<D> ev(*owned);
    const auto q = gradient_bench_point<T>(ev.dim());
    exmc::vector_t<T> grad(ev.dim());
    for (auto _ : state) {
      benchmark::DoNotOptimize(q.data());
      double lp = ev.logp_grad(q, grad);
      benchmark::DoNotOptimize(lp);
      benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());  // items/s = gradient evaluations per second
    state.counters["dim"] = static_cast<double>(ev.dim());
  });
}

// Each model twice, side by side: the hand-written reference and the exmc compiled DSL model.
template <class T>
void add_model_benches() {
  using namespace exmc::reference;
  namespace m = exmc::bench;
  auto both = [](const char* name, auto ref, auto model) {
    add_gradient_bench(std::string(name) + "/reference", std::move(ref));
    // Same density as the (centred) reference: the non-centring pass is off here.
    add_gradient_bench(std::string(name) + "/compiled", exmc::compile<T>(model, {.ncp = exmc::ncp_policy::never}));
  };
  both("simple", simple<T>::from(bench_data("simple")), m::simple_model(bench_data("simple")));
  both("medium", medium<T>::from(bench_data("medium")), m::medium_model(bench_data("medium")));
  both("stress", stress<T>::from(bench_data("stress")), m::stress_model(bench_data("stress")));
  both("eight_schools", eight_schools<T>::from(bench_data("eight_schools")),
       m::eight_schools_model(bench_data("eight_schools")));
  both("funnel", funnel<T>::from(bench_data("funnel")), m::funnel_model(bench_data("funnel")));
  both("logistic", logistic<T>::from(bench_data("logistic")), m::logistic_model(bench_data("logistic")));
  both("sv", sv<T>::from(bench_data("sv")), m::sv_model(bench_data("sv")));
}

// How far apart two implementations of one density are over a few random points: the largest
// gradient difference relative to max(1, |gradient|), and the spread of the log-density
// difference (zero when they differ by a constant only). Points are N(0, 1) coordinates, wider
// than the timing point so that every term of the density is exercised away from its mode.
struct disagreement {
  double grad = 0, constant_spread = 0;
};

template <exmc::LogDensity A, exmc::LogDensity B>
disagreement compare(const A& a, const B& b) {
  exmc::evaluator<A> ea(a);
  exmc::evaluator<B> eb(b);
  exmc::rng gen(977, 1);
  disagreement out;
  double lo = 1e300, hi = -1e300;
  for (int k = 0; k < 5; ++k) {
    Eigen::VectorXd q(ea.dim()), ga(ea.dim()), gb(ea.dim());
    for (Eigen::Index i = 0; i < q.size(); ++i) q[i] = gen.normal();
    const double diff = ea.logp_grad(q, ga) - eb.logp_grad(q, gb);
    lo = std::min(lo, diff);
    hi = std::max(hi, diff);
    for (Eigen::Index i = 0; i < q.size(); ++i)
      out.grad = std::max(out.grad, std::abs(ga[i] - gb[i]) / std::max(1.0, std::abs(gb[i])));
  }
  out.constant_spread = hi - lo;
  return out;
}

// Same density, same coordinates: compiled (centred) against the reference and against Stan
// Math. Returns false if any pair disagrees beyond rounding.
bool check_agreement() {
  using namespace exmc::reference;
  namespace m = exmc::bench;
  const exmc::compile_options centred{.ncp = exmc::ncp_policy::never};
  bool ok = true;
  std::fprintf(stderr, "gradient agreement at 5 random points (max relative gradient difference; spread of the "
                       "log-density difference across points)\n");
  auto report = [&](const char* model, const char* pair, disagreement d) {
    const bool good = d.grad < 1e-9 && d.constant_spread < 1e-8;
    ok = ok && good;
    std::fprintf(stderr, "  %-14s %-20s gradient %.1e  constant spread %.1e  %s\n", model, pair, d.grad,
                 d.constant_spread, good ? "ok" : "MISMATCH");
  };
  auto check = [&](const char* name, const auto& ref, const auto& model, [[maybe_unused]] auto&& stan) {
    const auto compiled = exmc::compile<double>(model, centred);
    report(name, "compiled/reference", compare(compiled, ref));
#ifdef EXMC_BENCH_STAN_MATH
    report(name, "compiled/stan_math", compare(compiled, stan()));
#endif
  };
#ifdef EXMC_BENCH_STAN_MATH
  namespace s = exmc::stan_math;
#define EXMC_STAN(...) [&] { return __VA_ARGS__; }
#else
#define EXMC_STAN(...) 0
#endif
  const auto simple_d = bench_data("simple"), medium_d = bench_data("medium"), stress_d = bench_data("stress"),
             eight_d = bench_data("eight_schools"), funnel_d = bench_data("funnel"),
             logistic_d = bench_data("logistic"), sv_d = bench_data("sv");
  [[maybe_unused]] auto groups = [](const exmc::data_file& d) { return m::zero_based(d.int_vector("group")); };
  check("simple", simple<double>::from(simple_d), m::simple_model(simple_d),
        EXMC_STAN(s::simple(simple_d.vector("y"))));
  check("medium", medium<double>::from(medium_d), m::medium_model(medium_d),
        EXMC_STAN(s::medium(medium_d.vector("y"), groups(medium_d), medium_d.integer("G"))));
  check("stress", stress<double>::from(stress_d), m::stress_model(stress_d),
        EXMC_STAN(s::stress(stress_d.vector("y"), groups(stress_d), stress_d.integer("G"))));
  check("eight_schools", eight_schools<double>::from(eight_d), m::eight_schools_model(eight_d),
        EXMC_STAN(s::eight_schools(eight_d.vector("y"), eight_d.vector("sigma"))));
  check("funnel", funnel<double>::from(funnel_d), m::funnel_model(funnel_d), EXMC_STAN(s::funnel()));
  check("logistic", logistic<double>::from(logistic_d), m::logistic_model(logistic_d),
        EXMC_STAN(s::logistic(logistic_d.matrix("X"), logistic_d.int_vector("y"))));
  check("sv", sv<double>::from(sv_d), m::sv_model(sv_d), EXMC_STAN(s::sv(sv_d.vector("r"))));
#undef EXMC_STAN
  return ok;
}

#ifdef EXMC_BENCH_STAN_MATH
void add_stan_math_benches() {
  namespace s = exmc::stan_math;
  auto groups = [](const exmc::data_file& d) { return exmc::bench::zero_based(d.int_vector("group")); };
  const auto medium_d = bench_data("medium"), stress_d = bench_data("stress"), eight_d = bench_data("eight_schools"),
             logistic_d = bench_data("logistic");
  add_gradient_bench("simple/stan_math", s::simple(bench_data("simple").vector("y")));
  add_gradient_bench("medium/stan_math", s::medium(medium_d.vector("y"), groups(medium_d), medium_d.integer("G")));
  add_gradient_bench("stress/stan_math", s::stress(stress_d.vector("y"), groups(stress_d), stress_d.integer("G")));
  add_gradient_bench("eight_schools/stan_math", s::eight_schools(eight_d.vector("y"), eight_d.vector("sigma")));
  add_gradient_bench("funnel/stan_math", s::funnel());
  add_gradient_bench("logistic/stan_math", s::logistic(logistic_d.matrix("X"), logistic_d.int_vector("y")));
  add_gradient_bench("sv/stan_math", s::sv(bench_data("sv").vector("r")));
}
#endif

}  // namespace

int main(int argc, char** argv) {
  benchmark::AddCustomContext("exmc_cxx_flags", EXMC_BENCH_FLAGS);
  if (!check_agreement()) return 1;
  add_model_benches<double>();
#ifdef EXMC_BENCH_STAN_MATH
  benchmark::AddCustomContext("stan_math", exmc::stan_math::version());
  add_stan_math_benches();
#endif
  add_model_benches<float>();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
