#!/usr/bin/env bash
# The review application in a real browser (issue 11): headless Chromium,
# driven by tests/review_browser.py through chromium-driver, against `vigil
# serve --signals` over the replay of a two-year generated stream. The queue
# lists signals in priority order; a signal page draws its chart with one
# point per period; a reviewer records a decision through the page; after a
# restart of the service the decision and its audit trail are still there;
# a viewer cannot post. Screenshots of the queue and a signal page are kept
# in the build tree (tests/artifacts/review-browser/) as the test's artifacts.
# Usage: review_browser_test.sh VIGIL_BINARY SOURCE_DIR SHARED_DIR
set -uo pipefail
source "$2/tests/test_lib.sh"
use_work_dir
python=python3
"$python" -c 'import selenium' 2>/dev/null || python=/usr/bin/python3
artifacts="$PWD/artifacts/review-browser"
rm -rf "$artifacts"
mkdir -p "$artifacts"

"$vigil" generate --output "$work/events.jsonl" --seed 20240101 --days 730 \
    --events-per-year 150000 2>"$work/generate.err"
check "generate exits 0" test $? -eq 0
"$vigil" replay --input "$work/events.jsonl" --signals "$work/signals.jsonl" 2>"$work/replay.err"
check "replay exits 0" test $? -eq 0

# alice is the one reviewer; anyone else identified is a viewer.
# The repository's sample reference tables put names beside codes.
cat >"$work/review.yaml" <<YAML
review:
  reference_tables:
    category: $source_dir/config/reference/category.csv
    region: $source_dir/config/reference/region.csv
  identity:
    reviewers: [alice]
YAML

serve_pid=""
base=""
# start_serve NAME ARGS...: `vigil serve` on a free port with the store in
# $work/state; waits until it answers.
start_serve() {
  local name=$1 port
  shift
  port=$(free_port) || return 1
  "$vigil" serve --config "$work/review.yaml" --signals "$work/signals.jsonl" --port "$port" \
      --state-dir "$work/state" "$@" >"$work/$name.out" 2>"$work/$name.err" &
  serve_pid=$!
  base="http://127.0.0.1:$port"
  poll 180 curl -fs -o /dev/null "$base/readyz"
}
stop_serve() {
  kill -TERM "$serve_pid"
  wait_exit "$serve_pid" 60
}
browse() { "$python" "$source_dir/tests/review_browser.py" "$@" >>"$work/browser.log" 2>&1; }

check "serve starts as reviewer alice" start_serve first --reviewer alice
check "in the browser: queue order, chart points, a decision through the form" \
    browse reviewer "$base" "$artifacts"
signal_id=$(cat "$artifacts/decided-signal-id" 2>/dev/null)
check "serve stops on SIGTERM" stop_serve

check "serve restarts over the same state directory" start_serve second --reviewer alice
check "in the browser: the decision survived the restart" browse restarted "$base" "$artifacts" "$signal_id"
stop_serve

check "serve starts as bob, a viewer" start_serve viewer --reviewer bob
check "in the browser: a viewer cannot post" browse viewer "$base" "$artifacts" "$signal_id"
stop_serve

for shot in queue signal; do
  check "screenshot $shot.png saved" test -s "$artifacts/$shot.png"
done
cat "$work/browser.log"
finish
