#!/usr/bin/env bash
# The alert rules (helm/vigil/rules/vigil-alerts.yaml): promtool accepts them,
# their unit tests (tests/rules/*.test.yaml) pass, and every alert has a unit
# test, summary, description and runbook_url annotations and a runbook page in
# docs/runbooks/.
# Usage: rules_test.sh VIGIL_BINARY SOURCE_DIR SHARED_DIR
set -uo pipefail
source "$2/tests/test_lib.sh"
rules=$source_dir/helm/vigil/rules/vigil-alerts.yaml
tests=("$source_dir"/tests/rules/*.test.yaml)
# Debian's python3-yaml serves /usr/bin/python3; another python3 may come first on PATH.
python=python3
"$python" -c 'import yaml' 2>/dev/null || python=/usr/bin/python3

check "promtool check rules" promtool check rules "$rules"
for file in "${tests[@]}"; do
  check "promtool test rules $(basename "$file")" promtool test rules "$file"
done
"$python" - "$rules" "$source_dir/docs/runbooks" "${tests[@]}" <<'PY'
import os, sys, yaml
rules = yaml.safe_load(open(sys.argv[1]))
runbooks = sys.argv[2]
alerts = [r for g in rules["groups"] for r in g["rules"] if "alert" in r]
tested = {}
for path in sys.argv[3:]:
    for t in yaml.safe_load(open(path))["tests"]:
        for a in t.get("alert_rule_test", []):
            tested.setdefault(a["alertname"], []).append(bool(a.get("exp_alerts")))
problems = []
for r in alerts:
    name = r["alert"]
    for key in ("summary", "description", "runbook_url"):
        if not r.get("annotations", {}).get(key):
            problems.append(f"{name}: no {key} annotation")
    if not r["annotations"].get("runbook_url", "").endswith(f"/{name}.md"):
        problems.append(f"{name}: runbook_url does not name {name}.md")
    if not os.path.exists(os.path.join(runbooks, name + ".md")):
        problems.append(f"{name}: no docs/runbooks/{name}.md")
    if "severity" not in r.get("labels", {}):
        problems.append(f"{name}: no severity label")
    if True not in tested.get(name, []):
        problems.append(f"{name}: no unit test where it fires")
    if False not in tested.get(name, []):
        problems.append(f"{name}: no unit test where it stays silent")
for p in problems:
    print(p)
print(f"{len(alerts)} alerts checked")
sys.exit(1 if problems or not alerts else 0)
PY
check "every alert has annotations, a runbook and firing and silent unit tests" test $? -eq 0
finish
