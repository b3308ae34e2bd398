#!/usr/bin/env bash
# Issue 17 item 6: replay, evaluate and generate show progress on stderr when
# it is a terminal (here a pseudo-terminal made by script(1)), one line
# redrawn with \r and ended when the run ends, and stay quiet when stderr is
# a file. Checks the final progress line, which every run draws whatever its
# speed (core/progress_meter.h), never how often it was redrawn.
# Usage: progress_test.sh VIGIL_BINARY SOURCE_DIR SHARED_DIR
set -uo pipefail
source "$2/tests/test_lib.sh"
use_work_dir

# on_terminal LOG COMMAND...: runs COMMAND with stdin, stdout and stderr on a
# pseudo-terminal, its output (\r\n for \n) in LOG.
on_terminal() {
  local log=$1
  shift
  local command
  printf -v command '%q ' "$@"
  script -qfec "$command" /dev/null </dev/null >"$log"
}
# has LOG TEXT: LOG holds TEXT (fixed string).
has() { grep -qF -- "$2" "$1"; }
# lacks LOG TEXT
lacks() { ! grep -qF -- "$2" "$1"; }
lacks_carriage_return() { ! grep -q $'\r' "$1"; }

stream="$work/stream.jsonl"
generate=("$vigil" generate --output "$stream" --events 20000 --seed 5 --days 60
          --events-per-year 3300000)

# generate
on_terminal "$work/generate.tty" "${generate[@]}"
check "generate on a terminal succeeds" test $? -eq 0
check "generate shows its final progress: every event, 100% of --events" \
    grep -qE $'\rvigil generate: 20,000 events, [0-9,]+ events/s, stream at 20[0-9-]+, 100\\.0%\x1b\\[K' \
    "$work/generate.tty"
"${generate[@]}" 2>"$work/generate.err"
check "generate to a file succeeds" test $? -eq 0
check "generate shows no progress when stderr is a file" lacks "$work/generate.err" "events/s"
check "generate writes no carriage return to a file" lacks_carriage_return "$work/generate.err"
check "generate still prints its summary" has "$work/generate.err" "vigil generate: wrote 20000 lines"

# replay: the share done is the file's bytes read
on_terminal "$work/replay.tty" "$vigil" replay --input "$stream" --signals "$work/signals.jsonl" \
    --dead-letters "$work/dead.jsonl"
check "replay on a terminal succeeds" test $? -eq 0
check "replay shows its final progress: every line, the stream date, the whole file" \
    grep -qE $'\rvigil replay: 20,000 events, [0-9,]+ events/s, stream at 20[0-9-]+, 100\\.0%\x1b\\[K' \
    "$work/replay.tty"
check "replay's summary follows on its own line" has "$work/replay.tty" $'\x1b[K\r\nvigil replay: events read 20000'
"$vigil" replay --input "$stream" --signals "$work/signals2.jsonl" --dead-letters "$work/dead2.jsonl" \
    2>"$work/replay.err" | cat
check "replay to a pipe succeeds" test "${PIPESTATUS[0]}" -eq 0
check "replay shows no progress when stderr is a file" lacks "$work/replay.err" "events/s"
check "replay writes no carriage return to a file" lacks_carriage_return "$work/replay.err"
check "the progress display changes no signal" cmp -s "$work/signals.jsonl" "$work/signals2.jsonl"

# evaluate: the share done is the stream's days
on_terminal "$work/evaluate.tty" "$vigil" evaluate --days 20 --events-per-year 100000 --seed 5
check "evaluate on a terminal succeeds" test $? -eq 0
check "evaluate shows its final progress: all 20 days" \
    grep -qE $'\rvigil evaluate: [0-9,]+ events, [0-9,]+ events/s, stream at 20[0-9-]+, 100\\.0%\x1b\\[K' \
    "$work/evaluate.tty"
"$vigil" evaluate --days 20 --events-per-year 100000 --seed 5 >"$work/evaluate.out" 2>"$work/evaluate.err"
check "evaluate with stderr in a file succeeds" test $? -eq 0
check "evaluate shows no progress when stderr is a file" lacks "$work/evaluate.err" "events/s"

finish
