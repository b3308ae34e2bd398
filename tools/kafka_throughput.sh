#!/usr/bin/env bash
# Throughput of `vigil run` on a real Kafka broker (tools/kafka-broker.sh),
# exactly-once against at-least-once: the events are produced first (keyed
# by report id), then each mode consumes all of them from the beginning (its
# own group, topics and state, its output topics created before it starts,
# as a deployment's are) with the national default configuration;
# prints events/s from start to drained (every event consumed, every
# accepted one merged from the repartition topic, lag 0 on every partition)
# and peak resident memory. With one events partition it also runs
# exactly-once without the repartition topic, which is what the merge stage
# costs.
#   tools/kafka_throughput.sh [VIGIL] [EVENTS] [PARTITIONS]
#   (defaults build/vigil, 500000, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
vigil=$(realpath "${1:-build/vigil}")
events=${2:-500000}
partitions=${3:-3}
src=$PWD
work=$(mktemp -d)
trap 'bash tools/kafka-broker.sh clean "$work/broker" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

source tests/kafka_test_lib.sh  # free_port, key_by_report_id, create_topics
"$vigil" generate --output "$work/events.jsonl" --events "$events" --seed 5 --days 730 \
    --events-per-year 3300000 2>/dev/null
key_by_report_id "$work/events.jsonl" "$work/events.keyed"
bootstrap=$(bash tools/kafka-broker.sh start "$work/broker" --partitions "$partitions" --owner $$ 2>/dev/null)
kcat -P -b "$bootstrap" -t vigil.events -K $'\t' -X partitioner=murmur2_random \
    -X enable.idempotence=true -l "$work/events.keyed"
echo "broker $bootstrap: $events events ($(du -m "$work/events.jsonl" | cut -f1) MB) produced" \
    "to $partitions partitions (repartition topics get as many)"

# The sum of a metric's samples, or -1 while it has none (lag is published
# only after the first commit).
metric_or_absent() {
  curl -fsS "http://127.0.0.1:$1/metrics" |
    awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $2; found = 1 } END { if (found) printf "%.0f\n", s; else print -1 }'
}

modes=(exactly_once at_least_once)
((partitions == 1)) && modes+=(exactly_once/direct)
for mode in "${modes[@]}"; do
  name=${mode//\//-}
  repartition=$name.repartition
  [[ "$mode" == */direct ]] && repartition=""
  create_topics "$name.signals" "$name.dlq" ${repartition:+"$repartition"}
  p=$(free_port)
  started=$(date +%s.%N)
  "$vigil" run --bootstrap-servers "$bootstrap" --guarantee "${mode%/*}" --group-id "$name" \
      --group-instance-id bench --signals-topic "$name.signals" \
      --dead-letter-topic "$name.dlq" --repartition-topic "$repartition" \
      --state-dir "$work/$name.state" --metrics-port "$p" >"$work/$name.log" 2>&1 &
  pid=$!
  # Merge partitions that run detectors each get every accepted event.
  targets=1
  drained() {
    curl -fsS -o /dev/null "http://127.0.0.1:$p/readyz" 2>/dev/null || return 1
    [ "$(metric_or_absent "$p" vigil_events_consumed_total)" -ge "$events" ] || return 1
    [ "$(metric_or_absent "$p" vigil_consumer_lag)" -eq 0 ] || return 1
    [ -z "$repartition" ] && return 0
    targets=$(sed -n 's/.*topology: .*(\([0-9]*\) run detectors).*/\1/p' "$work/$name.log")
    [ "$(metric_or_absent "$p" vigil_repartition_records_total)" -ge \
        $(($(metric_or_absent "$p" vigil_events_processed_total) * targets)) ]
  }
  until drained; do
    kill -0 "$pid" 2>/dev/null || { tail -n 5 "$work/$name.log" >&2; exit 1; }
    sleep 0.1
  done
  finished=$(date +%s.%N)
  peak_kb=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
  # CPU seconds (user + system) of the vigil process, all threads: on a
  # shared machine a steadier measure than the wall clock.
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.1f", ($12 + $13) / hz }' "/proc/$pid/stat")
  signals=$(metric_or_absent "$p" vigil_signals_total)
  kill -TERM "$pid"
  wait "$pid"
  awk -v g="$mode" -v n="$events" -v s="$started" -v f="$finished" -v kb="$peak_kb" -v sig="$signals" -v cpu="$cpu" \
      'BEGIN { printf "%-20s %9.0f events/s  (%d events in %.1f s, %.1f s CPU, %d signals, peak RSS %.0f MiB)\n", g, n / (f - s), n, f - s, cpu, sig, kb / 1024 }'
done
