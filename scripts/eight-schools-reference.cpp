// Writes tests/model/fixtures/eight_schools_reference.csv: posterior mean, sd and their Monte
// Carlo standard errors for mu, tau, theta[0..7] of the eight schools model, from a long NUTS run
// (20 chains x 5000 draws) of the non-centred model written by hand with an analytic gradient.
// Build and run from the repository root:
//   g++ -std=c++20 -O2 -Iinclude -I/usr/include/eigen3 scripts/eight-schools-reference.cpp -o /tmp/esr -lpthread
//   /tmp/esr > tests/model/fixtures/eight_schools_reference.csv
#include <cmath>
#include <exmc/diagnostics/diagnostics.hpp>
#include <exmc/nuts/nuts.hpp>
#include <iostream>

struct eight_schools_noncentred {
  using scalar = double;
  Eigen::VectorXd y{{28, 8, -3, 7, -1, 1, 18, 12}};
  Eigen::VectorXd sigma{{15, 10, 16, 11, 9, 11, 10, 18}};
  std::ptrdiff_t dim() const { return 10; }
  double logp_grad(const Eigen::VectorXd& q, Eigen::VectorXd& g) const {
    const double c = 0.5 * std::log(2 * M_PI);
    const double mu = q[0], u = q[1], tau = std::exp(u);
    double lp = -c - std::log(5.0) - mu * mu / 50;                                   // mu ~ normal(0, 5)
    lp += std::log(2.0 / (M_PI * 5.0)) - std::log1p((tau / 5) * (tau / 5)) + u;       // tau ~ cauchy+(0, 5), Jacobian
    double gmu = -mu / 25, gtau = -2 * (tau / 25) / (1 + (tau / 5) * (tau / 5));
    for (int j = 0; j < 8; ++j) {
      const double z = q[2 + j], s2 = sigma[j] * sigma[j];
      const double r = y[j] - mu - tau * z;
      lp += -c - 0.5 * z * z - c - std::log(sigma[j]) - 0.5 * r * r / s2;
      gmu += r / s2;
      gtau += r * z / s2;
      g[2 + j] = -z + r * tau / s2;
    }
    g[0] = gmu;
    g[1] = gtau * tau + 1;
    return lp;
  }
  std::vector<std::string> param_names() const {
    std::vector<std::string> n{"mu", "tau"};
    for (int j = 0; j < 8; ++j) n.push_back("theta[" + std::to_string(j) + "]");
    return n;
  }
  void constrain(const Eigen::VectorXd& q, Eigen::VectorXd& out) const {
    out.resize(10);
    out[0] = q[0];
    out[1] = std::exp(q[1]);
    for (int j = 0; j < 8; ++j) out[2 + j] = q[0] + out[1] * q[2 + j];
  }
};

int main() {
  exmc::sample_options o;
  o.chains = 20;
  o.draws = 5000;
  o.seed = 20261122;
  o.target_accept = 0.9;
  const exmc::fit f = exmc::sample(eight_schools_noncentred{}, o);
  if (!f.all_ok()) return 1;
  std::cout.precision(10);
  std::cout << "name,mean,sd,mcse_mean,mcse_sd\n";
  for (const auto& name : f.posterior.names) {
    const Eigen::MatrixXd x = f.posterior.column(name);
    const double mean = x.mean();
    const double sd = std::sqrt((x.array() - mean).square().sum() / static_cast<double>(x.size() - 1));
    std::cout << name << "," << mean << "," << sd << "," << exmc::mcse_mean(x) << "," << exmc::mcse_sd(x) << "\n";
  }
  std::cerr << "divergent: " << f.total_divergent() << "\n";
}
