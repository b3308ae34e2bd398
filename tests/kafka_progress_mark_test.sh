#!/usr/bin/env bash
# Progress marks on a real broker (issue 14, item 5): a producer keys the
# synthetic stream onto three events partitions and sends every partition a
# progress mark before the first report reported at or after each hour.
# `vigil run` must count the marks as marks (never as events consumed), pass
# them to the merge, and commit exactly the signals `vigil replay` gives over
# the three partitions as the topic holds them, marks included; the marks
# being true, those are also exactly the signals without any mark.
# Usage: kafka_progress_mark_test.sh VIGIL SRC_DIR SHARED_DIR
set -euo pipefail
vigil=$1 src=$2
work=$(mktemp -d); echo "work dir $work" >&2
source "$src/tests/kafka_test_lib.sh"
at_exit stop_everything

"$vigil" generate --output "$work/events.jsonl" --events 40000 --seed 7 --days 120 --invalid-fraction 0.01 \
    --events-per-year 120000 2>/dev/null
# p<N>.jsonl: what is produced to partition N; plain<N>.jsonl: the same
# without the marks. Prints the number of marks written.
marks=$(python3 - "$work" 3600 <<'PY'
import datetime, json, sys, zlib
work, every = sys.argv[1], int(sys.argv[2])
marked = [open(f"{work}/p{p}.jsonl", "w") for p in range(3)]
plain = [open(f"{work}/plain{p}.jsonl", "w") for p in range(3)]
next_mark, marks = None, 0
for line in open(f"{work}/events.jsonl"):
    try:
        event = json.loads(line)
        key = event["id"] if isinstance(event["id"], str) else None
        reported = datetime.datetime.fromisoformat(event["reported_at"].replace("Z", "+00:00")).timestamp()
    except Exception:  # the stream's invalid lines
        key, reported = None, None
    if reported is not None:
        if next_mark is None:
            next_mark = (int(reported) // every + 1) * every
        while next_mark <= reported:
            at = datetime.datetime.fromtimestamp(next_mark, datetime.timezone.utc)
            mark = json.dumps({"vigil_progress_mark": {"reported_through": at.strftime("%Y-%m-%dT%H:%M:%SZ")}})
            for out in marked:
                out.write(mark + "\n")
            marks += len(marked)
            next_mark += every
    partition = zlib.crc32(key.encode()) % 3 if key else 0
    marked[partition].write(line)
    plain[partition].write(line)
print(marks)
PY
)
events=$(wc -l <"$work/events.jsonl")
((marks > 5000)) || fail "only $marks progress marks written"
log "$events events and $marks progress marks on 3 partitions"

write_config "$work/config.yaml"
start_broker 3
(
  for p in 0 1 2; do
    kcat -P -b "$bootstrap" -t vigil.events -p "$p" -X enable.idempotence=true -l "$work/p$p.jsonl"
  done
) &
producer=$!
start_vigil marks --guarantee exactly_once
wait_ready marks
wait_drained "$producer" marks
check_counts "$marks_port"
consumed=$(metric "$marks_port" vigil_events_consumed_total)
read_marks=$(metric "$marks_port" vigil_progress_marks_total)
merged_marks=$(metric "$marks_port" vigil_repartition_progress_marks_total)
log "run: consumed $consumed events, read $read_marks marks, $merged_marks reached the merge"
((consumed == events)) || fail "consumed $consumed, but $events events were produced (marks are not events)"
((read_marks == marks)) || fail "read $read_marks progress marks, $marks were produced"
# Each mark goes to every merge partition running a detector; only marks
# before a partition's first event are dropped.
((merged_marks >= marks)) || fail "only $merged_marks marks reached the merge"

expect_topic_replay_output 3 400
compare_signals vigil.signals vigil.events.dlq
"$vigil" replay --config "$work/config.yaml" --input "$work/plain0.jsonl" --input "$work/plain1.jsonl" \
    --input "$work/plain2.jsonl" --signals "$work/plain.unsorted" 2>>"$work/replay.log"
LC_ALL=C sort "$work/plain.unsorted" >"$work/plain.signals"
cmp -s "$work/plain.signals" "$work/actual.signals" ||
    fail "the signals differ from those of the same stream without marks"
stop_vigil marks
echo "kafka_progress_mark_test: PASS ($events events, $marks marks, $(wc -l <"$work/actual.signals") signals)"
