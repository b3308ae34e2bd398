#!/usr/bin/env bash
# Checks config/schemas/*.schema.json: all are valid JSON Schema draft 2020-12
# schemas, and example messages that the contract accepts pass while ones it
# rejects fail; the example signal of every method (config/examples) is valid
# and reports the statistics the schema lists for its method. Needs Python's jsonschema module (Debian: python3-jsonschema).
#
# Usage: schemas_test.sh <vigil binary> <source dir> <shared dir>
# (ctest's calling convention; only the source dir is used).
set -euo pipefail

if (($# < 2)); then
  echo "usage: $0 <vigil binary> <source dir> [shared dir]" >&2
  exit 2
fi
source_dir=$2

# The first Python that has jsonschema with draft 2020-12 support: the one on
# PATH may be a private interpreter without Debian's modules.
python=""
for candidate in python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
    "$candidate" -c 'import jsonschema; jsonschema.Draft202012Validator' >/dev/null 2>&1; then
    python=$candidate
    break
  fi
done
if [[ -z $python ]]; then
  echo "schemas_test: no python3 with the jsonschema module (draft 2020-12);" \
    "install the Debian package python3-jsonschema" >&2
  exit 1
fi

program=$(
  cat <<'PY'
import copy
import json
import sys

import jsonschema

schema_dir = sys.argv[1] + "/config/schemas"
failures = []
checks = 0


def load(name):
    with open(f"{schema_dir}/{name}", encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", name
    return jsonschema.Draft202012Validator(schema)


def with_changes(base, **changes):
    """base with fields replaced; a value of ... removes the field."""
    message = copy.deepcopy(base)
    for name, value in changes.items():
        if value is ...:
            message.pop(name, None)
        else:
            message[name] = value
    return message


def expect(validator, label, message, valid):
    global checks
    checks += 1
    errors = list(validator.iter_errors(message))
    if valid and errors:
        failures.append(f"{label}: expected valid, got: {errors[0].message}")
    if not valid and not errors:
        failures.append(f"{label}: expected invalid, but it passed")


event = load("incident-event-v1.schema.json")
minimal = {
    "id": "LFPSE-1",
    "reported_at": "2025-03-01T09:30:00Z",
    "org": "RJ1",
    "record_type": "incident",
    "category": "medication",
}
full = with_changes(
    minimal,
    id="RJ1-2025.000123:r_2",
    revision=3,
    reported_at="2025-03-04T10:15:30.250+01:00",
    occurred_on="2025-03-02",
    icb="QKK",
    region="Y56",
    service_area="acute_inpatient",
    specialty="general_medicine",
    record_type="outcome",
    agents=["medication", "device"],
    medications=[{"code": "322236009", "name": "Paracetamol 500mg tablets"}],
    devices=[
        {"code": "GMDN-35113", "name": "Infusion pump", "manufacturer": "Acme", "model": "IP-3"},
        {"name": "Syringe driver", "manufacturer": "Beta", "model": "SD1"},
    ],
    physical_harm="moderate",
    psychological_harm="low",
    never_event=True,
    patient={"age_band": "76+", "sex": "withheld", "ethnicity": "Z", "imd_decile": 10},
    description="Dose given twice. Paracétamol 😀",
)
optional_nulls = with_changes(
    minimal,
    **{f: None for f in ["revision", "occurred_on", "icb", "region", "service_area", "specialty",
                         "agents", "medications", "devices", "physical_harm",
                         "psychological_harm", "never_event", "patient", "description"]},
)
valid_events = {
    "minimal": minimal,
    "full": full,
    "optional fields null": optional_nulls,
    "unknown fields": with_changes(minimal, schema="lfpse/v5", extra={"a": [1, None]}),
    "empty patient and arrays": with_changes(minimal, patient={}, agents=[], medications=[]),
    "longest id": with_changes(minimal, id="x" * 64),
    "description at the limit": with_changes(minimal, description="d" * 32768),
    "device with only a name": with_changes(minimal, devices=[{"name": "Infusion pump"}]),
    "device without model": with_changes(minimal, devices=[{"name": "a", "manufacturer": "b"}]),
    "a hundred devices": with_changes(minimal, devices=[{"name": f"d{i}"} for i in range(100)]),
    "device name at the limit": with_changes(minimal, devices=[{"name": "n" * 256}]),
}
invalid_events = {
    "not an object": [minimal],
    "id missing": with_changes(minimal, id=...),
    "org null": with_changes(minimal, org=None),
    "category missing": with_changes(minimal, category=...),
    "id too long": with_changes(minimal, id="x" * 65),
    "id with a space": with_changes(minimal, id="a b"),
    "revision a string": with_changes(minimal, revision="1"),
    "revision a fraction": with_changes(minimal, revision=1.5),
    "revision negative": with_changes(minimal, revision=-1),
    "reported_at without zone": with_changes(minimal, reported_at="2025-03-01T09:30:00"),
    "occurred_on not a date": with_changes(minimal, occurred_on="1/3/2025"),
    "org lower case": with_changes(minimal, org="rj1"),
    "region too long": with_changes(minimal, region="Y5612345"),
    "record_type unknown": with_changes(minimal, record_type="near_miss"),
    "category not a slug": with_changes(minimal, category="Pressure-Ulcer"),
    "agent not a slug": with_changes(minimal, agents=["medication", "IT"]),
    "medication code short": with_changes(minimal, medications=[{"code": "12345", "name": "x"}]),
    "medication without name": with_changes(minimal, medications=[{"code": "322236009"}]),
    "device without name": with_changes(minimal, devices=[{"code": "X1", "manufacturer": "b"}]),
    "device model with a control character": with_changes(
        minimal, devices=[{"name": "a", "model": "P\u001f1"}]),
    "device code too long": with_changes(minimal, devices=[{"name": "a", "code": "C" * 65}]),
    "device name too long": with_changes(minimal, devices=[{"name": "n" * 257}]),
    "101 devices": with_changes(minimal, devices=[{"name": f"d{i}"} for i in range(101)]),
    "101 medications": with_changes(
        minimal, medications=[{"code": "322236009", "name": "m"}] * 101),
    "medication name with a tab": with_changes(
        minimal, medications=[{"code": "322236009", "name": "a\tb"}]),
    "101 agents": with_changes(minimal, agents=["medication"] * 101),
    "physical harm unknown": with_changes(minimal, physical_harm="unknown"),
    "psychological harm fatal": with_changes(minimal, psychological_harm="fatal"),
    "never_event a string": with_changes(minimal, never_event="yes"),
    "age band unknown": with_changes(minimal, patient={"age_band": "18-24"}),
    "ethnicity T": with_changes(minimal, patient={"ethnicity": "T"}),
    "imd decile 0": with_changes(minimal, patient={"imd_decile": 0}),
    "description too long": with_changes(minimal, description="d" * 32769),
}
for label, message in valid_events.items():
    expect(event, f"event {label}", message, True)
for label, message in invalid_events.items():
    expect(event, f"event {label}", message, False)

mark = load("progress-mark-v1.schema.json")
good_mark = {"vigil_progress_mark": {"reported_through": "2025-03-01T09:30:00Z"}}
expect(mark, "progress mark", good_mark, True)
expect(mark, "progress mark, zone offset and fraction",
       {"vigil_progress_mark": {"reported_through": "2025-03-01T10:30:00.250+01:00"}}, True)
expect(mark, "progress mark without a zone",
       {"vigil_progress_mark": {"reported_through": "2025-03-01T09:30:00"}}, False)
expect(mark, "progress mark as a number", {"vigil_progress_mark": {"reported_through": 1740821400}}, False)
expect(mark, "progress mark with another member", dict(good_mark, id="LFPSE-1"), False)
expect(mark, "progress mark without reported_through", {"vigil_progress_mark": {}}, False)
# Never an incident event: a consumer that reads it as one dead-letters it.
expect(event, "a progress mark is not an incident event", good_mark, False)

signal_validator = load("signal-v1.schema.json")
signal = {
    "specversion": "1.0",
    "id": "0123456789abcdef-1",
    "source": "/vigil/national",
    "type": "vigil.signal.raised",
    "subject": "medication_by_region/category=medication,region=Y56",
    "time": "2025-03-03T00:00:00Z",
    "datacontenttype": "application/json",
    "data": {
        "signal_id": "0123456789abcdef",
        "detector": "medication_by_region",
        "method": "farringtonFlexible",
        "key": {"category": "medication", "region": "Y56"},
        "period": {"start": "2025-02-24", "end": "2025-03-02"},
        "observed": 41,
        "expected": 17.5,
        "threshold": 29.2,
        "score": 2.3,
        "severity": "high",
        "evidence": {"count": 41, "orgs": 9, "event_ids": ["LFPSE-1", "LFPSE-2"]},
        "summary": "Medication incidents in region Y56 are 2.3 times the expected weekly count.",
    },
}


def signal_with(data_changes=None, **changes):
    """signal with envelope `changes` and then `data_changes` inside data."""
    message = with_changes(signal, **changes)
    if data_changes:
        message["data"] = with_changes(message["data"], **data_changes)
    return message


valid_signals = {
    "raised": signal,
    "resolved with null statistics": signal_with(
        type="vigil.signal.resolved", data_changes={"expected": None, "threshold": None, "score": None}),
    "with strata": signal_with(data_changes={"strata": [
        {"dimension": "age_band", "counts": {"76+": 20, "66-75": 21}},
        {"dimension": "org", "counts": {}}]}),
    "national key": signal_with(data_changes={"key": {}}),
    "fifty event ids": signal_with(data_changes={"evidence": {
        "count": 60, "orgs": 3, "event_ids": [f"E{i}" for i in range(50)]}}),
    "CloudEvents extension attribute": signal_with(traceparent="00-abc-def-01"),
    "with dataschema": signal_with(dataschema="urn:vigil:schema:signal:v1"),
    "with series": signal_with(data_changes={"series": {"measure": "count", "points": [
        {"start": "2025-02-17", "end": "2025-02-23", "value": 12, "expected": None,
         "threshold": None, "flagged": False},
        {"start": "2025-02-24", "end": "2025-03-02", "value": 41, "expected": 17.5,
         "threshold": 29.2, "flagged": True}]}}),
    "with a funnel": signal_with(data_changes={"funnel": {"coverage": 0.998, "points": [
        {"unit": "RXX", "observed": 41, "expected": 17.5, "lower": 0.4, "upper": 1.9},
        {"unit": "RYY", "observed": 1, "expected": 2.5, "lower": 0, "upper": None}]}}),
    "a new method with statistics of its own": signal_with(data_changes={
        "method": "glrnb", "statistics": {"llr": 4.2}}),
}
invalid_signals = {
    "specversion 0.3": signal_with(specversion="0.3"),
    "unknown type": signal_with(type="vigil.signal.deleted"),
    "time without zone": signal_with(time="2025-03-03T00:00:00"),
    "no data": signal_with(data=...),
    "signal_id too short": signal_with(data_changes={"signal_id": "abc"}),
    "id without sequence": signal_with(id="0123456789abcdef"),
    "summary missing": signal_with(data_changes={"summary": ...}),
    "severity unknown": signal_with(data_changes={"severity": "extreme"}),
    "expected a string": signal_with(data_changes={"expected": "17.5"}),
    "period end not a date": signal_with(data_changes={"period": {"start": "2025-02-24", "end": "soon"}}),
    "fifty-one event ids": signal_with(data_changes={"evidence": {
        "count": 60, "orgs": 3, "event_ids": [f"E{i}" for i in range(51)]}}),
    "strata count not an integer": signal_with(data_changes={"strata": [
        {"dimension": "age_band", "counts": {"76+": 2.5}}]}),
    "strata without dimension": signal_with(data_changes={"strata": [{"counts": {}}]}),
    "key value not a string": signal_with(data_changes={"key": {"region": 56}}),
    "upper-case attribute name": signal_with(Extra="x"),
    "another dataschema": signal_with(dataschema="urn:vigil:schema:signal:v2"),
    "series without measure": signal_with(data_changes={"series": {"points": []}}),
    "series point without flagged": signal_with(data_changes={"series": {"measure": "count", "points": [
        {"start": "2025-02-24", "end": "2025-03-02", "value": 41, "expected": 17.5, "threshold": 29.2}]}}),
    "53 series points": signal_with(data_changes={"series": {"measure": "count", "points": [
        {"start": "2025-02-24", "end": "2025-03-02", "value": 1, "expected": None, "threshold": None,
         "flagged": False}] * 53}}),
    "count method with a statistic series": signal_with(data_changes={"series": {
        "measure": "ic025", "points": []}}),
    "funnel point without unit": signal_with(data_changes={"funnel": {"coverage": 0.998, "points": [
        {"observed": 41, "expected": 17.5, "lower": 0.4, "upper": 1.9}]}}),
    "funnel coverage 1": signal_with(data_changes={"funnel": {"coverage": 1, "points": []}}),
    "prr without ic025": signal_with(data_changes={"method": "prr", "statistics": {
        "prr": 3, "prr_lo95": 1.5, "chi2_yates": 5, "ror": 3.5, "ror_lo95": 1.6, "ic": 1,
        "ic975": 2}}),
}
for label, message in valid_signals.items():
    expect(signal_validator, f"signal {label}", message, True)
for label, message in invalid_signals.items():
    expect(signal_validator, f"signal {label}", message, False)

# The example signal of every method (config/examples, written by
# tests/signal_examples_test.cc) is valid, and reports exactly the statistics
# the schema lists for its method, under the series measure it names.
import glob
import os

schema = signal_validator.schema
listed = {}
for clause in schema["$defs"]["data"]["allOf"]:
    methods = clause["if"]["properties"]["method"]["enum"]
    then = clause["then"]["properties"]
    for method in methods:
        entry = listed.setdefault(method, {})
        if "statistics" in then:
            ref = then["statistics"]["$ref"].split("/")[-1]
            entry["statistics"] = schema["$defs"][ref]["required"]
        if "series" in then:
            entry["measure"] = then["series"]["properties"]["measure"]["const"]
examples = sorted(glob.glob(sys.argv[1] + "/config/examples/signal-*.json"))
if len(examples) < 12:
    failures.append(f"config/examples holds {len(examples)} example signals, expected one per method")
for path in examples:
    name = os.path.basename(path)
    with open(path, encoding="utf-8") as f:
        example = json.load(f)
    expect(signal_validator, f"example {name}", example, True)
    data = example["data"]
    method = data["method"]
    checks += 1
    if name != f"signal-{method}.json":
        failures.append(f"{name}: holds method {method}")
    if example.get("dataschema") != schema["$id"]:
        failures.append(f"{name}: dataschema is not {schema['$id']}")
    statistics = list(data.get("statistics", {}))
    if statistics != listed.get(method, {}).get("statistics", []):
        failures.append(f"{name}: statistics {statistics} are not the schema's list for {method}")
    if "series" in data and data["series"]["measure"] != listed.get(method, {}).get("measure"):
        failures.append(f"{name}: series measure {data['series']['measure']} is not the schema's")

for failure in failures:
    print(f"FAIL {failure}")
print(f"schemas: {checks - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
PY
)

exec "$python" -c "$program" "$source_dir"
