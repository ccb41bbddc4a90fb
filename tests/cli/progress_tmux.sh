#!/usr/bin/env bash
# The live progress display as a person sees it: eight_schools_cli samples inside tmux at 60x20
# and 120x40 with 4 and 40 chains; the pane is captured (capture-pane) while it runs and at the
# end, and every capture is checked: no line wider than the pane, nothing but progress lines
# (no debris of wrapped or half-cleared lines), never more lines than the pane has, the run line
# always there, every chain "done" with the run at 100% at the end, and with 40 chains in 20
# rows a line that counts the chains not shown.
#   progress_tmux.sh PROGRAM DATA [KEEP_DIR]   (KEEP_DIR: keep the captures there to look at)
set -euo pipefail
program=$1
data=$2
dir=${3:-$(mktemp -d)}
mkdir -p "$dir"
socket="exmc_progress_$$"  # one tmux server per run: a server still shutting down must not take the next run
fail() { echo "progress_tmux: $*" >&2; tmux -L "$socket" kill-server 2>/dev/null || true; exit 1; }
check_capture() {  # FILE COLUMNS ROWS CHAINS FINAL
  local file=$1 cols=$2 rows=$3 chains=$4 final=$5
  local n
  n=$(wc -l <"$file")
  [ "$n" -le "$rows" ] || fail "$file: $n lines in a $rows-row pane"
  awk -v w="$cols" 'length($0) >= w { print FILENAME ": line " NR " is " length($0) " wide (pane " w "): " $0; bad = 1 } END { exit bad }' "$file" ||
    fail "$file: a line is as wide as the pane"
  grep -v -E '^(chain [0-9]+ |all [0-9]+ chains |\+ [0-9]+ more chains:|EXIT=[0-9]+$|$)' "$file" && fail "$file: debris above"
  grep -q -E "^all $chains chains " "$file" || fail "$file: no run line"
  if [ "$final" = 1 ]; then
    grep -q -E "^all $chains chains .*100%" "$file" || fail "$file: the run is not at 100% at the end"
    grep -q '^EXIT=0$' "$file" || fail "$file: the program did not exit 0"
    if [ "$chains" -le $((rows - 3)) ]; then
      for c in $(seq 1 "$chains"); do grep -q -E "^chain $c +[0-9]+/[0-9]+  done" "$file" || fail "$file: chain $c is not shown done"; done
    else
      grep -q -E "^\+ $chains more chains: $chains done" "$file" || fail "$file: no summary of the chains that do not fit"
    fi
  fi
}
for size in 60x20 120x40; do
  for chains in 4 40; do
    cols=${size%x*}
    rows=${size#*x}
    draws=$((chains == 4 ? 30000 : 3000))
    tag="${size}_${chains}"
    socket="exmc_progress_$$_$tag"
    tmux -L "$socket" -f /dev/null new-session -d -x "$cols" -y "$rows" -s run \
      "'$program' sample --data '$data' --chains $chains --threads 2 --warmup 500 --draws $draws --seed 1 --progress terminal --quiet --output '$dir/out_$tag.csv'; echo EXIT=\$?; sleep 60"
    i=0
    while :; do
      sleep 0.5
      i=$((i + 1))
      tmux -L "$socket" capture-pane -p -t run >"$dir/capture_${tag}_$i.txt"
      if grep -q '^EXIT=' "$dir/capture_${tag}_$i.txt"; then break; fi
      [ $i -lt 240 ] || fail "$tag: the run did not end within 120 s"
      check_capture "$dir/capture_${tag}_$i.txt" "$cols" "$rows" "$chains" 0
    done
    check_capture "$dir/capture_${tag}_$i.txt" "$cols" "$rows" "$chains" 1
    cp "$dir/capture_${tag}_$i.txt" "$dir/final_$tag.txt"
    echo "progress_tmux: $tag: $i captures checked"
    tmux -L "$socket" kill-server 2>/dev/null || true
  done
done
[ $# -ge 3 ] || rm -rf "$dir"
echo "progress_tmux: all sizes passed"
