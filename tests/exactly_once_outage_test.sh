#!/usr/bin/env bash
# Exactly-once on a real Kafka broker through an outage: the broker is
# stopped for 30 s while `vigil run` is working through a fetched backlog
# and more events are still arriving, then started again. Vigil must ride it
# out without exiting; the transaction it opened while the broker was away
# must have been aborted and its batch redone (at least one); a
# read_committed reader must find exactly the signals `vigil replay` gives
# for the same events; its metrics must show consumed = processed +
# duplicates + dead-lettered.
# Usage: exactly_once_outage_test.sh VIGIL SRC_DIR SHARED_DIR
set -euo pipefail
vigil=$1 src=$2
work=$(mktemp -d)
source "$src/tests/kafka_test_lib.sh"
at_exit stop_everything

outage=${VIGIL_OUTAGE_SECONDS:-30}
"$vigil" generate --output "$work/events.jsonl" --events 200000 --seed 23 --days 730 \
    --events-per-year 100000 --invalid-fraction 0.01 2>/dev/null
write_config "$work/config.yaml"
# The group membership (45 s session) and the transaction (60 s) outlive
# the outage, as with production settings, but records in flight time out
# after 12 s: the transaction open when the broker went away must be
# aborted and its batch redone from the stored state.
python3 - "$work/config.yaml" <<'EOF'
import sys, yaml
config = yaml.safe_load(open(sys.argv[1]))
for k in ("session.timeout.ms", "heartbeat.interval.ms", "transaction.timeout.ms"):
    del config["kafka"]["properties"][k]
yaml.safe_dump(config, open(sys.argv[1], "w"))
EOF
expect_replay_output "$work/events.jsonl"

start_broker 1
# Most events are in the topic before vigil starts, so that it has fetched
# far ahead of what it has processed (the consumer prefetches up to 64 MB).
# Test-only fault injection freezes it (SIGSTOP) right after its 10th
# transaction commits: nothing is in flight then. The broker is stopped
# while it is frozen and it is resumed once the broker is gone, so whatever
# the machine's speed it meets the outage with that fetched backlog: it
# goes on processing it, and the transaction carrying the output cannot be
# delivered (records time out after 12 s). The rest of the events arrive
# paced, beside the outage; the producer's own records wait in its queue
# through it.
head -n 120000 "$work/events.jsonl" >"$work/events.head"
tail -n +120001 "$work/events.jsonl" >"$work/events.tail"
kcat -P -b "$bootstrap" -t vigil.events -X enable.idempotence=true -l "$work/events.head" ||
    fail "producing the first events failed"
produce_paced "$work/events.tail" 16 1 &
producer=$!
VIGIL_FAULT=stop-after-kafka-commit:10 start_vigil eos
# stopped PID: the process is stopped (state T in /proc/PID/stat, after the
# parenthesised command name). No HTTP request meanwhile: it would hang.
stopped() { [[ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null)" == T* ]]; }
frozen() { alive eos && stopped "$eos_pid"; }
poll 300 frozen || fail "vigil did not reach its 10th transaction commit within 300 s (see $work/eos.log)"
grep -q "VIGIL_FAULT: stopping (SIGSTOP) this process after Kafka transaction commit 10" "$work/eos.log" ||
    fail "vigil stopped, but not at the injected fault (see $work/eos.log)"

log "vigil frozen after its 10th commit; stopping the broker for $outage s"
bash "$src/tools/kafka-broker.sh" stop "$work/broker"
kill -CONT "$eos_pid"
sleep "$outage"
alive eos
consumed_in_outage=$(metric "$eos_port" vigil_events_consumed_total)
bash "$src/tools/kafka-broker.sh" restart "$work/broker" >/dev/null
log "broker back; vigil had consumed $consumed_in_outage events by the end of the outage"

wait_drained "$producer" eos
check_counts "$eos_port"
aborted=$(metric "$eos_port" 'vigil_commit_failures_total{stage="transaction"}')
stop_vigil eos

compare_signals vigil.signals vigil.events.dlq
# Records time out after 12 s (message.timeout.ms), well inside the outage:
# the transaction with the backlog's output must have been aborted (or its
# producer replaced) and the batch redone from the stored state.
((aborted >= 1)) || fail "no transaction was aborted and redone: vigil had no fetched backlog when it resumed during the outage"
echo "PASS: a ${outage} s broker outage lost and doubled nothing (transactions aborted and redone: $aborted)"
