#pragma once
// The mutation half of tempered SMC: one move of one particle, leaving
// prior(q) * likelihood(q)^beta invariant. Every density failure is a rejected move.
#include <Eigen/Core>
#include <cmath>
#include <cstddef>
#include <exception>
#include <string>

#include "../core/random.hpp"
#include "tempered_density.hpp"

namespace exmc::smc_detail {

template <class T>
struct particle {
  vector_t<T> q, gp, gl;  // position; gradients of the log prior and of the log likelihood
  double lp = 0.0, ll = 0.0;
  particle() = default;
  explicit particle(Eigen::Index d) : q(vector_t<T>::Zero(d)), gp(q), gl(q) {}
  double target(double beta) const { return lp + beta * ll; }
};

// What one particle did in one round; reduced in particle order so totals do not depend on
// the thread count.
struct move_record {
  double accept = 0.0;  // acceptance probability of the move
  std::size_t evals = 0, faults = 0;
  std::string fault;
  void reset() {
    accept = 0.0;
    evals = faults = 0;
    fault.clear();
  }
};

// Kernel parameters shared by all particles during one round (read-only while they move).
struct kernel_params {
  double beta = 0.0;
  double step = 1.0;       // hmc: step size in units of the particle sd; mh: proposal scale
  int leapfrog = 10;
  Eigen::VectorXd sd;      // hmc: particle sd per coordinate (the inverse mass is sd^2)
  Eigen::MatrixXd chol;    // mh: Cholesky factor of the particle covariance
};

enum class eval_result { ok, bad_prior, bad_likelihood };

// Prior and likelihood with gradients at z.q; a failure of either is recorded as a fault.
template <TemperedLogDensity D, class T>
eval_result evaluate_parts(const D& d, particle<T>& z, tempered_workspace_t<D>& ws, move_record& rec) {
  ++rec.evals;
  eval_result result = eval_result::bad_prior;
  try {
    z.lp = static_cast<double>(d.log_prior(z.q, z.gp, ws));
    if (std::isfinite(z.lp) && z.gp.allFinite()) {
      result = eval_result::bad_likelihood;
      z.ll = static_cast<double>(d.log_likelihood(z.q, z.gl, ws));
      if (std::isfinite(z.ll) && z.gl.allFinite()) return eval_result::ok;
      rec.fault = "non-finite log likelihood or gradient (" + std::to_string(z.ll) + ")";
    } else {
      rec.fault = "non-finite log prior or gradient (" + std::to_string(z.lp) + ")";
    }
  } catch (const std::exception& e) {
    rec.fault = e.what();
  } catch (...) {
    rec.fault = "unknown exception (not derived from std::exception)";
  }
  ++rec.faults;
  return result;
}

template <TemperedLogDensity D, class T>
bool evaluate(const D& d, particle<T>& z, tempered_workspace_t<D>& ws, move_record& rec) {
  return evaluate_parts(d, z, ws, rec) == eval_result::ok;
}

inline double accept_probability(double log_ratio) {
  if (std::isnan(log_ratio)) return 0.0;
  return log_ratio >= 0.0 ? 1.0 : std::exp(log_ratio);
}

// HMC in coordinates scaled by the particle sd (unit mass there): momentum p ~ N(0, I),
// position step eps * sd .* p, gradient sd .* grad. The step is jittered uniformly by +-20%
// so no particle is stuck on a periodic orbit.
template <TemperedLogDensity D, class T>
void hmc_move(const D& d, particle<T>& z, particle<T>& prop, const kernel_params& k, rng& g,
              tempered_workspace_t<D>& ws, move_record& rec, Eigen::VectorXd& p) {
  const Eigen::Index n = z.q.size();
  p.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) p[i] = g.normal();
  const double h0 = -z.target(k.beta) + 0.5 * p.squaredNorm();
  const double eps = k.step * g.uniform(0.8, 1.2);
  const double u = g.uniform_pos();  // drawn up front: the stream's use does not depend on faults
  prop = z;
  auto scaled_grad = [&] {
    return ((prop.gp.template cast<double>() + k.beta * prop.gl.template cast<double>()).cwiseProduct(k.sd)).eval();
  };
  p += 0.5 * eps * scaled_grad();
  for (int l = 0; l < k.leapfrog; ++l) {
    prop.q = (prop.q.template cast<double>() + eps * k.sd.cwiseProduct(p)).template cast<T>();
    if (!evaluate(d, prop, ws, rec)) {
      rec.accept = 0.0;
      return;
    }
    p += (l + 1 < k.leapfrog ? eps : 0.5 * eps) * scaled_grad();
  }
  const double h1 = -prop.target(k.beta) + 0.5 * p.squaredNorm();
  rec.accept = accept_probability(h0 - h1);
  if (u < rec.accept) std::swap(z, prop);
}

// Random-walk Metropolis with proposal q + scale * C * N(0, I), C C^T the particle covariance.
template <TemperedLogDensity D, class T>
void mh_move(const D& d, particle<T>& z, particle<T>& prop, const kernel_params& k, rng& g,
             tempered_workspace_t<D>& ws, move_record& rec, Eigen::VectorXd& e) {
  const Eigen::Index n = z.q.size();
  e.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) e[i] = g.normal();
  const double u = g.uniform_pos();
  e = k.chol.triangularView<Eigen::Lower>() * e;  // lower-triangular product may alias
  prop.q = (z.q.template cast<double>() + k.step * e).template cast<T>();
  if (!evaluate(d, prop, ws, rec)) {
    rec.accept = 0.0;
    return;
  }
  rec.accept = accept_probability(prop.target(k.beta) - z.target(k.beta));
  if (u < rec.accept) std::swap(z, prop);
}

}  // namespace exmc::smc_detail
