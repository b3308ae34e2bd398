#!/usr/bin/env bash
# Vigil against a Kafka Streams peer on one real broker (issue 17, target 3):
# the same events (a two-year national stream, keyed by report id, on a
# 3-partition vigil.events topic), consumed from the beginning by
#   - bench/kafka-streams: weekly counts per category x organisation, each
#     report counted once at its latest revision, exactly_once_v2;
#   - `vigil run --guarantee exactly_once` with the national default
#     configuration (every detector, the weekly counts among them);
# each with its own group and output topics (created before it starts, as a
# deployment's are). Prints events/s from start until
# each has consumed and committed everything, the CPU seconds each used (and
# the broker's while it ran), and the ratio Vigil / Kafka Streams; checks that
# the Kafka Streams counts are exactly those computed from the events file.
# See docs/performance-kafka-streams.md.
#   tools/kafka_streams_comparison.sh [EVENTS]     (default 300000)
# Environment: VIGIL (the binary, default build/vigil, built if missing),
# STREAMS_MODES (default latest-revision; "latest-revision every-event" also
# runs the cheaper count of every record), STREAMS_THREADS (default 2),
# KEEP_WORK=1 (keep the work directory: logs, events, counts).
set -euo pipefail
cd "$(dirname "$0")/.."
# free_port, key_by_report_id, create_topics; sourced with no arguments (it reads ctest's).
source tests/kafka_test_lib.sh ""
events=${1:-300000}
vigil=${VIGIL:-build/vigil}
read -r -a streams_modes <<<"${STREAMS_MODES:-latest-revision}"
streams_threads=${STREAMS_THREADS:-2}
app_dir=bench/kafka-streams
work=$(mktemp -d)
running=()
cleanup() {
  local pid
  for pid in "${running[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${running[@]}"; do wait "$pid" 2>/dev/null || true; done
  bash tools/kafka-broker.sh clean "$work/broker" >/dev/null 2>&1 || true
  if [ -n "${KEEP_WORK:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
say() { echo "[$(date +%T)] $*" >&2; }
die() { echo "kafka_streams_comparison: $*" >&2; exit 1; }

# Build what is missing or stale: the Java app with Maven (offline when every
# artifact is cached, else from Maven Central), Vigil with tools/build.sh.
say "building $app_dir"
(cd "$app_dir" && { nice mvn -B -q -o -Dstyle.color=never package >"$work/mvn.log" 2>&1 ||
    nice mvn -B -q -Dstyle.color=never package >>"$work/mvn.log" 2>&1; }) ||
    { tail -n 30 "$work/mvn.log" >&2; die "mvn package failed in $app_dir"; }
if [ ! -x "$vigil" ]; then
  say "building vigil"
  bash tools/build.sh --target vigil >&2
  vigil=build/vigil
fi
vigil=$(realpath "$vigil")
java=java
[ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && java=$JAVA_HOME/bin/java

"$vigil" generate --output "$work/events.jsonl" --events "$events" --seed 5 --days 730 \
    --events-per-year 3300000 2>/dev/null
key_by_report_id "$work/events.jsonl" "$work/events.keyed"
bootstrap=$(bash tools/kafka-broker.sh start "$work/broker" --partitions 3 --owner $$ 2>/dev/null)
broker_pid=$(cat "$work/broker/pid")
kcat -P -b "$bootstrap" -t vigil.events -K $'\t' -X partitioner=murmur2_random \
    -X enable.idempotence=true -l "$work/events.keyed"
say "broker $bootstrap: $events events ($(du -m "$work/events.jsonl" | cut -f1) MB) on 3 partitions"

ticks=$(getconf CLK_TCK)
# cpu_seconds PID: user + system CPU time of a running process, all threads.
cpu_seconds() { awk -v t="$ticks" '{ printf "%.2f\n", ($14 + $15) / t }' "/proc/$1/stat"; }
# The sum of a Vigil metric's samples, or -1 while it has none (lag is
# published only after the first commit).
metric_or_absent() {
  curl -fsS "http://127.0.0.1:$1/metrics" |
    awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $2; found = 1 } END { if (found) printf "%.0f\n", s; else print -1 }'
}
# report NAME STARTED FINISHED PID BROKER_CPU_BEFORE: one result line;
# sets $rate (events/s, wall clock) and $cpu_rate (events per CPU second of
# the process and the broker together, which other load on the machine
# disturbs far less).
report() {
  local cpu broker_cpu peak_kb
  cpu=$(cpu_seconds "$4")
  broker_cpu=$(awk -v a="$(cpu_seconds "$broker_pid")" -v b="$5" 'BEGIN { printf "%.2f", a - b }')
  peak_kb=$(awk '/VmHWM/ { print $2 }' "/proc/$4/status")
  rate=$(awk -v n="$events" -v s="$2" -v f="$3" 'BEGIN { printf "%.0f", n / (f - s) }')
  cpu_rate=$(awk -v n="$events" -v c="$cpu" -v b="$broker_cpu" 'BEGIN { printf "%.0f", n / (c + b) }')
  awk -v name="$1" -v n="$events" -v r="$rate" -v s="$2" -v f="$3" -v cpu="$cpu" -v b="$broker_cpu" \
      -v kb="$peak_kb" -v cr="$cpu_rate" \
      'BEGIN { printf "%-32s %7d events/s  (%.1f s wall; CPU %.1f s + broker %.1f s = %d events per CPU s; peak RSS %.0f MiB)\n", name, r, f - s, cpu, b, cr, kb / 1024 }'
}

# Kafka Streams: from JVM start until its own check (DrainMonitor) finds
# its group's committed offsets at the end of the input topic and of its
# repartition topic.
declare -A streams_rate streams_cpu_rate
for mode in "${streams_modes[@]}"; do
  name=streams-$mode
  create_topics "$name.counts"  # as for Vigil's output topics below
  broker_before=$(cpu_seconds "$broker_pid")
  started=$(date +%s.%N)
  "$java" -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
      -cp "$app_dir/target/classes:$app_dir/target/lib/*" vigil.bench.WeeklyCountsApp \
      --bootstrap-servers "$bootstrap" --application-id "$name" --output-topic "$name.counts" \
      --mode "$mode" --threads "$streams_threads" --state-dir "$work/$name.state" \
      >"$work/$name.out" 2>"$work/$name.log" &
  pid=$!
  running+=("$pid")
  until grep -q '^drained_at_ms=' "$work/$name.out"; do
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$work/$name.log" >&2; die "$name exited before draining"; }
    sleep 0.1
  done
  finished=$(sed -n 's/^drained_at_ms=\([0-9]*\).*/\1/p' "$work/$name.out" | awk '{ printf "%.3f", $1 / 1000 }')
  report "Kafka Streams ($mode)" "$started" "$finished" "$pid" "$broker_before"
  streams_rate[$mode]=$rate
  streams_cpu_rate[$mode]=$cpu_rate
  say "$name: $(sed -n 's/^drained_at_ms=[0-9]* //p' "$work/$name.out") records parsed"
  kill -TERM "$pid"
  wait "$pid" || true

  # The counts: the latest record per key of the output topic (a changelog)
  # must be exactly what the events file gives.
  kcat -C -b "$bootstrap" -t "$name.counts" -X isolation.level=read_committed -o beginning -e -q \
      -s value=q -f '%k\t%s\n' >"$work/$name.counts"
  python3 - "$work/events.jsonl" "$work/$name.counts" "$mode" <<'EOF' || die "$name: counts differ from the events file's"
import collections, datetime, json, sys

def week_key(line):
    """(report id, revision, key) of a valid event, as EventParser reads it; None if invalid."""
    try:
        e = json.loads(line)
        if not isinstance(e, dict): return None
        fields = [e.get(f) for f in ("id", "org", "category", "record_type", "reported_at")]
        if not all(isinstance(f, str) for f in fields) or not e["id"]: return None
        revision = e.get("revision", 0)
        if revision is None: revision = 0
        if isinstance(revision, bool) or not isinstance(revision, int) or revision < 0: return None
        reported = datetime.datetime.fromisoformat(e["reported_at"])
        if reported.tzinfo is None: return None
        occurred = e.get("occurred_on")
        day = reported.date() if occurred is None else datetime.date.fromisoformat(occurred)
        year, week, _ = day.isocalendar()
        return e["id"], revision, "%s|%s|%d-W%02d" % (e["category"], e["org"], year, week)
    except (ValueError, TypeError, KeyError):
        return None

events, counts_file, mode = sys.argv[1:]
expected = collections.Counter()
latest = {}  # report id -> (revision, key)
valid = 0
with open(events) as lines:
    for line in lines:
        parsed = week_key(line)
        if parsed is None: continue
        valid += 1
        rid, revision, key = parsed
        if mode == "every-event":
            expected[key] += 1
        elif rid not in latest or revision > latest[rid][0]:
            latest[rid] = (revision, key)
if mode == "latest-revision":
    expected.update(key for _, key in latest.values())
actual = {}
with open(counts_file) as lines:
    for line in lines:
        key, value = line.rstrip("\n").split("\t")
        actual[key] = int(value)
actual = {k: v for k, v in actual.items() if v != 0}
total = sum(actual.values())
print("counts: %d keys, total %d (%d valid events, %d distinct reports)" % (
    len(actual), total, valid, len(latest) if mode == "latest-revision" else valid), file=sys.stderr)
if actual != dict(expected):
    diff = [k for k in set(actual) | set(expected) if actual.get(k, 0) != expected.get(k, 0)]
    print("%d keys differ, e.g. %s: %s != %s" % (len(diff), diff[0], actual.get(diff[0]), expected.get(diff[0])), file=sys.stderr)
    sys.exit(1)
print("counts identical to the events file's, key by key", file=sys.stderr)
EOF
done

# Vigil, as tools/kafka_throughput.sh measures it: until every event is
# consumed, lag 0 on every partition and every accepted event merged from the
# repartition topic by each partition that runs detectors.
create_topics vigil-bench.signals vigil-bench.dlq vigil-bench.repartition
p=$(free_port)
broker_before=$(cpu_seconds "$broker_pid")
started=$(date +%s.%N)
"$vigil" run --bootstrap-servers "$bootstrap" --guarantee exactly_once --group-id vigil-bench \
    --group-instance-id bench --signals-topic vigil-bench.signals \
    --dead-letter-topic vigil-bench.dlq --repartition-topic vigil-bench.repartition \
    --state-dir "$work/vigil.state" --metrics-port "$p" >"$work/vigil.log" 2>&1 &
pid=$!
running+=("$pid")
drained() {
  curl -fsS -o /dev/null "http://127.0.0.1:$p/readyz" 2>/dev/null || return 1
  [ "$(metric_or_absent "$p" vigil_events_consumed_total)" -ge "$events" ] || return 1
  [ "$(metric_or_absent "$p" vigil_consumer_lag)" -eq 0 ] || return 1
  local targets
  targets=$(sed -n 's/.*topology: .*(\([0-9]*\) run detectors).*/\1/p' "$work/vigil.log")
  [ "$(metric_or_absent "$p" vigil_repartition_records_total)" -ge \
      $(($(metric_or_absent "$p" vigil_events_processed_total) * ${targets:-1})) ]
}
until drained; do
  kill -0 "$pid" 2>/dev/null || { tail -n 5 "$work/vigil.log" >&2; die "vigil exited before draining"; }
  sleep 0.1
done
finished=$(date +%s.%N)
report "Vigil (national default)" "$started" "$finished" "$pid" "$broker_before"
vigil_rate=$rate
vigil_cpu_rate=$cpu_rate
say "vigil: consumed $(metric_or_absent "$p" vigil_events_consumed_total), processed" \
    "$(metric_or_absent "$p" vigil_events_processed_total), duplicates" \
    "$(metric_or_absent "$p" vigil_events_duplicate_total), dead-lettered" \
    "$(metric_or_absent "$p" vigil_events_dead_lettered_total), signals $(metric_or_absent "$p" vigil_signals_total)"
kill -TERM "$pid"
wait "$pid" || die "vigil did not stop cleanly (see its log)"

for mode in "${streams_modes[@]}"; do
  awk -v v="$vigil_rate" -v k="${streams_rate[$mode]}" -v cv="$vigil_cpu_rate" \
      -v ck="${streams_cpu_rate[$mode]}" -v m="$mode" \
      'BEGIN { printf "ratio Vigil / Kafka Streams (%s): %.2f in events/s, %.2f in events per CPU s\n", m, v / k, cv / ck }'
done
