#!/usr/bin/env bash
# Wall time of compiling each probe at -O2 (best of 3), from the repository root:
#   bench/compile_time/measure.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
for f in bench/compile_time/*.cpp; do
  best=""
  for i in 1 2 3; do
    s=$(date +%s.%N)
    g++ -std=c++20 -O2 -Iinclude -I/usr/include/eigen3 -c "$f" -o /tmp/exmc_compile_probe.o
    e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
  done
  printf '%s: %.2f s\n' "$(basename "$f" .cpp)" "$best"
done
