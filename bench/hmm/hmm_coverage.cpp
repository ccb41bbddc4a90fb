// Do the Gaussian HMM's posterior intervals cover the known parameters at the nominal rate?
// R data sets simulated from one fixed truth (bench/hmm/hmm_models.hpp: K states, means spread
// over [-3, 3], 80% chance of staying), each fitted with NUTS; for every parameter the fraction
// of central 50% and 90% intervals holding the truth, with its binomial standard error, and how
// often the most probable hidden state (posterior mean of hmm_hidden_state_prob) is the true one.
//   hmm_coverage [R = 100] [K = 3] [n = 300] [first data set = 0]
// With a fixed truth, nominal coverage holds to the extent the posterior is near its normal
// limit; rho, informed by the first observation alone, is reported but stays near its prior.
// Chains (1000 warmup, 1000 draws) start with means and scales from the data
// (bench_hmm::data_init), the other parameters at random; HMM_COVERAGE_VERBOSE=1 prints each
// replication's diagnostics.
#include <cstdio>
#include <cstdlib>
#include <exmc/predictive/hmm.hpp>
#include <string>
#include <vector>

#include "hmm/hmm_models.hpp"

int main(int argc, char** argv) {
  using namespace exmc;
  const int R = argc > 1 ? std::atoi(argv[1]) : 100;
  const int K = argc > 2 ? std::atoi(argv[2]) : 3;
  const int n = argc > 3 ? std::atoi(argv[3]) : 300;
  const int first = argc > 4 ? std::atoi(argv[4]) : 0;  // data sets first .. first + R - 1
  const bool verbose = std::getenv("HMM_COVERAGE_VERBOSE") != nullptr;
  const bench_hmm::truth th = bench_hmm::default_truth(K);
  std::vector<std::string> names;
  std::vector<double> truth_of;
  for (int k = 0; k < K; ++k) names.push_back("mu[" + std::to_string(k) + "]"), truth_of.push_back(th.mu[k]);
  for (int k = 0; k < K; ++k) names.push_back("sigma[" + std::to_string(k) + "]"), truth_of.push_back(th.sigma[k]);
  for (int j = 0; j < K; ++j)
    for (int i = 0; i < K; ++i)
      names.push_back("Gamma[" + std::to_string(i) + "," + std::to_string(j) + "]"), truth_of.push_back(th.Gamma(i, j));
  for (int k = 0; k < K; ++k) names.push_back("rho[" + std::to_string(k) + "]"), truth_of.push_back(th.rho[k]);
  std::vector<int> in50(names.size(), 0), in90(names.size(), 0);
  int divergent = 0, failed = 0;
  double state_accuracy = 0, worst_rhat = 0;
  for (int r = first; r < first + R; ++r) {
    const auto sim = bench_hmm::simulate(th, n, 1000 + static_cast<std::uint64_t>(r));
    const auto cm = compile<double>(bench_hmm::gaussian_hmm(sim.y, K));
    sample_options o;
    o.chains = 2;
    o.draws = 1000;
    o.seed = static_cast<std::uint64_t>(r);
    o.init = bench_hmm::data_init(sim.y, K);
    const fit f = sample(cm, o);
    if (!f.all_ok()) {
      ++failed;
      continue;
    }
    divergent += static_cast<int>(f.total_divergent());
    double rep_rhat = 0;
    for (std::size_t p = 0; p < names.size(); ++p) {
      const Eigen::MatrixXd x = f.posterior.column(names[p]);
      const double v = truth_of[p];
      in50[p] += quantile(x, 0.25) <= v && v <= quantile(x, 0.75);
      in90[p] += quantile(x, 0.05) <= v && v <= quantile(x, 0.95);
      rep_rhat = std::max(rep_rhat, rhat(x));
    }
    worst_rhat = std::max(worst_rhat, rep_rhat);
    if (verbose)
      std::fprintf(stderr, "\nreplication %d: %zu divergent, max R-hat %.3f\n", r, f.total_divergent(), rep_rhat);
    const draws prob = hmm_hidden_state_prob<"hmm">(cm, f.posterior);
    int right = 0;
    for (int t = 0; t < n; ++t) {
      int best = 0;
      double pbest = -1;
      for (int k = 0; k < K; ++k) {
        const double p = prob.column(k + t * K).mean();
        if (p > pbest) pbest = p, best = k;
      }
      right += best == sim.z[t];
    }
    state_accuracy += static_cast<double>(right) / n;
    std::fprintf(stderr, "\rreplication %d/%d", r - first + 1, R);
  }
  const int ok = R - failed;
  std::printf(
      "\nGaussian HMM, K = %d, n = %d: %d replications (%d failed), 2 chains x (1000 warmup + 1000 draws) each\n", K, n,
      ok, failed);
  std::printf("%-12s %8s %14s %14s\n", "parameter", "truth", "50% coverage", "90% coverage");
  auto se = [&](double p) { return std::sqrt(p * (1 - p) / ok); };
  double pooled50 = 0, pooled90 = 0;
  int pooled = 0;
  for (std::size_t p = 0; p < names.size(); ++p) {
    const double c50 = static_cast<double>(in50[p]) / ok, c90 = static_cast<double>(in90[p]) / ok;
    std::printf("%-12s %8.3f %7.2f +- %.2f %7.2f +- %.2f\n", names[p].c_str(), truth_of[p], c50, se(0.5), c90, se(0.9));
    if (names[p].rfind("rho", 0) != 0) {
      pooled50 += c50;
      pooled90 += c90;
      ++pooled;
    }
  }
  std::printf("mean over mu, sigma, Gamma: 50%%: %.3f, 90%%: %.3f\n", pooled50 / pooled, pooled90 / pooled);
  std::printf("most probable state = true state: %.3f of time points; divergent transitions: %d; max R-hat %.3f\n",
              state_accuracy / ok, divergent, worst_rhat);
  return 0;
}
