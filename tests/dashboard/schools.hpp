#pragma once
// The centred eight schools posterior written by hand (no DSL: cheap to compile), for the
// dashboard's tests and its browser-check fixture. Optionally slow (a sleep per gradient) and
// optionally faulty: chain `fail_chain` (0-based) throws once it is past warmup, which the
// fixture's draw callback tells it through the thread-locals below (a chain runs on one thread).
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <exmc/core/log_density.hpp>

namespace dashboard_test {

inline thread_local int current_chain = -1;
inline thread_local bool past_warmup = false;

struct schools {
  using scalar = double;
  int fail_chain = -1;
  int pace_us = 0;
  static constexpr double y[8] = {28, 8, -3, 7, -1, 1, 18, 12};
  static constexpr double s[8] = {15, 10, 16, 11, 9, 11, 10, 18};

  std::ptrdiff_t dim() const { return 10; }
  std::vector<std::string> param_names() const {
    std::vector<std::string> n{"mu", "tau"};
    for (int i = 0; i < 8; ++i) n.push_back("theta[" + std::to_string(i) + "]");
    return n;
  }
  void constrain(const exmc::vector_t<double>& q, Eigen::VectorXd& out) const {
    out = q;
    out[1] = std::exp(q[1]);
  }
  // q = (mu, log tau, theta): mu ~ N(0, 5), tau ~ half-Cauchy(5), theta ~ N(mu, tau), y ~ N(theta, s).
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
    if (pace_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(pace_us));
    if (current_chain == fail_chain && past_warmup) throw std::runtime_error("injected fault (dashboard_fixture --fail-chain)");
    const double mu = q[0], log_tau = q[1], tau = std::exp(log_tau);
    double lp = -0.5 * mu * mu / 25.0 - std::log1p(tau * tau / 25.0) + log_tau;
    g.setZero();
    g[0] = -mu / 25.0;
    g[1] = -2.0 * tau * tau / 25.0 / (1.0 + tau * tau / 25.0) + 1.0;
    for (int i = 0; i < 8; ++i) {
      const double th = q[2 + i], z = (th - mu) / tau, r = (y[i] - th) / s[i];
      lp += -0.5 * z * z - log_tau - 0.5 * r * r;
      g[0] += z / tau;
      g[1] += z * z - 1.0;
      g[2 + i] = -z / tau + r / s[i];
    }
    return lp;
  }
};

}  // namespace dashboard_test
