# Shared by the shell tests (tests/*_test.sh, tests/kafka_test_lib.sh):
# counted checks and the closing "NAME: N passed, M failed" line, polling
# with a deadline, free ports, and cleaning up background jobs at exit.
# Sourced; works under `set -uo pipefail` (checks are counted and the test
# goes on) and under `set -euo pipefail` (the broker tests, which stop at
# the first failure).
#
# Waiting: a test never measures progress by the clock. It waits for a
# condition (poll, wait_exit) with a deadline far beyond what the condition
# needs on a loaded machine, so that running out of time means something is
# really wrong, not that the machine was busy.

# The arguments ctest gives every test script (VIGIL_BINARY SOURCE_DIR
# SHARED_DIR), which a file sourced without arguments sees as its own.
vigil=${1:-}
source_dir=${2:-}
shared_dir=${3:-}

# The test script: the bottom of the stack of sourced files.
test_name=$(basename "${BASH_SOURCE[${#BASH_SOURCE[@]} - 1]}" .sh)
passes=0
failures=0

# check NAME CONDITION...: runs CONDITION; counts a pass, or prints
# "FAIL: NAME", counts a failure and returns 1.
check() {
  local name=$1
  shift
  if "$@"; then
    passes=$((passes + 1))
  else
    echo "FAIL: $name"
    failures=$((failures + 1))
    return 1
  fi
}

# finish: prints "NAME: N passed, M failed" and exits, 0 only when nothing
# failed and something was checked.
finish() {
  echo "$test_name: $passes passed, $failures failed"
  if ((failures == 0 && passes > 0)); then exit 0; fi
  exit 1
}

# poll SECONDS CONDITION...: true as soon as CONDITION succeeds (tried every
# 0.2 s), false if it still fails at the deadline.
poll() {
  local deadline=$((SECONDS + $1))
  shift
  while ((SECONDS < deadline)); do
    "$@" && return 0
    sleep 0.2
  done
  "$@"
}

# wait_exit PID SECONDS: waits at most SECONDS for the background job PID to
# exit and returns its exit status; 124 (as timeout(1)) if it is still
# running then (it is left running; the exit cleanup stops it).
wait_exit() {
  local pid=$1 deadline=$((SECONDS + $2)) status=0
  # Braces: the shell's "Killed" notice for a job ended by SIGKILL (a test
  # expects that) goes nowhere.
  {
    while kill -0 "$pid"; do
      ((SECONDS < deadline)) || return 124
      sleep 0.2
    done
    wait "$pid" || status=$?
  } 2>/dev/null
  return "$status"
}

# free_port: prints a TCP port no other test holds and nothing listens on,
# and keeps it reserved for this test until the test's shell exits.
#
# Two races make a port picked by bind(port 0) unreliable on a busy machine:
# the kernel hands the same ephemeral range to outgoing connections (Kafka
# clients open many), and two tests may pick the same port before either
# binds it. So the port is drawn at random from outside the ephemeral range
# (net.ipv4.ip_local_port_range), checked bindable, and reserved with an
# flock(1) lock on $VIGIL_TEST_PORT_LOCKS/PORT (default
# /tmp/vigil-test-ports) that every free_port honours. The lock belongs to
# a small holder process that lives as long as this test's shell ($$), so
# it also works from $(free_port) and is released even if the test is
# killed. The race that remains: a program that does not use this library
# binding that very port between the check and the caller's server binding
# it. Where a server can pick its own port and report it (`vigil demo
# --metrics-port 0`), tests prefer that.
free_port() {
  local dir=${VIGIL_TEST_PORT_LOCKS:-/tmp/vigil-test-ports} owner=$$ port fd attempt
  mkdir -p -m 1777 "$dir" 2>/dev/null || true
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    port=$(python3 - <<'EOF'
import random, socket
try:
    low, high = map(int, open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
except OSError:
    low, high = 32768, 60999
ranges = [r for r in (range(10000, low), range(high + 1, 65536)) if len(r) > 0]
for _ in range(200):
    port = random.choice(random.choice(ranges))
    s = socket.socket()
    try:
        s.bind(("0.0.0.0", port))  # no SO_REUSEADDR: skip ports still in TIME_WAIT too
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
EOF
    ) || return 1
    [ -n "$port" ] || continue
    exec {fd}>>"$dir/$port" || continue
    if flock -n "$fd"; then
      # The holder inherits the locked file description and keeps the lock
      # after this function's copy is closed.
      (while kill -0 "$owner" 2>/dev/null; do sleep 2; done) </dev/null >/dev/null 2>&1 &
      exec {fd}>&-
      echo "$port"
      return 0
    fi
    exec {fd}>&-
  done
  echo "free_port: no free port found" >&2
  return 1
}

# stop_background_jobs: SIGKILL to every background job of this shell and
# to their children (e.g. a kcat waiting out a broker outage, which would
# otherwise keep ctest waiting on its output).
stop_background_jobs() {
  local job
  for job in $(jobs -p); do
    pkill -KILL -P "$job" 2>/dev/null || true
    kill -KILL "$job" 2>/dev/null || true
  done
  { wait; } 2>/dev/null || true
}

# at_exit COMMAND: runs COMMAND (a string, eval'ed) when the test exits,
# after its background jobs are stopped; later registrations run first.
# The first call installs the EXIT trap.
exit_commands=()
at_exit() {
  ((${#exit_commands[@]} > 0)) || trap run_exit_commands EXIT
  exit_commands=("$1" "${exit_commands[@]}")
}
# use_work_dir: $work, a fresh directory removed when the test exits.
use_work_dir() {
  work=$(mktemp -d)
  at_exit "rm -rf '$work'"
}
run_exit_commands() {
  local command
  stop_background_jobs
  for command in "${exit_commands[@]}"; do
    eval "$command" || true
  done
}

# --- `vigil demo` over a bounded stream (demo_test, monitoring_metrics_test,
# alertmanager_test). These need $vigil.

# start_demo OUT ERR DEMO-ARGS...: starts `$vigil demo --metrics-port 0
# DEMO-ARGS...` in the background (stdout to OUT, stderr to ERR) and waits,
# at most 120 s, for the metrics address it reports; sets demo_pid and
# metrics_port. The demo binds a port the kernel picks, so nothing can take
# it first. False if no address was reported.
start_demo() {
  local out=$1
  demo_err=$2
  shift 2
  : >"$demo_err"
  "$vigil" demo --metrics-port 0 "$@" >"$out" 2>"$demo_err" &
  demo_pid=$!
  poll 120 demo_reported_port_or_exited || true
  metrics_port=$(sed -n 's|^  metrics: http://127\.0\.0\.1:\([0-9][0-9]*\)/metrics.*|\1|p' "$demo_err" | head -n 1)
  [ -n "$metrics_port" ]
}
demo_reported_port_or_exited() {
  grep -qs '^  metrics: http://127\.0\.0\.1:[0-9]' "$demo_err" || ! kill -0 "$demo_pid" 2>/dev/null
}

# demo_drained SECONDS: waits, at most SECONDS, for the demo's line
# "vigil demo: stream drained: N events; ..." (the whole bounded stream
# produced, consumed and committed through both stages, every signal
# printed); sets drained_events to N. False at the deadline or if the demo
# exited first.
demo_drained() {
  poll "$1" demo_drained_or_exited || true
  drained_events=$(sed -n 's/^vigil demo: stream drained: \([0-9][0-9]*\) events.*/\1/p' "$demo_err")
  [ -n "$drained_events" ]
}
demo_drained_or_exited() {
  grep -qs '^vigil demo: stream drained: ' "$demo_err" || ! kill -0 "$demo_pid" 2>/dev/null
}

# drained_count KIND: how many signals of KIND (raised, updated, resolved)
# the drained line reports.
drained_count() { sed -n "s/^vigil demo: stream drained: .* $1 \([0-9][0-9]*\).*/\1/p" "$demo_err"; }

# scrape FILE: the demo's /metrics into FILE.
scrape() { curl -sf "http://127.0.0.1:$metrics_port/metrics" >"$1"; }
# scraped FILE SERIES: the value of SERIES (its name and labels as
# exposed, e.g. 'vigil_alertmanager_sends_total{result="error"}') in a
# scrape, or -1 if absent.
scraped() { awk -v s="$2" '$1 == s { print $2; found = 1 } END { if (!found) print -1 }' "$1"; }
# scraped_sum FILE NAME: NAME's samples summed over their labels, as an
# integer, or -1 if there are none.
scraped_sum() {
  awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $2; found = 1 }
                 END { if (found) printf "%.0f\n", s; else print -1 }' "$1"
}
