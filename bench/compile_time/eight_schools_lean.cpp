// Compile-time probe: the eight schools model of eight_schools_model.cpp, including only the
// headers it uses (its two families and the model layer) instead of the umbrella exmc.hpp,
// which also brings every other family, NUTS, diagnostics and the predictive layer.
// Timed by bench/compile_time/measure.sh.
#include <exmc/dist/cauchy.hpp>
#include <exmc/dist/normal.hpp>
#include <exmc/model/compiled.hpp>

#include "eight_schools_main.inc"
