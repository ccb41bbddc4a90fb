#pragma once
// The contract between models and inference methods. The samplers know nothing of the DSL:
// anything meeting LogDensity can be sampled, hand-written or compiled.
#include <Eigen/Core>
#include <concepts>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace exmc {

template <class T>
using vector_t = Eigen::Matrix<T, Eigen::Dynamic, 1>;

// Constrained values by name, for initial values and warm starts: {"mu", [1.5]}, {"theta", [...]}.
using named_values = std::map<std::string, Eigen::VectorXd>;

// A log density on R^dim() (unconstrained space, Jacobians included) with its gradient.
//   scalar                 float or double: the type of positions and gradients
//   dim()                  number of unconstrained coordinates
//   logp_grad(q, grad)     returns log p(q) as double (accumulated in double even for float)
//                          and writes d log p / dq into grad (already sized dim()).
// A non-finite return value or an exception marks the point as invalid; inference methods
// turn that into a rejected (divergent) step, never a crash.
template <class D>
concept LogDensity =
    requires { typename D::scalar; } && std::floating_point<typename D::scalar> &&
    requires(const D& d, const vector_t<typename D::scalar>& q, vector_t<typename D::scalar>& g) {
      { d.dim() } -> std::convertible_to<std::ptrdiff_t>;
      { d.logp_grad(q, g) } -> std::convertible_to<double>;
    };

// A density that keeps its scratch memory in a caller-owned workspace, so one object can serve
// several threads at once (one workspace per thread) without locks or allocation per call.
template <class D>
concept WorkspaceLogDensity =
    LogDensity<D> && requires { typename D::workspace; } &&
    requires(const D& d, const vector_t<typename D::scalar>& q, vector_t<typename D::scalar>& g,
             typename D::workspace& ws) {
      { d.make_workspace() } -> std::same_as<typename D::workspace>;
      { d.logp_grad(q, g, ws) } -> std::convertible_to<double>;
    };

// A density that can report its draws on the natural (constrained) scale, with names.
//   param_names()          flattened names of the constrained output, e.g. "mu", "theta[0]"
//   constrain(q, out)      out resized to param_names().size(), parameters then deterministics
template <class D>
concept ConstrainedLogDensity =
    LogDensity<D> && requires(const D& d, const vector_t<typename D::scalar>& q, Eigen::VectorXd& out) {
      { d.param_names() } -> std::convertible_to<std::vector<std::string>>;
      d.constrain(q, out);
    };

// A constrained density with a workspace that can also constrain in one: a sampler storing every
// draw then neither allocates per draw nor adds up the log density's terms to get the values.
template <class D>
concept WorkspaceConstrainedLogDensity =
    WorkspaceLogDensity<D> && ConstrainedLogDensity<D> &&
    requires(const D& d, const vector_t<typename D::scalar>& q, Eigen::VectorXd& out, typename D::workspace& ws) {
      d.constrain(q, out, ws);
    };

// A density that accepts initial values by name: unconstrain(values, q) overwrites the
// coordinates of q belonging to the named parameters and throws model_error for unknown names,
// wrong sizes or values outside the support.
template <class D>
concept UnconstrainableLogDensity =
    LogDensity<D> && requires(const D& d, const named_values& v, vector_t<typename D::scalar>& q) {
      d.unconstrain(v, q);
    };

// Per-thread handle: binds a private workspace when the density has one, else forwards.
// Samplers create one evaluator per chain.
template <LogDensity D>
class evaluator {
 public:
  using scalar = typename D::scalar;
  explicit evaluator(const D& d) : d_(&d) {
    if constexpr (WorkspaceLogDensity<D>) ws_.emplace(d.make_workspace());
  }
  std::ptrdiff_t dim() const { return static_cast<std::ptrdiff_t>(d_->dim()); }
  double logp_grad(const vector_t<scalar>& q, vector_t<scalar>& g) {
    if constexpr (WorkspaceLogDensity<D>)
      return static_cast<double>(d_->logp_grad(q, g, *ws_));
    else
      return static_cast<double>(d_->logp_grad(q, g));
  }
  // The density's constrain, in this thread's workspace when the density can use one.
  void constrain(const vector_t<scalar>& q, Eigen::VectorXd& out)
    requires ConstrainedLogDensity<D>
  {
    if constexpr (WorkspaceConstrainedLogDensity<D>)
      d_->constrain(q, out, *ws_);
    else
      d_->constrain(q, out);
  }
  const D& density() const { return *d_; }

 private:
  struct none {};
  template <class X>
  struct holder { using type = none; };
  template <WorkspaceLogDensity X>
  struct holder<X> { using type = std::optional<typename X::workspace>; };
  using ws_holder = typename holder<D>::type;
  const D* d_;
  [[no_unique_address]] ws_holder ws_;
};

}  // namespace exmc
