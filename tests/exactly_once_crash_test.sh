#!/usr/bin/env bash
# Exactly-once on a real Kafka broker under crashes: while 200,000 events
# (1% invalid) are produced to a three-partition events topic, `vigil run`
# is killed with SIGKILL 20 times and restarted each time. Both stages run
# in it: the input partitions, and the merge partitions whose held records
# must survive every kill. The kills cycle through four kinds:
#   1. right after a Kafka transaction commits and before the state write
#      (VIGIL_FAULT=exit-after-kafka-commit:N, test-only fault injection):
#      the next incarnation must restore that batch from the topics;
#   2. in the middle of that restore (VIGIL_FAULT=exit-during-restore:1);
#   3. at a random moment after it is ready (consuming, committing);
#   4. at a random moment from start-up on (opening state, joining,
#      restoring).
# Kinds 1 and 2 land where they are meant to every time; the random moments
# come from $RANDOM seeded by VIGIL_TEST_SEED (printed; a fresh seed when
# unset). A read_committed reader must then find exactly the signals
# `vigil replay` gives for the topic's partitions, and every invalid event
# dead-lettered once; every injected fault must have fired and been followed
# by restores. Prints each restart's time to ready.
# Usage: exactly_once_crash_test.sh VIGIL SRC_DIR SHARED_DIR
set -euo pipefail
vigil=$1 src=$2
work=$(mktemp -d); echo "work dir $work" >&2
source "$src/tests/kafka_test_lib.sh"
at_exit stop_everything
seed_random

kills=${VIGIL_CRASH_KILLS:-20}
"$vigil" generate --output "$work/events.jsonl" --events 200000 --seed 11 --days 730 \
    --events-per-year 100000 --invalid-fraction 0.01 2>/dev/null
key_by_report_id "$work/events.jsonl" "$work/events.keyed"
write_config "$work/config.yaml"

start_broker 3
# The events are produced in order, one chunk per incarnation (~9,500
# events: several transactions' worth, as commit.max_events is 2000), each
# chunk finished before the next begins. A kill of kind 1 gets its chunk
# before it starts, so that its Nth commit (N = 1 or 2) is sure to come;
# the others get theirs while they run. The last 10,000 events wait for the
# final incarnation, so its metrics have something to account for.
head -n 190000 "$work/events.keyed" >"$work/events.head"
tail -n +190001 "$work/events.keyed" >"$work/events.tail"
split -n "l/$kills" -d -a 3 "$work/events.head" "$work/kill-chunk."
producer=""
# wait_producer: waits for the chunk being produced in the background, if any.
wait_producer() {
  if [ -n "$producer" ]; then wait "$producer" || fail "producing a chunk of events failed"; fi
  producer=""
}
# produce_chunk N: produces chunk N to vigil.events.
produce_chunk() {
  kcat -P -b "$bootstrap" -t vigil.events -K $'\t' -X partitioner=murmur2_random \
      -X enable.idempotence=true -l "$(printf '%s/kill-chunk.%03d' "$work" "$1")"
}

# faults_logged WHAT: how many times eos.log says the process killed
# itself WHAT.
faults_logged() {
  local n
  n=$(grep -c "VIGIL_FAULT: killing this process $1" "$work/eos.log" 2>/dev/null) || true
  echo "${n:-0}"
}

# killed_by_fault BEFORE WHAT: the incarnation, started with VIGIL_FAULT,
# must kill itself (SIGKILL, exit status 137) at the fault, saying so in a
# new log line (BEFORE: how many there were).
killed_by_fault() {
  local status=0
  wait_exit "$eos_pid" 300 || status=$?
  ((status != 124)) || fail "VIGIL_FAULT=$VIGIL_FAULT: still running after 300 s (see $work/eos.log)"
  ((status == 137)) || fail "VIGIL_FAULT=$VIGIL_FAULT: exited with $status, not by its own SIGKILL (see $work/eos.log)"
  (($(faults_logged "$2") > $1)) || fail "VIGIL_FAULT=$VIGIL_FAULT: no 'killing this process $2' in $work/eos.log"
}

ready_times=()
commit_faults=0 restore_faults=0
for ((kill_no = 1; kill_no <= kills; kill_no++)); do
  chunk=$((kill_no - 1))
  wait_producer
  if ((kill_no % 4 == 1)); then produce_chunk "$chunk" || fail "producing chunk $chunk failed"; fi
  case $((kill_no % 4)) in
    1)
      before=$(faults_logged "after Kafka transaction commit")
      export VIGIL_FAULT="exit-after-kafka-commit:$((1 + RANDOM % 2))"
      start_vigil eos
      killed_by_fault "$before" "after Kafka transaction commit"
      commit_faults=$((commit_faults + 1))
      log "kill $kill_no: $VIGIL_FAULT"
      ;;
    2)
      before=$(faults_logged "after re-processing")
      export VIGIL_FAULT="exit-during-restore:1"
      start_vigil eos
      produce_chunk "$chunk" &
      producer=$!
      killed_by_fault "$before" "after re-processing"
      restore_faults=$((restore_faults + 1))
      log "kill $kill_no: $VIGIL_FAULT"
      ;;
    3)
      unset VIGIL_FAULT
      start_vigil eos
      started=$(date +%s.%N)
      produce_chunk "$chunk" &
      producer=$!
      wait_ready eos
      ready_times+=("$(echo "$(date +%s.%N) - $started" | bc)")
      random_seconds pause 0 300
      sleep "$pause"
      alive eos
      kill -KILL "$eos_pid"
      wait "$eos_pid" 2>/dev/null || true
      log "kill $kill_no: SIGKILL ${pause} s after ready"
      ;;
    0)
      unset VIGIL_FAULT
      start_vigil eos
      produce_chunk "$chunk" &
      producer=$!
      random_seconds pause 20 400
      sleep "$pause"
      alive eos
      kill -KILL "$eos_pid"
      wait "$eos_pid" 2>/dev/null || true
      log "kill $kill_no: SIGKILL ${pause} s after start"
      ;;
  esac
done
unset VIGIL_FAULT

start_vigil eos
started=$(date +%s.%N)
wait_ready eos
ready_times+=("$(echo "$(date +%s.%N) - $started" | bc)")
wait_producer
produce_paced "$work/events.tail" 2 0 &
producer=$!
wait_drained "$producer" eos
check_counts "$eos_port"
stop_vigil eos

expect_topic_replay_output 3
(($(cat "$work"/events.p* | wc -l) == 200000)) || fail "vigil.events does not hold the 200,000 events once each"
compare_signals vigil.signals vigil.events.dlq
printf '%s\n' "${ready_times[@]}" | sort -n | awk '
  { t[NR] = $1 } END { printf "restart to ready (s, %d restarts): min %.2f median %.2f max %.2f\n", NR, t[1], t[int((NR + 1) / 2)], t[NR] }'
# Each commit fault leaves committed offsets ahead of the stored state: the
# next incarnation (killed mid-restore) and the one after it both restore.
restored=$(grep -c "restoring state from offset" "$work/eos.log" || true)
((restored >= 2 * commit_faults)) ||
    fail "only $restored restores logged after $commit_faults kills between a Kafka commit and its state write"
echo "PASS: $kills kills survived ($commit_faults after a Kafka commit before the state write," \
    "$restore_faults mid-restore; seed $test_seed); $restored restores replayed committed work with output dropped"
