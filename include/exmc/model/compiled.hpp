#pragma once
// compile<T>(model): the fused log density and gradient on the unconstrained space.
//
// One evaluation runs straight-line code planned at compile time:
//   1. constrain every parameter from its slice of q (transform + log-Jacobian)
//   2. evaluate deterministics (let<>) in topological order, and constrain the parameters that
//      wait for other nodes: non-centred ones (x = loc + scale * z) and those whose bounds
//      depend on other parameters
//   3. add every prior and likelihood term; each distribution adds its analytic partials into its
//      arguments' adjoints, and each argument expression pushes them on to the parameters
//   4. push deterministics' adjoints back in reverse topological order, and those of the
//      parameters constrained in step 2 (into z, loc and scale, or u and the bounds)
//   5. chain rule through the transforms into grad
// All scratch lives in a workspace allocated once; nothing is allocated per call.
#include <algorithm>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "../core/log_density.hpp"
#include "env.hpp"
#include "model.hpp"
#include "ncp.hpp"

namespace exmc {

namespace detail {
template <class Decl, class Env>
struct decl_state_of {
  using type = typename decltype(Decl::dist)::template state<Env>;
};
template <class Decl, class Env>
  requires(Decl::kind == decl_kind::let || Decl::kind == decl_kind::potential)
struct decl_state_of<Decl, Env> {
  using type = typename decltype(Decl::expr)::template state<Env>;
};

// A parameter's dependent bounds keep their expressions' state here (empty for the others).
template <class Decl, class Env>
struct bound_state_of {
  using type = empty_state;
};
template <class Decl, class Env>
  requires(Decl::kind == decl_kind::param && dependent_transform<decltype(Decl::tf)>)
struct bound_state_of<Decl, Env> {
  using type = typename decltype(Decl::tf)::template state<Env>;
};

// The shape of a declaration whose values are a matrix (rows x cols, column by column), else
// {0, 0}: a parameter whose transform shapes them (cholesky_corr), one declared with a shape
// (model/matrix.hpp), a let<> of a matrix expression.
template <class Decl>
std::array<index_t, 2> matrix_shape(const Decl& d, index_t n) {
  if constexpr (Decl::kind == decl_kind::param && requires { d.tf.matrix_dim(n); }) {
    const index_t K = d.tf.matrix_dim(n);
    return {K, K};
  } else if constexpr (Decl::kind == decl_kind::param && requires { d.shape(); }) {
    return d.shape();
  } else if constexpr (Decl::kind == decl_kind::let && requires { requires decltype(d.expr)::is_matrix; }) {
    return {d.expr.rows(), d.expr.cols()};
  } else {
    return {0, 0};
  }
}

// A family whose non-centred form is not x = loc + scale * z elementwise (mv_normal: x = mu + L z)
// maps x to z itself.
template <class Dist>
concept standardizes = requires { std::remove_cvref_t<Dist>::standardizes; };

template <class V>
auto* data_ptr(V& v) {
  if constexpr (std::is_arithmetic_v<V>)
    return &v;
  else
    return v.data();
}
}  // namespace detail

// Which terms one evaluation adds up (see compile_options::jacobian, priors).
struct term_mask {
  bool jacobian = true;
  bool priors = true;
  bool likelihood = true;
};

template <class T, class... Decls>
class compiled {
 public:
  using scalar = T;
  using vector_type = vector_t<T>;
  using info = model_info<Decls...>;
  using env_type = model_env<T, info, Decls...>;
  static constexpr std::size_t size = sizeof...(Decls);

  struct workspace {
    env_type env;
    std::tuple<typename detail::decl_state_of<Decls, env_type>::type...> states;
    std::tuple<typename detail::bound_state_of<Decls, env_type>::type...> bounds;
    vector_t<T> grad_scratch;
  };

  template <class Model>
  explicit compiled(const Model& m, const compile_options& opts = {})
      : decls_(cast_all(m.decls(), std::index_sequence_for<Decls...>{})), terms_{opts.jacobian, opts.priors, true} {
    sizes_ = model_t<Decls...>::validate(decls_);
    for_each_index<size>([&](auto ic) { ncp_[ic] = detail::choose_noncentered<typename info::template decl<ic>, info>(std::get<ic>(decls_), decls_, opts); });
    for (const bool b : ncp_) any_ncp_ = any_ncp_ || b;
    dim_ = 0;
    for_each_index<size>([&](auto ic) {
      constexpr std::size_t I = ic;
      offsets_[I] = dim_;
      if constexpr (info::kinds[I] == decl_kind::param) dim_ += free_size(std::get<I>(decls_).tf, sizes_.n[I]);
    });
    shared_ws_ = make_workspace();
  }
  compiled(const compiled& o)
      : decls_(o.decls_), sizes_(o.sizes_), offsets_(o.offsets_), dim_(o.dim_), ncp_(o.ncp_), any_ncp_(o.any_ncp_), terms_(o.terms_) {
    shared_ws_ = make_workspace();
  }
  compiled& operator=(const compiled&) = delete;

  index_t dim() const { return dim_; }

  workspace make_workspace() const {
    workspace ws;
    for_each_index<size>([&](auto ic) {
      constexpr std::size_t I = ic;
      std::get<I>(ws.env.slots).allocate(sizes_.n[I]);
      const auto& d = std::get<I>(decls_);
      if constexpr (info::kinds[I] == decl_kind::let || info::kinds[I] == decl_kind::potential)
        d.expr.init(std::get<I>(ws.states), sizes_);
      else
        d.dist.init(std::get<I>(ws.states), sizes_);
      if constexpr (dependent_bound<I>()) d.tf.init(std::get<I>(ws.bounds), sizes_);
    });
    ws.grad_scratch.setZero(dim_);
    return ws;
  }

  // Thread-safe on distinct workspaces; the 2-argument form serialises on an internal one.
  double logp_grad(const vector_t<T>& q, vector_t<T>& grad, workspace& ws) const {
    check_dim(q);
    check_distinct(q, grad);
    grad.resize(dim_);
    const double lp = evaluate<true>(q, grad, ws, terms_);
    if (!std::isfinite(lp)) grad.setZero();
    return not_nan(lp);
  }
  double logp_grad(const vector_t<T>& q, vector_t<T>& grad) const {
    std::lock_guard lock(mutex_);
    return logp_grad(q, grad, shared_ws_);
  }
  double logp(const vector_t<T>& q, workspace& ws) const {
    check_dim(q);
    return not_nan(evaluate<false>(q, ws.grad_scratch, ws, terms_));
  }
  double logp(const vector_t<T>& q) const {
    std::lock_guard lock(mutex_);
    return logp(q, shared_ws_);
  }

  // ---- the prior and the likelihood apart (SMC's tempering: smc/tempered_density.hpp) -----
  // log_prior includes the transforms' log-Jacobians (it is the prior density of q); the two add
  // up to logp_grad's density when the model was compiled with the default options.
  double log_prior(const vector_t<T>& q, vector_t<T>& grad, workspace& ws) const {
    return evaluate_terms(q, grad, ws, {true, true, false});
  }
  double log_likelihood(const vector_t<T>& q, vector_t<T>& grad, workspace& ws) const {
    return evaluate_terms(q, grad, ws, {false, false, true});
  }

  // An unconstrained point drawn from the prior: every parameter from its prior given the values
  // already drawn for the parameters it depends on, in topological order.
  void draw_prior(rng& g, vector_t<T>& q, workspace& ws) const {
    q.resize(dim_);
    env_type& env = ws.env;
    forget_logs(env);
    std::vector<double> buf;
    for_each_index<size>([&](auto kc) {
      constexpr std::size_t I = info::topo.order[kc];
      using D = typename info::template decl<I>;
      auto& s = std::get<I>(env.slots);
      const auto& d = std::get<I>(decls_);
      if constexpr (D::kind == decl_kind::let) {
        d.expr.forward(std::get<I>(ws.states), env);
        s.val = d.expr.value(std::get<I>(ws.states), env);
      } else if constexpr (D::kind == decl_kind::param && requires { decltype(D::dist)::family::improper; }) {
        throw model_error(str_cat({"draw_prior: parameter '", info::names[I],
                                   "' has the improper prior flat(), which has no draws; prior_predictive and SMC "
                                   "need a proper prior on every parameter"}));
      } else if constexpr (dependent_bound<I>()) {
        draw_within_bounds<I>(g, ws, buf, q);
      } else if constexpr (D::kind == decl_kind::param) {
        const index_t n = sizes_.n[I];
        buf.resize(static_cast<std::size_t>(n));
        d.dist.generate(std::get<I>(ws.states), env, g, buf.data(), n);
        // A user constraint restricts the prior: iid draws sorted are draws of the ordered
        // restriction; bounds are met by drawing again (a prior with almost no mass inside the
        // bounds is reported below rather than looped on).
        if constexpr (std::is_same_v<std::remove_cvref_t<decltype(d.tf)>, ordered_tf> ||
                      std::is_same_v<std::remove_cvref_t<decltype(d.tf)>, positive_ordered_tf>) {
          std::sort(buf.begin(), buf.end());
        } else {
          for (int tries = 0; tries < 1000 && first_outside(d.tf, buf.data(), n) >= 0; ++tries)
            d.dist.generate(std::get<I>(ws.states), env, g, buf.data(), n);
        }
        T* x = detail::data_ptr(s.val);
        for (index_t j = 0; j < n; ++j) x[j] = static_cast<T>(buf[static_cast<std::size_t>(j)]);
        bool done = false;
        if constexpr (detail::ncp_capable<D, info>()) {
          if (ncp_[I]) {  // z = (x - loc) / scale with loc and scale just forwarded by generate
            if constexpr (detail::standardizes<decltype(d.dist)>) {
              if (!d.dist.ncp_standardize(std::get<I>(ws.states), env, x, q.data() + offsets_[I], n))
                throw sampling_error(str_cat({"draw_prior: parameter '", info::names[I], "': ", d.dist.ncp_fault()}));
            } else {
              const auto [loc, scale] = d.dist.loc_scale(std::get<I>(ws.states), env);
              for (index_t j = 0; j < n; ++j) q[offsets_[I] + j] = (x[j] - elem(loc, j)) / elem(scale, j);
            }
            done = true;
          }
        }
        if (!done) {
          const index_t bad = first_outside(d.tf, buf.data(), n);
          if (bad >= 0)  // a draw on the boundary (an underflow to 0, say)
            throw sampling_error(str_cat({"draw_prior: parameter '", info::names[I], "' drew ",
                                          std::to_string(buf[static_cast<std::size_t>(bad)]), " at element ",
                                          std::to_string(bad), ", outside its support"}));
          std::vector<double> u(static_cast<std::size_t>(free_size(d.tf, n)));
          unconstrain_all(d.tf, buf.data(), u.data(), n);
          for (std::size_t j = 0; j < u.size(); ++j) q[offsets_[I] + static_cast<index_t>(j)] = static_cast<T>(u[j]);
        }
      }
    });
  }

  // ---- predictive quantities from constrained values (predictive/) -------------------------
  // Sets the environment from one row of constrained values laid out as param_names() (the
  // deterministics in it are recomputed, not read) and evaluates the deterministics.
  void load_constrained(const double* row, workspace& ws) const {
    env_type& env = ws.env;
    forget_logs(env);
    index_t k = 0;
    for_each_index<size>([&](auto ic) {
      constexpr std::size_t I = ic;
      if constexpr (is_output(info::kinds[I])) {
        if constexpr (info::kinds[I] == decl_kind::param) {
          T* x = detail::data_ptr(std::get<I>(env.slots).val);
          for (index_t j = 0; j < sizes_.n[I]; ++j) x[j] = static_cast<T>(row[k + j]);
        }
        k += sizes_.n[I];
      }
    });
    for_each_index<size>([&](auto kc) {
      constexpr std::size_t I = info::topo.order[kc];
      if constexpr (info::kinds[I] == decl_kind::let) {
        const auto& e = std::get<I>(decls_).expr;
        e.forward(std::get<I>(ws.states), env);
        std::get<I>(env.slots).val = e.value(std::get<I>(ws.states), env);
      }
    });
  }
  // Number of values of each output of load_constrained (param_names().size()).
  index_t constrained_size() const {
    index_t total = 0;
    for_each_index<size>([&](auto ic) {
      if constexpr (is_output(info::kinds[ic])) total += sizes_.n[ic];
    });
    return total;
  }
  // Names and sizes of the observed nodes, in declaration order.
  std::vector<std::pair<std::string, index_t>> observed() const {
    std::vector<std::pair<std::string, index_t>> out;
    for_each_index<size>([&](auto ic) {
      if constexpr (info::kinds[ic] == decl_kind::observe) out.emplace_back(std::string(info::names[ic]), sizes_.n[ic]);
    });
    return out;
  }
  // Simulates every observed node at the loaded values; out[k] (resized) for the k-th observed
  // node, in the user's order of the data.
  void simulate_observed(rng& g, workspace& ws, std::vector<Eigen::VectorXd>& out) const {
    out.resize(observed_count());
    std::size_t k = 0;
    std::vector<double> buf;
    for_each_index<size>([&](auto ic) {
      constexpr std::size_t I = ic;
      if constexpr (info::kinds[I] == decl_kind::observe) {
        const auto& d = std::get<I>(decls_);
        const index_t n = sizes_.n[I];
        buf.resize(static_cast<std::size_t>(n));
        d.dist.generate(std::get<I>(ws.states), ws.env, g, buf.data(), n);
        scatter(d.order, buf.data(), n, out[k++]);
      }
    });
  }
  // Pointwise log density of every observation at the loaded values (user's order); a family that
  // is not elementwise gives one value for its whole variate.
  void pointwise_log_lik(workspace& ws, std::vector<Eigen::VectorXd>& out) const {
    out.resize(observed_count());
    std::size_t k = 0;
    std::vector<double> buf;
    for_each_index<size>([&](auto ic) {
      constexpr std::size_t I = ic;
      if constexpr (info::kinds[I] == decl_kind::observe) {
        const auto& d = std::get<I>(decls_);
        using Fam = typename std::remove_cvref_t<decltype(d.dist)>::family;
        const index_t n = sizes_.n[I];
        buf.assign(static_cast<std::size_t>(n), 0.0);
        d.dist.pointwise(std::get<I>(ws.states), ws.env, d.data.data(), n, buf.data());
        if constexpr (Fam::elementwise)
          scatter(d.order, buf.data(), n, out[k++]);
        else
          out[k++] = Eigen::VectorXd::Constant(1, buf[0]);
      }
    });
  }

  // Names of the constrained output: parameters and deterministics in declaration order,
  // vectors flattened as name[i] (0-based, like the DSL's indices).
  std::vector<std::string> param_names() const {
    std::vector<std::string> out;
    for_each_index<size>([&](auto ic) {
      constexpr std::size_t I = ic;
      if constexpr (is_output(info::kinds[I])) {
        const std::string n(info::names[I]);
        if (const auto [rows, cols] = detail::matrix_shape(std::get<I>(decls_), sizes_.n[I]); rows > 0) {
          // A matrix, column by column as stored: name[i,j].
          for (index_t j = 0; j < cols; ++j)
            for (index_t i = 0; i < rows; ++i)
              out.push_back(str_cat({n, "[", std::to_string(i), ",", std::to_string(j), "]"}));
        } else if constexpr (info::template decl<I>::template decl_is_vec<info>()) {
          for (index_t k = 0; k < sizes_.n[I]; ++k) out.push_back(str_cat({n, "[", std::to_string(k), "]"}));
        } else {
          out.push_back(n);
        }
      }
    });
    return out;
  }

  void constrain(const vector_t<T>& q, Eigen::VectorXd& out) const {
    workspace ws = make_workspace();
    constrain(q, out, ws);
  }
  // In a caller's workspace (the sampler's, one per chain). Steps 1 and 2 of the evaluation give
  // every value; the terms (priors, likelihood, Jacobians) would change none of them, so they
  // are left out: on small models adding them up cost twice a gradient per stored draw.
  void constrain(const vector_t<T>& q, Eigen::VectorXd& out, workspace& ws) const {
    check_dim(q);
    evaluate<false>(q, ws.grad_scratch, ws, term_mask{false, false, false});
    constrain_loaded(ws, out);
  }
  // The constrained values held in ws (after an evaluation, draw_prior or load_constrained).
  void constrain_loaded(const workspace& ws, Eigen::VectorXd& out) const {
    out.resize(constrained_size());
    index_t k = 0;
    for_each_index<size>([&](auto ic) {
      constexpr std::size_t I = ic;
      if constexpr (is_output(info::kinds[I])) {
        const auto& v = std::get<I>(ws.env.slots).val;
        if constexpr (info::template decl<I>::template decl_is_vec<info>())
          for (index_t j = 0; j < v.size(); ++j) out[k++] = static_cast<double>(v[j]);
        else
          out[k++] = static_cast<double>(v);
      }
    });
  }
  // Whether an output name (mu, theta[3]) belongs to a parameter (not a deterministic).
  static bool is_parameter_name(std::string_view name) {
    const std::size_t i = info::index_of(name.substr(0, name.find('[')));
    return i < size && info::kinds[i] == decl_kind::param;
  }
  Eigen::VectorXd constrain(const vector_t<T>& q) const {
    Eigen::VectorXd out;
    constrain(q, out);
    return out;
  }

  // Initial values by name (constrained scale): overwrites those parameters' coordinates of q.
  // Non-centred parameters are set last, in topological order, from loc and scale evaluated at q
  // (so with the other initial values already in place).
  void unconstrain(const named_values& values, vector_t<T>& q) const {
    if (q.size() != dim_) q = vector_t<T>::Zero(dim_);
    std::vector<std::size_t> deferred;
    for (const auto& entry : values) {
      // Named references, not a structured binding: the lambda below captures them, which
      // clang accepts only from version 16.
      const auto& name = entry.first;
      const auto& v = entry.second;
      const std::size_t i = info::index_of(name);
      if (i >= size)
        throw model_error(str_cat({"initial value for '", name, "': the model has no parameter of that name"}));
      if (info::kinds[i] != decl_kind::param)
        throw model_error(
            str_cat({"initial value for '", name, "': it is not a parameter (only parameters take initial values)"}));
      if (v.size() != sizes_.n[i])
        throw model_error(str_cat({"initial value for '", name, "': expected ", std::to_string(sizes_.n[i]),
                                   " values, got ", std::to_string(v.size())}));
      for_each_index<size>([&](auto ic) {
        constexpr std::size_t I = ic;
        if constexpr (dependent_bound<I>()) {
          return;  // set below, once the values its bounds depend on are in place
        } else if constexpr (info::kinds[I] == decl_kind::param) {
          if (I != i) return;
          const auto& tf = std::get<I>(decls_).tf;
          const index_t bad = first_outside(tf, v.data(), v.size());
          if (bad >= 0)
            throw model_error(str_cat({"initial value for '", name, "': element ", std::to_string(bad), " (",
                                       std::to_string(v[bad]), ") is outside the parameter's support"}));
          if (ncp_[I]) return;
          std::vector<double> u(static_cast<std::size_t>(free_size(tf, v.size())));
          unconstrain_all(tf, v.data(), u.data(), v.size());
          for (std::size_t j = 0; j < u.size(); ++j) q[offsets_[I] + static_cast<index_t>(j)] = static_cast<T>(u[j]);
        }
      });
    }
    workspace ws = make_workspace();
    for_each_index<size>([&](auto kc) {
      constexpr std::size_t I = info::topo.order[kc];
      using D = typename info::template decl<I>;
      if constexpr (dependent_bound<I>()) {
        const auto it = values.find(std::string(info::names[I]));
        if (it == values.end()) return;
        evaluate<false>(q, ws.grad_scratch, ws);
        const auto& tf = std::get<I>(decls_).tf;
        auto& bs = std::get<I>(ws.bounds);
        tf.forward_bounds(bs, ws.env);
        for (index_t j = 0; j < sizes_.n[I]; ++j) {
          const auto b = tf.bounds_at(bs, ws.env, j);
          const double v = it->second[j];
          if (!tf.valid(b) || !tf.inside(v, b))
            throw model_error(str_cat({"initial value for '", it->first, "': element ", std::to_string(j), " (",
                                       std::to_string(v), ") is outside its bounds ", bounds_text(tf, b),
                                       " at the other initial values"}));
          q[offsets_[I] + j] = static_cast<T>(tf.unconstrain(v, b));
        }
      } else if constexpr (detail::ncp_capable<D, info>()) {
        const auto it = values.find(std::string(info::names[I]));
        if (!ncp_[I] || it == values.end()) return;
        evaluate<false>(q, ws.grad_scratch, ws);
        if constexpr (detail::standardizes<decltype(D::dist)>) {
          const vector_t<T> x = it->second.template cast<T>();
          if (!std::get<I>(decls_).dist.ncp_standardize(std::get<I>(ws.states), ws.env, x.data(), q.data() + offsets_[I],
                                                        sizes_.n[I]))
            throw model_error(str_cat({"initial value for '", it->first, "': ", std::get<I>(decls_).dist.ncp_fault(),
                                       " at the other initial values"}));
        } else {
          const auto [loc, scale] = std::get<I>(decls_).dist.loc_scale(std::get<I>(ws.states), ws.env);
          for (index_t j = 0; j < sizes_.n[I]; ++j) {
            const double sc = static_cast<double>(elem(scale, j));
            if (!(sc > 0))
              throw model_error(str_cat(
                  {"initial value for '", it->first, "': its scale is not positive at the other initial values"}));
            q[offsets_[I] + j] = static_cast<T>((it->second[j] - static_cast<double>(elem(loc, j))) / sc);
          }
        }
      }
    });
  }

  // Human-readable plan: every node with its shape, offset into q and transform.
  std::string describe() const {
    std::ostringstream os;
    os << "compiled model: dim " << dim_ << ", scalar " << (std::is_same_v<T, float> ? "float" : "double") << "\n";
    for_each_index<size>([&](auto kc) {
      constexpr std::size_t I = info::topo.order[kc];
      const auto& d = std::get<I>(decls_);
      using D = std::remove_cvref_t<decltype(d)>;
      os << "  " << decl_label<D>() << " size " << sizes_.n[I];
      if constexpr (D::kind == decl_kind::param) {
        os << ", q[" << offsets_[I] << ".." << offsets_[I] + free_size(d.tf, sizes_.n[I]) << "), ";
        if constexpr (decltype(D::dist)::template ncp_eligible<info>()) {
          if (ncp_[I]) {
            os << "non-centred: " << d.dist.describe_noncentred(info::names[I]) << "\n";
            return;
          }
        }
        os << "transform " << d.tf.describe() << ", prior " << d.dist.describe();
      }
      else if constexpr (D::kind == decl_kind::observe)
        os << ", likelihood " << d.dist.describe();
      else if constexpr (D::kind == decl_kind::potential)
        os << ", term " << d.expr.describe();
      else
        os << " = " << d.expr.describe();
      os << "\n";
    });
    return os.str();
  }

  const std::tuple<Decls...>& decls() const { return decls_; }
  // Whether parameter `name` is sampled non-centred in this compiled model.
  bool noncentered(std::string_view name) const {
    const std::size_t i = info::index_of(name);
    if (i >= size) throw model_error(str_cat({"noncentered: the model has no declaration named '", name, "'"}));
    return ncp_[i];
  }

 private:
  template <class Tuple, std::size_t... I>
  static std::tuple<Decls...> cast_all(const Tuple& t, std::index_sequence<I...>) {
    return std::tuple<Decls...>(std::get<I>(t).template cast<T>()...);
  }
  double evaluate_terms(const vector_t<T>& q, vector_t<T>& grad, workspace& ws, term_mask terms) const {
    check_dim(q);
    check_distinct(q, grad);
    grad.resize(dim_);
    const double lp = evaluate<true>(q, grad, ws, terms);
    if (!std::isfinite(lp)) grad.setZero();
    return not_nan(lp);
  }
  // A NaN log density (a node whose value is undefined there, such as the Cholesky factor of a
  // matrix that is not positive definite) is an invalid point: -inf, a rejected step.
  static double not_nan(double lp) { return std::isnan(lp) ? -math::inf<double> : lp; }
  static std::size_t observed_count() {
    std::size_t n = 0;
    for (auto k : info::kinds) n += k == decl_kind::observe;
    return n;
  }
  // Stored observation i is the user's order[i] (grouped likelihoods are stored sorted).
  static void scatter(const std::vector<index_t>& order, const double* v, index_t n, Eigen::VectorXd& out) {
    out.resize(n);
    for (index_t i = 0; i < n; ++i) out[order.empty() ? i : order[static_cast<std::size_t>(i)]] = v[i];
  }
  // Before anything but an evaluation writes values: no cached logs into an old q, and every
  // vector slot viewing its own buffers, not an old q and grad (D63).
  static void forget_logs(env_type& env) {
    auto reset = []<class S>(S& s) {
      s.logv = nullptr;
      if constexpr (requires { s.bind_own(); }) s.bind_own();
    };
    std::apply([&](auto&... s) { (reset(s), ...); }, env.slots);
  }
  // A potential's value (summed in double when a vector) and, with Grad, its gradient: the
  // term's adjoint is 1 for every element, pushed through the expression at once (D73).
  template <bool Grad, class E, class St>
  static double add_potential(const E& e, St& st, env_type& env) {
    // An expression that can evaluate itself as a term (lpdf(d, x), dist/lpdf.hpp) does so.
    if constexpr (Grad && E::template has_grad<info> && requires { e.forward_term(st, env); })
      return e.forward_term(st, env);
    e.forward(st, env);
    double v;
    if constexpr (E::template is_vec<info>)
      v = sum_as_double(e.value(st, env).array());
    else
      v = static_cast<double>(e.value(st, env));
    if constexpr (Grad && E::template has_grad<info>) {
      if (std::isfinite(v)) {
        if constexpr (E::template is_vec<info>)
          e.adj(st, env).array() += T(1);
        else
          e.adj(st, env) += T(1);
        e.backward(st, env);
      }
    }
    return v;
  }
  // Parameter I's values are its coordinates of q (a vector with the identity transform, D63).
  template <std::size_t I>
  static constexpr bool reads_q() {
    using D = typename info::template decl<I>;
    if constexpr (D::kind != decl_kind::param || !D::template decl_is_vec<info>())
      return false;
    else
      return std::is_same_v<std::remove_cvref_t<decltype(std::declval<const D&>().tf)>, identity_tf>;
  }
  // Parameter I has bounds that depend on other nodes (transform/dependent_bounds.hpp).
  template <std::size_t I>
  static constexpr bool dependent_bound() {
    using D = typename info::template decl<I>;
    if constexpr (D::kind == decl_kind::param)
      return dependent_transform<decltype(std::declval<const D&>().tf)>;
    else
      return false;
  }
  template <class Tf, class B>
  static std::string bounds_text(const Tf& tf, const B& b) {
    return str_cat({"(", tf.has_lower() ? std::to_string(static_cast<double>(b.lo)) : std::string("-inf"), ", ",
                    tf.has_upper() ? std::to_string(static_cast<double>(b.hi)) : std::string("inf"), ")"});
  }
  // draw_prior for parameter I with dependent bounds: the prior's draws in buf are drawn again
  // until they lie within the bounds at the values already drawn for the parameters the bounds
  // read (a prior with almost no mass there is reported rather than looped on); then q from them.
  template <std::size_t I>
  void draw_within_bounds(rng& g, workspace& ws, std::vector<double>& buf, vector_t<T>& q) const {
    const auto& d = std::get<I>(decls_);
    auto& bs = std::get<I>(ws.bounds);
    env_type& env = ws.env;
    const index_t n = sizes_.n[I];
    buf.resize(static_cast<std::size_t>(n));
    d.dist.generate(std::get<I>(ws.states), env, g, buf.data(), n);
    d.tf.forward_bounds(bs, env);
    auto first_outside_bounds = [&]() -> index_t {
      for (index_t j = 0; j < n; ++j) {
        const auto b = d.tf.bounds_at(bs, env, j);
        if (!d.tf.valid(b) || !d.tf.inside(buf[static_cast<std::size_t>(j)], b)) return j;
      }
      return -1;
    };
    for (int tries = 0; tries < 1000 && first_outside_bounds() >= 0; ++tries)
      d.dist.generate(std::get<I>(ws.states), env, g, buf.data(), n);
    if (const index_t bad = first_outside_bounds(); bad >= 0)
      throw sampling_error(str_cat({"draw_prior: parameter '", info::names[I], "' drew no value inside its bounds ",
                                    bounds_text(d.tf, d.tf.bounds_at(bs, env, bad)), " at element ",
                                    std::to_string(bad), " in 1000 tries (its prior has almost no mass there, or the "
                                    "bounds are empty at the values drawn for the parameters they depend on)"}));
    T* x = detail::data_ptr(std::get<I>(env.slots).val);
    for (index_t j = 0; j < n; ++j) {
      const double v = buf[static_cast<std::size_t>(j)];
      x[j] = static_cast<T>(v);
      q[offsets_[I] + j] = static_cast<T>(d.tf.unconstrain(v, d.tf.bounds_at(bs, env, j)));
    }
  }
  // Vector parameter I's prior term stores its partials instead of adding them, so its adjoint
  // is not zeroed first (D70): its family writes each partial once, and no term that runs before
  // it (the declarations before I, in step 3) refers to I. Later terms, and the backward passes
  // of lets and non-centred parameters, run after it and add as usual.
  template <std::size_t I>
  static constexpr bool prior_stores() {
    using D = typename info::template decl<I>;
    if constexpr (D::kind != decl_kind::param || !D::template decl_is_vec<info>()) {
      return false;
    } else if constexpr (!requires { decltype(D::dist)::family::stores_variate_partials; }) {
      return false;
    } else {
      for (std::size_t j = 0; j < I; ++j)
        if (info::kinds[j] != decl_kind::let)
          for (auto d : info::deps[j])
            if (d == info::names[I]) return false;
      return true;
    }
  }
  // The gradient is accumulated in grad while q is still being read (D63).
  static void check_distinct(const vector_t<T>& q, const vector_t<T>& grad) {
    if (&q == &grad) throw model_error("log density: q and grad must be distinct vectors");
  }
  void check_dim(const vector_t<T>& q) const {
    if (q.size() != dim_)
      throw model_error(str_cat({"log density: q has ", std::to_string(q.size()),
                                 " elements, the model has dimension ", std::to_string(dim_)}));
  }

  // Length of declaration I; a literal 1 for a scalar, so that its transform's loops and its
  // Eigen reductions are unrolled instead of run over a run-time length of one (D59).
  template <std::size_t I>
  index_t length_of() const {
    if constexpr (info::template decl<I>::template decl_is_vec<info>())
      return sizes_.n[I];
    else
      return 1;
  }

  // The gradient has two forms: one with every non-centring branch compiled out (Ncp = false),
  // taken whenever no parameter is sampled non-centred, and one with them. The value alone, off
  // the sampler's path, has the second only, which serves both (D71).
  template <bool Grad>
  double evaluate(const vector_t<T>& q, vector_t<T>& grad, workspace& ws, term_mask terms = {}) const {
    if constexpr (!may_ncp) {
      return evaluate_as<Grad, false>(q, grad, ws, terms);
    } else if constexpr (!Grad) {
      return evaluate_as<false, true>(q, grad, ws, terms);
    } else {
      if (any_ncp_) return evaluate_noncentred(q, grad, ws, terms);
      return evaluate_as<true, false>(q, grad, ws, terms);
    }
  }
  // Out of line, so that the centred gradient stays small enough to inline into its caller.
  [[gnu::noinline]] double evaluate_noncentred(const vector_t<T>& q, vector_t<T>& grad, workspace& ws,
                                               term_mask terms) const {
    return evaluate_as<true, true>(q, grad, ws, terms);
  }
  // Parameter I is sampled non-centred; a constant false in the centred evaluation.
  template <bool Ncp, std::size_t I>
  bool is_ncp() const {
    if constexpr (Ncp && detail::ncp_capable<typename info::template decl<I>, info>())
      return ncp_[I];
    else
      return false;
  }
  template <std::size_t... I>
  static constexpr bool any_ncp_capable(std::index_sequence<I...>) {
    return (detail::ncp_capable<typename info::template decl<I>, info>() || ...);
  }
  static constexpr bool may_ncp = any_ncp_capable(std::make_index_sequence<size>{});

  template <bool Grad, bool Ncp>
  double evaluate_as(const vector_t<T>& q, vector_t<T>& grad, workspace& ws, term_mask terms) const {
    env_type& env = ws.env;
    double lp = 0;
    // 1. constrain (non-centred parameters wait for their loc and scale, and parameters with
    //    dependent bounds for their bounds: step 2)
    for_each_index<size>([&](auto ic) {
      constexpr std::size_t I = ic;
      if constexpr (dependent_bound<I>()) {
        auto& s = std::get<I>(env.slots);
        if (!prior_stores<I>() || !terms.priors) zero(s.adj);
        s.logv = nullptr;
      } else if constexpr (info::kinds[I] == decl_kind::param) {
        auto& s = std::get<I>(env.slots);
        if constexpr (reads_q<I>()) {
          if (!is_ncp<Ncp, I>()) {
            // q is only read through val; const_cast because one Map type serves both uses.
            s.bind(const_cast<T*>(q.data()) + offsets_[I], grad.data() + offsets_[I]);
            if (!prior_stores<I>() || !terms.priors) zero(s.adj);
            return;
          }
        }
        if (!prior_stores<I>() || !terms.priors || is_ncp<Ncp, I>()) zero(s.adj);
        if (is_ncp<Ncp, I>()) {
          s.logv = nullptr;
          zero_n(grad.data() + offsets_[I], length_of<I>());
        } else {
          const auto& tf = std::get<I>(decls_).tf;
          const double lj = tf.constrain(q.data() + offsets_[I], detail::data_ptr(s.val), length_of<I>());
          lp += terms.jacobian || !std::isfinite(lj) ? lj : 0.0;
          if constexpr (requires { tf.log_coordinates(); })
            s.logv = tf.log_coordinates() ? q.data() + offsets_[I] : nullptr;
        }
      }
    });
    if (!std::isfinite(lp)) return lp;
    // 2. deterministics and non-centred parameters, in topological order
    bool ok = true;
    for_each_index<size>([&](auto kc) {
      constexpr std::size_t I = info::topo.order[kc];
      using D = typename info::template decl<I>;
      auto& s = std::get<I>(env.slots);
      if constexpr (D::kind == decl_kind::let) {
        const auto& e = std::get<I>(decls_).expr;
        auto& st = std::get<I>(ws.states);
        e.forward(st, env);
        s.val = e.value(st, env);
        zero(s.adj);
      } else if constexpr (dependent_bound<I>()) {
        const double lj = std::get<I>(decls_).tf.constrain(std::get<I>(ws.bounds), env, q.data() + offsets_[I],
                                                           detail::data_ptr(s.val), length_of<I>());
        if (!std::isfinite(lj))
          ok = false;
        else if (terms.jacobian)
          lp += lj;
      } else if constexpr (detail::ncp_capable<D, info>()) {
        if (is_ncp<Ncp, I>())
          ok &= std::get<I>(decls_).dist.ncp_forward(std::get<I>(ws.states), env, q.data() + offsets_[I], s.val,
                                                     sizes_.n[I]);
      }
    });
    if (!ok) return -math::inf<double>;
    // 3. terms
    for_each_index<size>([&](auto ic) {
      constexpr std::size_t I = ic;
      const auto& d = std::get<I>(decls_);
      auto& st = std::get<I>(ws.states);
      using D = std::remove_cvref_t<decltype(d)>;
      if constexpr (D::kind == decl_kind::param) {
        if (!terms.priors) return;
        auto& s = std::get<I>(env.slots);
        if constexpr (decltype(D::dist)::template ncp_eligible<info>()) {
          if (is_ncp<Ncp, I>()) {
            const T* z = q.data() + offsets_[I];
            T* zg = grad.data() + offsets_[I];
            if constexpr (D::vec) {
              vector_view<T, T, true> zv{z, zg};
              lp += d.dist.standard_term(st, env, zv, sizes_.n[I]);
            } else {
              scalar_view<T, true, true> zv{z[0]};
              lp += d.dist.standard_term(st, env, zv, 1);
              zg[0] += zv.acc;
            }
            return;
          }
        }
        if constexpr (D::vec) {
          vector_view<T, T, true, prior_stores<I>()> x{s.val.data(), s.adj.data()};
          x.logv = s.logv;
          const double t = d.dist.term(st, env, x, sizes_.n[I]);
          // A term that gave up before storing (an invalid scale) must not leave stale partials.
          if constexpr (prior_stores<I>())
            if (!std::isfinite(t)) zero(s.adj);
          lp += t;
        } else {
          scalar_view<T, true, true> x{s.val};
          x.use_log(s.logv);
          lp += d.dist.term(st, env, x, 1);
          s.adj += x.acc;
        }
      } else if constexpr (D::kind == decl_kind::observe) {
        if (!terms.likelihood) return;
        using V = typename std::remove_cvref_t<decltype(d.data)>::Scalar;
        vector_view<V, T, false> x{d.data.data(), nullptr};
        if (d.log_fact.size()) x.log_fact = d.log_fact.data();
        lp += d.dist.term(st, env, x, d.data.size());
      } else if constexpr (D::kind == decl_kind::potential) {
        if (!terms.likelihood) return;
        lp += add_potential<Grad>(d.expr, st, env);
      }
    });
    if constexpr (Grad) {
      // 4. deterministics and non-centred parameters backward, in reverse topological order
      for_each_index<size>([&](auto kc) {
        constexpr std::size_t I = info::topo.order[size - 1 - kc];
        using D = typename info::template decl<I>;
        auto& st = std::get<I>(ws.states);
        if constexpr (D::kind == decl_kind::let) {
          const auto& e = std::get<I>(decls_).expr;
          if constexpr (std::remove_cvref_t<decltype(e)>::template has_grad<info>) {
            e.adj(st, env) += std::get<I>(env.slots).adj;
            e.backward(st, env);
          }
        } else if constexpr (dependent_bound<I>()) {
          // After every node that reads this parameter (all later in topological order), before
          // the nodes its bounds read.
          auto& s = std::get<I>(env.slots);
          std::get<I>(decls_).tf.chain(std::get<I>(ws.bounds), env, q.data() + offsets_[I], detail::data_ptr(s.val),
                                       detail::data_ptr(s.adj), grad.data() + offsets_[I], length_of<I>(),
                                       terms.jacobian);
        } else if constexpr (detail::ncp_capable<D, info>()) {
          if (is_ncp<Ncp, I>())
            std::get<I>(decls_).dist.ncp_backward(st, env, q.data() + offsets_[I], std::get<I>(env.slots).adj,
                                                  grad.data() + offsets_[I], sizes_.n[I]);
        }
      });
      // 5. chain rule through the transforms (non-centred parameters are done: identity in z)
      for_each_index<size>([&](auto ic) {
        constexpr std::size_t I = ic;
        if constexpr (info::kinds[I] == decl_kind::param) {
          if (is_ncp<Ncp, I>()) return;
          // (reads_q: its adjoints are already in grad; dependent bounds: chained in step 4)
          if constexpr (!reads_q<I>() && !dependent_bound<I>()) {
            auto& s = std::get<I>(env.slots);
            std::get<I>(decls_).tf.chain(q.data() + offsets_[I], detail::data_ptr(s.val), detail::data_ptr(s.adj),
                                         grad.data() + offsets_[I], length_of<I>(), terms.jacobian);
          }
        }
      });
    }
    return lp;
  }

  std::tuple<Decls...> decls_;
  size_env<info> sizes_;
  std::array<index_t, size> offsets_{};
  index_t dim_ = 0;
  std::array<bool, size> ncp_{};  // parameter I is sampled non-centred
  bool any_ncp_ = false;          // some parameter is
  term_mask terms_;               // what logp and logp_grad add up
  mutable std::mutex mutex_;
  mutable workspace shared_ws_;
};

namespace detail {
template <class T, class... Decls>
auto compiled_type(const model_t<Decls...>&) -> compiled<T, decltype(std::declval<const Decls&>().template cast<T>())...>;
}

template <class T = double, class Model>
auto compile(const Model& m, const compile_options& opts = {}) {
  static_assert(std::is_same_v<T, double> || std::is_same_v<T, float>, "exmc::compile: T must be float or double");
  using C = decltype(detail::compiled_type<T>(m));
  return C(m, opts);
}

}  // namespace exmc
