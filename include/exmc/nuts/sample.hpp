#pragma once
// exmc::sample: NUTS on any LogDensity, several chains in parallel threads.
//
//   exmc::sample_options o;  o.chains = 4;  o.seed = 42;
//   exmc::fit f = exmc::sample(density, o);
//
// Options are checked up front (model_error naming the culprit); faults inside a chain never
// escape: they become divergences, or that chain's status is `failed` with the reason.
//
// The density is seen through any_density, so that every model shares one sampler: compiled once
// into libexmc in separate compilation (core/separate_compilation.hpp), where this header only
// declares it, or once per program header-only, where driver.hpp defines it. The draws are the
// same bit for bit either way and as with the model's own type (docs/DECISIONS.md D115).
#include "../core/any_density.hpp"
#include "../core/log_density.hpp"
#include "fit.hpp"
#include "options.hpp"

namespace exmc {
namespace detail {

// NUTS on one density, and the checks it makes of its options before it starts (driver.hpp).
template <LogDensity D>
fit sample_nuts(const D& density, const sample_options& options);
template <LogDensity D>
void check_nuts_options(const D& density, const sample_options& options);

#ifdef EXMC_SEPARATE_COMPILATION
extern template fit sample_nuts(const any_density<double>&, const sample_options&);
extern template fit sample_nuts(const any_density<float>&, const sample_options&);
extern template void check_nuts_options(const any_density<double>&, const sample_options&);
extern template void check_nuts_options(const any_density<float>&, const sample_options&);
#endif

}  // namespace detail

// Throws the model_error sample() would throw for these options, without sampling: lets a caller
// check everything before it creates output files.
template <LogDensity D>
void check_options(const D& density, const sample_options& options) {
  detail::check_nuts_options(any_density<typename D::scalar>(density), options);
}

template <LogDensity D>
fit sample(const D& density, const sample_options& options = {}) {
  return detail::sample_nuts(any_density<typename D::scalar>(density), options);
}

}  // namespace exmc

#ifndef EXMC_SEPARATE_COMPILATION
#include "driver.hpp"
#endif
