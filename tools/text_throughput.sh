#!/usr/bin/env bash
# What the text_cluster detector costs a replay (issue 12: throughput with it
# within 20 % of without it). Generates EVENTS synthetic events (seed 13),
# then replays them RUNS times each, alternated, with three configurations
# made from config/vigil.yaml:
#   without  the national default less its text_clusters block
#   with     the national default (the text detector on its own thread)
#   in_line  the national default with pipeline.parallel_detectors: false
# and prints, per configuration, the medians of wall-clock seconds and CPU
# seconds (user + system), events per wall-clock second, and the ratios to
# `without`. Signals of the three must be identical when the stream raises no
# text signal; `with` and `in_line` always (checked, exit 1 otherwise).
#   tools/text_throughput.sh [EVENTS] [RUNS] [BUILD_DIR]   (defaults: 300000, 6, build)
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-300000}
runs=${2:-6}
build=${3:-build}
vigil="$build/vigil"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The text_clusters block runs from its "- name:" line to the next one.
awk '/^  - name: text_clusters$/ {skip = 1; next} /^  - name: / {skip = 0} !skip' \
  config/vigil.yaml > "$work/without.yaml"
cp config/vigil.yaml "$work/with.yaml"
sed 's/^  parallel_detectors: true$/  parallel_detectors: false/' config/vigil.yaml > "$work/in_line.yaml"
grep -q '^  parallel_detectors: false$' "$work/in_line.yaml" ||
  { echo "config/vigil.yaml has no 'parallel_detectors: true' line" >&2; exit 1; }
if grep -q 'type: text_cluster' "$work/without.yaml"; then
  echo "could not remove the text_clusters block" >&2
  exit 1
fi

"$vigil" generate --events "$events" --seed 13 --output "$work/events.jsonl" 2>/dev/null
configs=(without with in_line)
for ((r = 1; r <= runs; ++r)); do
  for c in "${configs[@]}"; do
    /usr/bin/time -f '%e %U %S' -o "$work/time" "$vigil" replay --config "$work/$c.yaml" \
      --input "$work/events.jsonl" --signals "$work/signals.$c" --dead-letters /dev/null 2>/dev/null
    awk -v c="$c" '{printf "%s %s %.2f\n", c, $1, $2 + $3}' "$work/time" >> "$work/times"
  done
done
cmp -s "$work/signals.with" "$work/signals.in_line" ||
  { echo "signals differ between the text detector on its own thread and in line" >&2; exit 1; }

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
base_wall=$(awk '$1 == "without" {print $2}' "$work/times" | median)
base_cpu=$(awk '$1 == "without" {print $3}' "$work/times" | median)
printf '%d events, %d runs each, medians\n' "$events" "$runs"
printf '%-8s %8s %8s %12s %11s %10s\n' config wall_s cpu_s events/s wall_ratio cpu_ratio
for c in "${configs[@]}"; do
  wall=$(awk -v c="$c" '$1 == c {print $2}' "$work/times" | median)
  cpu=$(awk -v c="$c" '$1 == c {print $3}' "$work/times" | median)
  printf '%-8s %8.2f %8.2f %12.0f %11.2f %10.2f\n' "$c" "$wall" "$cpu" \
    "$(echo "$events / $wall" | bc -l)" "$(echo "$wall / $base_wall" | bc -l)" \
    "$(echo "$cpu / $base_cpu" | bc -l)"
done
