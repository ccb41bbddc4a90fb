#pragma once
// Everything of the NUTS sampler.
#include "chain.hpp"
#include "driver.hpp"
#include "fit.hpp"
#include "gradient_adaptation.hpp"
#include "hamiltonian.hpp"
#include "metric.hpp"
#include "options.hpp"
#include "sample.hpp"
#include "step_size.hpp"
#include "tree.hpp"
#include "windowed_adaptation.hpp"
