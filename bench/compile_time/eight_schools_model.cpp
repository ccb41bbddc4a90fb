// Compile-time probe: one translation unit holding the eight schools model, compiled to its
// log density and evaluated once (no sampler). Timed by bench/compile_time/measure.sh.
#include <exmc/exmc.hpp>

#include "eight_schools_main.inc"
