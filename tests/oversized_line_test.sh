#!/usr/bin/env bash
# Issue 15 item 7: a JSON Lines line longer than the message limit (1 MiB),
# here 2 GiB without a newline streamed through a pipe (nothing on disk), is
# reported as too_large by validate and dead-lettered as too_large by replay,
# which both go on with the next line, in bounded memory (peak resident
# memory measured by /usr/bin/time). Before, the reader held the whole line.
# Usage: oversized_line_test.sh VIGIL_BINARY SOURCE_DIR SHARED_DIR
set -uo pipefail
source "$2/tests/test_lib.sh"
use_work_dir

huge_bytes=$((2 * 1024 * 1024 * 1024))
event() {
  printf '{"id":"%s","reported_at":"2024-05-01T10:00:00Z","org":"RXA","record_type":"incident","category":"fall"}\n' "$1"
}
# Line 1 valid, line 2 the huge one, line 3 valid (without a final newline).
stream() {
  event first
  head -c "$huge_bytes" /dev/zero | tr '\0' x
  printf '\n'
  event after | tr -d '\n'
}
peak_kib() { tail -n 1 "$1"; }

stream | /usr/bin/time -f %M -o "$work/validate.rss" "$vigil" validate --input - \
    >"$work/validate.out" 2>"$work/validate.err"
check "validate exits 1 (one invalid line)" test $? -eq 1
check "validate reports line 2 as too_large" \
    grep -qx 'line 2: too_large: message: larger than 1048576 bytes (1 MiB)' "$work/validate.out"
check "validate reports nothing else" test "$(wc -l <"$work/validate.out")" -eq 1
check "validate reads the line after it" grep -q '3 lines, 1 invalid' "$work/validate.err"
# Measured against validate's own baseline on the two short lines, as for
# replay below: a sanitizer build's shadow memory raises both alike.
{ event first; event after; } | /usr/bin/time -f %M -o "$work/validate-small.rss" "$vigil" validate \
    --input - >/dev/null 2>&1
validate_base_kib=$(peak_kib "$work/validate-small.rss")
validate_kib=$(peak_kib "$work/validate.rss")
echo "validate: peak resident memory ${validate_kib} KiB for a 2 GiB line, ${validate_base_kib} KiB without"
check "validate grows by under 64 MiB" test $((validate_kib - validate_base_kib)) -lt 65536

# replay: its baseline without the huge line, then with it.
{ event first; event after; } >"$work/small.jsonl"
/usr/bin/time -f %M -o "$work/replay-small.rss" "$vigil" replay --input "$work/small.jsonl" \
    --signals /dev/null --state-dir "$work/state-small" 2>"$work/replay-small.err"
check "baseline replay exits 0" test $? -eq 0
stream | /usr/bin/time -f %M -o "$work/replay.rss" "$vigil" replay --input - --signals /dev/null \
    --dead-letters "$work/dlq.jsonl" --state-dir "$work/state" 2>"$work/replay.err"
check "replay exits 0" test $? -eq 0
check "replay reads all three lines" grep -q 'events read 3,' "$work/replay.err"
python3 - "$work/dlq.jsonl" <<'PY'
import json, sys
letters = [json.loads(line) for line in open(sys.argv[1])]
assert [(d["line"], d["reason"]) for d in letters] == [(2, "too_large")], letters
PY
check "replay dead-letters line 2 as too_large, and only it" test $? -eq 0
base_kib=$(peak_kib "$work/replay-small.rss")
replay_kib=$(peak_kib "$work/replay.rss")
echo "replay: peak resident memory ${replay_kib} KiB with the 2 GiB line, ${base_kib} KiB without"
check "replay grows by under 64 MiB" test $((replay_kib - base_kib)) -lt 65536
finish
