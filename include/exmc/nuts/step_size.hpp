#pragma once
// Step size: Stan's initial heuristic and Nesterov dual averaging of log(step size).
#include <cmath>
#include <limits>

#include "../core/error.hpp"
#include "../core/random.hpp"

namespace exmc {

// Dual averaging (Hoffman & Gelman 2014, section 3.2) with Stan's defaults.
struct dual_averaging {
  double delta = 0.8;  // target mean acceptance statistic
  double gamma = 0.05;
  double kappa = 0.75;
  double t0 = 10.0;
  double mu = std::log(10.0);

  // Forget the history and shrink towards 10 x the current step size.
  void restart(double step_size) {
    mu = std::log(10.0 * step_size);
    counter_ = 0;
    s_bar_ = 0.0;
    x_bar_ = 0.0;
  }

  // Returns the step size to use next given the last transition's acceptance statistic.
  double learn(double accept_stat) {
    ++counter_;
    const double a = std::isnan(accept_stat) ? 0.0 : std::min(accept_stat, 1.0);
    const double n = static_cast<double>(counter_);
    const double eta = 1.0 / (n + t0);
    s_bar_ = (1.0 - eta) * s_bar_ + eta * (delta - a);
    const double x = mu - s_bar_ * std::sqrt(n) / gamma;
    const double x_eta = std::pow(n, -kappa);
    x_bar_ = (1.0 - x_eta) * x_bar_ + x_eta * x;
    return std::exp(x);
  }

  // The averaged iterate, used after warmup.
  double final_step_size() const { return std::exp(x_bar_); }
  long iterations() const { return counter_; }

 private:
  long counter_ = 0;
  double s_bar_ = 0.0;
  double x_bar_ = 0.0;
};

// Stan's heuristic: starting from eps, double (or halve) it until the acceptance probability of
// one leapfrog step from z with a fresh momentum crosses 0.8. z is left unchanged. Throws
// sampling_error when eps runs away (improper posterior) or vanishes (discontinuous density).
template <class System, class Point>
double find_initial_step_size(System& sys, rng& r, const Point& z, double eps) {
  if (!(eps > 0.0) || eps > 1e7 || !std::isfinite(eps)) return eps;
  Point trial = z;
  auto log_accept = [&] {
    trial = z;
    sys.sample_momentum(r, trial);
    const double h0 = sys.energy(trial);
    sys.leapfrog(trial, eps);
    double h = sys.energy(trial);
    if (std::isnan(h)) h = std::numeric_limits<double>::infinity();
    return h0 - h;
  };
  const double threshold = std::log(0.8);
  const int direction = log_accept() > threshold ? 1 : -1;
  for (;;) {
    const double delta_h = log_accept();
    if (direction == 1 && !(delta_h > threshold)) break;
    if (direction == -1 && !(delta_h < threshold)) break;
    eps = direction == 1 ? 2.0 * eps : 0.5 * eps;
    if (eps > 1e7)
      throw sampling_error("step size search: step size grew beyond 1e7; the posterior looks improper");
    if (eps < 1e-300)  // Stan's eps == 0 test, reached earlier
      throw sampling_error("step size search: no acceptable step size (the density may be discontinuous or "
                           "non-finite around the initial point)");
  }
  return eps;
}

}  // namespace exmc
