// The summary table and the sampler diagnosis of a NUTS fit, compiled once (docs/DECISIONS.md
// D118). Through the umbrella, so that the compiler matches these definitions to its extern
// declarations.
#include <exmc/exmc.hpp>

namespace exmc {
template summary_table summary(const fit&, bool);
template sampler_report diagnose(const fit&, int, diagnose_thresholds);
}  // namespace exmc
