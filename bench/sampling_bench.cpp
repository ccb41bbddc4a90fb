// End-to-end sampling harness: each benchmark model, one chain, 1000 warmup + 1000 draws, five
// seeds (shared/bench/MODELS.md protocol). Records wall (and CPU) time of warmup + sampling
// (compilation excluded), the minimum bulk-ESS over parameters, ESS/s, gradient evaluations and divergences,
// and prints a Markdown table of medians over seeds. Also writes every run to a CSV (and the
// table to --markdown FILE). bench/stan/compare.R calls it one run at a time to alternate with Stan.
//   sampling_bench [--csv FILE] [--markdown FILE] [--seeds N] [--seed-base S] [--models a,b,...]
//                  [--variants a,b,...] [--adaptation automatic|windowed|gradient] [--chains C]
//                  [--metric low_rank|diag|dense|unit]
//                  [--repeat R]
// Seeds are S, S+1, ..., S+N-1 (default S = 1000). With C > 1 chains run in C threads and the
// ESS is the multi-chain bulk-ESS, so ESS/s measures what parallel chains buy on this machine.
// --repeat R runs each seed R times and keeps the fastest wall time (the draws are identical).
// Variants: ncp (ncp_policy::always), centred (ncp_policy::never), auto (ncp_policy::automatic, the
// default), reference (the hand-written density in bench/reference/, written centred).
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
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

// Process CPU time: on a shared machine, wall time also counts the time other processes hold the
// core; CPU time of a one-chain run is close to its wall time on an idle machine.
double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct run_result {
  std::string model, variant;
  std::uint64_t seed;
  int chains;
  double seconds, cpu_seconds, min_ess, ess_per_s;
  std::size_t grads, warmup_grads, divergent;
};

exmc::adaptation_kind adaptation = exmc::adaptation_kind::automatic;
exmc::metric_kind metric = exmc::sample_options{}.metric;
int chains = 1;
int repeats = 1;

const char* adaptation_name() {
  switch (adaptation) {
    case exmc::adaptation_kind::gradient: return "gradient";
    case exmc::adaptation_kind::windowed: return "windowed";
    default: return "automatic";
  }
}

template <class D>
run_result run_one(const std::string& model, const std::string& variant, const D& density, std::uint64_t seed) {
  exmc::sample_options o;
  o.adaptation = adaptation;
  o.metric = metric;
  o.chains = chains;
  o.warmup = 1000;
  o.draws = 1000;
  o.seed = seed;
  o.threads = chains;
  // A fixed seed gives identical draws on every repeat, so the fastest repeat times the same work
  // with the least interference from other processes on a shared machine.
  exmc::fit f;
  double secs = 1e300, cpu = 1e300;
  for (int r = 0; r < repeats; ++r) {
    const double c0 = cpu_now();
    const auto t0 = std::chrono::steady_clock::now();
    f = exmc::sample(density, o);
    secs = std::min(secs, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    cpu = std::min(cpu, cpu_now() - c0);
  }
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
  return {model, variant, seed, chains, secs, cpu, min_ess, min_ess / secs, grads, warm, f.total_divergent()};
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
  std::string csv = "sampling_bench.csv", markdown;
  int seeds = 5;
  std::uint64_t seed_base = 1000;
  std::vector<std::string> models{"simple", "medium", "stress", "eight_schools", "funnel", "logistic", "sv"};
  std::vector<std::string> variants{"ncp", "centred", "auto", "reference"};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--csv") csv = v;
    else if (a == "--markdown") markdown = v;
    else if (a == "--seeds") seeds = std::atoi(v.c_str());
    else if (a == "--seed-base") seed_base = std::strtoull(v.c_str(), nullptr, 10);
    else if (a == "--repeat") repeats = std::max(1, std::atoi(v.c_str()));
    else if (a == "--chains") chains = std::max(1, std::atoi(v.c_str()));
    else if (a == "--models") models = split(v);
    else if (a == "--variants") variants = split(v);
    else if (a == "--metric")
      metric = v == "diag" ? exmc::metric_kind::diag
               : v == "dense" ? exmc::metric_kind::dense
               : v == "unit"  ? exmc::metric_kind::unit
                              : exmc::metric_kind::low_rank;
    else if (a == "--adaptation")
      adaptation = v == "gradient"   ? exmc::adaptation_kind::gradient
                   : v == "windowed" ? exmc::adaptation_kind::windowed
                                     : exmc::adaptation_kind::automatic;
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
        const std::uint64_t seed = seed_base + static_cast<std::uint64_t>(s);
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
  out << "model,variant,adaptation,chains,seed,seconds,cpu_seconds,min_bulk_ess,ess_per_second,gradients,"
         "warmup_gradients,divergent\n";
  const char* adapt = adaptation_name();
  for (const auto& r : runs)
    out << r.model << "," << r.variant << "," << adapt << "," << r.chains << "," << r.seed << "," << r.seconds << ","
        << r.cpu_seconds << ","
        << r.min_ess << "," << r.ess_per_s << "," << r.grads << "," << r.warmup_grads << "," << r.divergent << "\n";

  std::ostringstream table;
  table << "| model | variant | wall s | min bulk-ESS | ESS/s | gradients | warmup gradients | ESS per 1000 gradients | "
           "µs per gradient (sampler included) | divergent |\n"
           "|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& m : models)
    for (const auto& v : variants) {
      std::vector<double> secs, ess, eps, grads, warm, epg, per_grad, div;
      for (const auto& r : runs)
        if (r.model == m && r.variant == v) {
          secs.push_back(r.seconds);
          ess.push_back(r.min_ess);
          eps.push_back(r.ess_per_s);
          grads.push_back(static_cast<double>(r.grads));
          warm.push_back(static_cast<double>(r.warmup_grads));
          epg.push_back(1000.0 * r.min_ess / static_cast<double>(r.grads));
          per_grad.push_back(1e6 * r.seconds * r.chains / static_cast<double>(r.grads));
          div.push_back(static_cast<double>(r.divergent));
        }
      if (secs.empty()) continue;
      char row[512];
      std::snprintf(row, sizeof row, "| %s | %s | %.3f | %.0f | %.0f | %.0f | %.0f | %.2f | %.3f | %.0f |\n", m.c_str(),
                    v.c_str(), median(secs), median(ess), median(eps), median(grads), median(warm), median(epg),
                    median(per_grad), median(div));
      table << row;
    }
  std::cout << "metric: " << exmc::to_string(metric) << ", adaptation: " << adapt << ", chains: " << chains << "\n\n" << table.str() << "\nmedians over "
            << seeds << " seeds; every run in " << csv << "\n";
  if (!markdown.empty()) std::ofstream(markdown) << table.str();
}
