#pragma once
// Ordinary differential equations in models: ode_rk45 (non-stiff) and ode_rosenbrock (stiff),
// with forward sensitivities for the gradient (docs/dsl.md, "Models with state"; D100-D104).
// Apart from <exmc/exmc.hpp> because Boost.Odeint and uBLAS are heavy to parse: a model that
// solves no ODE does not pay for them. Include it beside exmc.hpp.
#include "ode/node.hpp"
