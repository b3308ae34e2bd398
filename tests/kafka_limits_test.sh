#!/usr/bin/env bash
# Issue 15 (items 1 and 3) on a real Kafka broker:
#  1. A 1 MiB message (the contract's limit) and a larger one (too_large),
#     both invalid, are dead-lettered by `vigil run` in exactly-once and in
#     at-least-once mode, as truncated copies (the dead-letter topic keeps
#     Kafka's default max.message.bytes, 1 MiB + 12 bytes) carrying the
#     original's length and SHA-256 in headers. Before the fix the producer
#     refused them (librdkafka's 1,000,000-byte default): exactly-once
#     aborted and redid the batch for ever, at-least-once exited. The wait
#     ends on deterministic conditions: the dead letters appear (pass), the
#     process exits or a transaction is aborted (fail).
#  2. SIGTERM while a commit is retrying through a broker outage: the
#     process exits with status 0 (stopped; the uncommitted batch is redone
#     after the restart) rather than waiting for SIGKILL. The bound (60 s,
#     the chart's termination grace) only fails a real hang: the stop takes
#     at most 20 s of retries plus one 10 s transaction call and closing.
# Usage: kafka_limits_test.sh VIGIL SRC_DIR SHARED_DIR
set -euo pipefail
vigil=$1 src=$2
work=$(mktemp -d)
source "$src/tests/kafka_test_lib.sh"
at_exit stop_everything

write_config "$work/config.yaml"
start_broker 1

# big FILE SIZE: SIZE bytes that are not JSON and barely compressible in
# their first 900 KiB (random, base64) and compressible after (so the
# events topic, at the broker's default limit, takes them compressed).
big() {
  python3 - "$1" "$2" <<'EOF'
import base64, os, sys
size = int(sys.argv[2])
head = base64.b64encode(os.urandom(900 * 1024 * 3 // 4))
open(sys.argv[1], "wb").write((b"!" + head + b"x" * size)[:size])
EOF
}
big "$work/big1" 1048576    # exactly 1 MiB: not_json
big "$work/big2" 1200000    # over 1 MiB: too_large
"$vigil" generate --output "$work/events.jsonl" --events 30000 --seed 5 --days 200 \
    --events-per-year 50000 2>/dev/null
head -n 20 "$work/events.jsonl" >"$work/few.jsonl"
produce_file() {  # produce_file KEY FILE: one message, the whole file
  kcat -P -b "$bootstrap" -t vigil.events -k "$1" -z lz4 -X message.max.bytes=2000000 "$2" ||
      fail "producing $2 failed"
}
kcat -P -b "$bootstrap" -t vigil.events -l "$work/few.jsonl" || fail "producing events failed"
produce_file big-1 "$work/big1"
produce_file big-2 "$work/big2"
kcat -P -b "$bootstrap" -t vigil.events -l "$work/few.jsonl" || fail "producing events failed"

# dead_letters TOPIC: key, original length, original sha256, value length, reason per record.
dead_letters() {
  kcat -C -b "$bootstrap" -t "$1" -X isolation.level=read_committed -o beginning -e -q \
      -f '%k\t%h\t%S\n' 2>/dev/null | python3 -c '
import sys
for line in sys.stdin:
    key, headers, size = line.split("\t")
    h = dict(kv.split("=", 1) for kv in headers.split(",") if kv.startswith("vigil.") and "=" in kv)
    print(key, h.get("vigil.original.length", "-"), h.get("vigil.original.sha256", "-"), size.strip(),
          h["vigil.error.reason"])'
}
# dead_lettered NAME TOPIC: both big messages are on TOPIC; fails if NAME
# exited or retried a batch.
dead_lettered() {
  alive "$1"
  ! grep -q "aborting the transaction\|batch failed" "$work/$1.log" ||
      fail "$1 is retrying a batch (see $work/$1.log)"
  (($(dead_letters "$2" | grep -c '^big-') == 2))
}
expect_truncated() {  # expect_truncated TOPIC KEY FILE REASON
  local line
  line=$(dead_letters "$1" | grep "^$2 ")
  read -r _ length sha size reason <<<"$line"
  log "$1: $line"
  [ "$length" = "$(stat -c %s "$3")" ] || fail "$1 $2: vigil.original.length $length"
  [ "$sha" = "$(sha256sum "$3" | cut -d' ' -f1)" ] || fail "$1 $2: vigil.original.sha256 $sha"
  [ "$reason" = "$4" ] || fail "$1 $2: reason $reason, not $4"
  ((size > 1000000 && size < 1048576)) || fail "$1 $2: truncated copy of $size bytes"
  kcat -C -b "$bootstrap" -t "$1" -X isolation.level=read_committed -o beginning -e -q -f '%k\t%s\n' \
      2>/dev/null | grep -a "^$2"$'\t' | cut -f2- | head -c "$size" >"$work/copy"
  cmp -s "$work/copy" <(head -c "$size" "$3") || fail "$1 $2: the copy is not the original's first $size bytes"
}

start_vigil eos
start_vigil alo --guarantee at_least_once --group-id alo --dead-letter-topic alo.dlq \
    --signals-topic alo.signals --repartition-topic alo.repartition
poll 300 dead_lettered eos vigil.events.dlq || fail "exactly-once: no dead letters within 300 s"
poll 300 dead_lettered alo alo.dlq || fail "at-least-once: no dead letters within 300 s"
for topic in vigil.events.dlq alo.dlq; do
  expect_truncated "$topic" big-1 "$work/big1" not_json
  expect_truncated "$topic" big-2 "$work/big2" too_large
done
[ "$(metric "$eos_port" vigil_dead_letters_truncated_total)" = 2 ] || fail "eos: truncations not counted"
stop_vigil eos
stop_vigil alo
log "1 MiB and larger messages dead-lettered as truncated copies in both modes; both stopped with 0"

# 2. A fresh group reads the stream, frozen (test-only fault injection)
# after its first transaction with a fetched backlog; the broker is stopped,
# it resumes, its next commit retries; then SIGTERM.
kcat -P -b "$bootstrap" -t vigil.events -l "$work/events.jsonl" || fail "producing events failed"
VIGIL_FAULT=stop-after-kafka-commit:1 start_vigil stop --group-id stop --dead-letter-topic stop.dlq \
    --signals-topic stop.signals --repartition-topic stop.repartition
stopped() { [[ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null)" == T* ]]; }
frozen() { alive stop && stopped "$stop_pid"; }
poll 300 frozen || fail "vigil did not reach its first transaction commit within 300 s"
bash "$src/tools/kafka-broker.sh" stop "$work/broker"
kill -CONT "$stop_pid"
retrying() { alive stop && grep -q "retrying\|aborting the transaction" "$work/stop.log"; }
poll 300 retrying || fail "vigil did not retry a commit during the outage (see $work/stop.log)"
log "vigil is retrying a commit with the broker down; SIGTERM"
kill -TERM "$stop_pid"
started=$SECONDS
status=0
wait_exit "$stop_pid" 60 || status=$?
((status != 124)) || fail "still running 60 s after SIGTERM during the outage (see $work/stop.log)"
((status == 0)) || fail "exited with $status after SIGTERM during the outage (see $work/stop.log)"
echo "PASS: oversized messages dead-lettered; SIGTERM during an outage ended the process in $((SECONDS - started)) s with status 0"
