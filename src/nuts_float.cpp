// NUTS compiled once for every single-precision model (docs/DECISIONS.md D115).
#include <exmc/nuts/driver.hpp>

namespace exmc::detail {
template fit sample_nuts(const any_density<float>&, const sample_options&);
template void check_nuts_options(const any_density<float>&, const sample_options&);
}  // namespace exmc::detail
