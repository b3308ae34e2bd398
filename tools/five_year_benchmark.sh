#!/usr/bin/env bash
# Issue 17, target 1: five years of the national feed through `vigil replay`
# with the national default configuration, side by side with a parse-only
# pass over the same file (bench/parse_only.cc: simdjson On-Demand on the
# best kernel, every field visited, nothing else).
#
#   tools/five_year_benchmark.sh [EVENTS] [BUILD_DIR]
#
# Generates five years at national volume (`vigil generate --days 1826
# --events-per-year 3300000 --seed 5`: 16.5 M events, about 8.8 GB of JSON
# Lines) into a temporary directory under $TMPDIR (default /tmp), after
# checking there is room for it and for the replay's state, and deletes it at
# the end. EVENTS (default 0: all five years) stops the stream early for a
# quicker run; BUILD_DIR defaults to build. Prints, for each pass, events/s by
# wall-clock time and by CPU time (user + system: steadier on a shared
# machine), peak resident memory, and the ratio replay / parse-only, and the
# replay's signal count. Needs /usr/bin/time (Debian package `time`).
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-0}
build=${2:-build}
vigil=$build/vigil
parse_only=$build/bench/vigil-parse-only
for program in "$vigil" "$parse_only"; do
  [[ -x $program ]] || { echo "five_year_benchmark: $program not built (ninja vigil vigil-parse-only)" >&2; exit 2; }
done
[[ -x /usr/bin/time ]] || { echo "five_year_benchmark: needs /usr/bin/time" >&2; exit 2; }

full_events=16500000
planned=$((events > 0 && events < full_events ? events : full_events))
# About 540 bytes a line, and the replay's state and signals: a margin of
# half as much again plus 2 GiB.
needed_kib=$((planned * 540 * 3 / 2 / 1024 + 2 * 1024 * 1024))
tmp_root=${TMPDIR:-/tmp}
available_kib=$(df -Pk "$tmp_root" | awk 'NR == 2 { print $4 }')
if ((available_kib < needed_kib)); then
  echo "five_year_benchmark: $tmp_root has $((available_kib / 1024)) MiB free, needs about" \
       "$((needed_kib / 1024)) MiB for $planned events (set TMPDIR elsewhere, or pass fewer EVENTS)" >&2
  exit 1
fi
work=$(mktemp -d "$tmp_root/vigil-five-years-XXXXXX")
trap 'rm -rf "$work"' EXIT

limit=()
((events > 0)) && limit=(--events "$events")
echo "generating: --days 1826 --events-per-year 3300000 --seed 5 ${limit[*]:-} into $work" >&2
"$vigil" generate --output "$work/stream.jsonl" --days 1826 --events-per-year 3300000 --seed 5 \
    "${limit[@]}" 2>"$work/generate.log"
lines=$(wc -l <"$work/stream.jsonl")
bytes=$(stat -c %s "$work/stream.jsonl")

# TIME FILE: wall user sys peak-KiB, one line.
timed() {
  local out=$1
  shift
  /usr/bin/time -f '%e %U %S %M' -o "$out" "$@"
}
echo "parse-only pass" >&2
timed "$work/parse.time" "$parse_only" "$work/stream.jsonl" >"$work/parse.out"
echo "replay pass (national default)" >&2
timed "$work/replay.time" "$vigil" replay --input "$work/stream.jsonl" \
    --signals "$work/signals.jsonl" --dead-letters "$work/dead.jsonl" --state-dir "$work/state" \
    2>"$work/replay.err"
signals=$(wc -l <"$work/signals.jsonl")

read -r p_wall p_user p_sys p_rss <"$work/parse.time"
read -r r_wall r_user r_sys r_rss <"$work/replay.time"
report() {
  awk -v lines="$lines" -v bytes="$bytes" -v signals="$signals" \
      -v pw="$p_wall" -v pu="$p_user" -v ps="$p_sys" -v pr="$p_rss" \
      -v rw="$r_wall" -v ru="$r_user" -v rs="$r_sys" -v rr="$r_rss" -v kernel="$1" 'BEGIN {
    pcpu = pu + ps; rcpu = ru + rs
    printf "input: %d events, %.2f GB\n", lines, bytes / 1e9
    printf "parse-only (%s): %9.0f events/s wall (%.1f s), %9.0f events/s CPU (%.1f s), peak RSS %d MiB\n",
           kernel, lines / pw, pw, lines / pcpu, pcpu, pr / 1024
    printf "replay:                %9.0f events/s wall (%.1f s), %9.0f events/s CPU (%.1f s), peak RSS %d MiB\n",
           lines / rw, rw, lines / rcpu, rcpu, rr / 1024
    printf "ratio replay / parse-only: %.3f by wall time, %.3f by CPU time (target 0.15)\n",
           pw / rw, pcpu / rcpu
    printf "signals: %d\n", signals
  }'
}
kernel=$(sed -n 's/.*kernel=\([a-z0-9]*\).*/\1/p' "$work/parse.out")
report "${kernel:-?}"
sed 's/^/replay summary: /' "$work/replay.err" | grep 'events read' || true
