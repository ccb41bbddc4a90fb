#pragma once
// What a model is made of: parameters, observed data and named deterministics.
//   param<"mu">(normal(0.0, 5.0))           scalar parameter with its prior
//   param<"theta">(normal(mu, tau), 8)      vector parameter of 8 elements
//   observe<"y">(normal(mu, sigma), y)      likelihood of data y
//   let<"eta">(alpha + X * beta)            named deterministic, reported with the draws
//   potential<"prior_sum">(expr)            free log-density term (Stan's target +=)
// Declarations used inside expressions become references by name (their ref_type), so the graph
// is resolved when model(...) sees every declaration together.
#include <Eigen/Core>
#include <cmath>
#include <string_view>
#include <type_traits>
#include <vector>

#include "../dist/dist.hpp"
#include "../expr/index.hpp"
#include "../math/log_factorial.hpp"
#include "../transform/dependent_bounds.hpp"
#include "../transform/vector_transforms.hpp"

namespace exmc {

enum class decl_kind { param, observe, let, potential };

// Declarations whose values are outputs (reported with the draws): parameters and lets.
constexpr bool is_output(decl_kind k) { return k == decl_kind::param || k == decl_kind::let; }

// How a location-scale parameter is sampled (see docs/DECISIONS.md, non-centring):
//   automatic     the model's policy decides (by default non-centred when its scale depends on
//                 other parameters)
//   centered      sampled as written
//   noncentered   sampled as z with x = loc + scale * z, whenever the family allows
enum class parameterization { automatic, centered, noncentered };
inline constexpr parameterization centered = parameterization::centered;
inline constexpr parameterization noncentered = parameterization::noncentered;

// The constraint transform a parameter gets from the support of its prior.
namespace detail {
// The value of a bounding argument of `d` (uniform's a and b, pareto's y_min): it must be a
// constant, because the transform is fixed when the model is built.
template <std::size_t K, class Dist>
double bound_arg(const Dist& d) {
  using A = std::tuple_element_t<K, decltype(d.args)>;
  if constexpr (!std::is_same_v<A, constant>) {
    static_assert(std::is_same_v<A, constant>,
                  "exmc::param: a bound of this prior's support is another parameter or an expression; give the "
                  "parameter the same bounds explicitly, which may depend on other parameters: "
                  "param<\"x\">(uniform(0.0, b), bounds(0.0, b))");
    return 0.0;
  } else {
    return std::get<K>(d.args).v;
  }
}
// The prior's family may be the prior of a continuous parameter.
template <class Dist>
constexpr bool continuous_prior() {
  constexpr support_kind S = Dist::support;
  static_assert(S != support_kind::binary && S != support_kind::nonneg_int,
                "exmc::param: a discrete distribution cannot be the prior of a continuous parameter; "
                "use it in observe<>() instead");
  if constexpr (S == support_kind::binary || S == support_kind::nonneg_int) {
    return false;
  } else {
    static_assert(!requires { Dist::family::observe_only; },
                  "exmc::param: censored() describes observed data, not a prior");
    return !requires { Dist::family::observe_only; };
  }
}
}  // namespace detail

template <class Dist>
auto default_transform(const Dist& d) {
  constexpr support_kind S = Dist::support;
  using Fn = typename Dist::family;
  if constexpr (!detail::continuous_prior<Dist>())
    return identity_tf{};  // (rejected above; no further errors from here)
  else if constexpr (S == support_kind::real)
    return identity_tf{};
  else if constexpr (S == support_kind::positive)
    return lower_tf{0.0};
  else if constexpr (S == support_kind::unit)
    return interval_tf{0.0, 1.0};
  else if constexpr (S == support_kind::bounded) {
    const double lo = detail::bound_arg<Fn::lower_arg>(d), hi = detail::bound_arg<Fn::upper_arg>(d);
    if (!(lo < hi))
      throw model_error(str_cat({"param: ", Fn::name, " needs its lower bound below its upper bound (got ",
                                 std::to_string(lo), " and ", std::to_string(hi), ")"}));
    return interval_tf{lo, hi};
  } else if constexpr (S == support_kind::lower_bounded) {
    return lower_tf{detail::bound_arg<Fn::lower_arg>(d)};
  } else if constexpr (S == support_kind::upper_bounded) {
    return upper_tf{detail::bound_arg<Fn::upper_arg>(d)};
  } else if constexpr (S == support_kind::simplex) {
    return simplex_tf{};
  } else if constexpr (S == support_kind::cholesky_corr) {
    return cholesky_corr_tf{};
  } else {
    static_assert(S == support_kind::real, "exmc::param: no transform for this support yet");
    return identity_tf{};
  }
}

namespace detail {
// The open interval a transform maps onto, and the interval a prior's support spans; a
// user-given transform must map inside the prior's support.
inline std::pair<double, double> range_of(const identity_tf&) { return {-math::inf<double>, math::inf<double>}; }
inline std::pair<double, double> range_of(const lower_tf& t) { return {t.lo, math::inf<double>}; }
inline std::pair<double, double> range_of(const upper_tf& t) { return {-math::inf<double>, t.hi}; }
inline std::pair<double, double> range_of(const interval_tf& t) { return {t.lo, t.hi}; }
inline std::pair<double, double> range_of(const ordered_tf&) { return {-math::inf<double>, math::inf<double>}; }
inline std::pair<double, double> range_of(const positive_ordered_tf&) { return {0.0, math::inf<double>}; }
inline std::pair<double, double> range_of(const simplex_tf&) { return {0.0, 1.0}; }
inline std::pair<double, double> range_of(const cholesky_corr_tf&) { return {-1.0, 1.0}; }

template <fixed_string Name, class Dist, class Tf>
void check_user_transform(const Dist& d, const Tf& tf) {
  using Fn = typename Dist::family;
  static_assert(Dist::support != support_kind::simplex || std::is_same_v<Tf, simplex_tf>,
                "exmc::param: a prior on the simplex (dirichlet) fixes the transform; give no bounds");
  static_assert(Dist::support != support_kind::cholesky_corr,
                "exmc::param: a prior on Cholesky factors of correlation matrices (lkj_corr_cholesky) fixes the "
                "transform; give only the dimension K");
  const auto [lo, hi] = range_of(tf);
  const auto [slo, shi] = range_of(default_transform(d));
  if (lo < slo || hi > shi)
    throw model_error(str_cat({"param<\"", Name.view(), "\">: the constraint ", tf.describe(),
                               " lets values outside the support of its prior ", Fn::name, " (", std::to_string(slo),
                               ", ", std::to_string(shi), ")"}));
}
}  // namespace detail

template <fixed_string Name, class Dist, bool Vec, class Tf>
struct param_decl {
  static constexpr auto fixed_name = Name;
  static constexpr std::string_view name = Name.view();
  static constexpr decl_kind kind = decl_kind::param;
  static constexpr bool vec = Vec;
  using ref_type = ref<Name>;
  // What its prior and its bounds (when they depend on other parameters) refer to.
  using refs = concat_t<typename Dist::refs, typename transform_refs<Tf>::type>;
  template <class Info>
  static constexpr bool decl_is_vec() {
    return Vec;
  }
  template <class Info>
  static constexpr bool decl_has_grad() {
    return true;
  }

  Dist dist;
  index_t n = 1;
  Tf tf{};
  parameterization reparam = parameterization::automatic;

  // Elements and slices (expr/index.hpp), 0-based: beta[0], beta[idx], s.head(n), s.tail(n),
  // s.segment(start, n). On a scalar parameter they stop at a static_assert and go no further.
  auto operator[](Eigen::VectorXi idx) const {
    if constexpr (!Vec) {
      static_assert(Vec, "exmc: only a vector parameter can be indexed; this one is a scalar");
      return constant(0.0);
    } else {
      return gather<ref<Name>>(ref<Name>{}, std::move(idx));
    }
  }
  template <std::integral I>
  auto operator[](I i) const {
    if constexpr (!Vec) {
      static_assert(Vec, "exmc: only a vector parameter can be indexed; this one is a scalar "
                         "(a vector is declared with its size: param<\"beta\">(prior, K))");
      return constant(0.0);
    } else {
      return element<ref<Name>>(ref<Name>{}, static_cast<index_t>(i));
    }
  }
  auto head(index_t len) const { return segment(0, len); }
  auto tail(index_t len) const {
    if constexpr (!Vec) {
      static_assert(Vec, "exmc: tail() takes a vector parameter; this one is a scalar");
      return constant(0.0);
    } else {
      return slice<ref<Name>, true>(ref<Name>{}, 0, len);
    }
  }
  auto segment(index_t start, index_t len) const {
    if constexpr (!Vec) {
      static_assert(Vec, "exmc: head() and segment() take a vector parameter; this one is a scalar");
      return constant(0.0);
    } else {
      return slice<ref<Name>>(ref<Name>{}, start, len);
    }
  }
  template <class T>
  auto cast() const {
    using D = decltype(dist.template cast<T>());
    if constexpr (dependent_transform<Tf>) {
      using CTf = decltype(tf.template cast<T>());
      return param_decl<Name, D, Vec, CTf>{dist.template cast<T>(), n, tf.template cast<T>(), reparam};
    } else {
      return param_decl<Name, D, Vec, Tf>{dist.template cast<T>(), n, tf, reparam};
    }
  }
};

template <fixed_string Name, distribution D>
auto param(D&& d, parameterization p = parameterization::automatic) {
  using Dist = std::remove_cvref_t<D>;
  static_assert(Dist::support != support_kind::cholesky_corr,
                "exmc::param: lkj_corr_cholesky needs the matrix dimension: param<\"L\">(lkj_corr_cholesky(eta), K)");
  auto tf = default_transform(d);
  return param_decl<Name, Dist, false, decltype(tf)>{std::forward<D>(d), 1, tf, p};
}
template <fixed_string Name, distribution D>
auto param(D&& d, index_t size, parameterization p = parameterization::automatic) {
  using Dist = std::remove_cvref_t<D>;
  if (size < 1)
    throw model_error(str_cat({"param<\"", Name.view(), "\">: size must be at least 1, got ", std::to_string(size)}));
  auto tf = default_transform(d);
  // A Cholesky factor is declared by its dimension K and holds all K * K values.
  if constexpr (Dist::support == support_kind::cholesky_corr) {
    if (size < 2)
      throw model_error(str_cat({"param<\"", Name.view(), "\">: a Cholesky factor of a correlation matrix needs K >= 2, got ",
                                 std::to_string(size)}));
    size *= size;
  }
  return param_decl<Name, Dist, true, decltype(tf)>{std::forward<D>(d), size, tf, p};
}

// With a constraint given by the user: param<"p">(normal(0, 1), lower(0.0)),
// param<"c">(normal(0, 5), 4, ordered). The prior's density is not renormalised to the
// constrained region (it is constant there for fixed bounds, so the posterior is the same).
template <fixed_string Name, distribution D, transform Tf>
auto param(D&& d, Tf tf, parameterization p = parameterization::automatic) {
  using Dist = std::remove_cvref_t<D>;
  static_assert(!std::is_same_v<Tf, ordered_tf> && !std::is_same_v<Tf, positive_ordered_tf>,
                "exmc::param: ordered and positive_ordered constrain vectors; give a size");
  detail::check_user_transform<Name>(d, tf);
  return param_decl<Name, Dist, false, Tf>{std::forward<D>(d), 1, tf, p};
}
template <fixed_string Name, distribution D, transform Tf>
auto param(D&& d, index_t size, Tf tf, parameterization p = parameterization::automatic) {
  using Dist = std::remove_cvref_t<D>;
  if (size < 1)
    throw model_error(str_cat({"param<\"", Name.view(), "\">: size must be at least 1, got ", std::to_string(size)}));
  detail::check_user_transform<Name>(d, tf);
  return param_decl<Name, Dist, true, Tf>{std::forward<D>(d), size, tf, p};
}

template <fixed_string Name, distribution D, bound_spec B>
auto param(D&& d, B b, parameterization p = parameterization::automatic) {
  return param<Name>(std::forward<D>(d), to_transform(b), p);
}
template <fixed_string Name, distribution D, bound_spec B>
auto param(D&& d, index_t size, B b, parameterization p = parameterization::automatic) {
  return param<Name>(std::forward<D>(d), size, to_transform(b), p);
}

// Bounds that depend on other parameters (transform/dependent_bounds.hpp):
// param<"beta1">(flat(), bounds(0.0, 1.0 - alpha1)), param<"x">(normal(0.0, 5.0), lower(mu)).
namespace detail {
// The interval of the prior's support, for intersecting with dependent bounds: a bound given by
// a non-constant argument (uniform(0, b)) counts as none, the family itself rejecting values
// beyond it.
template <std::size_t K, class Dist>
double support_bound(const Dist& d, double none) {
  if constexpr (std::is_same_v<std::tuple_element_t<K, decltype(d.args)>, constant>)
    return std::get<K>(d.args).v;
  else
    return none;
}
template <class Dist>
std::pair<double, double> support_interval(const Dist& d) {
  constexpr support_kind S = Dist::support;
  using Fn = typename Dist::family;
  constexpr double inf = math::inf<double>;
  static_assert(S != support_kind::simplex && S != support_kind::cholesky_corr,
                "exmc::param: a prior on the simplex or on Cholesky factors fixes the transform; give no bounds");
  if constexpr (S == support_kind::positive)
    return {0.0, inf};
  else if constexpr (S == support_kind::unit)
    return {0.0, 1.0};
  else if constexpr (S == support_kind::bounded)
    return {support_bound<Fn::lower_arg>(d, -inf), support_bound<Fn::upper_arg>(d, inf)};
  else if constexpr (S == support_kind::lower_bounded)
    return {support_bound<Fn::lower_arg>(d, -inf), inf};
  else if constexpr (S == support_kind::upper_bounded)
    return {-inf, support_bound<Fn::upper_arg>(d, inf)};
  else
    return {-inf, inf};
}
template <fixed_string Name, class Dist, class Lo, class Hi>
auto dependent_transform_for(const Dist& d, dependent_bounds<Lo, Hi> b) {
  dependent_tf<Lo, Hi> tf{std::move(b.lo), std::move(b.hi)};
  if constexpr (continuous_prior<Dist>()) {
    const auto [lo, hi] = support_interval(d);
    tf.support_lo = lo;
    tf.support_hi = hi;
  }
  return tf;
}
}  // namespace detail

template <fixed_string Name, distribution D, dependent_bound_spec B>
auto param(D&& d, B b, parameterization p = parameterization::automatic) {
  using Dist = std::remove_cvref_t<D>;
  auto tf = detail::dependent_transform_for<Name>(d, std::move(b));
  return param_decl<Name, Dist, false, decltype(tf)>{std::forward<D>(d), 1, std::move(tf), p};
}
template <fixed_string Name, distribution D, dependent_bound_spec B>
auto param(D&& d, index_t size, B b, parameterization p = parameterization::automatic) {
  using Dist = std::remove_cvref_t<D>;
  if (size < 1)
    throw model_error(str_cat({"param<\"", Name.view(), "\">: size must be at least 1, got ", std::to_string(size)}));
  auto tf = detail::dependent_transform_for<Name>(d, std::move(b));
  return param_decl<Name, Dist, true, decltype(tf)>{std::forward<D>(d), size, std::move(tf), p};
}

// Observed data are stored by value: as integers for discrete families, otherwise as doubles
// (cast to the model's scalar when compiled).
template <fixed_string Name, class Dist, class Data>
struct observe_decl {
  static constexpr std::string_view name = Name.view();
  static constexpr decl_kind kind = decl_kind::observe;
  using refs = typename Dist::refs;
  template <class Info>
  static constexpr bool decl_is_vec() {
    return false;
  }
  template <class Info>
  static constexpr bool decl_has_grad() {
    return false;
  }

  Dist dist;
  Data data;
  std::vector<index_t> order;  // empty: stored in the user's order
  Eigen::VectorXd log_fact;    // discrete data: log(y!) per stored element (see vector_view)

  template <class T>
  auto cast() const {
    using D = decltype(dist.template cast<T>());
    if constexpr (Dist::family::discrete)
      return observe_decl<Name, D, Data>{dist.template cast<T>(), data, order, log_fact};
    else
      return observe_decl<Name, D, vector_t<T>>{dist.template cast<T>(), data.template cast<T>(), order, {}};
  }
};

namespace detail {
template <class Fam, class Data>
auto observed_data(const Data& y, std::string_view name) {
  using Y = std::remove_cvref_t<Data>;
  Eigen::VectorXd v;
  if constexpr (std::is_arithmetic_v<Y>)
    v = Eigen::VectorXd::Constant(1, static_cast<double>(y));
  else if constexpr (requires { y.data(); y.size(); typename Y::value_type; } && !requires { Y::RowsAtCompileTime; })
    v = Eigen::Map<const Eigen::Matrix<typename Y::value_type, Eigen::Dynamic, 1>>(y.data(),
                                                                                    static_cast<index_t>(y.size()))
            .template cast<double>();
  else if constexpr (requires { y.cols(); } && Y::ColsAtCompileTime != 1) {
    // A matrix of observations (mv_normal): one row per observation, stored row after row.
    v.resize(y.rows() * y.cols());
    for (Eigen::Index r = 0; r < y.rows(); ++r)
      for (Eigen::Index c = 0; c < y.cols(); ++c) v[r * y.cols() + c] = static_cast<double>(y(r, c));
  } else
    v = y.template cast<double>();
  if (v.size() == 0) throw model_error(str_cat({"observe<\"", name, "\">: the data are empty"}));
  for (index_t i = 0; i < v.size(); ++i)
    if (!Fam::in_support(v[i]))
      throw model_error(str_cat({"observe<\"", name, "\">: data element ", std::to_string(i), " (",
                                 std::to_string(v[i]), ") is outside the support of ", Fam::name,
                                 std::isfinite(v[i]) ? "" : " (not finite)"}));
  if constexpr (Fam::discrete) {
    Eigen::VectorXi out(v.size());
    for (index_t i = 0; i < v.size(); ++i) {
      if (v[i] != std::floor(v[i]))
        throw model_error(str_cat({"observe<\"", name, "\">: data element ", std::to_string(i),
                                   " is not an integer, but ", Fam::name, " is discrete"}));
      out[i] = static_cast<int>(v[i]);
    }
    return out;
  } else {
    return v;
  }
}
}  // namespace detail

template <fixed_string Name, distribution D, class Data>
auto observe(D&& d, const Data& y) {
  using Dist = std::remove_cvref_t<D>;
  static_assert(!requires { Dist::family::improper; },
                "exmc::observe: flat() is an improper prior, not a likelihood; it goes in param<>()");
  auto data = detail::observed_data<typename Dist::family>(y, Name.view());
  Dist dist(std::forward<D>(d));
  // Grouped likelihoods are evaluated segment by segment: sort the observations by group once.
  // `order[i]` is the user's index of stored observation i (for pointwise output).
  std::vector<index_t> order;
  if (const Eigen::VectorXi* idx = dist.shared_index(); idx && idx->size() == data.size()) {
    order = dist.sort_by_group();
    auto sorted = data;
    for (index_t i = 0; i < data.size(); ++i) sorted[i] = data[order[static_cast<std::size_t>(i)]];
    data = std::move(sorted);
  }
  Eigen::VectorXd log_fact;
  if constexpr (Dist::family::discrete) {
    log_fact.resize(data.size());
    for (index_t i = 0; i < data.size(); ++i) log_fact[i] = math::log_factorial(static_cast<double>(data[i]));
  }
  return observe_decl<Name, Dist, decltype(data)>{std::move(dist), std::move(data), std::move(order), std::move(log_fact)};
}

template <fixed_string Name, class Expr>
struct let_decl {
  static constexpr std::string_view name = Name.view();
  static constexpr decl_kind kind = decl_kind::let;
  using ref_type = ref<Name>;
  using refs = typename Expr::refs;
  template <class Info>
  static constexpr bool decl_is_vec() {
    return Expr::template is_vec<Info>;
  }
  template <class Info>
  static constexpr bool decl_has_grad() {
    return Expr::template has_grad<Info>;
  }

  Expr expr;

  // Elements and slices, as for parameters (whether the let is a vector is checked in model()).
  auto operator[](Eigen::VectorXi idx) const { return gather<ref<Name>>(ref<Name>{}, std::move(idx)); }
  template <std::integral I>
  auto operator[](I i) const {
    return element<ref<Name>>(ref<Name>{}, static_cast<index_t>(i));
  }
  auto head(index_t len) const { return slice<ref<Name>>(ref<Name>{}, 0, len); }
  auto tail(index_t len) const { return slice<ref<Name>, true>(ref<Name>{}, 0, len); }
  auto segment(index_t start, index_t len) const { return slice<ref<Name>>(ref<Name>{}, start, len); }
  template <class T>
  auto cast() const {
    using E = decltype(expr.template cast<T>());
    return let_decl<Name, E>{expr.template cast<T>()};
  }
};

template <fixed_string Name, symbolic E>
auto let(E&& e) {
  using X = expr_of<E>;
  return let_decl<Name, X>{as_expr(std::forward<E>(e))};
}

// A free log-density term: Stan's `target += e`, PyMC's `pm.Potential("name", e)`. Adds the
// value of e (summed when e is a vector) to the log density, with its exact gradient. It is
// neither an output nor referable by name. Like a likelihood it is kept by maximum likelihood
// (compile_options::priors = false) and tempered by SMC, as PyMC treats potentials (D73). When
// e is the log density of a non-linear function of parameters, the Jacobian of that function
// is the user's to add (docs/dsl.md).
template <fixed_string Name, class Expr>
struct potential_decl {
  static constexpr std::string_view name = Name.view();
  static constexpr decl_kind kind = decl_kind::potential;
  using refs = typename Expr::refs;
  template <class Info>
  static constexpr bool decl_is_vec() {
    return Expr::template is_vec<Info>;
  }
  template <class Info>
  static constexpr bool decl_has_grad() {
    return false;
  }

  Expr expr;

  template <class T>
  auto cast() const {
    using E = decltype(expr.template cast<T>());
    return potential_decl<Name, E>{expr.template cast<T>()};
  }
};

template <fixed_string Name, symbolic E>
auto potential(E&& e) {
  using X = expr_of<E>;
  return potential_decl<Name, X>{as_expr(std::forward<E>(e))};
}

}  // namespace exmc
