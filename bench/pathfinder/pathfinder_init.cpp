// Pathfinder-initialised NUTS against default NUTS on the seven benchmark models: one chain,
// five seeds, medians over seeds. Default: random init, 1000 warmup. Pathfinder: 4 paths of
// 200 draws each, NUTS started from a resampled draw with the approximation's marginal
// variances as the initial inverse metric, and a shortened warmup. Pathfinder's own gradient
// evaluations and time are counted in the warmup columns and in ESS/s.
//   pathfinder_init [--seeds N] [--warmups 300,200] [--models a,b,...]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exmc/exmc.hpp>
#include <exmc/variational/pathfinder.hpp>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "models/models.hpp"

namespace {

struct run_result {
  double warmup_grads, total_grads, min_ess, ess_per_s, seconds, pareto_k, divergent;
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string x; std::getline(ss, x, ',');) out.push_back(x);
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// warmup < 0: default NUTS with 1000 warmup; otherwise pathfinder init and that warmup.
template <class D>
run_result run_one(const D& density, std::uint64_t seed, int warmup) {
  exmc::sample_options o;
  o.chains = 1;
  o.threads = 1;
  o.draws = 1000;
  o.seed = seed;
  o.warmup = 1000;
  const auto t0 = std::chrono::steady_clock::now();
  double pf_grads = 0, k = std::nan("");
  if (warmup >= 0) {
    exmc::pathfinder_options po;
    po.seed = seed;
    po.draws_per_path = 200;
    po.draws = 200;
    const exmc::pathfinder_result p = exmc::pathfinder(density, po);
    pf_grads = static_cast<double>(p.grad_evals);
    k = p.pareto_k;
    o.warmup = warmup;
    o = exmc::pathfinder_init(p, o, 0);
  }
  const exmc::fit f = exmc::sample(density, o);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double min_ess = 1e300;
  for (Eigen::Index j = 0; j < f.posterior.num_quantities(); ++j) {
    const double e = exmc::ess_bulk(f.posterior.column(j));
    if (std::isfinite(e)) min_ess = std::min(min_ess, e);
  }
  if (!f.all_ok()) min_ess = 0;
  const double warm = pf_grads + static_cast<double>(f.grad_evals_warmup[0]);
  return {warm, warm + static_cast<double>(f.grad_evals_sampling[0]), min_ess, min_ess / secs, secs, k,
          static_cast<double>(f.total_divergent())};
}

}  // namespace

int main(int argc, char** argv) {
  int seeds = 5;
  std::vector<int> warmups{300, 200};
  std::vector<std::string> models{"simple", "medium", "stress", "eight_schools", "funnel", "logistic", "sv"};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--seeds") seeds = std::stoi(v);
    else if (a == "--models") models = split(v);
    else if (a == "--warmups") {
      warmups.clear();
      for (const auto& w : split(v)) warmups.push_back(std::stoi(w));
    } else {
      std::cerr << "unknown option " << a << "\n";
      return 1;
    }
  }
  std::printf("| model | init | warmup grads | total grads | min bulk-ESS | ESS/s | divergent | pathfinder k |\n");
  std::printf("|---|---|---:|---:|---:|---:|---:|---:|\n");
  auto run_model = [&](const std::string& name, const auto& density) {
    std::vector<int> variants{-1};
    variants.insert(variants.end(), warmups.begin(), warmups.end());
    for (int w : variants) {
      std::vector<double> wg, tg, ess, eps, div, k;
      for (int s = 0; s < seeds; ++s) {
        const run_result r = run_one(density, static_cast<std::uint64_t>(s + 1), w);
        wg.push_back(r.warmup_grads), tg.push_back(r.total_grads), ess.push_back(r.min_ess);
        eps.push_back(r.ess_per_s), div.push_back(r.divergent), k.push_back(r.pareto_k);
      }
      const std::string label = w < 0 ? "default, warmup 1000" : "pathfinder, warmup " + std::to_string(w);
      std::printf("| %s | %s | %.0f | %.0f | %.0f | %.0f | %.0f | %s |\n", name.c_str(), label.c_str(), median(wg),
                  median(tg), median(ess), median(eps), median(div),
                  w < 0 ? "" : std::to_string(median(k)).substr(0, 4).c_str());
      std::fflush(stdout);
    }
  };
  for (const auto& m : models) {
    const auto d = exmc::data_file::from_file(std::string(EXMC_DATA_DIR) + "/" + m + ".json");
    if (m == "simple") run_model(m, exmc::compile<double>(exmc::bench::simple_model(d)));
    else if (m == "medium") run_model(m, exmc::compile<double>(exmc::bench::medium_model(d)));
    else if (m == "stress") run_model(m, exmc::compile<double>(exmc::bench::stress_model(d)));
    else if (m == "eight_schools") run_model(m, exmc::compile<double>(exmc::bench::eight_schools_model(d)));
    else if (m == "funnel") run_model(m, exmc::compile<double>(exmc::bench::funnel_model(d)));
    else if (m == "logistic") run_model(m, exmc::compile<double>(exmc::bench::logistic_model(d)));
    else if (m == "sv") run_model(m, exmc::compile<double>(exmc::bench::sv_model(d)));
    else std::cerr << "unknown model " << m << "\n";
  }
  std::printf("\nMedians over %d seeds, one chain, 1000 draws; gradient adaptation (the default).\n", seeds);
  return 0;
}
