#!/usr/bin/env bash
# `vigil demo --days 60 --json` end to end over a bounded stream (issue 2,
# done-when): once the demo reports the whole stream drained through both
# stages, /metrics accounts for every produced event and passes promtool,
# and the signals it printed are valid signal v1 JSON and exactly those
# `vigil replay` gives for the same stream split over the two events
# partitions as the demo's producer splits it (so they do not depend on how
# fast the machine is). SIGTERM then stops it with exit 0 and its summary.
# Nothing here depends on how far the demo gets in some number of seconds:
# each wait is for a condition, with a deadline far beyond what it needs.
# Usage: demo_test.sh VIGIL_BINARY SOURCE_DIR SHARED_DIR
set -uo pipefail
source "$2/tests/test_lib.sh"
use_work_dir
# Debian's python3-jsonschema serves /usr/bin/python3; another python3 may
# come first on PATH.
python=python3
"$python" -c 'import jsonschema' 2>/dev/null || python=/usr/bin/python3

# Sixty days: ~150,000 events, on which the severity rules raise signals
# and resolve most of them. The demo's stream: its seed and volume.
days=60 seed=20240101
start_demo "$work/signals.jsonl" "$work/demo.err" --days "$days" --seed "$seed" --seconds 3600 --json \
    --ui-port 0
ui=$(sed -n '1s|^Vigil review application: \(http://127\.0\.0\.1:[0-9][0-9]*\)/$|\1|p' "$work/demo.err")
check "demo prints the review application's URL first" test -n "$ui"
check "demo reports its metrics address" test -n "$metrics_port"
check "/healthz answers" curl -sf "http://127.0.0.1:$metrics_port/healthz" -o /dev/null
check "the stream drains (within 10 minutes)" demo_drained 600
[ -n "${drained_events:-}" ] || { tail -n 20 "$work/demo.err"; finish; }
check "/readyz answers ready once drained" curl -sf "http://127.0.0.1:$metrics_port/readyz" -o /dev/null
check "/metrics answers" scrape "$work/metrics.txt"
check "promtool check metrics passes" bash -c "promtool check metrics < '$work/metrics.txt'"
for m in events_consumed_total events_processed_total events_duplicate_total events_dead_lettered_total \
         events_late_total signals_total consumer_lag event_processing_seconds commit_seconds \
         state_bytes build_info; do
  check "metric vigil_$m present" grep -q "^vigil_$m" "$work/metrics.txt"
done
consumed=$(scraped_sum "$work/metrics.txt" vigil_events_consumed_total)
processed=$(scraped_sum "$work/metrics.txt" vigil_events_processed_total)
duplicate=$(scraped_sum "$work/metrics.txt" vigil_events_duplicate_total)
dead=$(scraped_sum "$work/metrics.txt" vigil_events_dead_lettered_total)
echo "demo_test: drained $drained_events events: consumed $consumed = processed $processed" \
    "+ duplicates $duplicate + dead-lettered $dead"
check "every produced event was consumed once" test "$consumed" -eq "$drained_events"
check "consumed = processed + duplicates + dead-lettered" test "$consumed" -eq $((processed + duplicate + dead))
check "the stream's duplicates and invalid lines were met" test "$duplicate" -gt 0 -a "$dead" -gt 0
check "no consumer lag once drained" test "$(scraped_sum "$work/metrics.txt" vigil_consumer_lag)" -eq 0
# The drained line comes after every committed signal was printed.
cp "$work/signals.jsonl" "$work/signals.at-drain"
for kind in raised updated resolved; do
  printed=$(grep -c "\"type\":\"vigil.signal.$kind\"" "$work/signals.at-drain")
  check "the drained line counts the $kind signals printed ($printed)" test "$printed" -eq "$(drained_count "$kind")"
done
check "the demo raised signals" test "$(drained_count raised)" -gt 0
# The review application holds every signal printed, one row per signal id.
distinct=$(sed -n 's/.*"signal_id":"\([0-9a-f]*\)".*/\1/p' "$work/signals.at-drain" | sort -u | wc -l)
listed=$(curl -sf "$ui/api/v1/signals?status=all&suppressed=include&limit=1" |
    "$python" -c 'import json, sys; print(json.load(sys.stdin)["total"])')
check "the review queue lists every signal the demo printed ($distinct)" test "${listed:-0}" -eq "$distinct"
check "the review queue page answers" curl -sf "$ui/" -o "$work/queue.html"
check "the queue page ranks the open signals" grep -q 'class="signal-row' "$work/queue.html"
check "the demo resolved signals" test "$(drained_count resolved)" -gt 0

kill -TERM "$demo_pid"
wait_exit "$demo_pid" 120
check "demo exits 0 on SIGTERM" test $? -eq 0
check "nothing was printed after the stream drained" cmp -s "$work/signals.at-drain" "$work/signals.jsonl"
check "demo prints a summary" grep -q "^vigil demo: produced $drained_events events, consumed $consumed," "$work/demo.err"

"$python" - "$work/signals.jsonl" "$source_dir/config/schemas/signal-v1.schema.json" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[2]))
validator = jsonschema.Draft202012Validator(schema)
n = 0
for line in open(sys.argv[1]):
    validator.validate(json.loads(line))
    n += 1
assert n > 0
PY
check "every printed signal is valid signal v1 JSON" test $? -eq 0

# The same stream from `vigil generate` (the demo's volume and invalid
# fraction), split as the demo's producer splits it: by murmur2 of the
# report id over two partitions (where an invalid line goes changes no
# signal), then `vigil replay` with one --input per partition merges them
# as the repartition topic does.
"$vigil" generate --output "$work/events.jsonl" --seed "$seed" --days "$days" \
    --events-per-year 825000 --invalid-fraction 0.0005 2>"$work/generate.err"
check "generate writes the demo's stream ($drained_events lines)" \
    test "$(wc -l < "$work/events.jsonl")" -eq "$drained_events"
python3 - "$work/events.jsonl" "$work/events.p0" "$work/events.p1" <<'PY'
import json, sys

def murmur2(data):
    # Kafka's (and librdkafka's murmur2 partitioner's) 32-bit murmur2.
    m, length = 0x5BD1E995, len(data)
    h = (0x9747B28C ^ length) & 0xFFFFFFFF
    for i in range(0, length - length % 4, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> 24
        k = (k * m) & 0xFFFFFFFF
        h = ((h * m) & 0xFFFFFFFF) ^ k
    tail = data[length - length % 4:]
    if len(tail) >= 3: h ^= tail[2] << 16
    if len(tail) >= 2: h ^= tail[1] << 8
    if len(tail) >= 1:
        h ^= tail[0]
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= h >> 15
    return h

outs = [open(sys.argv[2], "w"), open(sys.argv[3], "w")]
for line in open(sys.argv[1]):
    try:
        key = json.loads(line)["id"]
        partition = (murmur2(key.encode()) & 0x7FFFFFFF) % 2 if isinstance(key, str) else 0
    except (ValueError, KeyError, TypeError):
        partition = 0
    outs[partition].write(line)
PY
"$vigil" replay --input "$work/events.p0" --input "$work/events.p1" --signals "$work/replay.jsonl" \
    2>"$work/replay.err"
check "replay of the split stream exits 0" test $? -eq 0
LC_ALL=C sort "$work/signals.jsonl" > "$work/demo.sorted"
LC_ALL=C sort "$work/replay.jsonl" > "$work/replay.sorted"
if ! check "the demo's signals are exactly replay's" cmp -s "$work/demo.sorted" "$work/replay.sorted"; then
  echo "  only in the demo: $(comm -23 "$work/demo.sorted" "$work/replay.sorted" | wc -l)," \
       "only in replay: $(comm -13 "$work/demo.sorted" "$work/replay.sorted" | wc -l)"
fi
echo "demo_test: $(drained_count raised) raised, $(drained_count updated) updated," \
    "$(drained_count resolved) resolved; $(wc -l < "$work/signals.jsonl") signals in all"
finish
