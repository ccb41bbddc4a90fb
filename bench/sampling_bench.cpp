// End-to-end sampling harness: each benchmark model, one chain, 1000 warmup + 1000 draws, five
// seeds (shared/bench/MODELS.md protocol). Records wall time of warmup + sampling (compilation
// excluded), the minimum bulk-ESS over parameters, ESS/s, gradient evaluations and divergences,
// and prints a Markdown table of medians over seeds. Also writes every run to a CSV.
//   sampling_bench [--csv FILE] [--seeds N] [--models a,b,...] [--variants a,b,...]
// Variants: ncp (ncp_policy::always), centred (ncp_policy::never), auto (ncp_policy::automatic, the
// default), reference (the hand-written density in bench/reference/, written centred).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <exmc/exmc.hpp>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "models/models.hpp"
#include "reference/eight_schools.hpp"
#include "reference/funnel.hpp"
#include "reference/logistic.hpp"
#include "reference/medium.hpp"
#include "reference/simple.hpp"
#include "reference/stress.hpp"
#include "reference/sv.hpp"

namespace {

struct run_result {
  std::string model, variant;
  std::uint64_t seed;
  double seconds, min_ess, ess_per_s;
  std::size_t grads, warmup_grads, divergent;
};

exmc::adaptation_kind adaptation = exmc::adaptation_kind::windowed;

template <class D>
run_result run_one(const std::string& model, const std::string& variant, const D& density, std::uint64_t seed) {
  exmc::sample_options o;
  o.adaptation = adaptation;
  o.chains = 1;
  o.warmup = 1000;
  o.draws = 1000;
  o.seed = seed;
  o.threads = 1;
  const auto t0 = std::chrono::steady_clock::now();
  const exmc::fit f = exmc::sample(density, o);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double min_ess = 1e300;
  for (Eigen::Index j = 0; j < f.posterior.num_quantities(); ++j) {
    const double e = exmc::ess_bulk(f.posterior.column(j));
    if (std::isfinite(e)) min_ess = std::min(min_ess, e);
  }
  if (!f.all_ok()) min_ess = 0;
  std::size_t grads = 0, warm = 0;
  for (std::size_t c = 0; c < f.grad_evals_warmup.size(); ++c) {
    grads += f.grad_evals_warmup[c] + f.grad_evals_sampling[c];
    warm += f.grad_evals_warmup[c];
  }
  return {model, variant, seed, secs, min_ess, min_ess / secs, grads, warm, f.total_divergent()};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string x; std::getline(ss, x, ',');) out.push_back(x);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string csv = "sampling_bench.csv";
  int seeds = 5;
  std::vector<std::string> models{"simple", "medium", "stress", "eight_schools", "funnel", "logistic", "sv"};
  std::vector<std::string> variants{"ncp", "centred", "auto", "reference"};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--csv") csv = v;
    else if (a == "--seeds") seeds = std::atoi(v.c_str());
    else if (a == "--models") models = split(v);
    else if (a == "--variants") variants = split(v);
    else if (a == "--adaptation") adaptation = v == "gradient" ? exmc::adaptation_kind::gradient : exmc::adaptation_kind::windowed;
    else {
      std::cerr << "unknown option " << a << "\n";
      return 2;
    }
  }
  const char* dir_env = std::getenv("EXMC_DATA_DIR");
  const std::string dir = dir_env ? dir_env : EXMC_DATA_DIR;
  auto data = [&](const std::string& m) { return exmc::data_file::from_file(dir + "/" + m + ".json"); };

  std::vector<run_result> runs;
  auto run_model = [&](const std::string& name, const auto& model, const auto& reference) {
    for (const auto& variant : variants) {
      for (int s = 0; s < seeds; ++s) {
        const std::uint64_t seed = 1000 + static_cast<std::uint64_t>(s);
        if (variant == "reference")
          runs.push_back(run_one(name, variant, reference, seed));
        else {
          exmc::compile_options co;
          co.ncp = variant == "ncp" ? exmc::ncp_policy::always
                                    : (variant == "centred" ? exmc::ncp_policy::never : exmc::ncp_policy::automatic);
          runs.push_back(run_one(name, variant, exmc::compile<double>(model, co), seed));
        }
      }
    }
  };
  namespace b = exmc::bench;
  namespace r = exmc::reference;
  for (const auto& m : models) {
    const auto d = data(m);
    if (m == "simple") run_model(m, b::simple_model(d), r::simple<double>::from(d));
    else if (m == "medium") run_model(m, b::medium_model(d), r::medium<double>::from(d));
    else if (m == "stress") run_model(m, b::stress_model(d), r::stress<double>::from(d));
    else if (m == "eight_schools") run_model(m, b::eight_schools_model(d), r::eight_schools<double>::from(d));
    else if (m == "funnel") run_model(m, b::funnel_model(d), r::funnel<double>::from(d));
    else if (m == "logistic") run_model(m, b::logistic_model(d), r::logistic<double>::from(d));
    else if (m == "sv") run_model(m, b::sv_model(d), r::sv<double>::from(d));
    else {
      std::cerr << "unknown model " << m << "\n";
      return 2;
    }
  }

  std::ofstream out(csv);
  out << "model,variant,adaptation,seed,seconds,min_bulk_ess,ess_per_second,gradients,warmup_gradients,divergent\n";
  const char* adapt = adaptation == exmc::adaptation_kind::gradient ? "gradient" : "windowed";
  for (const auto& r : runs)
    out << r.model << "," << r.variant << "," << adapt << "," << r.seed << "," << r.seconds << "," << r.min_ess << ","
        << r.ess_per_s << "," << r.grads << "," << r.warmup_grads << "," << r.divergent << "\n";

  std::cout << "adaptation: " << adapt << "\n\n"
            << "| model | variant | wall s | min bulk-ESS | ESS/s | gradients | warmup gradients | ESS per 1000 gradients | divergent |\n"
               "|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& m : models)
    for (const auto& v : variants) {
      std::vector<double> secs, ess, eps, grads, warm, epg, div;
      for (const auto& r : runs)
        if (r.model == m && r.variant == v) {
          secs.push_back(r.seconds);
          ess.push_back(r.min_ess);
          eps.push_back(r.ess_per_s);
          grads.push_back(static_cast<double>(r.grads));
          warm.push_back(static_cast<double>(r.warmup_grads));
          epg.push_back(1000.0 * r.min_ess / static_cast<double>(r.grads));
          div.push_back(static_cast<double>(r.divergent));
        }
      if (secs.empty()) continue;
      std::printf("| %s | %s | %.3f | %.0f | %.0f | %.0f | %.0f | %.2f | %.0f |\n", m.c_str(), v.c_str(), median(secs),
                  median(ess), median(eps), median(grads), median(warm), median(epg), median(div));
    }
  std::cout << "\nmedians over " << seeds << " seeds; every run in " << csv << "\n";
}
