#!/usr/bin/env bash
# End-to-end replay benchmark: generates a synthetic national stream, replays
# it through the national default configuration, and prints events/s and the
# peak resident memory of the replay process.
#   tools/replay_throughput.sh [EVENTS] [BUILD_DIR]     (defaults: 300000, build)
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-300000}
build=${2:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/vigil" generate --events "$events" --output "$work/events.jsonl" 2>/dev/null
bytes=$(stat -c %s "$work/events.jsonl")
start=$(date +%s.%N)
/usr/bin/time -f '%M' -o "$work/rss" "$build/vigil" replay --input "$work/events.jsonl" \
    --signals "$work/signals.jsonl" --dead-letters "$work/dlq.jsonl" 2>"$work/summary"
end=$(date +%s.%N)
seconds=$(echo "$end - $start" | bc -l)
cat "$work/summary"
printf 'events %d  bytes %d  seconds %.2f  events/s %.0f  MB/s %.1f  peak RSS %d MiB  signals %d\n' \
  "$events" "$bytes" "$seconds" "$(echo "$events / $seconds" | bc -l)" \
  "$(echo "$bytes / $seconds / 1048576" | bc -l)" "$(( $(cat "$work/rss") / 1024 ))" \
  "$(wc -l < "$work/signals.jsonl")"
