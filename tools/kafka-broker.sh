#!/usr/bin/env bash
# A real single-node Apache Kafka 3.9.1 broker (KRaft, combined broker and
# controller, PLAINTEXT on 127.0.0.1) for tests: what the librdkafka mock
# cluster cannot show (transactions, read_committed, a broker restart).
#
#   tools/kafka-broker.sh fetch
#       Ensures the broker's jars are cached; prints the libs directory.
#   tools/kafka-broker.sh start DIR [--partitions N] [--owner PID]
#       Formats and starts a new broker whose every file is in DIR (created if
#       missing; must not hold a broker already): DIR/server.properties,
#       DIR/data, DIR/broker.log, DIR/pid, DIR/bootstrap. Two free ports are
#       picked (broker and controller listeners). Waits until the broker
#       answers metadata requests, then prints its bootstrap address
#       (127.0.0.1:PORT, also written to DIR/bootstrap) on stdout.
#       N is num.partitions of auto-created topics (default 1). With --owner,
#       the broker is stopped once process PID is gone, so a test killed by
#       its time limit leaves no broker behind.
#   tools/kafka-broker.sh restart DIR
#       Starts the stopped broker of DIR again: same ports, properties and
#       data. Waits until ready and prints the bootstrap address.
#   tools/kafka-broker.sh stop DIR
#       SIGTERM, then SIGKILL after 30 s; keeps DIR. Succeeds if not running.
#   tools/kafka-broker.sh clean DIR
#       Stops the broker if running and removes DIR.
#
# Every failure is reported on stderr with a non-zero exit; a broker that dies
# while starting has the tail of its log printed. Brokers in different DIRs are
# independent, so tests may run in parallel.
#
# The jars (Maven Central's org.apache.kafka:kafka_2.13:3.9.1 and its runtime
# dependencies, 46 MB) are fetched once per machine with Maven into
# $VIGIL_TOOLS_CACHE/kafka-3.9.1/libs (default ~/.cache/vigil-tools). Needs
# java (17), mvn (first run only), kcat and python3. The broker logs through
# Debian's slf4j-simple binding (package libslf4j-java, a dependency of maven)
# when present, and logs nothing otherwise.
#
# Environment: VIGIL_KAFKA_START_TIMEOUT (s, default 90),
# VIGIL_KAFKA_STOP_TIMEOUT (s, default 30), VIGIL_KAFKA_JAVA_OPTS (extra JVM
# options, appended).
set -euo pipefail
export HOME=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}

readonly version=3.9.1
readonly cache=${VIGIL_TOOLS_CACHE:-$HOME/.cache/vigil-tools}
readonly home="$cache/kafka-$version"
readonly libs="$home/libs"
readonly start_timeout=${VIGIL_KAFKA_START_TIMEOUT:-90}
readonly stop_timeout=${VIGIL_KAFKA_STOP_TIMEOUT:-30}
readonly slf4j_binding=/usr/share/java/slf4j-simple.jar
readonly marker="# Written by tools/kafka-broker.sh"

usage() {
  sed -n '/^#   tools/,/^#$/p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
die() { echo "kafka-broker: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || die "$1 not found on PATH ($2)"; }

java_bin() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then echo "$JAVA_HOME/bin/java"; return; fi
  need java "Debian package default-jre-headless"
  command -v java
}

# fetch: the jars into $libs, once. Everything happens in a subshell holding a
# lock on the cache, so parallel callers wait for one download and the lock's
# descriptor is never inherited by a broker.
fetch() {
  [ -f "$libs/kafka_2.13-$version.jar" ] && return 0
  mkdir -p "$home"
  (
    exec 9>"$home/.lock"
    flock 9
    [ -f "$libs/kafka_2.13-$version.jar" ] && exit 0
    need mvn "Debian package maven"
    echo "kafka-broker: fetching Kafka $version with Maven (once per machine)" >&2
    rm -rf "$home"/libs.tmp.*  # left by a fetch that was killed
    work=$(mktemp -d)
    staging=$(mktemp -d "$home/libs.tmp.XXXXXX")
    trap 'rm -rf "$work" "$staging"' EXIT
    cat > "$work/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>vigil.tools</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>$version</version>
    </dependency>
  </dependencies>
</project>
EOF
    if ! nice -n 10 mvn -B -q -Dstyle.color=never -f "$work/pom.xml" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$staging" >&2; then
      echo "kafka-broker: mvn could not fetch org.apache.kafka:kafka_2.13:$version" >&2
      exit 1
    fi
    for jar in "kafka_2.13-$version.jar" "kafka-clients-$version.jar" "kafka-server-$version.jar" \
        "kafka-raft-$version.jar" "kafka-metadata-$version.jar" "kafka-storage-$version.jar"; do
      [ -f "$staging/$jar" ] || { echo "kafka-broker: mvn did not deliver $jar" >&2; exit 1; }
    done
    chmod 755 "$staging"
    rm -rf "$libs"
    mv -T "$staging" "$libs"
  )
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# cluster_id: what `kafka.tools.StorageTool random-uuid` prints (a random
# UUID, URL-safe base64 without padding, never starting with '-'), without
# paying for a JVM start.
cluster_id() {
  python3 -c 'import base64, uuid
while True:
    s = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    if not s.startswith("-"): break
print(s)'
}

# prop FILE KEY: the value of KEY in a properties file we wrote.
prop() { sed -n "s/^$2=//p" "$1" | tail -n 1; }

# broker_pid DIR: the pid of DIR's running broker, or nothing. A pid file whose
# process is gone, or is no longer our java, counts as not running.
broker_pid() {
  local pid
  pid=$(cat "$1/pid" 2>/dev/null) || return 0
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  [ -r "/proc/$pid/cmdline" ] || return 0
  # A zombie still has /proc/PID, with an empty command line.
  tr '\0' '\n' < "/proc/$pid/cmdline" 2>/dev/null | grep -qxF "$1/server.properties" || return 0
  echo "$pid"
}

# broker_dir DIR: DIR as an absolute path, checked to be one this script set up.
broker_dir() {
  [ -n "${1:-}" ] || usage
  local dir
  dir=$(realpath -m -- "$1")
  [ -f "$dir/server.properties" ] || die "$dir holds no broker (no server.properties)"
  [[ "$(head -n 1 "$dir/server.properties")" == "$marker"* ]] || die "$dir/server.properties was not written by this script"
  echo "$dir"
}

write_config() {  # write_config DIR PORT CONTROLLER_PORT PARTITIONS
  local dir=$1 port=$2 cport=$3 partitions=$4
  cat > "$dir/server.properties.tmp" <<EOF
$marker for a single-node test broker.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=$partitions
auto.create.topics.enable=true
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
group.initial.rebalance.delay.ms=0
# Tests may write records whose timestamps are years old: never expire them.
log.retention.ms=-1
log.retention.bytes=-1
# Small enough for two busy cores and a 512 MB heap (the log cleaner's
# dedupe buffer alone is 128 MB by default).
num.network.threads=2
num.io.threads=4
background.threads=4
num.recovery.threads.per.data.dir=1
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=16777216
log.initial.task.delay.ms=1000
EOF
  mv "$dir/server.properties.tmp" "$dir/server.properties"
}

# set_java_command: java_command=(java, JVM options, class path), the start of
# every command line that runs Kafka's code. The class path is the fetched
# jars plus Debian's slf4j-simple binding when installed (logging to stderr).
set_java_command() {
  local java
  java=$(java_bin) || exit 1
  java_command=("$java" -Xms128m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent
    -Djava.awt.headless=true)
  local classpath="$libs/*"
  if [ -r "$slf4j_binding" ]; then
    classpath+=":$slf4j_binding"
    java_command+=(-Dorg.slf4j.simpleLogger.logFile=System.err
      -Dorg.slf4j.simpleLogger.defaultLogLevel=info
      -Dorg.slf4j.simpleLogger.showDateTime=true
      -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS
      # Each configuration object lists all its values at INFO: hundreds of lines.
      -Dorg.slf4j.simpleLogger.log.org.apache.kafka.common.config.AbstractConfig=warn
      -Dorg.slf4j.simpleLogger.log.kafka.server.KafkaConfig=warn)
  fi
  # shellcheck disable=SC2206  # extra options are split on blanks on purpose
  java_command+=(${VIGIL_KAFKA_JAVA_OPTS:-} -cp "$classpath")
}

# launch DIR: starts the broker of DIR in the background, in its own session
# with no descriptor of the caller (a $(...) around this script returns at
# once), and writes DIR/pid.
launch() {
  local dir=$1
  set_java_command
  rm -f "$dir/pid"
  echo "=== kafka-broker: starting $(date -Is)" >> "$dir/broker.log"
  setsid bash -c 'echo $$ > "$1.tmp" && mv "$1.tmp" "$1" && exec "${@:2}"' kafka-broker "$dir/pid" \
      "${java_command[@]}" kafka.Kafka "$dir/server.properties" \
      </dev/null >>"$dir/broker.log" 2>&1 9>&- &
  local deadline=$((SECONDS + 10))
  until [ -s "$dir/pid" ]; do
    ((SECONDS < deadline)) || die "the broker of $dir did not start (no pid file)"
    sleep 0.05
  done
  watch_owner "$dir"
}

# watch_owner DIR: with DIR/owner, a detached watcher stops the broker once the
# owner process is gone (and exits by itself when the broker stops first).
watch_owner() {
  local dir=$1 owner pid
  owner=$(cat "$dir/owner" 2>/dev/null) || return 0
  pid=$(cat "$dir/pid")
  setsid bash -c '
    while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done
    kill -0 "$2" 2>/dev/null || exit 0
    echo "=== kafka-broker: owner $1 is gone, stopping the broker $(date -Is)" >> "$3/broker.log"
    exec bash "$4" stop "$3"' kafka-broker-watch "$owner" "$pid" "$dir" "$(realpath "$0")" \
      </dev/null >/dev/null 2>&1 9>&- &
}

log_tail() {  # log_tail DIR: the errors and the last lines of the latest run's log
  local log="$1/broker.log" first
  first=$(grep -n '^=== kafka-broker: starting' "$log" | tail -n 1 | cut -d: -f1) || true
  {
    echo "kafka-broker: errors in $log:"
    tail -n +"${first:-1}" "$log" | grep -E ' (ERROR|FATAL) |^Error|Exception|^Caused by' \
        | head -n 15 | cut -c1-400 | sed 's/^/  | /'
    echo "kafka-broker: last lines of $log:"
    tail -n 15 "$log" | cut -c1-400 | sed 's/^/  | /'
  } >&2 || true
}

# metadata_ok PORT: the broker answers a metadata request and lists itself
# (it is listed only once unfenced, i.e. registered with an active controller).
metadata_ok() {
  local metadata
  metadata=$(timeout 10 kcat -b "127.0.0.1:$1" -L -J -m 3 2>/dev/null) || return 1
  [[ "$metadata" == *"{\"id\":1,\"name\":\"127.0.0.1:$1\"}"* ]]
}

# wait_ready DIR: 0 once the broker answers, 1 if it exited, 2 if it was not
# ready within the start timeout; the caller reports.
wait_ready() {
  local dir=$1 port pid
  port=$(prop "$dir/server.properties" advertised.listeners)
  port=${port##*:}
  pid=$(cat "$dir/pid")
  local deadline=$((SECONDS + start_timeout))
  while ((SECONDS < deadline)); do
    if [ -z "$(broker_pid "$dir")" ]; then
      wait "$pid" 2>/dev/null || true
      return 1
    fi
    metadata_ok "$port" && return 0
    sleep 0.3
  done
  return 2
}

# not_ready DIR STATUS: reports a failed wait_ready, stops what is left, fails.
not_ready() {
  case $2 in
    1) echo "kafka-broker: the broker of $1 exited while starting" >&2 ;;
    *) echo "kafka-broker: the broker of $1 was not ready within ${start_timeout} s" >&2 ;;
  esac
  log_tail "$1"
  cmd_stop "$1"
  exit 1
}

ready() {  # ready DIR STARTED: prints and records the bootstrap address
  local dir=$1 started=$2 bootstrap
  bootstrap=$(prop "$dir/server.properties" advertised.listeners)
  bootstrap=${bootstrap#PLAINTEXT://}
  echo "$bootstrap" > "$dir/bootstrap"
  echo "kafka-broker: $bootstrap ready after $(($(date +%s%N) / 1000000 - started)) ms ($dir)" >&2
  echo "$bootstrap"
}

cmd_start() {
  local dir="" partitions=1 owner=""
  while (($#)); do
    case $1 in
      --partitions) (($# >= 2)) || usage; partitions=$2; shift 2 ;;
      --owner) (($# >= 2)) || usage; owner=$2; shift 2 ;;
      -*) usage ;;
      *) [ -z "$dir" ] || usage; dir=$1; shift ;;
    esac
  done
  [ -n "$dir" ] || usage
  [[ "$partitions" =~ ^[1-9][0-9]*$ ]] || die "--partitions wants a positive integer, not '$partitions'"
  [ -z "$owner" ] || [[ "$owner" =~ ^[1-9][0-9]*$ ]] || die "--owner wants a process id, not '$owner'"
  need kcat "Debian package kcat"
  need python3 "Debian package python3"
  local started
  started=$(($(date +%s%N) / 1000000))
  dir=$(realpath -m -- "$dir")
  [ ! -e "$dir/server.properties" ] || die "$dir already holds a broker; use restart (or clean)"
  mkdir -p "$dir"
  fetch
  if [ -n "$owner" ]; then echo "$owner" > "$dir/owner"; else rm -f "$dir/owner"; fi
  # A picked port may be taken by someone else before the broker binds it;
  # then the broker exits at once and we try again with new ports.
  local attempt status
  for attempt in 1 2 3; do
    local port cport cluster_id
    port=$(free_port)
    cport=$(free_port)
    while [ "$cport" = "$port" ]; do cport=$(free_port); done
    rm -rf "$dir/data"
    write_config "$dir" "$port" "$cport" "$partitions"
    cluster_id=$(cluster_id)
    set_java_command
    "${java_command[@]}" kafka.tools.StorageTool format -t "$cluster_id" \
        -c "$dir/server.properties" >>"$dir/broker.log" 2>&1 \
        || { log_tail "$dir"; die "kafka.tools.StorageTool format failed for $dir"; }
    launch "$dir"
    status=0
    wait_ready "$dir" || status=$?
    if ((status == 0)); then ready "$dir" "$started"; return 0; fi
    if ((status == 1)) && ((attempt < 3)) && tail -n 300 "$dir/broker.log" | grep -q "Address already in use"; then
      echo "kafka-broker: port $port or $cport was taken meanwhile; trying others" >&2
      continue
    fi
    not_ready "$dir" "$status"
  done
}

cmd_restart() {
  (($# == 1)) || usage
  need kcat "Debian package kcat"
  local dir started
  started=$(($(date +%s%N) / 1000000))
  dir=$(broker_dir "$1")
  [ -z "$(broker_pid "$dir")" ] || die "the broker of $dir is running; stop it first"
  [ -f "$dir/data/meta.properties" ] || die "$dir/data is not formatted; use start"
  fetch
  launch "$dir"
  local status=0
  wait_ready "$dir" || status=$?
  ((status == 0)) || not_ready "$dir" "$status"
  ready "$dir" "$started"
}

cmd_stop() {
  (($# == 1)) || usage
  local dir pid
  dir=$(broker_dir "$1")
  pid=$(broker_pid "$dir")
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + stop_timeout))
    while [ -n "$(broker_pid "$dir")" ] && ((SECONDS < deadline)); do sleep 0.2; done
    if [ -n "$(broker_pid "$dir")" ]; then
      echo "kafka-broker: the broker of $dir ignored SIGTERM for ${stop_timeout} s; SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      deadline=$((SECONDS + 10))
      while [ -n "$(broker_pid "$dir")" ] && ((SECONDS < deadline)); do sleep 0.1; done
      [ -z "$(broker_pid "$dir")" ] || die "the broker of $dir (pid $pid) survived SIGKILL"
    fi
  fi
  rm -f "$dir/pid"
}

cmd_clean() {
  (($# == 1)) || usage
  local dir
  dir=$(realpath -m -- "$1")
  [ -e "$dir" ] || return 0
  # A start that failed before writing its configuration leaves only these.
  if [ ! -e "$dir/server.properties" ] && [ -z "$(ls -A "$dir" | grep -vxE 'owner|broker\.log|server\.properties\.tmp')" ]; then
    rm -rf -- "$dir"
    return 0
  fi
  dir=$(broker_dir "$dir")
  cmd_stop "$dir"
  rm -rf -- "$dir"
}

(($# >= 1)) || usage
command=$1
shift
case $command in
  fetch) (($# == 0)) || usage; fetch; echo "$libs" ;;
  start) cmd_start "$@" ;;
  restart) cmd_restart "$@" ;;
  stop) cmd_stop "$@" ;;
  clean) cmd_clean "$@" ;;
  -h|--help|help) usage ;;
  *) usage ;;
esac
