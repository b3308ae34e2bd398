#!/usr/bin/env bash
# tools/kafka-broker.sh gives tests a real Kafka 3.9.1 broker: it starts on a
# free port with the asked number of partitions for auto-created topics, keeps
# what was written across stop and restart (same address), takes writes again
# after the restart, and clean leaves neither a process nor a directory.
# The first run on a machine fetches the broker's jars with Maven (~46 MB).
# Usage: kafka_broker_test.sh VIGIL_BINARY SOURCE_DIR SHARED_DIR
set -uo pipefail
broker="$2/tools/kafka-broker.sh"
source "$2/tests/test_lib.sh"
work=$(mktemp -d)
dir="$work/kafka"
at_exit "bash '$broker' clean '$dir'; rm -rf '$work'"
fatal() { echo "FAIL: $1"; failures=$((failures + 1)); finish; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
broker_pid() { cat "$dir/pid" 2>/dev/null; }
running() { local pid; pid=$(broker_pid) && kill -0 "$pid" 2>/dev/null; }
# gone PID: no such process, or only a zombie waiting for init to reap it.
gone() {
  local state
  state=$(sed -n 's/^State:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
  [ -z "$state" ] || [[ "$state" == Z* ]]
}
topic=vigil-broker-test
# produce FIRST LAST: messages key-I:value-I for I in FIRST..LAST, each acknowledged.
produce() {
  seq "$1" "$2" | sed 's/.*/key-&:value-&/' \
      | timeout 60 kcat -P -b "$bootstrap" -t "$topic" -K: -X acks=all -X message.timeout.ms=30000
}
# consume: every message of the topic from the beginning, as KEY:VALUE lines, sorted.
consume() {
  timeout 60 kcat -C -b "$bootstrap" -t "$topic" -o beginning -e -q -f '%k:%s\n' > "$work/consumed.raw" \
      && sort "$work/consumed.raw" > "$work/consumed.txt"
}
expect() { seq "$1" "$2" | sed 's/.*/key-&:value-&/' | sort > "$work/expected.txt"; }
same_messages() { cmp -s "$work/expected.txt" "$work/consumed.txt"; }
partitions_of_topic() {
  timeout 30 kcat -b "$bootstrap" -L -t "$topic" -J | python3 -c '
import json, sys
print(len(json.load(sys.stdin)["topics"][0]["partitions"]))'
}

# 1. start: a new broker, 3 partitions for auto-created topics.
started=$(now_ms)
bootstrap=$(bash "$broker" start "$dir" --partitions 3 --owner $$) || fatal "kafka-broker.sh start failed"
echo "kafka_broker_test: broker $bootstrap started in $(($(now_ms) - started)) ms"
check "start prints 127.0.0.1:PORT" grep -qxE '127\.0\.0\.1:[0-9]+' <<< "$bootstrap"
check "DIR/bootstrap holds the printed address" test "$(cat "$dir/bootstrap")" = "$bootstrap"
check "the broker runs with a pid file" running
bash "$broker" start "$dir" > /dev/null 2>&1
check "start refuses a DIR that holds a broker" test $? -ne 0
bash "$broker" restart "$dir" > /dev/null 2>&1
check "restart refuses a running broker" test $? -ne 0

# 2. 1000 messages to an auto-created topic, read back in full.
produce 1 1000
check "kcat produced 1000 messages" test $? -eq 0
check "the auto-created topic has 3 partitions" test "$(partitions_of_topic)" = 3
consume
check "kcat consumed the topic" test $? -eq 0
expect 1 1000
check "exactly the 1000 messages came back ($(wc -l < "$work/consumed.txt") read)" same_messages

# 3. stop: the process is gone and the port answers no more; the data stays.
old_pid=$(broker_pid)
started=$(now_ms)
bash "$broker" stop "$dir"
check "stop succeeds" test $? -eq 0
echo "kafka_broker_test: stopped in $(($(now_ms) - started)) ms"
check "the broker process is gone" gone "${old_pid:?}"
timeout 20 kcat -b "$bootstrap" -L -m 3 > /dev/null 2>&1
check "nothing answers on $bootstrap after stop" test $? -ne 0
check "the data directory is kept" test -f "$dir/data/meta.properties"
bash "$broker" stop "$dir"
check "stop of a stopped broker succeeds" test $? -eq 0

# 4. restart: same address, same messages, and it takes writes again.
started=$(now_ms)
restarted=$(bash "$broker" restart "$dir") || fatal "kafka-broker.sh restart failed"
echo "kafka_broker_test: restarted in $(($(now_ms) - started)) ms"
check "restart keeps the address" test "$restarted" = "$bootstrap"
consume
check "kcat consumed the topic after the restart" test $? -eq 0
check "the 1000 messages survived the restart ($(wc -l < "$work/consumed.txt") read)" same_messages
produce 1001 1100
check "kcat produced 100 more messages after the restart" test $? -eq 0
consume
expect 1 1100
check "all 1100 messages are there ($(wc -l < "$work/consumed.txt") read)" same_messages

# 5. clean: no process, no directory.
last_pid=$(broker_pid)
bash "$broker" clean "$dir"
check "clean succeeds" test $? -eq 0
check "clean stopped the broker" gone "${last_pid:?}"
check "clean removed DIR" test ! -e "$dir"

finish
