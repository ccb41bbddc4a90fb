#pragma once
// exmc: compile-time probabilistic models with fused log-density gradients.
// This header has what a model and its NUTS run need: the DSL, every distribution, the sampler,
// diagnostics and predictive quantities. The other inference methods and the writers have
// headers of their own (or take <exmc/all.hpp>), because every translation unit pays to parse
// them (docs/DECISIONS.md D46). Linked with libexmc (CMake target exmc::exmc), the sampler,
// summary and diagnosis of a fit are compiled there once (core/separate_compilation.hpp).
#include "core/draws.hpp"
#include "core/error.hpp"
#include "core/log_density.hpp"
#include "core/random.hpp"
#include "dist/ar1.hpp"
#include "dist/bernoulli.hpp"
#include "dist/bernoulli_logit.hpp"
#include "dist/beta.hpp"
#include "dist/binomial.hpp"
#include "dist/binomial_logit.hpp"
#include "dist/categorical.hpp"
#include "dist/categorical_logit.hpp"
#include "dist/cauchy.hpp"
#include "dist/censored.hpp"
#include "dist/chi_square.hpp"
#include "dist/custom.hpp"
#include "dist/dirichlet.hpp"
#include "dist/double_exponential.hpp"
#include "dist/exp_mod_normal.hpp"
#include "dist/exponential.hpp"
#include "dist/flat.hpp"
#include "dist/gamma.hpp"
#include "dist/gaussian_random_walk.hpp"
#include "dist/geometric.hpp"
#include "dist/gumbel.hpp"
#include "dist/half_normal.hpp"
#include "dist/half_student_t.hpp"
#include "dist/inv_chi_square.hpp"
#include "dist/inv_gamma.hpp"
#include "dist/lkj_corr_cholesky.hpp"
#include "dist/logistic.hpp"
#include "dist/lpdf.hpp"
#include "dist/mixture.hpp"
#include "dist/multinomial.hpp"
#include "dist/mv_normal.hpp"
#include "dist/lognormal.hpp"
#include "dist/neg_binomial_2.hpp"
#include "dist/neg_binomial_2_log.hpp"
#include "dist/normal.hpp"
#include "dist/pareto.hpp"
#include "dist/poisson.hpp"
#include "dist/poisson_log.hpp"
#include "dist/skew_normal.hpp"
#include "dist/student_t.hpp"
#include "dist/truncated.hpp"
#include "dist/uniform.hpp"
#include "dist/von_mises.hpp"
#include "dist/weibull.hpp"
#include "expr/hmm.hpp"
#include "expr/log_mix.hpp"
#include "expr/scan.hpp"
#include "expr/special.hpp"
#include "model/compiled.hpp"
#include "model/emission.hpp"
#include "model/matrix.hpp"
#include "model/stochastic_matrix.hpp"
#include "diagnostics/diagnostics.hpp"
#include "nuts/sample.hpp"
#include "predictive/generated.hpp"
#include "predictive/hmm.hpp"
#include "predictive/predictive.hpp"

#ifdef EXMC_SEPARATE_COMPILATION
// Instantiated in libexmc (src/diagnostics.cpp).
namespace exmc {
extern template summary_table summary(const fit&, bool);
extern template sampler_report diagnose(const fit&, int, diagnose_thresholds);
}  // namespace exmc
#endif
