#pragma once
// Leaves of the expression graph: constants, data vectors and references to named nodes.
#include <cmath>
#include <sstream>

#include "node.hpp"

namespace exmc {

// A scalar constant (hyperparameters such as the 5.0 in normal(0.0, 5.0)).
struct constant : expr_tag {
  double v;
  // Computed once: constant scales need log(v) in every evaluation, and a division by a constant
  // becomes a multiplication by invv (D66).
  double logv;
  double invv;
  explicit constant(double x) : v(x), logv(std::log(x)), invv(1.0 / x) {}

  using refs = name_list<>;
  template <class Info>
  static constexpr bool is_vec = false;
  template <class Info>
  static constexpr bool has_grad = false;
  template <class Env>
  using state = empty_state;

  template <class SEnv>
  index_t size(const SEnv&) const {
    return 1;
  }
  template <class SEnv>
  void init(empty_state&, const SEnv&) const {}
  template <class Env>
  void forward(empty_state&, const Env&) const {}
  template <class Env>
  typename Env::scalar value(const empty_state&, const Env&) const {
    return static_cast<typename Env::scalar>(v);
  }
  template <class Env>
  void backward(empty_state&, Env&) const {}
  template <class T>
  constant cast() const {
    return *this;
  }
  // Values as double, for validating constant hyperparameters at model construction.
  Eigen::VectorXd constant_values() const { return Eigen::VectorXd::Constant(1, v); }
  std::string describe() const {
    std::ostringstream os;
    os << v;
    return os.str();
  }
};

// A data vector owned by the expression (copied or moved in, so nothing dangles).
template <class S>
struct vec_data : expr_tag {
  vector_t<S> v;
  // Cached for data used as scales, which need them in every evaluation: log(v), and the sum of
  // the logs (in double, from the values in double; D66).
  vector_t<S> logv;
  double log_sum;
  explicit vec_data(vector_t<S> x)
      : v(std::move(x)), logv(v.array().log().matrix()), log_sum(v.template cast<double>().array().log().sum()) {}

  using refs = name_list<>;
  template <class Info>
  static constexpr bool is_vec = true;
  template <class Info>
  static constexpr bool has_grad = false;
  template <class Env>
  using state = empty_state;

  template <class SEnv>
  index_t size(const SEnv&) const {
    for (index_t i = 0; i < v.size(); ++i)
      if (!std::isfinite(static_cast<double>(v[i])))
        throw model_error(str_cat({"data vector element ", std::to_string(i), " is not finite"}));
    return v.size();
  }
  template <class SEnv>
  void init(empty_state&, const SEnv&) const {}
  template <class Env>
  void forward(empty_state&, const Env&) const {}
  template <class Env>
  const vector_t<S>& value(const empty_state&, const Env&) const {
    static_assert(std::is_same_v<S, typename Env::scalar>, "exmc internal: data not cast to the model scalar");
    return v;
  }
  template <class Env>
  void backward(empty_state&, Env&) const {}
  template <class T>
  vec_data<T> cast() const {
    return vec_data<T>(v.template cast<T>());
  }
  Eigen::VectorXd constant_values() const { return v.template cast<double>(); }
  std::string describe() const { return str_cat({"data[", std::to_string(v.size()), "]"}); }
};

// A reference, by name, to a parameter or a deterministic (let) of the model. Its value and
// adjoint live in the environment slot of that name, on the constrained scale.
template <fixed_string Name>
struct ref : expr_tag {
  static constexpr std::string_view name = Name.view();
  using refs = name_list<name_t<Name>>;
  template <class Info>
  static constexpr bool is_vec = Info::template is_vec<Name>();
  template <class Info>
  static constexpr bool has_grad = Info::template has_grad<Name>();
  template <class Env>
  using state = empty_state;

  template <class SEnv>
  index_t size(const SEnv& s) const {
    return s.template size_of<Name>();
  }
  template <class SEnv>
  void init(empty_state&, const SEnv&) const {}
  template <class Env>
  void forward(empty_state&, const Env&) const {}
  template <class Env>
  const auto& value(const empty_state&, const Env& e) const {
    return e.template slot<Name>().val;
  }
  template <class Env>
  auto& adj(empty_state&, Env& e) const {
    return e.template slot<Name>().adj;
  }
  template <class Env>
  void backward(empty_state&, Env&) const {}
  // log of the values when the environment has them without computing any (a positive
  // parameter's unconstrained coordinates, model/compiled.hpp), else null.
  template <class Env>
  auto known_log(const Env& e) const {
    return e.template slot<Name>().logv;
  }
  template <class T>
  ref cast() const {
    return *this;
  }
  std::string describe() const { return std::string(Name.view()); }
};

}  // namespace exmc
