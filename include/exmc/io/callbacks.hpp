#pragma once
// Several draw callbacks as one: sample_options has a single callback slot, and a run often
// wants a CSV writer, a progress display and the user's own consumer at once.
#include <initializer_list>
#include <vector>

#include "../nuts/options.hpp"

namespace exmc {

// Calls every non-empty callback in order, each on every draw (so one returning false does not
// starve the others of the draw that stopped the run); sampling stops if any returned false.
inline draw_callback callbacks(std::initializer_list<draw_callback> list) {
  std::vector<draw_callback> all;
  for (const auto& c : list)
    if (c) all.push_back(c);
  if (all.empty()) return {};
  if (all.size() == 1) return all.front();
  return [all = std::move(all)](const draw_event& ev) {
    bool go_on = true;
    for (const auto& c : all) go_on = c(ev) && go_on;
    return go_on;
  };
}

}  // namespace exmc
