#!/usr/bin/env bash
# Compile time and peak compiler memory of one translation unit per benchmark model, from the
# repository root:
#   bench/compile_time/measure.sh [--stan]
# For each model of bench/models/models.hpp, two probes (model_probe.cpp): the model compiled to
# its log density, and the model sampled with NUTS plus the summary (rstan's stan_model builds the
# equivalent of the latter). g++ -O2 -c, best of REPEATS (default 3) wall times; peak memory is
# the compiler's maximum resident set (/usr/bin/time %M). CPU seconds (user + sys, of the fastest
# run) are printed too: on a loaded machine they stay close to the idle wall time. The eight schools probes written out by
# hand (eight_schools_*.cpp) are timed too. --stan also compiles each Stan program of
# bench/stan/models/ (STAN_PROGRAMS, default all) with rstan::stan_model, once. MODELS restricts
# the exmc models (default all seven).
set -euo pipefail
cd "$(dirname "$0")/../.."
repeats=${REPEATS:-3}
obj=$(mktemp /tmp/exmc_compile_probe.XXXXXX.o)
tf=$(mktemp /tmp/exmc_compile_time.XXXXXX)
trap 'rm -f "$obj" "$tf"' EXIT

# timed CMD...: prints "wall_s cpu_s peak_MiB" of one run.
timed() {
  local e u s m
  /usr/bin/time -o "$tf" -f "%e %U %S %M" "$@" >/dev/null 2>&1
  read -r e u s m <"$tf"
  printf '%s %s %d\n' "$e" "$(echo "$u + $s" | bc)" $((m / 1024))
}

# best_of CMD...: "wall_s cpu_s peak_MiB" of the fastest of $repeats runs (largest peak).
best_of() {
  local best="" cpu="" mem=0 t c m
  for ((i = 0; i < repeats; ++i)); do
    read -r t c m < <(timed "$@")
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; cpu=$c; fi
    if [ "$m" -gt "$mem" ]; then mem=$m; fi
  done
  printf '%s %s %d\n' "$best" "$cpu" "$mem"
}

cxx=(g++ -std=c++20 -O2 -Iinclude -Ibench -I/usr/include/eigen3 -c -o "$obj")
echo "| translation unit | wall s | CPU s | peak MiB |"
echo "|---|---|---|---|"
for m in ${MODELS:-simple medium stress eight_schools funnel logistic sv}; do
  for mode in model sampled; do
    flags=(-DEXMC_PROBE_MODEL="${m}_model")
    [ "$mode" = sampled ] && flags+=(-DEXMC_PROBE_SAMPLE)
    read -r t c mem < <(best_of "${cxx[@]}" "${flags[@]}" bench/compile_time/model_probe.cpp)
    echo "| exmc $m ($mode) | $t | $c | $mem |"
  done
done
for f in bench/compile_time/eight_schools_*.cpp; do
  read -r t c mem < <(best_of "${cxx[@]}" "$f")
  echo "| exmc $(basename "$f" .cpp) (hand-written TU) | $t | $c | $mem |"
done
if [ "${1:-}" = "--stan" ]; then
  for p in ${STAN_PROGRAMS:-simple medium stress eight_schools funnel logistic sv}; do
    read -r t c mem < <(timed Rscript bench/compile_time/stan_compile.R "bench/stan/models/$p.stan")
    echo "| Stan $p (stanc + C++, rstan::stan_model) | $t | $c | $mem |"
  done
fi
