#pragma once
// Hidden states of a fitted hidden Markov model, per posterior draw: Stan's generated quantities
// hmm_hidden_state_prob and hmm_latent_rng, computed from the model's own hmm_marginal term.
//
//   auto m   = model(..., potential<"hmm">(hmm_marginal(emission_lpdf(normal(mu, sigma), y), Gamma, rho)));
//   auto cm  = compile(m);
//   auto fit = sample(cm, ...);
//   draws prob  = hmm_hidden_state_prob<"hmm">(cm, fit.posterior);            // hmm_prob[k,t]
//   draws paths = hmm_latent_rng<"hmm">(cm, fit.posterior, {.seed = 3});      // hmm_state[t]
//
// hmm_prob[k,t] is P(z_t = k | y, theta) at each draw theta (K x n values, column-major: the
// posterior mean over draws, summary(prob), is P(z_t = k | y)); hmm_state[t] is one path drawn
// from P(z | y, theta) by forward filtering and backward sampling, states numbered from 0.
// Chain c of the paths uses rng(seed, c) over its draws in order: the same seed gives the same
// paths whatever the thread count.
#include <string>
#include <vector>

#include "../expr/hmm.hpp"
#include "../model/declarations.hpp"
#include "predictive.hpp"

namespace exmc {

namespace detail {
// The index of the potential named Name in compiled model C, checked at compile time to be an
// hmm_marginal term.
template <fixed_string Name, class C>
constexpr std::size_t hmm_term_index() {
  using info = typename C::info;
  constexpr std::size_t I = info::template index<Name>();
  static_assert(I < info::size,
                "exmc::hmm_hidden_state_prob / hmm_latent_rng: the model has no declaration of that name");
  if constexpr (I < info::size) {
    static_assert(
        info::kinds[I] == decl_kind::potential,
        "exmc::hmm_hidden_state_prob / hmm_latent_rng: name the potential<> whose expression is hmm_marginal(...)");
    using D = typename info::template decl<I>;
    if constexpr (info::kinds[I] == decl_kind::potential)
      static_assert(
          is_hmm_marginal<std::remove_cvref_t<decltype(std::declval<const D&>().expr)>>::value,
          "exmc::hmm_hidden_state_prob / hmm_latent_rng: the potential's expression must be hmm_marginal(...) "
          "itself");
  }
  return I;
}

// K and n of the term, from a fresh workspace.
template <std::size_t I, class C>
std::pair<index_t, index_t> hmm_term_shape(const C& model) {
  auto ws = model.make_workspace();
  const auto& st = std::get<I>(ws.states);
  return {st.K, st.n};
}
}  // namespace detail

template <fixed_string Name, PredictiveModel C>
draws hmm_hidden_state_prob(const C& model, const draws& posterior, int threads = 0) {
  constexpr std::size_t I = detail::hmm_term_index<Name, C>();
  const auto [K, n] = detail::hmm_term_shape<I>(model);
  std::vector<std::string> names;
  names.reserve(static_cast<std::size_t>(K * n));
  for (index_t t = 0; t < n; ++t)
    for (index_t k = 0; k < K; ++k)
      names.push_back(str_cat({Name.view(), "_prob[", std::to_string(k), ",", std::to_string(t), "]"}));
  return detail::map_posterior(model, posterior, std::move(names), threads, "hmm_hidden_state_prob",
                               [&](int, Eigen::Index, auto& ws, Eigen::VectorXd& out) {
                                 const auto& e = std::get<I>(model.decls()).expr;
                                 auto& st = std::get<I>(ws.states);
                                 e.forward(st, ws.env);
                                 if (!e.state_probabilities(st, ws.env, out.data()))
                                   out.setConstant(std::numeric_limits<double>::quiet_NaN());
                               });
}

template <fixed_string Name, PredictiveModel C>
draws hmm_latent_rng(const C& model, const draws& posterior, const predictive_options& o = {}) {
  constexpr std::size_t I = detail::hmm_term_index<Name, C>();
  const index_t n = detail::hmm_term_shape<I>(model).second;
  std::vector<std::string> names;
  for (index_t t = 0; t < n; ++t) names.push_back(str_cat({Name.view(), "_state[", std::to_string(t), "]"}));
  std::vector<rng> gens;
  for (std::size_t c = 0; c < posterior.chains.size(); ++c) gens.emplace_back(o.seed, c);
  std::vector<std::vector<int>> paths(posterior.chains.size(), std::vector<int>(static_cast<std::size_t>(n)));
  return detail::map_posterior(model, posterior, std::move(names), o.threads, "hmm_latent_rng",
                               [&](int c, Eigen::Index, auto& ws, Eigen::VectorXd& out) {
                                 const auto& e = std::get<I>(model.decls()).expr;
                                 auto& st = std::get<I>(ws.states);
                                 std::vector<int>& z = paths[static_cast<std::size_t>(c)];
                                 e.forward(st, ws.env);
                                 if (!e.sample_path(st, ws.env, gens[static_cast<std::size_t>(c)], z.data())) {
                                   out.setConstant(std::numeric_limits<double>::quiet_NaN());
                                   return;
                                 }
                                 for (index_t t = 0; t < n; ++t) out[t] = z[static_cast<std::size_t>(t)];
                               });
}

}  // namespace exmc
