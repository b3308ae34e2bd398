#!/usr/bin/env bash
# Command-line contract (§3, §4): replay is deterministic, never stops on
# broken input, dead-letters each broken line with its reason; validate names
# every broken line; exit codes.
# Usage: cli_test.sh VIGIL_BINARY SOURCE_DIR SHARED_DIR
set -uo pipefail
source "$2/tests/test_lib.sh"
use_work_dir

# A generated stream with deliberately broken lines of every kind.
"$vigil" generate --events 40000 --days 200 --events-per-year 90000 --invalid-fraction 0.02 \
    --seed 11 --output "$work/events.jsonl" 2>"$work/generate.log"
check "generate exits 0" test $? -eq 0
lines=$(wc -l < "$work/events.jsonl")
check "generate wrote 40000 lines" test "$lines" -eq 40000

# Hand-made broken lines appended, one per reason code, plus blank and binary lines.
cat >> "$work/events.jsonl" <<'JSON'
{"id":"broken-1","reported_at":"2024-05-01T10:00:00Z","org":"RXA","record_type":"incident"
{"id":"broken-2","reported_at":"2024-05-01T10:00:00Z","org":"RXA","record_type":"incident"}
{"id":3,"reported_at":"2024-05-01T10:00:00Z","org":"RXA","record_type":"incident","category":"fall"}
{"id":"broken-4","reported_at":"2024-05-01T10:00:00Z","org":"rxa","record_type":"incident","category":"fall"}
{"id":"broken-5","reported_at":"2024-05-01 10:00","org":"RXA","record_type":"incident","category":"fall"}

JSON
printf '\xff\xfe{"id":"x"}\n' >> "$work/events.jsonl"
# A progress mark (not an event: valid, counted apart) and a broken one.
printf '%s\n' '{"vigil_progress_mark":{"reported_through":"2024-05-01T10:00:00Z"}}' \
    '{"vigil_progress_mark":{"reported_through":"soon"}}' >> "$work/events.jsonl"
total=$(wc -l < "$work/events.jsonl")

# validate names every broken line and exits 1.
"$vigil" validate --input "$work/events.jsonl" > "$work/validate.out" 2>"$work/validate.err"
check "validate exits 1 on invalid input" test $? -eq 1
invalid=$(wc -l < "$work/validate.out")
check "validate names broken lines" test "$invalid" -ge 400
for n in $((lines + 1)) $((lines + 2)) $((lines + 3)) $((lines + 4)) $((lines + 5)) $((lines + 6)) $((lines + 7)); do
  check "validate names line $n" grep -q "^line $n: " "$work/validate.out"
done
check "line $((lines + 1)) is not_json" grep -q "^line $((lines + 1)): not_json" "$work/validate.out"
check "line $((lines + 2)) is missing_field" grep -q "^line $((lines + 2)): missing_field" "$work/validate.out"
check "line $((lines + 3)) is wrong_type" grep -q "^line $((lines + 3)): wrong_type" "$work/validate.out"
check "line $((lines + 4)) is bad_value" grep -q "^line $((lines + 4)): bad_value" "$work/validate.out"
check "line $((lines + 5)) is bad_timestamp" grep -q "^line $((lines + 5)): bad_timestamp" "$work/validate.out"
check "a progress mark is a valid line" bash -c "! grep -q '^line $((total - 1)):' '$work/validate.out'"
check "a broken progress mark is named" \
    grep -q "^line $total: bad_timestamp: progress mark: vigil_progress_mark.reported_through" "$work/validate.out"
check "validate counts progress marks apart" grep -q ", 1 progress marks" "$work/validate.err"

# replay reads to the end, dead-letters exactly the lines validate rejects.
"$vigil" replay --input "$work/events.jsonl" --signals "$work/signals1.jsonl" \
    --dead-letters "$work/dlq.jsonl" --metrics-file "$work/metrics.txt" 2>"$work/replay1.err"
check "replay exits 0 despite broken lines" test $? -eq 0
check "replay summary counts every line" grep -q "events read $total," "$work/replay1.err"
check "replay counts the progress mark" grep -q ", progress marks 1," "$work/replay1.err"
check "one dead letter per invalid line" test "$(wc -l < "$work/dlq.jsonl")" -eq "$invalid"
python3 - "$work/dlq.jsonl" "$work/validate.out" <<'PY'
import json, sys
dlq = [json.loads(l) for l in open(sys.argv[1])]
val = {}
for l in open(sys.argv[2]):
    n, reason = l.split(":")[0].split()[1], l.split(":")[1].strip()
    val[int(n)] = reason
assert {d["line"]: d["reason"] for d in dlq} == val, "dead letters differ from validate"
assert all(d["detail"] for d in dlq)
PY
check "dead letters match validate, line by line" test $? -eq 0
python3 - "$work/metrics.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def total(name):
    return sum(float(v) for v in re.findall(r"^vigil_%s(?:\{[^}]*\})? (\S+)$" % name, text, re.M))
c, p, d, l = (total(n) for n in ("events_consumed_total", "events_processed_total",
                                  "events_duplicate_total", "events_dead_lettered_total"))
assert c > 0 and c == p + d + l, (c, p, d, l)
PY
check "consumed = processed + duplicates + dead-lettered" test $? -eq 0

# The same input gives byte-identical signals.
"$vigil" replay --input "$work/events.jsonl" --signals "$work/signals2.jsonl" 2>/dev/null
check "second replay exits 0" test $? -eq 0
check "replay output is byte-identical" cmp -s "$work/signals1.jsonl" "$work/signals2.jsonl"
check "replay produced signals" test "$(wc -l < "$work/signals1.jsonl")" -gt 0
cat "$work/events.jsonl" | "$vigil" replay --input - --signals - 2>/dev/null > "$work/signals3.jsonl"
check "replay from stdin to stdout is identical" cmp -s "$work/signals1.jsonl" "$work/signals3.jsonl"

# Signals carry no free text: no description marker from the generator's text.
check "no patient identifiers in signals" bash -c "! grep -qiE 'NHS number|date of birth' '$work/signals1.jsonl'"

# Exit codes: usage error 2, configuration error 2, unreadable input 1.
"$vigil" replay --input "$work/events.jsonl" >/dev/null 2>&1
check "missing --signals is a usage error (2)" test $? -eq 2
"$vigil" frobnicate >/dev/null 2>&1
check "unknown command is a usage error (2)" test $? -eq 2
printf 'detectors:\n  - name: x\n    type: count\n    dimensions: [category]\n    methd: earsC1\n' > "$work/bad.yaml"
"$vigil" replay --config "$work/bad.yaml" --input "$work/events.jsonl" --signals /dev/null 2>"$work/bad.err"
check "bad config is exit 2" test $? -eq 2
check "bad config names the key" grep -q "methd" "$work/bad.err"
"$vigil" validate --input "$work/does-not-exist" >/dev/null 2>&1
check "unreadable input is exit 1" test $? -eq 1
"$vigil" generate --events 2000 --seed 3 --output "$work/clean.jsonl" 2>/dev/null
"$vigil" validate --input "$work/clean.jsonl" >/dev/null 2>&1
check "validate exits 0 on a clean stream" test $? -eq 0
"$vigil" --help >/dev/null 2>&1
check "--help exits 0" test $? -eq 0

finish
