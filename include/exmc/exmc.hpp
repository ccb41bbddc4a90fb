#pragma once
// exmc: compile-time probabilistic models with fused log-density gradients.
#include "core/draws.hpp"
#include "core/error.hpp"
#include "core/log_density.hpp"
#include "core/random.hpp"
#include "dist/bernoulli_logit.hpp"
#include "dist/cauchy.hpp"
#include "dist/exponential.hpp"
#include "dist/gaussian_random_walk.hpp"
#include "dist/half_normal.hpp"
#include "dist/normal.hpp"
#include "dist/student_t.hpp"
#include "model/compiled.hpp"
