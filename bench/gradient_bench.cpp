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
// Data files are read from EXMC_DATA_DIR (environment variable, else the path compiled in).
#include <benchmark/benchmark.h>

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

}  // namespace

int main(int argc, char** argv) {
  benchmark::AddCustomContext("exmc_cxx_flags", EXMC_BENCH_FLAGS);
  add_model_benches<double>();
  add_model_benches<float>();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
