#!/usr/bin/env bash
# Exactly-once on a real Kafka broker under crashes: while 200,000 events
# (1% invalid) are produced to a three-partition events topic, `vigil run`
# is killed with SIGKILL at random moments at least 20 times (during
# restore, while consuming, mid-commit) and restarted each time. Both stages
# run in it: the input partitions, and the merge partitions whose held
# records must survive every kill. A read_committed reader must then find
# exactly the signals `vigil replay` gives for the topic's partitions, and
# every invalid event dead-lettered once. Prints each restart's time to
# ready.
# Usage: exactly_once_crash_test.sh VIGIL SRC_DIR SHARED_DIR
set -euo pipefail
vigil=$1 src=$2
work=$(mktemp -d); echo "work dir $work" >&2
trap 'stop_everything' EXIT
source "$src/tests/kafka_test_lib.sh"

kills=${VIGIL_CRASH_KILLS:-20}
"$vigil" generate --output "$work/events.jsonl" --events 200000 --seed 11 --days 730 \
    --events-per-year 100000 --invalid-fraction 0.01 2>/dev/null
key_by_report_id "$work/events.jsonl" "$work/events.keyed"
write_config "$work/config.yaml"

start_broker 3
# The last 10,000 events wait for the final incarnation, so its metrics
# have something to account for.
head -n 190000 "$work/events.keyed" >"$work/events.head"
tail -n +190001 "$work/events.keyed" >"$work/events.tail"
produce_paced "$work/events.head" 38 1 &
producer=$!

ready_times=()
for ((kill_no = 1; kill_no <= kills; kill_no++)); do
  start_vigil eos
  started=$(date +%s.%N)
  if ((kill_no % 2 == 1)); then
    # After it is ready, at a random moment of consuming and committing.
    until is_ready "$eos_port"; do
      kill -0 "$eos_pid" 2>/dev/null || fail "vigil exited on its own (see $work/eos.log)"
      sleep 0.05
    done
    ready_times+=("$(echo "$(date +%s.%N) - $started" | bc)")
    sleep "$(random_seconds 0 300)"
  else
    # Any moment from start-up on: opening state, joining, restoring.
    sleep "$(random_seconds 20 400)"
  fi
  kill -0 "$eos_pid" 2>/dev/null || fail "vigil exited on its own (see $work/eos.log)"
  kill -KILL "$eos_pid"
  wait "$eos_pid" 2>/dev/null || true
  log "kill $kill_no: SIGKILL"
done

start_vigil eos
started=$(date +%s.%N)
until is_ready "$eos_port"; do sleep 0.05; done
ready_times+=("$(echo "$(date +%s.%N) - $started" | bc)")
wait "$producer" || fail "producing the events failed"
produce_paced "$work/events.tail" 2 0 &
producer=$!
wait_drained "$producer" eos
check_counts "$eos_port"
stop_vigil eos

expect_topic_replay_output 3
compare_signals vigil.signals vigil.events.dlq
printf '%s\n' "${ready_times[@]}" | sort -n | awk '
  { t[NR] = $1 } END { printf "restart to ready (s, %d restarts): min %.2f median %.2f max %.2f\n", NR, t[1], t[int((NR + 1) / 2)], t[NR] }'
restored=$(grep -c "restoring state from offset" "$work/eos.log" || true)
echo "PASS: $kills kills survived; $restored restores replayed committed work with output dropped"
