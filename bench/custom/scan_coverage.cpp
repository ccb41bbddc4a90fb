// Coverage of posterior intervals for the scan examples' models (examples/garch.cpp,
// examples/arma.cpp): each replication simulates a series, samples the posterior with NUTS (4
// chains of 1000 draws) and records whether each central interval (50%, 80%, 90%, 95%) covers the
// value simulated with. Two designs:
//   fixed   the examples' parameter values, every time: frequentist coverage, nominal as the
//           series grows (Bernstein-von Mises), which the examples' own check samples once
//   prior   the parameters drawn from the model's prior each time (simulation-based
//           calibration): a correct density, gradient and sampler cover at the nominal rate
//           exactly, at any length; priors that reach near-unit roots and cancelling ARMA roots
//           also test the sampler on hard posteriors
// Model garch_persistent is GARCH with persistence ~ beta(18, 1.5) (mean 0.92, the example's
// value), to calibrate where the fixed-truth design sits.
// The table gives each rate and its binomial standard error.
//   scan_coverage garch|garch_persistent|arma fixed|prior [replications = 200] [T = 500]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <exmc/exmc.hpp>

namespace {

using namespace exmc;

// The examples' models, on a given series (data only enter the likelihood). The persistence's
// prior is beta(2, 1) as in the example, or another for calibration where it is high.
auto garch_model(const Eigen::VectorXd& r, double pa = 2.0, double pb = 1.0) {
  auto garch = [](auto sigma2, auto r_prev, auto alpha0, auto alpha1, auto beta1, auto mu) {
    return alpha0 + alpha1 * square(r_prev - mu) + beta1 * sigma2;
  };
  auto mu = param<"mu">(normal(0.0, 1.0));
  auto alpha0 = param<"alpha0">(half_normal(1.0));
  auto persistence = param<"persistence">(beta(pa, pb));
  auto share = param<"share">(beta(1.0, 1.0));
  auto alpha1 = let<"alpha1">(persistence * share);
  auto beta1 = let<"beta1">(persistence * (1.0 - share));
  auto sigma2 = scan(garch, alpha0 / (1.0 - persistence), lag(r), alpha0, alpha1, beta1, mu);
  return model(mu, alpha0, persistence, share, alpha1, beta1, observe<"r">(normal(mu, sqrt(sigma2)), r));
}
// params: mu, alpha0, persistence, share (the order of param_names)
Eigen::VectorXd garch_simulate(const Eigen::VectorXd& p, int n, rng& g) {
  const double mu = p[0], a0 = p[1], a1 = p[2] * p[3], b1 = p[2] * (1 - p[3]);
  Eigen::VectorXd r(n);
  double s2 = a0 / (1 - p[2]);
  for (int t = 0; t < n; ++t) {
    if (t > 0) s2 = a0 + a1 * (r[t - 1] - mu) * (r[t - 1] - mu) + b1 * s2;
    r[t] = mu + std::sqrt(s2) * g.normal();
  }
  return r;
}

auto arma_model(const Eigen::VectorXd& y) {
  auto arma = [](auto nu, auto y_prev, auto mu, auto phi, auto theta) { return mu + phi * y_prev + theta * (y_prev - nu); };
  auto mu = param<"mu">(normal(0.0, 10.0));
  auto phi = param<"phi">(normal(0.0, 2.0), bounds(-1.0, 1.0));
  auto theta = param<"theta">(normal(0.0, 2.0), bounds(-1.0, 1.0));
  auto sigma = param<"sigma">(half_cauchy(5.0));
  auto nu = scan(arma, mu + phi * mu, lag(y), mu, phi, theta);
  return model(mu, phi, theta, sigma, observe<"y">(normal(nu, sigma), y));
}
Eigen::VectorXd arma_simulate(const Eigen::VectorXd& p, int n, rng& g) {
  const double mu = p[0], phi = p[1], theta = p[2], sigma = p[3];
  Eigen::VectorXd y(n);
  double err = 0;
  for (int t = 0; t < n; ++t) {
    const double e = sigma * g.normal();
    y[t] = mu + phi * (t == 0 ? mu : y[t - 1]) + theta * err + e;
    err = e;
  }
  return y;
}

constexpr double levels[] = {0.5, 0.8, 0.9, 0.95};

template <class Make, class Simulate>
int study(const char* name, Make make, Simulate simulate, const Eigen::VectorXd& fixed, bool from_prior, int reps, int n) {
  const auto prior_density = compile<double>(make(Eigen::VectorXd::Zero(n)));
  const std::vector<std::string> names = prior_density.param_names();
  const std::size_t k = static_cast<std::size_t>(prior_density.dim());  // the parameters come first
  std::vector<std::vector<int>> hits(k, std::vector<int>(std::size(levels), 0));
  int divergent_fits = 0, unconverged = 0;
  for (int rep = 0; rep < reps; ++rep) {
    rng g(1000 + static_cast<std::uint64_t>(rep));
    auto ws = prior_density.make_workspace();
    vector_t<double> q;
    prior_density.draw_prior(g, q, ws);
    const Eigen::VectorXd truth = from_prior ? Eigen::VectorXd(prior_density.constrain(q).head(static_cast<Eigen::Index>(k))) : fixed;
    const auto density = compile<double>(make(simulate(truth, n, g)));
    sample_options o;
    o.threads = 1;
    o.seed = 77 + static_cast<std::uint64_t>(rep);
    const fit f = sample(density, o);
    divergent_fits += f.total_divergent() > 0;
    if (std::getenv("SCAN_COVERAGE_VERBOSE")) {
      std::printf("rep %d: divergent %zu, truth", rep, f.total_divergent());
      for (Eigen::Index j = 0; j < truth.size(); ++j) std::printf(" %.3g", truth[j]);
      std::printf("\n");
    }
    const summary_table s = summary(f);
    bool converged = true;
    for (std::size_t j = 0; j < k; ++j) {
      const Eigen::MatrixXd d = f.posterior.column(names[j]);
      std::vector<double> v(d.data(), d.data() + d.size());
      std::sort(v.begin(), v.end());
      // rank of the truth among the draws: the interval [a, 1 - a] covers it when a <= rank <= 1 - a
      const double rank = static_cast<double>(std::lower_bound(v.begin(), v.end(), truth[static_cast<Eigen::Index>(j)]) - v.begin()) /
                          static_cast<double>(v.size());
      for (std::size_t l = 0; l < std::size(levels); ++l) {
        const double a = (1 - levels[l]) / 2;
        hits[j][l] += rank >= a && rank <= 1 - a;
      }
      converged &= s[names[j]].r_hat < 1.01;
    }
    unconverged += !converged;
  }
  std::printf("%s, truth %s: %d replications, T = %d; fits with divergences: %d, with R-hat >= 1.01: %d\n", name,
              from_prior ? "drawn from the prior" : "fixed", reps, n, divergent_fits, unconverged);
  std::printf("| parameter |");
  for (double l : levels) std::printf(" %.0f%% |", 100 * l);
  std::printf("\n|---|");
  for (std::size_t l = 0; l < std::size(levels); ++l) std::printf("---|");
  std::printf("\n");
  int outside = 0;
  std::vector<int> pooled(std::size(levels), 0);
  for (std::size_t j = 0; j < k; ++j) {
    std::printf("| %s |", names[j].c_str());
    for (std::size_t l = 0; l < std::size(levels); ++l) {
      const double p = static_cast<double>(hits[j][l]) / reps, se = std::sqrt(levels[l] * (1 - levels[l]) / reps);
      const bool off = std::abs(p - levels[l]) > 3 * se;
      outside += off;
      pooled[l] += hits[j][l];
      std::printf(" %.3f%s |", p, off ? " (!)" : "");
    }
    std::printf("\n");
  }
  std::printf("| all (pooled) |");
  for (std::size_t l = 0; l < std::size(levels); ++l) std::printf(" %.3f |", static_cast<double>(pooled[l]) / (reps * static_cast<double>(k)));
  std::printf("\n| nominal +- 1 se |");
  for (double l : levels) std::printf(" %.2f +- %.3f |", l, std::sqrt(l * (1 - l) / reps));
  std::printf("\n%d of %zu rates more than 3 standard errors from nominal\n", outside, k * std::size(levels));
  return outside == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || (std::string(argv[2]) != "fixed" && std::string(argv[2]) != "prior")) {
    std::fprintf(stderr, "usage: scan_coverage garch|garch_persistent|arma fixed|prior [replications = 200] [T = 500]\n");
    return 2;
  }
  const std::string which = argv[1];
  const bool from_prior = std::string(argv[2]) == "prior";
  const int reps = argc > 3 ? std::atoi(argv[3]) : 200, n = argc > 4 ? std::atoi(argv[4]) : 500;
  Eigen::VectorXd truth(4);
  if (which == "garch") {
    truth << 0.05, 0.1, 0.92, 0.12 / 0.92;  // examples/garch.cpp: alpha1 = 0.12, beta1 = 0.8
    return study("GARCH(1,1)", [](const Eigen::VectorXd& r) { return garch_model(r); }, garch_simulate, truth, from_prior, reps, n);
  }
  if (which == "garch_persistent") {
    truth << 0.05, 0.1, 0.92, 0.12 / 0.92;
    return study("GARCH(1,1), persistence ~ beta(18, 1.5)", [](const Eigen::VectorXd& r) { return garch_model(r, 18.0, 1.5); },
                 garch_simulate, truth, from_prior, reps, n);
  }
  if (which == "arma") {
    truth << 0.5, 0.6, 0.3, 0.8;  // examples/arma.cpp
    return study("ARMA(1,1)", [](const Eigen::VectorXd& y) { return arma_model(y); }, arma_simulate, truth, from_prior, reps, n);
  }
  std::fprintf(stderr, "scan_coverage: unknown model '%s'\n", argv[1]);
  return 2;
}
