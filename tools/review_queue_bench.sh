#!/usr/bin/env bash
# Response times of the review application (`vigil serve`) with 100,000
# signals in its store, through HTTP as a browser or API client meets them.
#
# The signals: a generated two-year national stream (1 million reports a
# year) replayed with the national default configuration, then cloned by
# tools/review_bench_signals.py to 100,000 distinct signal ids (each clone a
# whole signal under a new id, with its key's values redrawn and its dates
# moved by whole weeks, so filters and text search meet a realistic spread).
# `vigil serve --signals` loads them into a fresh store; the load time is
# from start to /readyz 200. Then each request is made once to warm up and
# REPS times (default 20) more, one at a time; the table gives curl's
# time_total (connection included) in milliseconds, median and max, and for
# API requests the number of matching signals (`total`). Last, the serve
# process's peak resident memory (VmHWM).
#
#   tools/review_queue_bench.sh [VIGIL]      (default build/vigil; builds nothing)
#   REPS=N SIGNALS=N tools/review_queue_bench.sh ...
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/test_lib.sh  # free_port, poll, at_exit, use_work_dir
vigil=$(realpath "${1:-build/vigil}")
reps=${REPS:-20}
signals=${SIGNALS:-100000}
[ -x "$vigil" ] || { echo "review_queue_bench: no vigil binary at $vigil" >&2; exit 2; }
use_work_dir

# --- the signals file
"$vigil" generate --days 730 --events-per-year 1000000 --output "$work/events.jsonl" 2>/dev/null
"$vigil" replay --input "$work/events.jsonl" --signals "$work/replay.jsonl" \
    --dead-letters "$work/dlq.jsonl" 2>"$work/replay.err"
rm -f "$work/events.jsonl"
# The shipped sample reference tables name these dimensions' codes; the
# organisations' table is written with the clones (their codes are synthetic).
references=()
for dimension in category medication device region; do
  references+=(--reference "$dimension=config/reference/$dimension.csv")
done
python3 tools/review_bench_signals.py --input "$work/replay.jsonl" \
    --output "$work/signals.jsonl" --count "$signals" --org-names-out "$work/org.csv" \
    --org-names-from config/reference/org.csv "${references[@]}" >"$work/samples" 2>"$work/clone.err"
series_signal=$(sed -n 's/^series_signal=//p' "$work/samples")
funnel_signal=$(sed -n 's/^funnel_signal=//p' "$work/samples")
tail -n 1 "$work/replay.err"
cat "$work/clone.err"
echo "signals file: $(( $(stat -c %s "$work/signals.jsonl") / 1048576 )) MiB"

# --- the service
port=$(free_port)
base="http://127.0.0.1:$port"
start=$(date +%s.%N)
"$vigil" serve --signals "$work/signals.jsonl" --port "$port" --state-dir "$work/state" \
    --reference "org=$work/org.csv" "${references[@]}" >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
at_exit "kill -TERM $serve_pid 2>/dev/null; wait $serve_pid 2>/dev/null"
ready() {
  kill -0 "$serve_pid" 2>/dev/null || { cat "$work/serve.err" >&2; exit 1; }
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")" = 200 ]
}
poll 1800 ready || { echo "review_queue_bench: not ready after 30 minutes" >&2; exit 1; }
loaded=$(date +%s.%N)
store_bytes=$(stat -c %s "$work/state/review.sqlite")
wal_bytes=$(stat -c %s "$work/state/review.sqlite-wal" 2>/dev/null || echo 0)
printf 'vigil serve: ready after %.1f s; store review.sqlite %d MiB (+ WAL %d MiB)\n' \
    "$(echo "$loaded - $start" | bc -l)" $((store_bytes / 1048576)) $((wal_bytes / 1048576))
grep '^vigil serve: [0-9]' "$work/serve.err" || true

# --- the requests: label, then path
requests=(
  "GET / (queue page)" "/"
  "GET /api/v1/signals (default page)" "/api/v1/signals"
  "API, all signals, 20,000 rows deep" "/api/v1/signals?status=all&offset=20000"
  "API, all, severity>=high + category" "/api/v1/signals?status=all&severity=high&category=medication"
  "API, all, one organisation" "/api/v1/signals?status=all&org=RGB"
  "API, all, one region" "/api/v1/signals?status=all&region=Y62"
  "API, all, text: a name (manchester)" "/api/v1/signals?status=all&text=manchester"
  "API, all, text: a short code (rx1)" "/api/v1/signals?status=all&text=rx1"
  "API, all, text: 2 characters (y6)" "/api/v1/signals?status=all&text=y6"
  "GET /signals/{id} (52-week series)" "/signals/$series_signal"
  "GET /api/v1/signals/{id} (series)" "/api/v1/signals/$series_signal"
  "GET /signals/{id} (funnel, 215 orgs)" "/signals/$funnel_signal"
)

# time_request PATH: one request; prints curl's time_total in ms, fails
# unless the answer is 200.
time_request() {
  local out
  out=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' "$base$1")
  [ "${out%% *}" = 200 ] || { echo "review_queue_bench: $1 answered ${out%% *}" >&2; return 1; }
  echo "${out#* } * 1000" | bc -l
}

printf '\n%d signals; %d repetitions after one warm-up; curl time_total in ms\n' "$signals" "$reps"
printf '%-38s %9s %9s %9s\n' request median max matching
for ((i = 0; i < ${#requests[@]}; i += 2)); do
  label=${requests[i]} path=${requests[i + 1]}
  matching=-
  curl -fsS -o "$work/answer" "$base$path"
  if [[ $path == /api/v1/signals\?* || $path == /api/v1/signals ]]; then
    matching=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"])' "$work/answer")
  fi
  : >"$work/times"
  for ((r = 0; r < reps; r++)); do time_request "$path" >>"$work/times"; done
  sort -g "$work/times" | awk -v label="$label" -v matching="$matching" '
    { t[NR] = $1 }
    END {
      median = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
      printf "%-38s %9.2f %9.2f %9s\n", label, median, t[NR], matching
    }'
done
printf '\nvigil serve peak RSS (VmHWM): %d MiB\n' \
    $(($(awk '/^VmHWM:/ { print $2 }' "/proc/$serve_pid/status") / 1024))
kill -TERM "$serve_pid"
wait "$serve_pid" || true
