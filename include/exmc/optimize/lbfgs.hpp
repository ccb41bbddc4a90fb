#pragma once
// Limited-memory BFGS maximisation with a strong-Wolfe line search (Nocedal and Wright 2006,
// algorithms 3.5, 3.6 and 7.4), written here rather than taken from LBFGS++ because Pathfinder
// needs every iterate: positions, gradients and hence the (s, y) pairs.
//
// The objective is a callable `double f(const Eigen::VectorXd& x, Eigen::VectorXd& grad)`
// returning the value to MAXIMISE (a log density) and its gradient. A non-finite value, a
// non-finite gradient or an exception marks a trial point as invalid: the line search backs off
// from it as from a point without sufficient increase.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <deque>
#include <limits>
#include <string>
#include <vector>

namespace exmc {

enum class lbfgs_status {
  converged_gradient,   // largest |gradient| component below tol_grad
  converged_objective,  // relative change of the objective below tol_rel_obj
  converged_step,       // step below tol_step relative to the position
  max_iterations,       // iteration budget spent before convergence
  line_search_failed,   // no step with sufficient increase (often: converged to rounding level)
  non_finite_start,     // the objective or its gradient is not finite at the starting point
  unbounded,            // the objective grows without bound (or is +inf) along the path
};

inline const char* to_string(lbfgs_status s) {
  switch (s) {
    case lbfgs_status::converged_gradient: return "converged (gradient)";
    case lbfgs_status::converged_objective: return "converged (relative objective change)";
    case lbfgs_status::converged_step: return "converged (step size)";
    case lbfgs_status::max_iterations: return "max_iterations reached";
    case lbfgs_status::line_search_failed: return "line search failed";
    case lbfgs_status::non_finite_start: return "non-finite start";
    case lbfgs_status::unbounded: return "unbounded objective";
  }
  return "unknown";
}

inline bool converged(lbfgs_status s) {
  return s == lbfgs_status::converged_gradient || s == lbfgs_status::converged_objective ||
         s == lbfgs_status::converged_step;
}

struct lbfgs_options {
  int history = 6;              // (s, y) pairs kept
  int max_iterations = 1000;
  double tol_grad = 1e-8;       // on max_i |grad_i|
  double tol_rel_obj = 1e-12;   // on |f_new - f_old| / max(|f_old|, |f_new|, 1)
  double tol_step = 1e-12;      // on max_i |s_i| / (1 + max_i |x_i|)
  int max_line_search = 50;     // trial points per line search
  double c1 = 1e-4;             // sufficient increase (Armijo)
  double c2 = 0.9;              // curvature (strong Wolfe)
  double max_value = 1e300;     // objective above this counts as unbounded
};

// One accepted iterate (the start included).
struct lbfgs_iterate {
  Eigen::VectorXd x, grad;
  double value;
};

struct lbfgs_result {
  lbfgs_status status = lbfgs_status::max_iterations;
  std::string message;
  Eigen::VectorXd x, grad;  // best point found and its gradient
  double value = -std::numeric_limits<double>::infinity();
  int iterations = 0;
  std::size_t evals = 0;              // objective + gradient evaluations
  std::vector<lbfgs_iterate> path;    // filled when asked for: start, then every iterate
  bool converged() const { return exmc::converged(status); }
};

namespace detail {

// Minimiser of the cubic interpolating (a, fa, da) and (b, fb, db), safeguarded into the middle
// 80% of the interval; bisection when the cubic has no usable minimum.
inline double cubic_step(double a, double fa, double da, double b, double fb, double db) {
  const double lo = std::min(a, b), hi = std::max(a, b), w = hi - lo;
  const double mid = 0.5 * (a + b);
  if (!std::isfinite(fb) || !std::isfinite(db)) return mid;
  const double d1 = da + db - 3.0 * (fa - fb) / (a - b);
  const double disc = d1 * d1 - da * db;
  if (!(disc >= 0.0)) return mid;
  const double d2 = std::copysign(std::sqrt(disc), b - a);
  const double t = b - (b - a) * (db + d2 - d1) / (db - da + 2.0 * d2);
  if (!std::isfinite(t)) return mid;
  return std::clamp(t, lo + 0.1 * w, hi - 0.1 * w);
}

// Evaluates the objective as a minimisation target phi = -f; invalid points give +inf.
template <class F>
struct negated {
  F& f;
  std::size_t evals = 0;
  double operator()(const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    ++evals;
    double v;
    try {
      v = f(x, g);
    } catch (...) {
      return std::numeric_limits<double>::infinity();
    }
    if (std::isnan(v) || v == -std::numeric_limits<double>::infinity() || !g.allFinite())
      return std::numeric_limits<double>::infinity();
    g = -g;
    return -v;
  }
};

struct trial {
  double alpha, phi, dphi;
};

enum class search_outcome { ok, failed, unbounded };

}  // namespace detail

// Maximises f from x0. With keep_path the result holds every accepted iterate.
template <class F>
lbfgs_result lbfgs_maximize(F&& f, const Eigen::VectorXd& x0, const lbfgs_options& o = {}, bool keep_path = false) {
  using detail::trial;
  detail::negated<std::remove_reference_t<F>> phi{f};
  const Eigen::Index n = x0.size();
  constexpr double inf = std::numeric_limits<double>::infinity();
  lbfgs_result r;
  Eigen::VectorXd x = x0, g(n), xt(n), gt(n);
  double fx = phi(x, g);
  auto finish = [&](lbfgs_status s, std::string msg) {
    r.status = s;
    r.message = std::string(to_string(s)) + (msg.empty() ? "" : ": " + msg);
    r.x = x;
    r.grad = -g;
    r.value = -fx;
    r.evals = phi.evals;
    return r;
  };
  if (!std::isfinite(fx)) return finish(lbfgs_status::non_finite_start, "the objective or its gradient is not finite at the start");
  if (-fx > o.max_value) return finish(lbfgs_status::unbounded, "the objective exceeds max_value at the start");
  if (keep_path) r.path.push_back({x, -g, -fx});
  if (g.cwiseAbs().maxCoeff() < o.tol_grad) return finish(lbfgs_status::converged_gradient, "");

  std::deque<Eigen::VectorXd> S, Y;
  std::deque<double> rho;
  Eigen::VectorXd d(n), alpha_buf(o.history);
  for (int it = 0; it < o.max_iterations; ++it) {
    // Two-loop recursion: d = -H g with H0 = (s'y / y'y) I.
    d = -g;
    const auto m = static_cast<Eigen::Index>(S.size());
    for (Eigen::Index i = m - 1; i >= 0; --i) {
      alpha_buf[i] = rho[i] * S[i].dot(d);
      d -= alpha_buf[i] * Y[i];
    }
    if (m > 0) d *= S.back().dot(Y.back()) / Y.back().squaredNorm();
    for (Eigen::Index i = 0; i < m; ++i) d += (alpha_buf[i] - rho[i] * Y[i].dot(d)) * S[i];
    double dphi0 = g.dot(d);
    if (!(dphi0 < 0.0)) {  // lost descent (rounding or bad pairs): restart from steepest descent
      S.clear(), Y.clear(), rho.clear();
      d = -g;
      dphi0 = -g.squaredNorm();
    }

    // Strong-Wolfe line search on phi(alpha) = phi(x + alpha d).
    const double step0 = m > 0 ? 1.0 : std::min(1.0, 1.0 / d.norm());
    const double alpha_max = 1e10 * step0;
    auto eval = [&](double a) {
      xt = x + a * d;
      const double v = phi(xt, gt);
      return trial{a, v, std::isfinite(v) ? gt.dot(d) : inf};
    };
    Eigen::VectorXd best_x, best_g;
    trial best{0.0, fx, dphi0};
    auto keep = [&](const trial& t) {
      best = t;
      best_x = xt;
      best_g = gt;
    };
    auto armijo = [&](const trial& t) { return std::isfinite(t.phi) && t.phi <= fx + o.c1 * t.alpha * dphi0; };
    auto wolfe = [&](const trial& t) { return std::abs(t.dphi) <= -o.c2 * dphi0; };
    detail::search_outcome outcome = detail::search_outcome::failed;
    int evals_left = o.max_line_search;
    auto zoom = [&](trial lo, trial hi) {
      while (evals_left-- > 0) {
        const double a = std::isfinite(hi.phi) ? detail::cubic_step(lo.alpha, lo.phi, lo.dphi, hi.alpha, hi.phi, hi.dphi)
                                               : 0.5 * (lo.alpha + hi.alpha);
        if (std::abs(hi.alpha - lo.alpha) <= 1e-16 * std::max(1.0, lo.alpha)) break;
        const trial t = eval(a);
        if (!armijo(t) || t.phi >= lo.phi) {
          hi = t;
        } else {
          keep(t);
          if (wolfe(t)) return detail::search_outcome::ok;
          if (t.dphi * (hi.alpha - lo.alpha) >= 0.0) hi = lo;
          lo = t;
        }
      }
      // No strong-Wolfe point, but an Armijo point still makes progress.
      return best.alpha > 0.0 ? detail::search_outcome::ok : detail::search_outcome::failed;
    };
    trial prev{0.0, fx, dphi0};
    double a = step0;
    while (evals_left-- > 0) {
      const trial t = eval(a);
      if (std::isfinite(t.phi) && -t.phi > o.max_value) {
        keep(t);
        outcome = detail::search_outcome::unbounded;
        break;
      }
      if (!armijo(t) || (prev.alpha > 0.0 && t.phi >= prev.phi)) {
        outcome = zoom(prev, t);
        break;
      }
      keep(t);
      if (wolfe(t)) {
        outcome = detail::search_outcome::ok;
        break;
      }
      if (t.dphi >= 0.0) {
        outcome = zoom(t, prev);
        break;
      }
      if (a >= alpha_max) {
        outcome = detail::search_outcome::unbounded;
        break;
      }
      prev = t;
      a = std::min(4.0 * a, alpha_max);
    }
    if (outcome == detail::search_outcome::failed && best.alpha > 0.0) outcome = detail::search_outcome::ok;

    if (outcome == detail::search_outcome::unbounded) {
      if (best.alpha > 0.0) x = best_x, g = best_g, fx = best.phi;
      r.iterations = it + 1;
      return finish(lbfgs_status::unbounded, "the objective keeps increasing along the search direction (value " +
                                                 std::to_string(-fx) + ")");
    }
    if (outcome == detail::search_outcome::failed) {
      r.iterations = it;
      // At the optimum, rounding in f hides any increase: if the quadratic model promises less
      // than tol_rel_obj, this is convergence, not failure.
      if (-0.5 * dphi0 * step0 <= o.tol_rel_obj * std::max(std::abs(fx), 1.0))
        return finish(lbfgs_status::converged_objective, "the predicted increase is below tol_rel_obj");
      return finish(lbfgs_status::line_search_failed,
                    "no step increased the objective enough; largest |gradient| component is " +
                        std::to_string(g.cwiseAbs().maxCoeff()));
    }

    Eigen::VectorXd s = best_x - x, y = g - best_g;  // y of the maximised f: grad_f(x+) - grad_f(x)
    y = -y;  // y for phi: g_phi(x+) - g_phi(x)
    const double f_old = fx;
    x = best_x, g = best_g, fx = best.phi;
    r.iterations = it + 1;
    if (keep_path) r.path.push_back({x, -g, -fx});

    const double sy = s.dot(y);
    if (sy > std::numeric_limits<double>::epsilon() * y.squaredNorm()) {  // keep H positive definite
      if (static_cast<int>(S.size()) == o.history) S.pop_front(), Y.pop_front(), rho.pop_front();
      S.push_back(s), Y.push_back(y), rho.push_back(1.0 / sy);
    }
    if (g.cwiseAbs().maxCoeff() < o.tol_grad) return finish(lbfgs_status::converged_gradient, "");
    if (std::abs(fx - f_old) < o.tol_rel_obj * std::max({std::abs(f_old), std::abs(fx), 1.0}))
      return finish(lbfgs_status::converged_objective, "");
    if (s.cwiseAbs().maxCoeff() < o.tol_step * (1.0 + x.cwiseAbs().maxCoeff()))
      return finish(lbfgs_status::converged_step, "");
  }
  return finish(lbfgs_status::max_iterations, std::to_string(o.max_iterations) + " iterations");
}

}  // namespace exmc
