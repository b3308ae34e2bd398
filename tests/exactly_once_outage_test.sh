#!/usr/bin/env bash
# Exactly-once on a real Kafka broker through an outage: the broker is
# stopped for 30 s while `vigil run` is consuming and the events are still
# arriving, then started again. Vigil must ride it out without exiting, and
# a read_committed reader must find exactly the signals `vigil replay` gives
# for the same events; its metrics must show consumed = processed +
# duplicates + dead-lettered.
# Usage: exactly_once_outage_test.sh VIGIL SRC_DIR SHARED_DIR
set -euo pipefail
vigil=$1 src=$2
work=$(mktemp -d)
trap 'stop_everything' EXIT
source "$src/tests/kafka_test_lib.sh"

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
# The producer's own records wait in its queue through the outage.
produce_paced "$work/events.jsonl" 20 1 &
producer=$!
start_vigil eos
until is_ready "$eos_port"; do sleep 0.1; done
until (($(metric "$eos_port" vigil_events_consumed_total) > 30000)); do sleep 0.2; done

log "stopping the broker for $outage s"
bash "$src/tools/kafka-broker.sh" stop "$work/broker"
consumed_at_stop=$(metric "$eos_port" vigil_events_consumed_total)
sleep "$outage"
kill -0 "$eos_pid" 2>/dev/null || fail "vigil exited during the outage (see $work/eos.log)"
bash "$src/tools/kafka-broker.sh" restart "$work/broker" >/dev/null
log "broker back; vigil had consumed $consumed_at_stop events when it stopped"

wait_drained "$producer" eos
check_counts "$eos_port"
aborted=$(curl -fsS "http://127.0.0.1:$eos_port/metrics" | awk '/^vigil_commit_failures_total\{stage="transaction"\}/ { print $2 }')
stop_vigil eos

compare_signals vigil.signals vigil.events.dlq
echo "PASS: a ${outage} s broker outage lost and doubled nothing (transactions aborted and redone: ${aborted:-0})"
