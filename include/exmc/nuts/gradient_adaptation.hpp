#pragma once
// Gradient-based diagonal metric adaptation in the style of nutpie (nuts-rs): the inverse
// metric is sqrt(Var(q) / Var(grad log p)) per coordinate, which is exact for Gaussians and uses
// the information in the gradients, so it settles after far fewer draws than Var(q) alone.
// Two estimators run at once: the foreground one sets the metric after every draw, the
// background one collects fresh draws and replaces the foreground every `switch_every` draws
// (short windows early on, when the chain is still moving into the typical set). In the final
// share of warmup the metric is frozen and only the step size is tuned.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <utility>

#include "windowed_adaptation.hpp"

namespace exmc {

struct gradient_adaptation_settings {
  double early_share = 0.3;        // first share of warmup using early_switch_every
  double final_step_share = 0.15;  // last share of warmup: metric frozen
  unsigned early_switch_every = 10;
  unsigned switch_every = 80;
};

class gradient_metric_adapter {
 public:
  gradient_metric_adapter(Eigen::Index dim, unsigned num_warmup, gradient_adaptation_settings s = {})
      : s_(s), fg_q_(dim), fg_g_(dim), bg_q_(dim), bg_g_(dim) {
    early_end_ = static_cast<unsigned>(s.early_share * num_warmup);
    freeze_at_ = num_warmup - static_cast<unsigned>(s.final_step_share * num_warmup);
  }

  // First guess from the gradient at the initial point: 1 / |g| (1 where g vanishes).
  static Eigen::VectorXd initial(const Eigen::VectorXd& g) {
    Eigen::VectorXd out(g.size());
    for (Eigen::Index i = 0; i < g.size(); ++i) {
      const double a = std::abs(g[i]);
      out[i] = a > 0.0 && std::isfinite(a) ? std::clamp(1.0 / a, lower, upper) : 1.0;
    }
    return out;
  }

  // The iteration at which the metric is frozen (the final step-size-only phase starts).
  unsigned freeze_at() const { return freeze_at_; }

  // Feed warmup iteration `iter` (its draw q with gradient g). Returns true and writes the new
  // inverse metric when it changed. Divergent draws are not used.
  template <class V>
  bool update(unsigned iter, const V& q, const V& g, bool divergent, Eigen::VectorXd& inv_metric) {
    if (iter >= freeze_at_) return false;
    if (!divergent) {
      fg_q_.add(q);
      fg_g_.add(g);
      bg_q_.add(q);
      bg_g_.add(g);
    }
    const unsigned every = iter < early_end_ ? s_.early_switch_every : s_.switch_every;
    if (bg_q_.count() >= every) {
      std::swap(fg_q_, bg_q_);
      std::swap(fg_g_, bg_g_);
      bg_q_.restart();
      bg_g_.restart();
    }
    if (fg_q_.count() < 3) return false;
    const Eigen::VectorXd vq = fg_q_.variance(), vg = fg_g_.variance();
    bool changed = false;
    for (Eigen::Index i = 0; i < vq.size(); ++i) {
      const double r = std::sqrt(vq[i] / vg[i]);
      if (std::isnan(r)) continue;  // no information on this coordinate yet
      inv_metric[i] = std::clamp(r, lower, upper);
      changed = true;
    }
    return changed;
  }

  static constexpr double lower = 1e-20;
  static constexpr double upper = 1e20;

 private:
  gradient_adaptation_settings s_;
  unsigned early_end_ = 0;
  unsigned freeze_at_ = 0;
  welford_variance fg_q_, fg_g_, bg_q_, bg_g_;
};

}  // namespace exmc
