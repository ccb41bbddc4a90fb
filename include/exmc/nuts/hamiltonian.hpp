#pragma once
// Phase-space points and the Euclidean Hamiltonian system the trajectory builder integrates.
// Every failure of the density (exception, non-finite value or gradient) is turned into an
// invalid point with infinite energy here, so the tree sees it as a divergence and nothing
// propagates further.
#include <cmath>
#include <concepts>
#include <cstddef>
#include <exception>
#include <limits>
#include <string>

#include "../core/log_density.hpp"
#include "../core/random.hpp"
#include "metric.hpp"

namespace exmc {

template <std::floating_point T>
struct phase_point {
  vector_t<T> q, p, v, g;  // position, momentum, velocity M^-1 p, gradient of log p
  // M^-1 g, kept only for dense metrics (see euclidean_system::leapfrog); empty otherwise, so
  // that copying a point copies four vectors. The first dense momentum draw sizes it.
  vector_t<T> w;
  double logp = -std::numeric_limits<double>::infinity();
  phase_point() = default;
  explicit phase_point(Eigen::Index dim) : q(vector_t<T>::Zero(dim)), p(q), v(q), g(q) {}
  bool valid() const { return std::isfinite(logp); }
};

template <LogDensity D>
class euclidean_system {
 public:
  using scalar = typename D::scalar;
  using point = phase_point<scalar>;

  euclidean_system(evaluator<D>& ev, const euclidean_metric<scalar>& metric) : ev_(&ev), metric_(&metric) {}

  Eigen::Index dim() const { return ev_->dim(); }
  const euclidean_metric<scalar>& metric() const { return *metric_; }
  void set_metric(const euclidean_metric<scalar>& m) { metric_ = &m; }

  // log p and its gradient at z.q; false (and z.logp = -inf) when the density failed there.
  bool evaluate(point& z) {
    ++grad_evals_;
    last_threw_ = false;
    try {
      const double lp = ev_->logp_grad(z.q, z.g);
      last_logp_ = lp;
      // A sum is finite only if every term is (NaN and infinities propagate); it can also
      // overflow, turning a gradient of ~1e307 (float: ~1e37) per coordinate into a divergence,
      // which such a gradient would produce a step later anyway. One vectorised pass, where
      // allFinite() costs four times as much at d = 1000.
      if (std::isfinite(lp) && std::isfinite(static_cast<double>(z.g.sum()))) {
        z.logp = lp;
        return true;
      }
    } catch (const std::exception& e) {
      note_exception(e.what());
    } catch (...) {
      note_exception("unknown exception (not derived from std::exception)");
    }
    z.logp = -std::numeric_limits<double>::infinity();
    return false;
  }

  // Also refreshes z.w, so a metric changed by adaptation is picked up at the next transition.
  void sample_momentum(rng& r, point& z) const {
    metric_->sample_momentum(r, z.p);
    metric_->velocity(z.p, z.v);
    if (metric_->kind() == metric_kind::dense) metric_->velocity(z.g, z.w);
  }

  // One leapfrog step of signed size eps (negative: backwards in time), gradient recomputed at
  // the new position. On failure the point is left invalid (energy +inf).
  void leapfrog(point& z, double eps) {
    const auto half = static_cast<scalar>(0.5 * eps);
    if (metric_->kind() == metric_kind::dense) {
      // M^-1 p is linear in p: updating v with w = M^-1 g needs one O(d^2) product per step
      // instead of two. The drift from M^-1 p is rounding-level and restarts every transition.
      z.p += half * z.g;
      z.v += half * z.w;
      z.q += static_cast<scalar>(eps) * z.v;
      if (!evaluate(z)) return;
      metric_->velocity(z.g, z.w);
      z.p += half * z.g;
      z.v += half * z.w;
      return;
    }
    z.p += half * z.g;
    metric_->velocity(z.p, z.v);
    z.q += static_cast<scalar>(eps) * z.v;
    if (!evaluate(z)) return;
    z.p += half * z.g;
    metric_->velocity(z.p, z.v);
  }

  // H = -log p + K, in double; +inf for invalid points and NaN energies.
  double energy(const point& z) const {
    if (!z.valid()) return std::numeric_limits<double>::infinity();
    const double h = -z.logp + euclidean_metric<scalar>::kinetic(z.p, z.v);
    return std::isnan(h) ? std::numeric_limits<double>::infinity() : h;
  }

  std::size_t grad_evals() const { return grad_evals_; }
  // The raw value returned by the last evaluation and whether it threw (for error messages).
  double last_logp() const { return last_logp_; }
  bool last_threw() const { return last_threw_; }
  std::size_t exceptions() const { return exceptions_; }
  const std::string& last_exception() const { return last_exception_; }

 private:
  void note_exception(const char* what) {
    ++exceptions_;
    last_threw_ = true;
    last_exception_ = what;
  }
  evaluator<D>* ev_;
  const euclidean_metric<scalar>* metric_;
  std::size_t grad_evals_ = 0;
  std::size_t exceptions_ = 0;
  std::string last_exception_;
  double last_logp_ = std::numeric_limits<double>::quiet_NaN();
  bool last_threw_ = false;
};

}  // namespace exmc
