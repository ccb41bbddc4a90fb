// Fixed work for instruction counts: N calls of logp_grad on one small benchmark model, compiled
// (centred, as gradient_bench times it) or hand-written. Timings on a shared machine wander by
// +-15% under 100 ns; callgrind's instruction counts do not:
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null gradient_probe eight_schools compiled 20000
// and the same with N = 0; (difference) / N is the cost of one call (docs/benchmarks.md).
// `erased` calls the compiled model through exmc::any_density, as exmc::sample does (D117).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "models/models.hpp"
#include "probe_run.hpp"
#include "reference/eight_schools.hpp"
#include "reference/funnel.hpp"
#include "reference/logistic.hpp"
#include "reference/medium.hpp"
#include "reference/simple.hpp"
#include "reference/stress.hpp"
#include "reference/sv.hpp"

namespace {

template <class Reference, class MakeModel>
bool probe(const std::string& model, const std::string& which, long n, MakeModel make_model) {
  const auto d = exmc::data_file::from_file(exmc::str_cat({EXMC_DATA_DIR, "/", model, ".json"}));
  if (which == "reference") {
    exmc::bench::probe_run(Reference::from(d), n);
  } else if (which == "compiled" || which == "erased") {
    const auto compiled = exmc::compile<double>(make_model(d), {.ncp = exmc::ncp_policy::never});
    if (which == "compiled") exmc::bench::probe_run(compiled, n);
    else exmc::bench::probe_run(exmc::any_density<double>(compiled), n);
  } else {
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: gradient_probe simple|medium|stress|eight_schools|funnel|logistic|sv compiled|erased|reference [calls]\n");
    return 2;
  }
  const std::string model = argv[1], which = argv[2];
  const long n = argc > 3 ? std::atol(argv[3]) : 1000000;
  namespace r = exmc::reference;
  namespace m = exmc::bench;
  bool ok = false;
  if (model == "simple") ok = probe<r::simple<double>>(model, which, n, [](const auto& d) { return m::simple_model(d); });
  if (model == "medium") ok = probe<r::medium<double>>(model, which, n, [](const auto& d) { return m::medium_model(d); });
  if (model == "stress") ok = probe<r::stress<double>>(model, which, n, [](const auto& d) { return m::stress_model(d); });
  if (model == "eight_schools")
    ok = probe<r::eight_schools<double>>(model, which, n, [](const auto& d) { return m::eight_schools_model(d); });
  if (model == "funnel") ok = probe<r::funnel<double>>(model, which, n, [](const auto& d) { return m::funnel_model(d); });
  if (model == "logistic")
    ok = probe<r::logistic<double>>(model, which, n, [](const auto& d) { return m::logistic_model(d); });
  if (model == "sv") ok = probe<r::sv<double>>(model, which, n, [](const auto& d) { return m::sv_model(d); });
  if (!ok) {
    std::fprintf(stderr, "gradient_probe: unknown model '%s' or kind '%s'\n", argv[1], argv[2]);
    return 2;
  }
}
