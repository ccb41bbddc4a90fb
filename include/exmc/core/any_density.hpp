#pragma once
// exmc::any_density<T>: any LogDensity behind one concrete type, so that the inference methods
// are compiled once (in libexmc, docs/DECISIONS.md D115) instead of once per model.
//
//   exmc::any_density<double> d(compiled_model);   // a reference: the model must outlive d
//
// Each call goes through one function pointer to the model's own member; the gradient call is the
// only one on the hot path (one indirect call per gradient, measured in D117). The optional
// refinements of log_density.hpp are always present here:
//   workspace        the model's workspace when it has one (allocated by make_workspace, one per
//                    thread), else empty; logp_grad(q, g, ws) calls the model's matching overload
//   param_names      the model's names, or "q[0]", "q[1]", ... as every method names the
//                    coordinates of a density without names
//   constrain        the model's constrain, or the coordinates themselves (in double)
//   unconstrain      the model's unconstrain; without one it throws model_error, and
//                    can_unconstrain() says so beforehand (see exmc::can_unconstrain)
#include <Eigen/Core>
#include <concepts>
#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "error.hpp"
#include "log_density.hpp"
#include "separate_compilation.hpp"

namespace exmc {

template <std::floating_point T>
class any_density {
 public:
  using scalar = T;

  // Scratch memory of one thread: the model's workspace (owned here), or nothing.
  class workspace {
   public:
    workspace() = default;
    workspace(workspace&& o) noexcept : p_(std::exchange(o.p_, nullptr)), destroy_(o.destroy_) {}
    workspace& operator=(workspace&& o) noexcept {
      if (this != &o) {
        reset();
        p_ = std::exchange(o.p_, nullptr);
        destroy_ = o.destroy_;
      }
      return *this;
    }
    ~workspace() { reset(); }

   private:
    friend class any_density;
    workspace(void* p, void (*destroy)(void*)) : p_(p), destroy_(destroy) {}
    void reset() {
      if (p_) destroy_(p_);
      p_ = nullptr;
    }
    void* p_ = nullptr;
    void (*destroy_)(void*) = nullptr;
  };

  template <LogDensity D>
    requires(!std::same_as<D, any_density> && std::same_as<typename D::scalar, T>)
  explicit any_density(const D& d) : d_(&d), dim_(static_cast<std::ptrdiff_t>(d.dim())), ops_(&ops_for<D>) {}

  std::ptrdiff_t dim() const { return dim_; }

  double logp_grad(const vector_t<T>& q, vector_t<T>& g) const { return ops_->logp_grad(d_, q, g); }
  double logp_grad(const vector_t<T>& q, vector_t<T>& g, workspace& ws) const { return ops_->logp_grad_ws(d_, q, g, ws.p_); }
  workspace make_workspace() const { return ops_->make_workspace ? workspace(ops_->make_workspace(d_), ops_->destroy_workspace) : workspace(); }

  std::vector<std::string> param_names() const {
    if (ops_->param_names) return ops_->param_names(d_);
    std::vector<std::string> names;
    names.reserve(static_cast<std::size_t>(dim_));
    for (std::ptrdiff_t i = 0; i < dim_; ++i) names.push_back("q[" + std::to_string(i) + "]");
    return names;
  }
  void constrain(const vector_t<T>& q, Eigen::VectorXd& out) const {
    if (ops_->constrain) ops_->constrain(d_, q, out);
    else out = q.template cast<double>();
  }
  void constrain(const vector_t<T>& q, Eigen::VectorXd& out, workspace& ws) const {
    if (ops_->constrain_ws && ws.p_) ops_->constrain_ws(d_, q, out, ws.p_);
    else constrain(q, out);
  }

  bool can_unconstrain() const { return ops_->unconstrain != nullptr; }
  void unconstrain(const named_values& values, vector_t<T>& q) const {
    if (!ops_->unconstrain) throw model_error("this density has no unconstrain(): initial values by name cannot be used");
    ops_->unconstrain(d_, values, q);
  }

 private:
  // One table per model type; a null entry is a refinement the model does not have.
  struct ops {
    double (*logp_grad)(const void*, const vector_t<T>&, vector_t<T>&);
    double (*logp_grad_ws)(const void*, const vector_t<T>&, vector_t<T>&, void*);
    void* (*make_workspace)(const void*);
    void (*destroy_workspace)(void*);
    std::vector<std::string> (*param_names)(const void*);
    void (*constrain)(const void*, const vector_t<T>&, Eigen::VectorXd&);
    void (*constrain_ws)(const void*, const vector_t<T>&, Eigen::VectorXd&, void*);
    void (*unconstrain)(const void*, const named_values&, vector_t<T>&);
  };

  template <class D>
  static const D& self(const void* d) {
    return *static_cast<const D*>(d);
  }

  template <class D>
  static constexpr ops make_ops() {
    ops o{};
    o.logp_grad = [](const void* d, const vector_t<T>& q, vector_t<T>& g) { return static_cast<double>(self<D>(d).logp_grad(q, g)); };
    if constexpr (WorkspaceLogDensity<D>) {
      using ws_t = typename D::workspace;
      o.logp_grad_ws = [](const void* d, const vector_t<T>& q, vector_t<T>& g, void* ws) {
        return static_cast<double>(self<D>(d).logp_grad(q, g, *static_cast<ws_t*>(ws)));
      };
      o.make_workspace = [](const void* d) -> void* { return new ws_t(self<D>(d).make_workspace()); };
      o.destroy_workspace = [](void* ws) { delete static_cast<ws_t*>(ws); };
    } else {
      o.logp_grad_ws = [](const void* d, const vector_t<T>& q, vector_t<T>& g, void*) {
        return static_cast<double>(self<D>(d).logp_grad(q, g));
      };
    }
    if constexpr (ConstrainedLogDensity<D>) {
      o.param_names = [](const void* d) -> std::vector<std::string> { return self<D>(d).param_names(); };
      o.constrain = [](const void* d, const vector_t<T>& q, Eigen::VectorXd& out) { self<D>(d).constrain(q, out); };
    }
    if constexpr (WorkspaceConstrainedLogDensity<D>) {
      o.constrain_ws = [](const void* d, const vector_t<T>& q, Eigen::VectorXd& out, void* ws) {
        self<D>(d).constrain(q, out, *static_cast<typename D::workspace*>(ws));
      };
    }
    if constexpr (UnconstrainableLogDensity<D>)
      o.unconstrain = [](const void* d, const named_values& v, vector_t<T>& q) { self<D>(d).unconstrain(v, q); };
    return o;
  }
  template <class D>
  static constexpr ops ops_for = make_ops<D>();

  const void* d_;
  std::ptrdiff_t dim_;
  const ops* ops_;
};

// Whether d.unconstrain(values, q) can be called: known from the type, except for any_density,
// which knows it at run time.
template <LogDensity D>
bool can_unconstrain(const D& d) {
  if constexpr (requires { { d.can_unconstrain() } -> std::convertible_to<bool>; }) return d.can_unconstrain();
  else return UnconstrainableLogDensity<D>;
}

}  // namespace exmc
