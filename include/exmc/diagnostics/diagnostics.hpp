#pragma once
// Umbrella header: convergence diagnostics (R-hat, ESS, MCSE), sampler checks, posterior
// summaries and model comparison (PSIS-LOO, WAIC). Works on draws alone; independent of
// how they were produced.
#include "autocorrelation.hpp"
#include "compare.hpp"
#include "convergence.hpp"
#include "draw_transforms.hpp"
#include "loo.hpp"
#include "mcse.hpp"
#include "psis.hpp"
#include "sampler.hpp"
#include "summary.hpp"
