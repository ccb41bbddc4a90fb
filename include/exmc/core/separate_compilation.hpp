#pragma once
// How exmc is built into a program (docs/DECISIONS.md D115-D116).
//
// Header-only (the default): every function is defined in the headers, and each translation
// unit compiles what it calls. Nothing to link.
//
// Separate compilation (EXMC_SEPARATE_COMPILATION, defined for its users by the CMake target
// exmc::exmc): the inference methods, diagnostics and writers are instantiated once in libexmc
// for exmc::any_density<float> and <double>; the headers still define them but declare those
// instantiations `extern template`, so a user's translation unit compiles only its model. A
// header with such declarations ends in a block
//   #ifdef EXMC_SEPARATE_COMPILATION
//   extern template ...;
//   #endif
// matched by an explicit instantiation (`template ...;`) in a source file under src/.
//
// The library and its users must agree on Eigen's heap alignment, since matrices allocated on
// one side are freed on the other (e.g. libexmc built without -mavx, the program with
// -march=native). Every translation unit that includes this header in separate-compilation mode
// reads a symbol whose name carries the alignment it was compiled with; a mismatch is a link
// error naming it, instead of a crash in free().
#include <Eigen/Core>

#ifdef EXMC_SEPARATE_COMPILATION
#define EXMC_ABI_CAT_(a, b) a##b
#define EXMC_ABI_CAT(a, b) EXMC_ABI_CAT_(a, b)
#define EXMC_ABI_TAG EXMC_ABI_CAT(this_program_needs_libexmc_built_with_EIGEN_MAX_ALIGN_BYTES_, EIGEN_MAX_ALIGN_BYTES)

namespace exmc::detail {
extern const int EXMC_ABI_TAG;
inline const int abi_check = EXMC_ABI_TAG;
}  // namespace exmc::detail
#endif
