#!/usr/bin/env bash
# Scale-out on a real Kafka broker: three exactly-once instances share one
# consumer group over a six-partition events topic (keyed by report id) and
# a six-partition repartition topic; mid-stream one is killed for good and,
# once the other two have taken over its partitions (restoring them), a
# fourth joins, so partitions of both topics move twice and their new owners
# restore state by re-processing the retained input with output dropped.
# The union of the group's committed signals must equal what a single
# instance, alone in another group, commits for the same events, and both
# must equal `vigil replay` over the topic's six partitions (the national
# detectors see every partition's events, merged deterministically); so
# must the dead letters.
# Usage: exactly_once_scale_test.sh VIGIL SRC_DIR SHARED_DIR
set -euo pipefail
vigil=$1 src=$2
work=$(mktemp -d)
echo "work dir $work" >&2
source "$src/tests/kafka_test_lib.sh"
at_exit stop_everything

"$vigil" generate --output "$work/events.jsonl" --events 200000 --seed 31 --days 730 \
    --events-per-year 100000 --invalid-fraction 0.01 2>/dev/null
key_by_report_id "$work/events.jsonl" "$work/events.keyed"
write_config "$work/config.yaml"
start_broker 6

single=(--group-id single --signals-topic single.signals --dead-letter-topic single.dlq
        --repartition-topic single.repartition)
scaled=(--group-id scaled --signals-topic scaled.signals --dead-letter-topic scaled.dlq
        --repartition-topic scaled.repartition)
produce_paced "$work/events.keyed" 40 1 &
producer=$!
start_vigil one "${single[@]}"
start_vigil s1 "${scaled[@]}"
start_vigil s2 "${scaled[@]}"
start_vigil s3 "${scaled[@]}"
wait_metric_above s2 vigil_events_consumed_total 5000
restores_before=$(cat "$work"/s[13].log | grep -c "restoring state from offset" || true)
kill -KILL "$s2_pid"
wait "$s2_pid" 2>/dev/null || true
log "s2 killed for good; its partitions move once the group notices (session timeout 6 s)"
# s2's partitions moved to s1 and s3 once they logged new restores (s2 had
# committed offsets there; they have no state for them) and are ready again
# (restored). The deadline is far beyond the session timeout.
taken_over() {
  alive s1 && alive s3
  (($(cat "$work"/s[13].log | grep -c "restoring state from offset" || true) > restores_before)) &&
      is_ready "$s1_port" && is_ready "$s3_port"
}
poll 300 taken_over || fail "s1 and s3 did not take over and restore s2's partitions within 300 s"
log "s1 and s3 restored s2's partitions"
start_vigil s4 "${scaled[@]}"
log "s4 joined"

wait_drained "$producer" one s1 s3 s4
for name in one s1 s3 s4; do
  port_var="${name}_port"
  check_counts "${!port_var}"
done
for name in one s1 s3 s4; do stop_vigil "$name"; done

expect_topic_replay_output 6 200
compare_signals single.signals single.dlq
compare_signals scaled.signals scaled.dlq
cat "$work"/s[134].log | grep -E "topology:|restoring state from offset|state restored up to" >&2 || true
input_restores=$(cat "$work"/s[134].log | grep -c "vigil.events\[[0-9]*\]: restoring state from offset" || true)
merge_restores=$(cat "$work"/s[134].log | grep -c "repartition\[[0-9]*\]: restoring state from offset" || true)
((input_restores > 0)) || fail "no events partition moved to an instance that had to restore it"
((merge_restores > 0)) || fail "no repartition partition moved to an instance that had to restore it"
echo "PASS: the union of the group's signals equals the single instance's and replay's" \
    "($input_restores events and $merge_restores repartition partition restores)"
