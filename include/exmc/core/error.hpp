#pragma once
// Errors raised by exmc. Every message names the culprit (parameter, data field, size).
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>

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

// Joins the parts of an error message. Out of line on purpose: g++ 12, once it inlines chains of
// std::string operator+ into deep template callers at -O2/-O3, reports false -Warray-bounds
// errors on the small-string buffer (GCC bugs 105329 and 105651), which -Werror turns into a
// broken build for our users. Messages are built on cold paths, so the call costs nothing.
[[gnu::noinline]] inline std::string str_cat(std::initializer_list<std::string_view> parts) {
  std::size_t size = 0;
  for (const std::string_view p : parts) size += p.size();
  std::string out;
  out.reserve(size);
  for (const std::string_view p : parts) out.append(p);
  return out;
}

}  // namespace exmc
