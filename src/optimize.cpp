// The optimiser and the Laplace approximation compiled once for every double-precision model
// (docs/DECISIONS.md D119). A float model instantiates them in its own translation unit.
#include <exmc/optimize/laplace.hpp>
#include <exmc/optimize/optimize.hpp>

namespace exmc::detail {
template optimize_result run_optimize(const any_density<double>&, const optimize_options&);
template laplace_result run_laplace(const any_density<double>&, const optimize_result&, const laplace_options&);
}  // namespace exmc::detail
