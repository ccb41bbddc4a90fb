// The symbol every separately compiled user translation unit reads (core/separate_compilation.hpp):
// its name records the Eigen heap alignment libexmc was compiled with.
#include <exmc/core/separate_compilation.hpp>

namespace exmc::detail {
extern const int EXMC_ABI_TAG = EIGEN_MAX_ALIGN_BYTES;
}  // namespace exmc::detail
