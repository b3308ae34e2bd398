#!/usr/bin/env bash
# Every metric that a Grafana dashboard (helm/vigil/dashboards/*.json) or an
# alert rule (helm/vigil/rules/vigil-alerts.yaml) queries is served by the
# pipeline: names are parsed out of every PromQL expression and looked up in
# a real /metrics scrape of `vigil demo` (a histogram's _bucket, _sum and
# _count count as its own; `up` is Prometheus's own series). And the
# watchers are watched: every vigil_alertmanager_* family and the state
# volume gauges are on a dashboard, and the alert rules query the metrics of
# failed notification, the signal rate, late events and the state volume.
# Usage: monitoring_metrics_test.sh VIGIL_BINARY SOURCE_DIR SHARED_DIR
set -uo pipefail
source "$2/tests/test_lib.sh"
use_work_dir
python=python3
"$python" -c 'import yaml' 2>/dev/null || python=/usr/bin/python3

# A bounded stream (thirty days, ~75,000 events, signals raised and
# resolved), scraped once the demo reports it drained: then every series has
# samples (lag, commit and processing latency, signals), however long the
# machine took to get there. The Alertmanager sink is on, so that its
# metrics are served: nothing listens on its port, so every request fails.
am_port=$(free_port)
start_demo "$work/demo.out" "$work/demo.err" --days 30 --seconds 3600 \
    --alertmanager-url "http://127.0.0.1:$am_port"
check "vigil demo reports its metrics address" test -n "$metrics_port"
check "the stream drains (within 10 minutes)" demo_drained 600
check "/metrics answers" scrape "$work/metrics.txt"
kill -TERM "$demo_pid" 2>/dev/null
wait_exit "$demo_pid" 120
check "vigil demo exits 0 on SIGTERM" test $? -eq 0

"$python" - "$work/metrics.txt" "$source_dir"/helm/vigil/dashboards/*.json \
    "$source_dir/helm/vigil/rules/vigil-alerts.yaml" <<'PY'
import json, re, sys
import yaml

scrape = open(sys.argv[1]).read()
types = dict(re.findall(r"^# TYPE (\S+) (\S+)$", scrape, re.M))
samples = set(re.findall(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]", scrape, re.M))
def served(name):
    if name in samples:
        return True
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[: -len(suffix)]
        if name.endswith(suffix) and types.get(base) in ("histogram", "summary") and name in samples:
            return True
    return False

KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
            "unless", "bool", "offset", "inf", "nan"}
def metric_names(expr):
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)          # strings (label values, formats)
    e = re.sub(r"\{[^}]*\}", "", e)                         # label matchers
    e = re.sub(r"\[[^\]]*\]", "", e)                        # ranges, $__rate_interval
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    names = set()
    for m in re.finditer(r"(?<![\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(\s*\()?", e):
        word, call = m.group(1), m.group(2)
        if call or word.lower() in KEYWORDS:
            continue
        names.add(word)
    return names

exprs = []
for path in sys.argv[2:]:
    if path.endswith(".json"):
        d = json.load(open(path))
        for p in d["panels"]:
            for t in p.get("targets", []):
                exprs.append((path.rsplit("/", 1)[-1] + ": " + p["title"], t["expr"]))
        for v in d["templating"]["list"]:
            q = v.get("query")
            if isinstance(q, dict):
                m = re.match(r"label_values\((.*),\s*\w+\)$", q["query"])
                if m:
                    exprs.append((path.rsplit("/", 1)[-1] + ": $" + v["name"], m.group(1)))
    else:
        for g in yaml.safe_load(open(path))["groups"]:
            for r in g["rules"]:
                exprs.append(("rule " + r.get("alert", r.get("record", "?")), r["expr"]))

problems, checked = [], set()
for where, expr in exprs:
    for name in metric_names(expr):
        if name == "up":   # written by Prometheus for every target, not by Vigil
            continue
        checked.add(name)
        if not served(name):
            problems.append(f"{where}: {name} is not in the /metrics scrape")
for p in problems:
    print(p)
print(f"{len(exprs)} expressions, {len(checked)} metric names: {' '.join(sorted(checked))}")
if problems or len(checked) < 10:
    sys.exit(1)

# Watching the watchers (issue 15, item 13).
def family(name):
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and types.get(name[: -len(suffix)]) in ("histogram", "summary"):
            return name[: -len(suffix)]
    return name
on_dashboards = {family(n) for where, e in exprs if not where.startswith("rule ")
                 for n in metric_names(e)}
in_rules = {family(n) for where, e in exprs if where.startswith("rule ") for n in metric_names(e)}
watched = sorted(n for n in types if n.startswith("vigil_alertmanager_"))
if len(watched) < 7:
    problems.append(f"the scrape has {len(watched)} vigil_alertmanager_* families, not 7")
for name in watched + ["vigil_state_volume_available_bytes", "vigil_state_volume_capacity_bytes"]:
    if name not in on_dashboards:
        problems.append(f"{name} is on no dashboard")
for name in ["vigil_alertmanager_sends_total", "vigil_alertmanager_alerts_dropped_total",
             "vigil_signals_raised_total", "vigil_events_late_total",
             "vigil_state_volume_available_bytes", "vigil_state_volume_capacity_bytes"]:
    if name not in in_rules:
        problems.append(f"{name} is in no alert rule")
for p in problems:
    print(p)
print(f"watched: {' '.join(watched)}")
sys.exit(1 if problems else 0)
PY
check "every queried metric is served; the watchers are watched" test $? -eq 0
finish
