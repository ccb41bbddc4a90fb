// exmc's ESS per gradient on iid normal 100-d, same protocol as bench/stan/iid_normal_ess.R:
// one chain, 1000 warmup + 1000 draws, seeds 1000..1004, for both adaptation schemes.
#include <algorithm>
#include <cstdio>
#include <exmc/exmc.hpp>
#include <vector>

struct iid_normal {
  using scalar = double;
  std::ptrdiff_t dim() const { return 100; }
  double logp_grad(const Eigen::VectorXd& q, Eigen::VectorXd& g) const {
    g = -q;
    return -0.5 * q.squaredNorm();
  }
};

int main() {
  for (auto kind : {exmc::adaptation_kind::windowed, exmc::adaptation_kind::gradient}) {
    std::vector<double> epg, grads, warm;
    for (std::uint64_t seed = 1000; seed < 1005; ++seed) {
      exmc::sample_options o;
      o.chains = 1;
      o.seed = seed;
      o.adaptation = kind;
      const exmc::fit f = exmc::sample(iid_normal{}, o);
      double ess = 1e300;
      for (Eigen::Index j = 0; j < 100; ++j) ess = std::min(ess, exmc::ess_bulk(f.posterior.column(j)));
      const double g = static_cast<double>(f.grad_evals_warmup[0] + f.grad_evals_sampling[0]);
      epg.push_back(1000 * ess / g);
      grads.push_back(g);
      warm.push_back(static_cast<double>(f.grad_evals_warmup[0]));
      std::printf("%s seed %llu: min bulk-ESS %.0f, gradients %.0f, warmup %.0f, ESS per 1000 gradients %.2f\n",
                  kind == exmc::adaptation_kind::windowed ? "windowed" : "gradient", static_cast<unsigned long long>(seed),
                  ess, g, warm.back(), epg.back());
    }
    auto med = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    std::printf("%s: median ESS per 1000 gradients %.2f, median gradients %.0f, median warmup gradients %.0f\n\n",
                kind == exmc::adaptation_kind::windowed ? "windowed" : "gradient", med(epg), med(grads), med(warm));
  }
}
