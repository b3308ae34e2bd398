#!/usr/bin/env bash
# Issue 17, target 5: 10 million distinct report ids held with peak RSS at
# most 512 MiB. Generates one year of reports at 10 M a year (inside the
# 442-day record retention, so every id's record is held at once), pipes it
# straight into `vigil replay --input -` (no file on disk), and prints the
# events, the distinct ids held (events processed: the synthetic stream
# repeats few ids), the replay's peak RSS, and pass or fail.
#   tools/distinct_ids_memory.sh [EVENTS] [BUILD_DIR] [LIMIT_MIB]
#     (defaults: 10000000, build, 512)
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-10000000}
build=${2:-build}
limit_mib=${3:-512}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s.%N)
"$build/vigil" generate --output - --events "$events" --seed 17 --days 365 \
    --events-per-year "$events" 2>/dev/null |
  /usr/bin/time -f '%M' -o "$work/rss" "$build/vigil" replay --input - \
    --state-dir "$work/state" --signals "$work/signals.jsonl" --dead-letters "$work/dlq.jsonl" \
    2>"$work/summary"
end=$(date +%s.%N)
cat "$work/summary"
processed=$(sed -n 's/.*processed \([0-9]*\).*/\1/p' "$work/summary" | tail -1)
rss_kib=$(cat "$work/rss")
rss_mib=$(( rss_kib / 1024 ))
verdict=PASS
(( rss_mib <= limit_mib )) || verdict=FAIL
printf 'events %d  distinct ids held %d  seconds %.0f  peak RSS %d MiB  limit %d MiB  %s\n' \
  "$events" "$processed" "$(echo "$end - $start" | bc -l)" "$rss_mib" "$limit_mib" "$verdict"
[[ $verdict == PASS ]]
