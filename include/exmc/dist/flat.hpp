#pragma once
// flat(): the improper uniform prior on a parameter's whole support, Stan's default for a
// parameter with no `~` statement and PyMC's pm.Flat / pm.HalfFlat.
//   param<"beta">(flat(), 3)                       beta in R^3
//   param<"sigma">(flat(), lower(0.0))             sigma > 0 (PyMC's HalfFlat)
//   param<"p">(flat(), bounds(0.0, 1.0))           p in (0, 1), a proper uniform in effect
//   param<"b1">(flat(), bounds(0.0, 1.0 - a1))     a bound that depends on another parameter
// Its log density is 0; a constraint's log-Jacobian still applies, as in Stan, so the prior is
// flat on the constrained scale. Nothing makes the posterior proper but the data: the sampler's
// step-size search reports an improper posterior when nothing informs a parameter (docs/dsl.md).
// It has no draws: prior_predictive and SMC, which draw from the prior, refuse it.
#include <array>

#include "../core/error.hpp"
#include "dist.hpp"

namespace exmc {

struct flat_fn {
  static constexpr const char* name = "flat";
  static constexpr std::array<const char*, 0> arg_names{};
  static constexpr std::array<domain, 0> domains{};
  static constexpr support_kind support = support_kind::real;
  static constexpr bool elementwise = true;
  static constexpr bool discrete = false;
  // A prior only (observe<> rejects it), with no normalisable density and so no draws.
  static constexpr bool improper = true;
  static bool in_support(double x) { return std::isfinite(x); }

  template <class X>
  static double lpdf(index_t, X&) {
    return 0.0;
  }
  [[noreturn]] static double generate(rng&) {
    throw model_error("flat(): an improper prior has no draws; give the parameter a proper prior to draw from it");
  }
};

inline auto flat() { return make_dist<flat_fn>(); }

}  // namespace exmc
