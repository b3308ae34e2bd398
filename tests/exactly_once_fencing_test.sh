#!/usr/bin/env bash
# Fencing on a real Kafka broker: a second instance started with the same
# transactional.id (a zombie's replacement) fences the first, which must stop
# with exit 1 and a message naming the fatal error instead of going on with
# state it can no longer commit; the second carries on, and what the group
# commits is still exactly `vigil replay`'s signals. Then a member joining
# with the second's group.instance.id fences its consumer (as librdkafka
# 2.0.2's own rejoin can after a broker restart): the second replaces its
# consumer, takes the member back and still loses and doubles nothing. An
# instance whose local state is ahead of the group's committed offsets
# refuses to start.
# Usage: exactly_once_fencing_test.sh VIGIL SRC_DIR SHARED_DIR
set -euo pipefail
vigil=$1 src=$2
work=$(mktemp -d)
source "$src/tests/kafka_test_lib.sh"
at_exit stop_everything

"$vigil" generate --output "$work/events.jsonl" --events 100000 --seed 41 --days 730 \
    --events-per-year 50000 --invalid-fraction 0.01 2>/dev/null
write_config "$work/config.yaml"
expect_replay_output "$work/events.jsonl" 200
start_broker 1
# The last 30,000 events arrive after the second instance's consumer was fenced.
head -n 70000 "$work/events.jsonl" >"$work/events.head"
tail -n +70001 "$work/events.jsonl" >"$work/events.tail"
produce_paced "$work/events.head" 14 1 &
producer=$!

start_vigil first --transactional-id shared-id
wait_metric_above first vigil_events_consumed_total 10000
# A different state directory and member, the same transactional.id: as if
# the first were a zombie whose replacement came up elsewhere.
start_vigil second --transactional-id shared-id
deadline=$((SECONDS + 120))
while kill -0 "$first_pid" 2>/dev/null; do
  ((SECONDS < deadline)) || fail "the fenced instance was still running after 120 s"
  sleep 0.2
done
status=0
wait "$first_pid" || status=$?
((status == 1)) || fail "the fenced instance exited with $status, not 1"
grep -qi "fenced" "$work/first.log" || fail "the fenced instance did not say it was fenced (see $work/first.log)"
log "first instance fenced: $(grep -i fenced "$work/first.log" | grep -v '^%' | tail -n 1 | cut -c1-200)"

wait "$producer" || fail "producing the events failed"
# The impostor: a kcat consumer with the second's group.instance.id, which
# commits nothing. Its join fences the second's consumer; the second's new
# consumer fences it in turn.
kcat -b "$bootstrap" -G vigil -X group.instance.id=second -X enable.auto.commit=false \
    -X partition.assignment.strategy=range -q vigil.events vigil.repartition >/dev/null 2>"$work/impostor.log" &
impostor=$!
replaced() { (($(metric "$second_port" vigil_kafka_consumers_replaced_total) >= 1)); }
poll 120 replaced || { grep -v "^%" "$work/second.log" | tail -n 20 >&2; tail -n 5 "$work/impostor.log" >&2; fail "the second instance did not replace its fenced consumer within 120 s (see $work/second.log)"; }
alive second
kill "$impostor" 2>/dev/null || true
wait "$impostor" 2>/dev/null || true
log "second instance: $(grep -v '^%' "$work/second.log" | grep 'consumer fenced' | tail -n 1 | cut -c1-200)"
produce_paced "$work/events.tail" 6 1 &
producer=$!
wait_drained "$producer" second
check_counts "$second_port"
(($(metric "$second_port" vigil_kafka_consumers_replaced_total) == 1)) ||
    fail "the second instance replaced its consumer more than once (see $work/second.log)"
stop_vigil second
compare_signals vigil.signals vigil.events.dlq

# The fenced instance's state may be anywhere up to the group's offsets;
# moved to a new group it is ahead of that group's (nothing committed) and
# must refuse to run rather than skip events.
status=0
timeout 60 "$vigil" run --config "$work/config.yaml" --bootstrap-servers "$bootstrap" \
    --state-dir "$work/second.state" --metrics-port "$(free_port)" --group-id other-group \
    --group-instance-id late >"$work/ahead.log" 2>&1 || status=$?
((status == 1)) || fail "an instance with state ahead of its group exited with $status, not 1"
grep -q "cannot vouch" "$work/ahead.log" || fail "no clear error for state ahead of the group (see $work/ahead.log)"
echo "PASS: fenced instance stopped (exit 1); fenced consumer replaced; state ahead of the group refused"
