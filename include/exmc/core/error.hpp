#pragma once
// Errors raised by exmc. Every message names the culprit (parameter, data field, size).
#include <stdexcept>
#include <string>

namespace exmc {

// Misuse of the modelling API detected at run time: size mismatches, bad data,
// invalid constant hyperparameters, unknown names in initial values.
struct model_error : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// A sampler or optimiser could not do its job (e.g. no finite initial point).
struct sampling_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace exmc
