# Shared by the tests that run `vigil run` against a real Kafka broker
# (tools/kafka-broker.sh): configuration, starting and stopping instances,
# waiting for them, reading metrics and comparing the signals on a topic
# with `vigil replay`. Sourced after `set -euo pipefail` with $vigil, $src
# and $work set; a test then calls `at_exit stop_everything`. Every wait
# has a deadline and fails with a message, as in tests/test_lib.sh.

source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"  # free_port, poll, at_exit

fail() { echo "FAIL: $*" >&2; exit 1; }

# The exit cleanup of every broker test (at_exit stop_everything): kills
# what the test started (the background jobs and their children, e.g. a
# kcat waiting out an outage, which would otherwise keep ctest waiting on
# its output), removes the broker and, unless VIGIL_TEST_KEEP is set, the
# work directory.
stop_everything() {
  stop_background_jobs
  bash "$src/tools/kafka-broker.sh" clean "$work/broker" >/dev/null 2>&1 || true
  [ -n "${VIGIL_TEST_KEEP:-}" ] || rm -rf "$work"
}
log() { echo "[$(date +%T)] $*" >&2; }

# seed_random: seeds $RANDOM from VIGIL_TEST_SEED, or from a fresh random
# seed, and prints it, so a failing run's random choices can be replayed
# (VIGIL_TEST_SEED=N). Draw from $RANDOM in this shell only: a subshell,
# e.g. $(...), re-seeds its own copy.
seed_random() {
  test_seed=${VIGIL_TEST_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
  [[ "$test_seed" =~ ^[0-9]+$ ]] || fail "VIGIL_TEST_SEED wants a number, not '$test_seed'"
  RANDOM=$test_seed
  log "random seed $test_seed (replay this run's choices with VIGIL_TEST_SEED=$test_seed)"
}

# random_seconds VAR MIN MAX: sets VAR to a random duration between MIN and
# MAX hundredths of a second, for sleep (a variable, not output, so that it
# draws from this shell's seeded $RANDOM).
random_seconds() {
  local cs=$(($2 + RANDOM % ($3 - $2 + 1)))
  printf -v "$1" '%d.%02d' $((cs / 100)) $((cs % 100))
}

# start_broker PARTITIONS: a broker in $work/broker owned by this shell;
# sets $bootstrap.
start_broker() {
  bootstrap=$(bash "$src/tools/kafka-broker.sh" start "$work/broker" --partitions "$1" --owner $$)
  log "broker at $bootstrap"
}

# write_config OUT: the national default detectors plus a deliberately
# sensitive daily detector (thousands of signal transitions, so a lost or
# doubled commit cannot hide), short commits and quick group membership.
write_config() {
  python3 - "$src/config/vigil.yaml" "$1" <<'EOF'
import sys, yaml
config = yaml.safe_load(open(sys.argv[1]))
config["detectors"].append({
    "name": "sensitive_category_region_daily", "type": "count", "dimensions": ["category", "region"],
    "period": "day", "method": "earsC2", "params": {"alpha": 0.01}, "severity": "low"})
config["commit"] = {"max_events": 2000, "max_interval_ms": 300}
config["kafka"]["properties"] = {
    # A killed static member's partitions move after this long.
    "session.timeout.ms": "6000", "heartbeat.interval.ms": "500",
    # A transaction a killed instance left open blocks its partitions'
    # committed offsets until the broker aborts it.
    "transaction.timeout.ms": "15000", "message.timeout.ms": "12000"}
config["state"]["block_cache_bytes"] = 64 << 20
config["state"]["write_buffer_bytes"] = 16 << 20
yaml.safe_dump(config, open(sys.argv[2], "w"))
EOF
}

# start_vigil NAME [run options...]: starts `vigil run` in the background
# with state in $work/NAME.state and logs in $work/NAME.log (appended, so
# every incarnation's log is kept). Sets ${NAME}_pid and ${NAME}_port, and
# ${NAME}_topics: its group, input and output topics for group_drained.
start_vigil() {
  local name=$1
  shift
  local port arg previous="" group=vigil repartition=vigil.repartition signals=vigil.signals
  local dead_letters=vigil.events.dlq
  for arg in "$@"; do
    case $previous in
      --group-id) group=$arg ;;
      --repartition-topic) repartition=$arg ;;
      --signals-topic) signals=$arg ;;
      --dead-letter-topic) dead_letters=$arg ;;
    esac
    previous=$arg
  done
  printf -v "${name}_topics" '%s' "$group vigil.events $repartition -- $signals $dead_letters"
  port=$(free_port)
  "$vigil" run --config "$work/config.yaml" --bootstrap-servers "$bootstrap" \
      --state-dir "$work/$name.state" --metrics-port "$port" --group-instance-id "$name" \
      "$@" >>"$work/$name.log" 2>&1 &
  printf -v "${name}_pid" '%s' "$!"
  printf -v "${name}_port" '%s' "$port"
}

# is_ready PORT: /readyz answers 200.
is_ready() { curl -fsS -o /dev/null "http://127.0.0.1:$1/readyz" 2>/dev/null; }

# alive NAME: the instance NAME (see start_vigil) is running; if not, shows
# the end of its log and fails the test.
alive() {
  local pid_var="${1}_pid"
  kill -0 "${!pid_var}" 2>/dev/null && return 0
  grep -v '^%' "$work/$1.log" | tail -n 5 >&2
  fail "$1 exited on its own (see $work/$1.log)"
}

# wait_ready NAME [SECONDS]: waits until instance NAME's /readyz answers
# 200 (state restored, partitions assigned); fails if it exits first or
# after SECONDS (default 300, far beyond a restart on a loaded machine).
wait_ready() {
  local port_var="${1}_port" deadline=$((SECONDS + ${2:-300}))
  until is_ready "${!port_var}"; do
    alive "$1"
    ((SECONDS < deadline)) || fail "$1 not ready after ${2:-300} s (see $work/$1.log)"
    sleep 0.05
  done
}

# wait_metric_above NAME METRIC MIN [SECONDS]: waits until instance NAME's
# METRIC (summed over labels) exceeds MIN; fails if NAME exits first or
# after SECONDS (default 300).
wait_metric_above() {
  local port_var="${1}_port" deadline=$((SECONDS + ${4:-300})) value
  while :; do
    alive "$1"
    value=$(metric "${!port_var}" "$2" 2>/dev/null) || value=0
    ((value > $3)) && return 0
    ((SECONDS < deadline)) || fail "$1: $2 is $value, not above $3, after ${4:-300} s (see $work/$1.log)"
    sleep 0.2
  done
}

# metric PORT NAME: the sum of NAME's samples (any labels) in /metrics.
metric() {
  curl -fsS "http://127.0.0.1:$1/metrics" |
    awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $2 } END { printf "%.0f\n", s }'
}

# group_drained GROUP INPUT_TOPIC... -- OUTPUT_TOPIC...: exactly whether
# GROUP has consumed and committed everything on its input topics: no
# transaction open on them and no committed record at or after the group's
# committed offset (read read_committed, so aborted records and transaction
# markers count as read); and no transaction open on the output topics, so
# that a read_committed reader sees all of them. Asked of the broker with
# the Java AdminClient and consumer from the broker's jars (kcat cannot
# read a group's offsets without joining the group). Prints why not.
group_drained() {
  [ -n "${kafka_libs:-}" ] || kafka_libs=$(bash "$src/tools/kafka-broker.sh" fetch) ||
      fail "tools/kafka-broker.sh fetch failed"
  [ -f "$work/GroupDrained.java" ] || cat >"$work/GroupDrained.java" <<'EOF'
import java.time.Duration;
import java.util.*;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.common.*;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

// GroupDrained BOOTSTRAP GROUP INPUT_TOPIC... -- OUTPUT_TOPIC...: exit 0 if
// drained (see group_drained in tests/kafka_test_lib.sh), 1 if not, naming
// the first partition that is not, 2 on an error.
public class GroupDrained {
  public static void main(String[] args) {
    try {
      System.exit(drained(args) ? 0 : 1);
    } catch (Exception e) {
      System.out.println("error: " + e);
      System.exit(2);
    }
  }

  static boolean drained(String[] args) throws Exception {
    List<String> inputs = new ArrayList<>(), outputs = new ArrayList<>();
    boolean output = false;
    for (String a : Arrays.asList(args).subList(2, args.length)) {
      if (a.equals("--")) output = true; else (output ? outputs : inputs).add(a);
    }
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    try (Admin admin = Admin.create(props)) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(args[1]).partitionsToOffsetAndMetadata().get();
      List<String> topics = new ArrayList<>(inputs);
      topics.addAll(outputs);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get().values()) {
        for (TopicPartitionInfo p : d.partitions()) {
          latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest());
        }
      }
      var end = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all().get();
      var stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
      for (TopicPartition tp : latest.keySet()) {
        if (stable.get(tp).offset() < end.get(tp).offset()) {
          System.out.println(tp + ": a transaction is open");
          return false;
        }
      }
      Properties consumerProps = new Properties();
      consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
      consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
               consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        for (TopicPartition tp : latest.keySet()) {
          if (!inputs.contains(tp.topic())) continue;
          long endOffset = end.get(tp).offset();
          OffsetAndMetadata c = committed.get(tp);
          long from = c == null ? 0 : c.offset();
          if (from >= endOffset) continue;
          // Only markers or aborted records may lie between the committed
          // offset and the end: reading them returns nothing.
          consumer.assign(List.of(tp));
          consumer.seek(tp, from);
          long deadline = System.currentTimeMillis() + 60000;
          while (consumer.position(tp) < endOffset) {
            if (!consumer.poll(Duration.ofMillis(500)).isEmpty()) {
              System.out.println(tp + ": records after the group's committed offset " + from);
              return false;
            }
            if (System.currentTimeMillis() > deadline) throw new Exception(tp + ": cannot read to the end");
          }
        }
      }
    }
    return true;
  }
}
EOF
  local java=java
  [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && java=$JAVA_HOME/bin/java
  "$java" -Xmx256m -XX:TieredStopAtLevel=1 -cp "$kafka_libs/*" "$work/GroupDrained.java" \
      "$bootstrap" "$@" 2>>"$work/group_drained.log"
}

# wait_drained PRODUCER_PID NAME...: waits until the producer has finished
# and every named instance (see start_vigil) has consumed and committed
# everything: first until each is ready with no lag left on any partition
# of either topic, twice in a row with nothing consumed in between (cheap,
# from /metrics, but its high watermarks may be a moment old), then until
# group_drained confirms it for each instance's group. Fails at once if an
# instance exits, and after 10 minutes.
wait_drained() {
  local producer=$1
  shift
  local deadline=$((SECONDS + 600)) name port pid lag samples consumed previous=""
  check_alive() {
    for name in "$@"; do
      pid="${name}_pid"
      kill -0 "${!pid}" 2>/dev/null && continue
      grep -v '^%' "$work/$name.log" | tail -n 5 >&2
      fail "$name exited before the stream was drained (see $work/$name.log)"
    done
  }
  while kill -0 "$producer" 2>/dev/null; do
    ((SECONDS < deadline)) || fail "producer still running after 10 minutes"
    check_alive "$@"
    sleep 1
  done
  wait "$producer" || fail "producing the events failed"
  while :; do
    check_alive "$@"
    if ((SECONDS >= deadline)); then
      for name in "$@"; do
        port="${name}_port"
        echo "$name: ready $(is_ready "${!port}" && echo yes || echo no); $(curl -fsS "http://127.0.0.1:${!port}/metrics" | grep -E '^vigil_(consumer_lag|events_consumed_total|ready)' | tr '\n' ' ')" >&2
      done
      fail "lag not drained after 10 minutes"
    fi
    lag=0 samples=0 consumed=""
    for name in "$@"; do
      port="${name}_port"
      is_ready "${!port}" || { lag=1; break; }
      samples=$((samples + $(curl -fsS "http://127.0.0.1:${!port}/metrics" | grep -c '^vigil_consumer_lag{' || true)))
      lag=$((lag + $(metric "${!port}" vigil_consumer_lag)))
      consumed+="$(metric "${!port}" vigil_events_consumed_total)/$(metric "${!port}" vigil_repartition_records_total) "
    done
    if ((lag == 0 && samples > 0)); then
      if [[ "$consumed $samples" == "$previous" ]]; then
        all_groups_drained "$@" && return 0
        sleep 4  # a JVM per check: not every second
      fi
      previous="$consumed $samples"
    else
      previous=""
    fi
    sleep 1
  done
}

# all_groups_drained NAME...: group_drained for each distinct group of the
# named instances.
all_groups_drained() {
  local name topics_var checked=" " why
  for name in "$@"; do
    topics_var="${name}_topics"
    [[ "$checked" == *" ${!topics_var} "* ]] && continue
    # shellcheck disable=SC2086  # the group and topics are words
    why=$(group_drained ${!topics_var}) || { log "not drained yet: ${why:-see $work/group_drained.log}"; return 1; }
    log "group ${!topics_var%% *}: every input record consumed and committed, no transaction open"
    checked+="${!topics_var} "
  done
}

# stop_vigil NAME: SIGTERM (commit, leave the group) and require exit 0
# (within 120 s: the last commit gives up after 20).
stop_vigil() {
  local pid_var="${1}_pid" status=0
  kill -TERM "${!pid_var}"
  wait_exit "${!pid_var}" 120 || status=$?
  ((status != 124)) || fail "$1 still running 120 s after SIGTERM (see $work/$1.log)"
  ((status == 0)) || fail "$1 exited with $status after SIGTERM (see $work/$1.log)"
}

# check_counts PORT: consumed = processed + duplicates + dead-lettered.
check_counts() {
  local consumed processed duplicate dead
  consumed=$(metric "$1" vigil_events_consumed_total)
  processed=$(metric "$1" vigil_events_processed_total)
  duplicate=$(metric "$1" vigil_events_duplicate_total)
  dead=$(metric "$1" vigil_events_dead_lettered_total)
  log "metrics: consumed $consumed = processed $processed + duplicates $duplicate + dead-lettered $dead"
  ((consumed > 0)) || fail "nothing consumed"
  ((consumed == processed + duplicate + dead)) || fail "consumed != processed + duplicates + dead-lettered"
}

# read_committed TOPIC OUT: every committed record value of TOPIC, sorted.
read_committed() {
  kcat -C -b "$bootstrap" -t "$1" -X isolation.level=read_committed -o beginning -e -q \
      -f '%s\n' | LC_ALL=C sort >"$2"
}

# replay_expected MIN_SIGNALS INPUTS...: what `vigil replay --input ...`
# gives, sorted, in $work/expected.signals and the number of dead letters in
# $expected_dead_letters; fails if it raises MIN_SIGNALS or fewer.
replay_expected() {
  local min=$1
  shift
  "$vigil" replay --config "$work/config.yaml" "$@" --signals "$work/expected.unsorted" \
      --dead-letters "$work/expected.dead" 2>>"$work/replay.log"
  LC_ALL=C sort "$work/expected.unsorted" >"$work/expected.signals"
  expected_dead_letters=$(wc -l <"$work/expected.dead")
  log "replay: $(wc -l <"$work/expected.signals") signals, $expected_dead_letters dead letters"
  (($(wc -l <"$work/expected.signals") > min)) || fail "the test stream raises too few signals to compare"
}

# expect_replay_output EVENTS [MIN_SIGNALS]: the expected output is replay's
# of EVENTS (a file of event lines), as for a one-partition events topic.
expect_replay_output() { replay_expected "${2:-1000}" --input "$1"; }

# expect_topic_replay_output PARTITIONS [MIN_SIGNALS]: saves each partition
# of vigil.events in its own file; the expected output is replay's over
# those files, one --input per partition, which merges them in the order the
# repartition topic's merge stage does.
expect_topic_replay_output() {
  local p inputs=()
  for ((p = 0; p < $1; p++)); do
    kcat -C -b "$bootstrap" -t vigil.events -p "$p" -o beginning -e -q -f '%s\n' >"$work/events.p$p"
    inputs+=(--input "$work/events.p$p")
  done
  log "vigil.events partitions: $(wc -l "$work"/events.p* | head -n -1 | awk '{printf "%s ", $1}')"
  replay_expected "${2:-1000}" "${inputs[@]}"
}

# create_topics TOPIC...: creates each topic on $bootstrap (with the broker's
# num.partitions) by asking for its metadata, which auto-creates it, and
# waits until it has partitions. Deployments create their topics once
# (README, "Deploying on Kubernetes"); the benchmarks do the same, so that
# they do not time the broker creating an output topic on first use (a
# 2 s stall of the transaction that first produced a signal).
create_topics() {
  local topic deadline=$((SECONDS + 60))
  for topic in "$@"; do
    until kcat -L -b "$bootstrap" -t "$topic" 2>/dev/null | grep -q "topic \"$topic\" with [1-9]"; do
      ((SECONDS < deadline)) || fail "topic $topic was not created"
      sleep 0.2
    done
  done
}

# key_by_report_id IN OUT: "key<TAB>line" per line of IN, keyed by report id
# as producers must key events (a report's revisions share a partition);
# invalid lines by their line number.
key_by_report_id() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
with open(sys.argv[1]) as lines, open(sys.argv[2], "w") as out:
    for n, line in enumerate(lines):
        try:
            key = str(json.loads(line)["id"])
        except Exception:
            key = "line-%d" % n
        out.write(key + "\t" + line)
EOF
}

# compare_signals SIGNALS_TOPIC DEAD_LETTER_TOPIC: the committed signals are
# exactly replay's (same records, none twice, none missing) and every
# invalid event was dead-lettered once.
compare_signals() {
  read_committed "$1" "$work/actual.signals"
  if ! cmp -s "$work/expected.signals" "$work/actual.signals"; then
    echo "missing (in replay, not on $1): $(comm -23 "$work/expected.signals" "$work/actual.signals" | wc -l)" >&2
    echo "extra (on $1, not in replay): $(comm -13 "$work/expected.signals" "$work/actual.signals" | wc -l)" >&2
    comm -3 "$work/expected.signals" "$work/actual.signals" | head -3 | cut -c1-300 >&2
    fail "signals on $1 differ from vigil replay's"
  fi
  local dead
  dead=$(kcat -C -b "$bootstrap" -t "$2" -X isolation.level=read_committed -o beginning -e -q -f 'x\n' | wc -l)
  ((dead == expected_dead_letters)) || fail "$dead dead letters on $2, replay has $expected_dead_letters"
  log "signals identical to replay: $(wc -l <"$work/actual.signals") records; dead letters $dead"
}

# produce_paced EVENTS CHUNKS PAUSE: produces the lines of EVENTS to
# vigil.events in CHUNKS pieces, PAUSE seconds apart, so that the pipeline
# is consuming while the stream arrives. Lines may be "key<TAB>value".
produce_paced() {
  local events=$1 chunks=$2 pause=$3 keyed=()
  split -n "l/$chunks" -d -a 3 "$events" "$work/chunk."
  [[ "$(head -c 200 "$events")" == *$'\t'* ]] && keyed=(-K $'\t')
  for chunk in "$work"/chunk.*; do
    # -E: wait out a broker outage instead of exiting; idempotence: no
    # duplicates from the retries.
    kcat -P -E -b "$bootstrap" -t vigil.events "${keyed[@]}" -X partitioner=murmur2_random \
        -X enable.idempotence=true -l "$chunk"
    rm -f "$chunk"
    sleep "$pause"
  done
}
