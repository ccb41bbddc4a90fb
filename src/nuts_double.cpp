// NUTS compiled once for every double-precision model (docs/DECISIONS.md D115); float has its own
// file so that the two compile in parallel.
#include <exmc/nuts/driver.hpp>

namespace exmc::detail {
template fit sample_nuts(const any_density<double>&, const sample_options&);
template void check_nuts_options(const any_density<double>&, const sample_options&);
}  // namespace exmc::detail
