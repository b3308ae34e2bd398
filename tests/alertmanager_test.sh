#!/usr/bin/env bash
# `vigil demo --alertmanager-url` end to end against a real Alertmanager
# (Debian's prometheus-alertmanager, started here on 127.0.0.1 with no
# cluster) — issue 5: Alertmanager is down when the demo starts, sends fail
# and are retried; once it starts, alerts arrive while the demo runs. The
# demo runs a bounded stream (thirty days: signals raised, most resolved,
# some left open), reports it drained and runs on; once the sink has
# delivered everything, SIGTERM stops it, and then Alertmanager fires
# exactly the signals the demo left open, with the right labels, and has
# received every resolved one. Every wait is for a condition, with a
# deadline that covers the sink's longest retry backoff (60 s) on a loaded
# machine. The stream is small because this test also runs in the
# sanitizer build.
# Usage: alertmanager_test.sh VIGIL_BINARY SOURCE_DIR SHARED_DIR
set -uo pipefail
source "$2/tests/test_lib.sh"
use_work_dir
# The sink's longest wait between attempts (retry_max_backoff_ms) plus one
# request's timeout (timeout_ms), with room to spare on a busy machine.
backoff_deadline=180
sends_failed() {
  scrape "$work/metrics.txt" && (($(scraped_sum "$work/metrics.txt" 'vigil_alertmanager_sends_total{result="error"}') > 0))
}
nothing_pending() {
  scrape "$work/metrics.txt" && (($(scraped_sum "$work/metrics.txt" vigil_alertmanager_queue_depth) == 0))
}
signals_printed() { test -s "$work/signals.jsonl"; }
am_has_vigil_alert() { curl -sf "$am_url/api/v2/alerts" | grep -q '"alertname":"VigilSignal"'; }
demo_running() { kill -0 "$demo_pid" 2>/dev/null; }

# The demo is given Alertmanager's address before Alertmanager runs, so the
# port is reserved (free_port) rather than picked by Alertmanager itself.
am_port=$(free_port)
am_url="http://127.0.0.1:$am_port"
printf 'route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n' > "$work/alertmanager.yml"

# 0. Unusable Alertmanager settings are configuration errors (exit 2) naming the key.
"$vigil" run --alertmanager-url ftp://127.0.0.1:9093 --state-dir "$work/state" 2> "$work/run.err"
check "run with a non-http --alertmanager-url exits 2" test $? -eq 2
check "... naming alertmanager.url" grep -q "alertmanager.url" "$work/run.err"
detectors='detectors:\n  - name: fatal\n    type: severity_rule\n'
printf "alertmanager:\n  url: http://127.0.0.1:9093\n  bearer_token_file: $work/no-such-token\n$detectors" > "$work/bad-token.yaml"
"$vigil" run --config "$work/bad-token.yaml" --state-dir "$work/state" 2> "$work/run.err"
check "run with an unreadable bearer_token_file exits 2" test $? -eq 2
check "... naming alertmanager.bearer_token_file" grep -q "alertmanager.bearer_token_file" "$work/run.err"
printf "alertmanager:\n  url: http://127.0.0.1:9093\n  basic_auth: {username: vigil, password: plain}\n$detectors" > "$work/plain.yaml"
"$vigil" run --config "$work/plain.yaml" --state-dir "$work/state" 2> "$work/run.err"
check "a plain-text password in the config is rejected (2)" test $? -eq 2
check "... naming alertmanager.basic_auth.password" grep -q "alertmanager.basic_auth.password" "$work/run.err"
"$vigil" demo --seconds 1 --metrics-port 0 --alertmanager-url 127.0.0.1:9093 > /dev/null 2> "$work/demo.err"
check "demo with a URL without scheme exits 2" test $? -eq 2

# 1. Alertmanager down: the pipeline runs on, sends fail and are counted.
start_demo "$work/signals.jsonl" "$work/demo.err" --days 30 --seconds 3600 --json --alertmanager-url "$am_url"
check "demo reports its metrics address" test -n "$metrics_port"
check "demo prints signals while Alertmanager is down" poll 300 signals_printed
check "failed sends are counted" poll 300 sends_failed
check "/metrics with the alertmanager series passes promtool" bash -c "promtool check metrics < '$work/metrics.txt'"
for m in 'vigil_alertmanager_sends_total{result="success"}' 'vigil_alertmanager_sends_total{result="rejected"}' \
         'vigil_alertmanager_alerts_sent_total{state="firing"}' 'vigil_alertmanager_alerts_sent_total{state="resolved"}' \
         'vigil_alertmanager_alerts_dropped_total{reason="queue_full"}' vigil_alertmanager_queue_depth \
         vigil_alertmanager_open_alerts vigil_alertmanager_send_seconds_count; do
  check "metric $m present" test "$(scraped "$work/metrics.txt" "$m")" != -1
done

# 2. Alertmanager starts: the retries reach it while the demo still runs
# (it runs on after draining until it is stopped).
prometheus-alertmanager --config.file="$work/alertmanager.yml" --storage.path="$work/am-data" \
    --web.listen-address="127.0.0.1:$am_port" --cluster.listen-address= --log.level=warn \
    2> "$work/alertmanager.log" &
am_pid=$!
if ! check "alertmanager starts" poll 120 curl -sf "$am_url/-/ready" -o /dev/null; then
  tail -n 5 "$work/alertmanager.log"
fi
check "alerts arrive after Alertmanager starts" poll "$backoff_deadline" am_has_vigil_alert
check "... while the demo still runs" demo_running
check "the stream drains (within 7 minutes)" demo_drained 420
check "the sink delivers every alert state once Alertmanager is up" poll "$backoff_deadline" nothing_pending
check "sends succeed once it is up" \
    test "$(scraped_sum "$work/metrics.txt" 'vigil_alertmanager_sends_total{result="success"}')" -gt 0

kill -TERM "$demo_pid"
wait_exit "$demo_pid" 120
check "demo exits 0 on SIGTERM" test $? -eq 0
check "Alertmanager still runs" kill -0 "$am_pid"

# 3. What Alertmanager holds matches what the demo printed.
curl -sf "$am_url/api/v2/alerts" > "$work/active.json"
curl -sf "$am_url/metrics" > "$work/am-metrics.txt"
python3 - "$work/signals.jsonl" "$work/active.json" "$work/am-metrics.txt" <<'PY'
import json, re, sys
rank = {"low": 0, "medium": 1, "high": 2, "critical": 3}
last, severity, first = {}, {}, {}
for line in open(sys.argv[1]):
    event = json.loads(line)
    data = event["data"]
    sid = data["signal_id"]
    kind = event["type"].rsplit(".", 1)[1]
    last[sid] = kind
    first.setdefault(sid, data)
    if kind != "resolved":
        severity[sid] = max(severity.get(sid, data["severity"]), data["severity"], key=rank.get)
open_ids = {s for s, kind in last.items() if kind != "resolved"}
resolved_ids = {s for s, kind in last.items() if kind == "resolved"}
active = {a["labels"]["signal_id"]: a for a in json.load(open(sys.argv[2]))
          if a["labels"].get("alertname") == "VigilSignal"}
problems = []
if not open_ids or not resolved_ids:
    problems.append(f"the demo should leave signals open and resolve others: {len(open_ids)} open, {len(resolved_ids)} resolved")
missing, extra = open_ids - set(active), set(active) - open_ids
if missing: problems.append(f"{len(missing)} open signals not firing in Alertmanager, e.g. {sorted(missing)[:3]}")
if extra: problems.append(f"{len(extra)} alerts firing that the demo did not leave open, e.g. {sorted(extra)[:3]}")
for sid in sorted(open_ids & set(active)):
    alert, data = active[sid], first[sid]
    want = {"alertname": "VigilSignal", "signal_id": sid, "detector": data["detector"],
            "method": data["method"], "severity": severity[sid], "pipeline": "national", **data["key"]}
    if alert["labels"] != want:
        problems.append(f"labels of {sid}: {alert['labels']} != {want}")
        break
    if alert["status"]["state"] != "active" or not alert["annotations"].get("summary"):
        problems.append(f"{sid} not active or without a summary: {alert}")
        break
received = re.search(r'^alertmanager_alerts_received_total\{status="resolved",version="v2"\} (\S+)$',
                     open(sys.argv[3]).read(), re.M)
if received is None or float(received.group(1)) < len(resolved_ids):
    problems.append(f"Alertmanager received {received and received.group(1)} resolved alerts, want at least {len(resolved_ids)}")
for p in problems: print("  " + p)
print(f"alertmanager_test: {len(open_ids)} open signals firing, {len(resolved_ids)} resolved")
sys.exit(1 if problems else 0)
PY
check "Alertmanager fires exactly the open signals, with their labels, and got every resolved one" test $? -eq 0
finish
