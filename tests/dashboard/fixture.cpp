// A run for the browser check (browser_check.py) to watch: the centred eight schools posterior,
// written by hand, at a steady pace (a sleep per gradient), with one chain made to fail after its
// warmup so that the page's failure banner can be checked.
//
//   dashboard_fixture [--port 0] [--fail-chain 2] [--pace-us 300] [--linger 20]
//
// Prints the dashboard's address on stderr, serves until the run has ended and then `linger`
// seconds more.
#include <exmc/dashboard/dashboard.hpp>
#include <exmc/nuts/nuts.hpp>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

// The chain whose thread is running, told by the draw callback (each chain runs on one thread).
thread_local int current_chain = -1;
thread_local bool past_warmup = false;

struct slow_schools {
  using scalar = double;
  int fail_chain = -1;  // 0-based
  int pace_us = 300;
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

}  // namespace

int main(int argc, char** argv) {
  int port = 0, fail_chain = 2, pace = 300;
  double linger = 20.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--port") port = std::atoi(v.c_str());
    else if (a == "--fail-chain") fail_chain = std::atoi(v.c_str());
    else if (a == "--pace-us") pace = std::atoi(v.c_str());
    else if (a == "--linger") linger = std::atof(v.c_str());
    else {
      std::cerr << "unknown option " << a << "\n";
      return 2;
    }
  }
  slow_schools density{fail_chain - 1, pace};
  exmc::sample_options o;
  o.chains = 4;
  o.threads = 4;
  o.warmup = 300;
  o.draws = 600;
  o.seed = 11;
  o.max_consecutive_faults = 10;
  exmc::dashboard dash(o, {.port = port, .title = "dashboard fixture (eight schools, centred)"});
  dash.attach(o);
  o.callback = exmc::callbacks({[](const exmc::draw_event& ev) {
                                  current_chain = ev.chain;
                                  past_warmup = !ev.warmup;
                                  return true;
                                },
                                o.callback});
  const exmc::fit f = exmc::sample(density, o);
  dash.finish(f);
  for (const auto& st : f.status)
    if (!st.message.empty()) std::cerr << st.message << "\n";
  std::cerr << "run ended\n" << std::flush;
  dash.linger(linger);  // the browser check ends the process when it is done
  return 0;
}
