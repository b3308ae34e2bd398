#!/usr/bin/env bash
# `vigil serve --signals` end to end (issue 11): over the replay of a
# generated stream plus one hand-made signal whose device name is markup,
# the API lists signals in priority order and answers as web/openapi.yaml
# says; the queue page ranks rows as the API does; every answer carries the
# security headers; the markup is escaped on the queue page, the signal page
# (its SVG chart included) and exact in the API's JSON; a reviewer's
# decision survives a restart; a viewer, an anonymous request, a
# cross-origin POST and a form post are refused; and `vigil digest` lists
# the week's signals with links.
# Usage: serve_test.sh VIGIL_BINARY SOURCE_DIR SHARED_DIR
set -uo pipefail
source "$2/tests/test_lib.sh"
use_work_dir
python=python3
"$python" -c 'import jsonschema, yaml' 2>/dev/null || python=/usr/bin/python3
spec="$source_dir/web/openapi.yaml"

# --- signals: a replayed stream, and one signal carrying markup ------------
"$vigil" generate --output "$work/events.jsonl" --seed 20240101 --days 400 \
    --events-per-year 500000 2>"$work/generate.err"
"$vigil" replay --input "$work/events.jsonl" --signals "$work/signals.jsonl" 2>"$work/replay.err"
check "replay of the generated stream exits 0" test $? -eq 0
replayed=$(wc -l < "$work/signals.jsonl")
check "the replay gives signals ($replayed)" test "$replayed" -gt 0

# A device name is report text: it may hold anything, markup included.
markup='<script>alert(1)</script>"><img src=x onerror=alert(2)>'
injected=ab5e000000000001
"$python" - "$work/signals.jsonl" "$injected" "$markup" <<'PY'
import datetime, json, sys
path, signal_id, markup = sys.argv[1:4]
monday = datetime.date(2024, 6, 3)
points = []
for i in range(52):
    start = monday - datetime.timedelta(weeks=52 - i)
    points.append({"start": start.isoformat(), "end": (start + datetime.timedelta(days=6)).isoformat(),
                   "value": float(i % 7), "expected": 3.0, "threshold": 7.5, "flagged": i >= 50})
event = {
    "specversion": "1.0", "id": signal_id + "-1", "source": "/vigil/national",
    "type": "vigil.signal.raised", "subject": "device_watch/device=" + markup,
    "time": "2024-06-03T00:00:00Z", "datacontenttype": "application/json",
    "data": {
        "signal_id": signal_id, "detector": "device_watch", "method": "earsC3",
        "key": {"category": "device", "device": markup},
        "period": {"start": "2024-05-27", "end": "2024-06-02"},
        "observed": 9, "expected": 3.0, "threshold": 7.5, "score": 2.4, "severity": "high",
        "evidence": {"count": 9, "orgs": 4, "event_ids": ["LFPSE-9000001", "LFPSE-9000002"]},
        "summary": "9 device reports against 3 expected",
        "series": {"measure": "count", "points": points},
    },
}
with open(path, "a") as out:
    out.write(json.dumps(event, separators=(",", ":")) + "\n")
PY
distinct=$("$python" -c 'import json,sys; print(len({json.loads(l)["data"]["signal_id"] for l in open(sys.argv[1])}))' "$work/signals.jsonl")

# --- serving -------------------------------------------------------------
# start_serve LOG-PREFIX ARGS...: starts `vigil serve --port 0` and waits for
# the URL it prints; sets serve_pid and base.
start_serve() {
  local prefix=$1
  shift
  "$vigil" serve --signals "$work/signals.jsonl" --port 0 "$@" >"$work/$prefix.out" 2>"$work/$prefix.err" &
  serve_pid=$!
  poll 120 serve_started_or_exited || true
  base=$(sed -n 's|^vigil serve: \(http://127\.0\.0\.1:[0-9]*\)/$|\1|p' "$work/$prefix.out" | head -n 1)
  serve_out="$work/$prefix.out"
  [ -n "$base" ]
}
serve_started_or_exited() { grep -qs '^vigil serve: http://' "$serve_out_now" || ! kill -0 "$serve_pid" 2>/dev/null; }
stop_serve() {
  kill -TERM "$serve_pid"
  wait_exit "$serve_pid" 60
}
# get NAME URL-PATH [CURL-ARGS...]: body to $work/NAME.body, headers to
# $work/NAME.headers; prints the status.
get() {
  local name=$1 path=$2
  shift 2
  curl -s -o "$work/$name.body" -D "$work/$name.headers" -w '%{http_code}' "$@" "$base$path"
}
post_decision() {  # NAME SIGNAL-ID BODY [CURL-ARGS...]
  local name=$1 id=$2 body=$3
  shift 3
  get "$name" "/api/v1/signals/$id/decisions" -X POST -H 'Content-Type: application/json' --data-binary "$body" "$@"
}
conforms() {  # TEMPLATE METHOD STATUS NAME
  "$python" "$source_dir/tests/openapi_check.py" "$spec" "$1" "$2" "$3" "$work/$4.body"
}
has_security_headers() {  # NAME
  grep -qi "^Content-Security-Policy: default-src 'none'; style-src 'self'; script-src 'self'.*frame-ancestors 'none'" "$work/$1.headers" &&
    grep -qi '^X-Content-Type-Options: nosniff' "$work/$1.headers" &&
    grep -qi '^Referrer-Policy: ' "$work/$1.headers"
}

serve_out_now="$work/serve1.out"
check "serve starts and prints its URL" start_serve serve1 --state-dir "$work/state" --reviewer alice
[ -n "${base:-}" ] || { cat "$work/serve1.err"; finish; }
check "serve reports the signals it loaded" grep -q "^vigil serve: $distinct signals from " "$work/serve1.err"

# The queue, by priority.
check "GET /api/v1/signals answers 200" test "$(get list '/api/v1/signals?status=all&limit=500')" = 200
check "... as the OpenAPI file says" conforms /api/v1/signals get 200 list
check "... counting every signal ($distinct)" \
    "$python" -c 'import json,sys; assert json.load(open(sys.argv[1]))["total"] == int(sys.argv[2])' "$work/list.body" "$distinct"
check "... highest priority first" "$python" - "$work/list.body" <<'PY'
import json, sys
p = [i["priority"] for i in json.load(open(sys.argv[1]))["items"]]
assert len(p) > 1 and p == sorted(p, reverse=True), p[:10]
PY
check "the queue page answers 200" test "$(get queue '/?status=all')" = 200
check "... rows in the API's order" "$python" - "$work/queue.body" "$work/list.body" <<'PY'
import json, re, sys
page = re.findall(r'<tr class="signal-row[^"]*" data-signal-id="([^"]+)"', open(sys.argv[1]).read())
api = [i["signal_id"] for i in json.load(open(sys.argv[2]))["items"]][:50]
assert page == api, (page[:5], api[:5])
PY
check "a bad filter answers 400" test "$(get badfilter '/api/v1/signals?severity=extreme')" = 400
check "... as the OpenAPI file says" conforms /api/v1/signals get 400 badfilter

# Every signal's JSON conforms (the first 40 by priority, every method among them).
first_ids=$("$python" -c 'import json,sys; [print(i["signal_id"]) for i in json.load(open(sys.argv[1]))["items"][:40]]' "$work/list.body")
all_conform=0
for id in $first_ids; do
  [ "$(get detail "/api/v1/signals/$id")" = 200 ] && conforms '/api/v1/signals/{signal_id}' get 200 detail || all_conform=1
done
check "the first 40 signals' JSON conforms" test "$all_conform" -eq 0
check "an unknown signal answers 404" test "$(get unknown /api/v1/signals/ffffffffffffffff)" = 404
check "... as the OpenAPI file says" conforms '/api/v1/signals/{signal_id}' get 404 unknown

# Security headers on every kind of answer.
get css /static/review.css >/dev/null
get notfound /nowhere >/dev/null
for name in list queue detail unknown css notfound; do
  check "security headers on $name" has_security_headers "$name"
done

# Markup from a report, escaped everywhere.
check "the injected signal's page answers 200" test "$(get markup_page "/signals/$injected")" = 200
get markup_queue '/?category=device&status=all' >/dev/null
get markup_api "/api/v1/signals/$injected" >/dev/null
for name in markup_page markup_queue; do
  check "$name: no raw markup" bash -c "! grep -q -e '<script>alert' -e '<img src=x' '$work/$name.body'"
  check "$name: the name shown escaped" grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;' "$work/$name.body"
done
check "the page's only script is Vigil's own" test "$(grep -c '<script' "$work/markup_page.body")" -eq 1
check "the chart has one point per period (52)" test "$(grep -o 'class="point[ "]' "$work/markup_page.body" | wc -l)" -eq 52
check "... two of them flagged" test "$(grep -o 'class="point flagged' "$work/markup_page.body" | wc -l)" -eq 2
check "the API gives the name exactly" "$python" -c '
import json, sys
assert json.load(open(sys.argv[1]))["key"]["device"] == sys.argv[2]' "$work/markup_api.body" "$markup"
check "... and its 52 periods" "$python" -c '
import json, sys
assert len(json.load(open(sys.argv[1]))["series"]["points"]) == 52' "$work/markup_api.body"

# Decisions.
check "a reviewer's decision answers 201" \
    test "$(post_decision decided "$injected" '{"state":"under_review","reason":"asking the MHRA"}' -H "Origin: $base")" = 201
check "... with the stored decision, as the OpenAPI file says" conforms '/api/v1/signals/{signal_id}/decisions' post 201 decided
check "... by alice" grep -q '"reviewer":"alice"' "$work/decided.body"
check "a second decision answers 201" \
    test "$(post_decision decided2 "$injected" '{"state":"known_issue","reason":"known <b>fault</b>","renotify_multiple":2}')" = 201
check "a cross-origin POST answers 403" \
    test "$(post_decision crossorigin "$injected" '{"state":"closed","reason":"x"}' -H 'Origin: https://evil.example')" = 403
check "... as the OpenAPI file says" conforms '/api/v1/signals/{signal_id}/decisions' post 403 crossorigin
check "a form post answers 415" test "$(get formpost "/api/v1/signals/$injected/decisions" -X POST \
    -H 'Content-Type: application/x-www-form-urlencoded' --data 'state=closed&reason=x')" = 415
check "... as the OpenAPI file says" conforms '/api/v1/signals/{signal_id}/decisions' post 415 formpost
check "a bad state answers 400" test "$(post_decision badstate "$injected" '{"state":"forgotten","reason":"x"}')" = 400
check "... as the OpenAPI file says" conforms '/api/v1/signals/{signal_id}/decisions' post 400 badstate
check "a decision on an unknown signal answers 404" \
    test "$(post_decision nosignal ffffffffffffffff '{"state":"closed","reason":"x"}')" = 404
post_decision closeit "$injected" '{"state":"closed","reason":"done"}' >/dev/null
check "a refused move (closed to validated) answers 409" \
    test "$(post_decision refused "$injected" '{"state":"validated","reason":"x"}')" = 409
check "... as the OpenAPI file says" conforms '/api/v1/signals/{signal_id}/decisions' post 409 refused

stop_serve
check "serve exits 0 on SIGTERM" test $? -eq 0

# After a restart over the same state directory, the audit trail is there.
serve_out_now="$work/serve2.out"
check "serve starts again" start_serve serve2 --state-dir "$work/state"
get after "/api/v1/signals/$injected" >/dev/null
check "the decisions survive the restart" "$python" - "$work/after.body" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["state"] == "closed", d["state"]
assert [x["state"] for x in d["decisions"]] == ["under_review", "known_issue", "closed"], d["decisions"]
assert d["decisions"][1]["reason"] == "known <b>fault</b>"
assert all(x["reviewer"] == "alice" for x in d["decisions"])
PY
get after_page "/signals/$injected" >/dev/null
check "the page shows the audit trail (3 rows)" test "$(grep -c '<tr class="decision"' "$work/after_page.body")" -eq 3
check "... the reason escaped" grep -qF 'known &lt;b&gt;fault&lt;/b&gt;' "$work/after_page.body"
check "without --reviewer a POST answers 403" \
    test "$(post_decision anonymous "$injected" '{"state":"under_review","reason":"x"}')" = 403
check "... and the page has no decision form" bash -c "! grep -q 'id=\"decision-form\"' '$work/after_page.body'"
stop_serve

# Behind a trusted proxy: the user header names the user; bob is a viewer.
cat > "$work/review.yaml" <<'YAML'
review:
  identity:
    trusted_proxies: [127.0.0.1]
    reviewers: [alice]
YAML
serve_out_now="$work/serve3.out"
check "serve starts with a proxy configuration" start_serve serve3 --state-dir "$work/state" --config "$work/review.yaml"
check "a viewer's POST answers 403" test "$(post_decision viewer "$injected" \
    '{"state":"under_review","reason":"x"}' -H 'X-Forwarded-User: bob')" = 403
check "... saying reviewers only" grep -q 'only reviewers' "$work/viewer.body"
check "the reviewer named by the proxy records a decision" test "$(post_decision proxied "$injected" \
    '{"state":"under_review","reason":"reopened"}' -H 'X-Forwarded-User: alice')" = 201
stop_serve

# The weekly digest of the injected signal's week.
"$vigil" digest --week 2024-W23 --state-dir "$work/state" --base-url https://vigil.example >"$work/digest.md" 2>"$work/digest.err"
check "digest exits 0" test $? -eq 0
check "digest links the signal's page" grep -qF "(https://vigil.example/signals/$injected)" "$work/digest.md"
check "... with its markup escaped" bash -c "! grep -q -e '<script>' -e '<img' '$work/digest.md'"
check "... in priority order" "$python" - "$work/digest.md" <<'PY'
import sys
rows = [l.split("|") for l in open(sys.argv[1]) if l.startswith("| ") and not l.startswith("| #")]
priorities = [float(r[2]) for r in rows]
assert len(rows) >= 1 and priorities == sorted(priorities, reverse=True), priorities
PY
"$vigil" digest --week 2024-W23 --signals "$work/signals.jsonl" --format html >"$work/digest.html" 2>/dev/null
check "the HTML digest escapes the markup" grep -qF '&lt;script&gt;' "$work/digest.html"
check "... and links relatively without a base URL" grep -qF "href=\"/signals/$injected\"" "$work/digest.html"
"$vigil" digest --week 2024-W99 --signals "$work/signals.jsonl" >/dev/null 2>&1
check "a bad week is a usage error (2)" test $? -eq 2
finish
