#pragma once
// The non-centring pass: which location-scale parameters are sampled as z with
// x = loc + scale * z. Eligibility is a compile-time fact (the family is location-scale and its
// scale depends on parameters); the choice per parameter is made at compile() time from the
// parameter's own marking and the model's policy, so one compiled type serves every choice.
#include <string>
#include <vector>

#include "model.hpp"

namespace exmc {

enum class ncp_policy {
  automatic,  // (default) non-centred unless every element is informed by enough observations
  always,     // every eligible parameter non-centred unless marked `centered`
  never,      // every parameter centred unless marked `noncentered`
};

struct compile_options {
  ncp_policy ncp = ncp_policy::automatic;
  // ncp_policy::automatic: an element seen by at least this many observations is data-rich, and
  // a parameter all of whose elements are data-rich stays centred (docs/DECISIONS.md D27).
  index_t ncp_min_observations = 5;
  // ncp_policy::automatic, for a latent time series (gaussian_random_walk, ar1): a series every
  // state of which the likelihood reads directly at least this many times stays centred; one whose
  // states reach the data only through other expressions (exp(s) as a scale) is non-centred (D135).
  index_t ncp_series_min_observations = 1;
  // Which terms the density has. jacobian = false drops the log-Jacobians of the constraining
  // transforms: the density's maximum is then the mode in the constrained space (Stan's
  // optimize default). priors = false drops every prior term, leaving the likelihood (maximum
  // likelihood). Either makes every parameter centred, because non-centring is itself a change of
  // variables whose Jacobian lives in the prior term.
  bool jacobian = true;
  bool priors = true;
};

namespace detail {

// A prior whose states are a time series sampled non-centred through its innovations.
template <class Dist>
concept latent_series = std::remove_cvref_t<Dist>::latent_series;

// A parameter whose prior is location-scale with a scale that depends on parameters.
template <class D, class Info>
constexpr bool ncp_capable() {
  if constexpr (D::kind == decl_kind::param)
    return decltype(D::dist)::template ncp_eligible<Info>();
  else
    return false;
}

// How many observations each element of parameter Name informs directly: a likelihood argument
// that is the parameter itself (one per element), a gather of it (count per index) or one
// element of it (theta[j], every observation of that likelihood). Other uses (inside larger
// expressions) are not counted.
template <class A>
struct is_element : std::false_type {};
template <class A>
struct is_element<element<A>> : std::true_type {};

template <fixed_string Name, class Info, class A>
void count_arg(const A& a, std::vector<index_t>& counts, index_t observations) {
  if constexpr (std::is_same_v<A, ref<Name>>) {
    if constexpr (Info::template is_vec<Name>())
      for (auto& c : counts) ++c;
  } else if constexpr (is_gather<A>::value) {
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(a.a)>, ref<Name>>)
      for (index_t i = 0; i < a.idx.size(); ++i) ++counts[static_cast<std::size_t>(a.idx[i])];
  } else if constexpr (is_element<A>::value) {
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(a.a)>, ref<Name>>)
      counts[static_cast<std::size_t>(a.i)] += observations;
  }
}

template <fixed_string Name, class Info, class Tuple>
std::vector<index_t> observations_per_element(const Tuple& decls, index_t n) {
  std::vector<index_t> counts(static_cast<std::size_t>(n), 0);
  for_each_index<Info::size>([&](auto ic) {
    const auto& d = std::get<ic>(decls);
    using D = std::remove_cvref_t<decltype(d)>;
    if constexpr (D::kind == decl_kind::observe)
      std::apply([&](const auto&... a) { (count_arg<Name, Info>(a, counts, d.data.size()), ...); }, d.dist.args);
  });
  return counts;
}

template <class Decl, class Info, class Tuple>
bool choose_noncentered(const Decl& d, const Tuple& decls, const compile_options& o) {
  if constexpr (Decl::kind != decl_kind::param) {
    return false;
  } else if constexpr (!decltype(d.dist)::template ncp_eligible<Info>()) {
    return false;
  } else if constexpr (!std::is_same_v<decltype(d.tf), identity_tf>) {
    return false;  // x = loc + scale * z would ignore the user's bounds
  } else {
    if (!o.jacobian || !o.priors) return false;
    if (d.reparam == parameterization::centered) return false;
    if (d.reparam == parameterization::noncentered) return true;
    switch (o.ncp) {
      case ncp_policy::always: return true;
      case ncp_policy::never: return false;
      case ncp_policy::automatic: {
        const index_t rich = latent_series<decltype(d.dist)> ? o.ncp_series_min_observations : o.ncp_min_observations;
        const auto counts = observations_per_element<Decl::fixed_name, Info>(decls, d.n);
        for (index_t c : counts)
          if (c < rich) return true;
        return false;
      }
    }
    return true;
  }
}

}  // namespace detail
}  // namespace exmc
