#pragma once
// What optimize, laplace and pathfinder share: a LogDensity seen in double, the choice of a
// finite starting point, and the mapping of unconstrained points to named constrained values.
#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "../core/any_density.hpp"
#include "../core/error.hpp"
#include "../core/log_density.hpp"
#include "../core/random.hpp"

namespace exmc {

// How a run picks its starting point (the same choices as exmc::sample).
struct start_options {
  std::uint64_t seed = 0;
  double init_radius = 2.0;            // uniform(-r, r) in unconstrained space; 0: all zeros
  named_values init;                   // constrained values by name (needs UnconstrainableLogDensity)
  Eigen::VectorXd init_unconstrained;  // or a full unconstrained point (dim() entries)
  int init_tries = 100;                // random starts tried before giving up
};

namespace detail {

// The density in double, counting evaluations; exceptions propagate (the caller decides).
template <LogDensity D>
class double_density {
 public:
  using T = typename D::scalar;
  explicit double_density(const D& d) : ev_(d), dim_(ev_.dim()), qt_(dim_), gt_(dim_) {}
  Eigen::Index dim() const { return dim_; }
  std::size_t evals() const { return evals_; }
  double operator()(const Eigen::VectorXd& q, Eigen::VectorXd& g) {
    ++evals_;
    g.resize(dim_);
    if constexpr (std::is_same_v<T, double>) {
      return ev_.logp_grad(q, g);
    } else {
      qt_ = q.cast<T>();
      const double lp = ev_.logp_grad(qt_, gt_);
      g = gt_.template cast<double>();
      return lp;
    }
  }
  // log p, or -inf where the density is invalid (non-finite, or it threw).
  double safe(const Eigen::VectorXd& q, Eigen::VectorXd& g) {
    double lp;
    try {
      lp = (*this)(q, g);
    } catch (...) {
      return -std::numeric_limits<double>::infinity();
    }
    return std::isnan(lp) || !g.allFinite() ? -std::numeric_limits<double>::infinity() : lp;
  }
  const D& density() const { return ev_.density(); }

 private:
  evaluator<D> ev_;
  Eigen::Index dim_;
  vector_t<T> qt_, gt_;
  std::size_t evals_ = 0;
};

template <LogDensity D>
std::vector<std::string> quantity_names(const D& d) {
  if constexpr (ConstrainedLogDensity<D>) {
    return d.param_names();
  } else {
    std::vector<std::string> names;
    for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(d.dim()); ++i) names.push_back("q[" + std::to_string(i) + "]");
    return names;
  }
}

// Constrained values of an unconstrained point (the point itself without constrain()).
template <LogDensity D>
void constrain_point(const D& d, const Eigen::VectorXd& q, Eigen::VectorXd& out) {
  if constexpr (ConstrainedLogDensity<D>) {
    d.constrain(q.cast<typename D::scalar>().eval(), out);
  } else {
    out = q;
  }
}

[[noreturn]] inline void bad_option(const std::string& who, const std::string& what) {
  throw model_error(who + ": " + what);
}

template <LogDensity D>
void validate_start(const std::string& who, const D& d, const start_options& o) {
  const auto dim = static_cast<Eigen::Index>(d.dim());
  if (dim < 1) bad_option(who, "the density has no coordinates (dim() = " + std::to_string(dim) + ")");
  if (!(o.init_radius >= 0.0) || !std::isfinite(o.init_radius))
    bad_option(who, "init_radius must be finite and >= 0 (got " + std::to_string(o.init_radius) + ")");
  if (o.init_tries < 1) bad_option(who, "init_tries must be at least 1 (got " + std::to_string(o.init_tries) + ")");
  if (o.init_unconstrained.size() > 0) {
    if (!o.init.empty()) bad_option(who, "give either init (named values) or init_unconstrained, not both");
    if (o.init_unconstrained.size() != dim)
      bad_option(who, "init_unconstrained has " + std::to_string(o.init_unconstrained.size()) +
                          " entries, the density has dim() = " + std::to_string(dim));
    if (!o.init_unconstrained.allFinite()) bad_option(who, "init_unconstrained has non-finite entries");
  }
  if (!o.init.empty() && !can_unconstrain(d))
    bad_option(who, "init gives named values but the density has no unconstrain(); use init_unconstrained");
}

// A starting point with finite log density and gradient, drawn with rng(seed, stream); throws
// sampling_error naming the attempts when there is none.
template <LogDensity D>
Eigen::VectorXd find_start(const std::string& who, double_density<D>& f, const start_options& o, std::uint64_t stream) {
  const Eigen::Index n = f.dim();
  const bool fixed = o.init_unconstrained.size() > 0 || o.init_radius == 0.0;
  const int tries = fixed ? 1 : o.init_tries;
  rng r(o.seed, stream);
  Eigen::VectorXd q(n), g(n);
  for (int t = 0; t < tries; ++t) {
    if (o.init_unconstrained.size() > 0) {
      q = o.init_unconstrained;
    } else {
      for (auto& x : q) x = r.uniform(-o.init_radius, o.init_radius);
      if constexpr (UnconstrainableLogDensity<D>) {
        if (!o.init.empty()) {
          vector_t<typename D::scalar> qt = q.cast<typename D::scalar>();
          f.density().unconstrain(o.init, qt);
          q = qt.template cast<double>();
        }
      }
    }
    if (std::isfinite(f.safe(q, g))) return q;
  }
  throw sampling_error(who + ": no finite starting point (log density and gradient) after " + std::to_string(tries) +
                       (tries == 1 ? " try" : " tries") +
                       (o.init_unconstrained.size() > 0 ? " (given init_unconstrained)"
                                                        : " (uniform in [-" + std::to_string(o.init_radius) + ", " +
                                                              std::to_string(o.init_radius) + "] unconstrained)"));
}

}  // namespace detail

}  // namespace exmc
