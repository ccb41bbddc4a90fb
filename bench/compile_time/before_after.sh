#!/usr/bin/env bash
# Compile time of a user's translation units before and after a change, interleaved:
#   bench/compile_time/before_after.sh BEFORE_ROOT [ROUNDS]
# BEFORE_ROOT is a checkout of the older tree (e.g. `git worktree add /tmp/before main`, or
# `git archive main | tar -x -C /tmp/before`). Each round compiles every unit once, before and
# after alternating, with g++ -std=c++20 -O2 -c; the table has the minimum over ROUNDS (default
# 3) of user and wall seconds and the largest peak memory. The units:
#   model     bench/compile_time/eight_schools_model.cpp: the model and one gradient (exmc.hpp)
#   program   examples/eight_schools.cpp: model, 4-chain NUTS, summary, diagnose
#   cli       examples/eight_schools_cli.cpp: the CmdStan-like program (EXMC_MAIN)
# each compiled as the tree in question builds it: BEFORE header-only; after in separate
# compilation (-DEXMC_SEPARATE_COMPILATION, as CMake's exmc::exmc compiles it; the library is
# not counted), header-only, and with exmc::precompiled's precompiled exmc.hpp (built once,
# before the rounds; its own time is reported on a line of its own).
set -euo pipefail
cd "$(dirname "$0")/../.."
before=${1:?usage: before_after.sh BEFORE_ROOT [ROUNDS]}
rounds=${2:-3}
work=$(mktemp -d /tmp/exmc_before_after.XXXXXX)
trap 'rm -rf "$work"' EXIT

common=(g++ -std=c++20 -O2 -Ibench -I/usr/include/eigen3 -c -o "$work/out.o")
declare -A source=([model]=bench/compile_time/eight_schools_model.cpp [program]=examples/eight_schools.cpp
                   [cli]=examples/eight_schools_cli.cpp)
units=(model program cli)
modes=(before separate header_only precompiled)

# flags MODE: include path and definitions of one way of building.
flags() {
  case $1 in
    before) echo "-I$before/include" ;;
    separate) echo "-DEXMC_SEPARATE_COMPILATION -Iinclude" ;;
    header_only) echo "-Iinclude" ;;
    precompiled) echo "-DEXMC_SEPARATE_COMPILATION -I$work/pch -Iinclude" ;;
  esac
}

# GCC takes exmc.hpp.gch in place of exmc.hpp when it is found first on the include path and the
# flags match; precompiled exmc.hpp is the first line of model and program, not of cli.
mkdir -p "$work/pch/exmc"
/usr/bin/time -o "$work/t" -f "%U %e %M" g++ -std=c++20 -O2 -DEXMC_SEPARATE_COMPILATION -Iinclude -I/usr/include/eigen3 \
  -x c++-header include/exmc/exmc.hpp -o "$work/pch/exmc/exmc.hpp.gch"
read -r pu pe pm <"$work/t"

declare -A user wall peak
for ((r = 0; r < rounds; ++r)); do
  for u in "${units[@]}"; do
    for m in "${modes[@]}"; do
      [ "$u" = cli ] && [ "$m" = precompiled ] && continue
      # shellcheck disable=SC2046
      /usr/bin/time -o "$work/t" -f "%U %e %M" "${common[@]}" $(flags "$m") "${source[$u]}" >/dev/null 2>"$work/err" ||
        { cat "$work/err"; exit 1; }
      read -r tu te tm <"$work/t"
      k="$u/$m"
      if [ -z "${user[$k]:-}" ] || [ "$(echo "$tu < ${user[$k]}" | bc)" = 1 ]; then user[$k]=$tu; fi
      if [ -z "${wall[$k]:-}" ] || [ "$(echo "$te < ${wall[$k]}" | bc)" = 1 ]; then wall[$k]=$te; fi
      if [ "${peak[$k]:-0}" -lt "$tm" ]; then peak[$k]=$tm; fi
    done
  done
done

echo "| unit | mode | user s | wall s | peak MiB |"
echo "|---|---|---|---|---|"
for u in "${units[@]}"; do
  for m in "${modes[@]}"; do
    k="$u/$m"
    [ -n "${user[$k]:-}" ] && echo "| $u | $m | ${user[$k]} | ${wall[$k]} | $((peak[$k] / 1024)) |"
  done
done
echo "| exmc.hpp precompiled (once per target) | separate | $pu | $pe | $((pm / 1024)) |"
echo "(min of $rounds rounds; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
