#pragma once
// Umbrella header: convergence diagnostics (R-hat, ESS, MCSE), sampler checks, posterior
// summaries and model comparison (PSIS-LOO, WAIC). Works on draws alone; independent of
// how they were produced.
//
// The functions of this layer take concrete types (Eigen::MatrixXd, draws) yet are declared
// `template <class = void>`: the parameter is never deduced, and a translation unit compiles a
// function's body (with the Eigen and Boost.Math templates it uses) only if it calls it (D72).
#include "autocorrelation.hpp"
#include "compare.hpp"
#include "convergence.hpp"
#include "draw_transforms.hpp"
#include "loo.hpp"
#include "mcse.hpp"
#include "psis.hpp"
#include "sampler.hpp"
#include "summary.hpp"
