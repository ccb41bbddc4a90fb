#pragma once
// The contract SMC needs from a model: prior and likelihood separately (likelihood tempering
// targets prior * likelihood^beta), draws from the prior, and thread-safe evaluation on
// distinct workspaces so particles can move in parallel.
#include <concepts>
#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "../core/log_density.hpp"
#include "../core/random.hpp"

namespace exmc {

template <class D>
using tempered_workspace_t = std::remove_cvref_t<decltype(std::declval<const D&>().make_workspace())>;

// For a type D with `using scalar = T`, on unconstrained coordinates q:
//   dim()                          number of unconstrained coordinates
//   make_workspace()               scratch for one thread; distinct workspaces may be used at once
//   log_prior(q, grad, ws)         log prior density plus the log-Jacobian of the transforms
//   log_likelihood(q, grad, ws)    log likelihood
//   draw_prior(g, q, ws)           an unconstrained draw from the prior into q (sized dim())
// Both densities return double and write their gradient into grad (sized dim()). Non-finite
// values and exceptions mark the point invalid; SMC rejects it (or redraws it from the prior).
template <class D>
concept TemperedLogDensity =
    requires { typename D::scalar; } && std::floating_point<typename D::scalar> &&
    requires(const D& d) {
      { d.dim() } -> std::convertible_to<std::ptrdiff_t>;
      d.make_workspace();
    } &&
    requires(const D& d, const vector_t<typename D::scalar>& q, vector_t<typename D::scalar>& out,
             tempered_workspace_t<D>& ws, rng& g) {
      { d.log_prior(q, out, ws) } -> std::convertible_to<double>;
      { d.log_likelihood(q, out, ws) } -> std::convertible_to<double>;
      d.draw_prior(g, out, ws);
    };

// Names and constrained values, as ConstrainedLogDensity but without asking for logp_grad.
template <class D>
concept NamedConstrain =
    requires(const D& d, const vector_t<typename D::scalar>& q, Eigen::VectorXd& out) {
      { d.param_names() } -> std::convertible_to<std::vector<std::string>>;
      d.constrain(q, out);
    };

}  // namespace exmc
