#!/usr/bin/env bash
# `vigil demo --seconds 30 --json --metrics-port P` prints raised signals as
# signal v1 JSON and serves /metrics that promtool accepts (issue 2, done-when).
# Usage: demo_test.sh VIGIL_BINARY SOURCE_DIR SHARED_DIR
set -uo pipefail
vigil=$1
source_dir=$2
work=$(mktemp -d)
trap 'kill $demo_pid 2>/dev/null; rm -rf "$work"' EXIT
failures=0
passes=0
check() {
  local name=$1; shift
  if "$@"; then passes=$((passes + 1)); else echo "FAIL: $name"; failures=$((failures + 1)); fi
}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

"$vigil" demo --seconds 30 --json --metrics-port "$port" > "$work/signals.jsonl" 2> "$work/demo.err" &
demo_pid=$!

# Scrape while it runs: health, readiness and the metrics text format.
ready=0
for _ in $(seq 1 100); do
  if curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.2
done
check "/readyz becomes ready" test $ready -eq 1
check "/healthz answers" curl -sf "http://127.0.0.1:$port/healthz" -o /dev/null
sleep 20
curl -sf "http://127.0.0.1:$port/metrics" > "$work/metrics.txt"
check "/metrics answers" test -s "$work/metrics.txt"
check "promtool check metrics passes" bash -c "promtool check metrics < '$work/metrics.txt'"
for m in events_consumed_total events_processed_total events_duplicate_total events_dead_lettered_total \
         events_late_total signals_total consumer_lag event_processing_seconds commit_seconds \
         state_bytes build_info; do
  check "metric vigil_$m present" grep -q "^vigil_$m" "$work/metrics.txt"
done

wait $demo_pid
check "demo exits 0" test $? -eq 0
raised=$(grep -c '"type":"vigil.signal.raised"' "$work/signals.jsonl")
check "demo printed raised signals" test "$raised" -gt 0
# Debian's python3-jsonschema serves /usr/bin/python3; another python3 may
# come first on PATH.
python=python3
"$python" -c 'import jsonschema' 2>/dev/null || python=/usr/bin/python3
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
check "demo prints a summary" grep -q "vigil demo: produced" "$work/demo.err"
echo "demo_test: raised $raised; $(wc -l < "$work/signals.jsonl") signals in all"
echo "demo_test: $passes passed, $failures failed"
test "$failures" -eq 0
