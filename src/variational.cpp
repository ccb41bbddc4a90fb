// ADVI and Pathfinder compiled once for every double-precision model (docs/DECISIONS.md D119).
// A float model instantiates them in its own translation unit.
#include <exmc/variational/advi.hpp>
#include <exmc/variational/pathfinder.hpp>

namespace exmc::detail {
template advi_fit run_advi(const any_density<double>&, const advi_options&);
template pathfinder_result run_pathfinder(const any_density<double>&, const pathfinder_options&);
}  // namespace exmc::detail
