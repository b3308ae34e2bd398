#!/usr/bin/env bash
# Throughput of `vigil run` on a real Kafka broker (tools/kafka-broker.sh),
# exactly-once against at-least-once: the events are produced first, then
# each mode consumes all of them from the beginning (its own group, topics
# and state) with the national default configuration; prints events/s from
# start to drained (lag 0 on every partition) and peak resident memory.
#   tools/kafka_throughput.sh [VIGIL] [EVENTS]   (defaults build/vigil, 500000)
set -euo pipefail
cd "$(dirname "$0")/.."
vigil=$(realpath "${1:-build/vigil}")
events=${2:-500000}
src=$PWD
work=$(mktemp -d)
trap 'bash tools/kafka-broker.sh clean "$work/broker" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

"$vigil" generate --output "$work/events.jsonl" --events "$events" --seed 5 --days 730 \
    --events-per-year 3300000 2>/dev/null
bootstrap=$(bash tools/kafka-broker.sh start "$work/broker" --partitions 1 --owner $$ 2>/dev/null)
kcat -P -b "$bootstrap" -t vigil.events -X enable.idempotence=true -l "$work/events.jsonl"
echo "broker $bootstrap: $events events ($(du -m "$work/events.jsonl" | cut -f1) MB) produced"

source tests/kafka_test_lib.sh  # free_port
# The sum of a metric's samples, or -1 while it has none (lag is published
# only after the first commit).
metric_or_absent() {
  curl -fsS "http://127.0.0.1:$1/metrics" |
    awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $2; found = 1 } END { if (found) printf "%.0f\n", s; else print -1 }'
}

for guarantee in exactly_once at_least_once; do
  p=$(free_port)
  started=$(date +%s.%N)
  "$vigil" run --bootstrap-servers "$bootstrap" --guarantee "$guarantee" --group-id "$guarantee" \
      --group-instance-id bench --signals-topic "$guarantee.signals" \
      --dead-letter-topic "$guarantee.dlq" --state-dir "$work/$guarantee.state" \
      --metrics-port "$p" >"$work/$guarantee.log" 2>&1 &
  pid=$!
  until curl -fsS -o /dev/null "http://127.0.0.1:$p/readyz" 2>/dev/null &&
      [ "$(metric_or_absent "$p" vigil_events_consumed_total)" -ge "$events" ] &&
      [ "$(metric_or_absent "$p" vigil_consumer_lag)" -eq 0 ]; do
    kill -0 "$pid" 2>/dev/null || { tail -n 5 "$work/$guarantee.log" >&2; exit 1; }
    sleep 0.1
  done
  finished=$(date +%s.%N)
  peak_kb=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
  signals=$(metric_or_absent "$p" vigil_signals_total)
  kill -TERM "$pid"
  wait "$pid"
  awk -v g="$guarantee" -v n="$events" -v s="$started" -v f="$finished" -v kb="$peak_kb" -v sig="$signals" \
      'BEGIN { printf "%-14s %9.0f events/s  (%d events in %.1f s, %d signals, peak RSS %.0f MiB)\n", g, n / (f - s), n, f - s, sig, kb / 1024 }'
done
