#!/usr/bin/env bash
# The Grafana dashboards (helm/vigil/dashboards/*.json) are what
# tools/dashboards.py writes, and each is valid: a schema version, a
# datasource template variable used by every panel and query (never a
# hard-coded uid), queries on every panel, a unit on every panel,
# $__rate_interval in every rate.
# Usage: dashboards_test.sh VIGIL_BINARY SOURCE_DIR SHARED_DIR
set -uo pipefail
source "$2/tests/test_lib.sh"
python=python3
"$python" -c 'import jsonschema' 2>/dev/null || python=/usr/bin/python3

check "dashboards are what tools/dashboards.py writes" "$python" "$source_dir/tools/dashboards.py" --check
for dashboard in "$source_dir"/helm/vigil/dashboards/*.json; do
  "$python" - "$dashboard" <<'PY'
import json, re, sys
import jsonschema
path = sys.argv[1]
d = json.load(open(path))
# The shape Grafana needs to import a dashboard, as a JSON Schema.
panel_schema = {
    "type": "object",
    "required": ["id", "type", "title", "gridPos"],
    "properties": {
        "id": {"type": "integer"},
        "type": {"type": "string"},
        "title": {"type": "string", "minLength": 1},
        "gridPos": {"type": "object", "required": ["x", "y", "w", "h"],
                    "properties": {k: {"type": "integer", "minimum": 0} for k in "xywh"}},
    },
}
schema = {
    "type": "object",
    "required": ["uid", "title", "schemaVersion", "panels", "templating", "time"],
    "properties": {
        "uid": {"type": "string", "pattern": "^[a-zA-Z0-9_-]{1,40}$"},
        "schemaVersion": {"type": "integer", "minimum": 36},
        "panels": {"type": "array", "minItems": 1, "items": panel_schema},
        "templating": {"type": "object", "required": ["list"]},
    },
}
problems = [f"schema: {e.message}" for e in jsonschema.Draft7Validator(schema).iter_errors(d)]
variables = {v["name"]: v for v in d.get("templating", {}).get("list", [])}
ds = variables.get("datasource")
if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
    problems.append("no Prometheus datasource template variable named datasource")
def is_template(ref):
    return isinstance(ref, dict) and ref.get("uid") in ("${datasource}", "$datasource")
for name, v in variables.items():
    if v.get("type") == "query" and not is_template(v.get("datasource")):
        problems.append(f"variable {name}: datasource is not the template variable")
ids = [p["id"] for p in d["panels"]]
if len(ids) != len(set(ids)):
    problems.append("panel ids repeat")
for p in d["panels"]:
    if p["type"] == "row":
        continue
    where = f"panel {p['id']} {p['title']!r}"
    if not is_template(p.get("datasource")):
        problems.append(f"{where}: datasource is not ${{datasource}}")
    if not p.get("targets"):
        problems.append(f"{where}: no queries")
    if not p.get("fieldConfig", {}).get("defaults", {}).get("unit"):
        problems.append(f"{where}: no unit")
    for t in p.get("targets", []):
        if not t.get("expr"):
            problems.append(f"{where}: a query without expr")
        if not is_template(t.get("datasource")):
            problems.append(f"{where}: query {t.get('refId')} has a hard-coded datasource")
        for m in re.finditer(r"\b(rate|irate|increase)\([^\[]*\[([^\]]+)\]", t.get("expr", "")):
            if m.group(2) not in ("$__rate_interval", "$__range"):
                problems.append(f"{where}: {m.group(1)} over [{m.group(2)}], not $__rate_interval")
text = json.dumps(d)
if re.search(r'"uid":\s*"(?!\$\{?datasource\}?")(?!vigil-)', text):
    problems.append("a hard-coded uid")
for p in problems:
    print(f"{path}: {p}")
panels = sum(1 for p in d["panels"] if p["type"] != "row")
print(f"{path.rsplit('/', 1)[-1]}: {panels} panels, schemaVersion {d.get('schemaVersion')}")
sys.exit(1 if problems else 0)
PY
  check "$(basename "$dashboard") is valid" test $? -eq 0
done
finish
