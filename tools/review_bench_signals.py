#!/usr/bin/env python3
"""A large, realistic file of signal events for tools/review_queue_bench.sh.

Reads the signals of a replayed stream (`vigil replay --signals`) and writes
them, then clones of them, until COUNT distinct signal ids are in the output.
A clone is a whole signal (every transition, in order) under a new id, with
its key's values drawn afresh from the values of the same dimension (so that
filters and text search meet a realistic spread, not 200 copies of each key)
and every date in it moved by the same whole number of weeks (weekly periods
stay Monday to Sunday; the shift keeps the signal inside the stream's span,
so the store's stream time and the recency part of the priority are those of
the replay). Counts, statistics, series and evidence are the template's.

Also writes an organisation names table (code,name) for every organisation
code the output uses: the names of --org-names-from where it has one, made-up
place names for the rest (the synthetic catalogue's codes have none), so that
a text search on a name meets a realistic number of organisations.

Prints the ids of two sample signals (a weekly count signal with its series,
and a funnel) as shell assignments on stdout. Standard library only.
"""
import argparse
import csv
import datetime
import json
import random
import re
import sys

DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")

# Made-up names for organisations without one; none is a word of the
# shipped sample table's names, so a search for a shipped name finds only it.
PLACES = [
    "Ashford", "Barnsley", "Bedford", "Blackpool", "Bolton", "Bradford", "Burnley", "Bury",
    "Calderdale", "Carlisle", "Chesterfield", "Colchester", "Coventry", "Croydon", "Darlington",
    "Derby", "Doncaster", "Dorset", "Dudley", "Durham", "Exeter", "Frimley", "Gateshead",
    "Gloucester", "Grimsby", "Harrogate", "Hereford", "Huddersfield", "Hull", "Ipswich", "Kendal",
    "Kettering", "Kingston", "Lancaster", "Leicester", "Lincoln", "Luton", "Maidstone",
    "Milton Keynes", "Northampton", "Oldham", "Peterborough", "Plymouth", "Portsmouth", "Preston",
    "Reading", "Rotherham", "Salford", "Salisbury", "Scarborough", "Sheffield", "Shrewsbury",
    "Southampton", "Southport", "Stockport", "Sunderland", "Swindon", "Taunton", "Telford",
    "Torbay", "Walsall", "Warrington", "Wigan", "Winchester", "Wolverhampton", "Worcester",
    "Yeovil", "York",
]
KINDS = [
    "Hospitals NHS Foundation Trust", "Teaching Hospitals NHS Trust", "Community Healthcare NHS Trust",
    "Mental Health NHS Foundation Trust",
]


def read_codes(path):
    with open(path, newline="", encoding="utf-8") as f:
        return {row["code"]: row["name"] for row in csv.DictReader(f)}


def signal_dates(lines):
    days = [datetime.date(int(y), int(m), int(d)).toordinal()
            for line in lines for (y, m, d) in DATE.findall(line)]
    return min(days), max(days)


def shift_dates(text, days):
    if days == 0:
        return text

    def moved(match):
        y, m, d = (int(g) for g in match.groups())
        return datetime.date.fromordinal(datetime.date(y, m, d).toordinal() + days).isoformat()
    return DATE.sub(moved, text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", required=True, help="signals of a replay (JSON Lines)")
    parser.add_argument("--output", required=True, help="the large signals file")
    parser.add_argument("--count", type=int, default=100000, help="distinct signal ids to write")
    parser.add_argument("--org-names-out", required=True, help="organisation names table to write")
    parser.add_argument("--org-names-from", help="a code,name table of real organisation names")
    parser.add_argument("--reference", action="append", default=[], metavar="DIM=CSV",
                        help="more values for a key dimension (the codes of a reference table)")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    # Templates: each signal's transitions, in file order.
    templates = {}
    values = {}  # dimension -> set of values seen or listed
    with open(args.input, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            data = json.loads(line)["data"]
            templates.setdefault(data["signal_id"], []).append(line)
            for dimension, value in data["key"].items():
                values.setdefault(dimension, set()).add(value)
            for point in (data.get("funnel") or {}).get("points", []):
                values.setdefault("org", set()).add(point["unit"])
    if not templates:
        sys.exit("review_bench_signals: no signals in " + args.input)
    named_orgs = read_codes(args.org_names_from) if args.org_names_from else {}
    values.setdefault("org", set()).update(named_orgs)
    for spec in args.reference:
        dimension, _, path = spec.partition("=")
        values.setdefault(dimension, set()).update(read_codes(path))
    pools = {dimension: sorted(v) for dimension, v in values.items()}

    spans = {sid: signal_dates(lines) for sid, lines in templates.items()}
    first = min(lo for lo, _ in spans.values())
    last = max(hi for _, hi in spans.values())

    rng = random.Random(args.seed)
    used = set(templates)
    samples = {}
    written_ids = 0
    transitions = 0
    with open(args.output, "w", encoding="utf-8") as out:
        for lines in templates.values():  # the replay's own signals first, unchanged
            if written_ids == args.count:
                break
            out.write("\n".join(lines) + "\n")
            written_ids += 1
            transitions += len(lines)
        while written_ids < args.count:
            for template_id, lines in templates.items():
                if written_ids == args.count:
                    break
                new_id = "%016x" % rng.getrandbits(64)
                while new_id in used:
                    new_id = "%016x" % rng.getrandbits(64)
                used.add(new_id)
                parsed = [json.loads(line) for line in lines]
                template = parsed[0]["data"]
                funnel_units = [p["unit"] for p in (template.get("funnel") or {}).get("points", [])]
                new_key = {}
                for dimension in template["key"]:
                    pool = funnel_units if dimension == "org" and funnel_units else pools[dimension]
                    new_key[dimension] = rng.choice(pool)
                lo, hi = spans[template_id]
                weeks = rng.randint(-((lo - first) // 7), (last - hi) // 7)
                for event in parsed:
                    data = event["data"]
                    for dimension, old in data["key"].items():
                        new = new_key[dimension]
                        event["subject"] = event["subject"].replace(
                            f"{dimension}={old}", f"{dimension}={new}")
                        data["summary"] = data["summary"].replace(
                            f"{dimension} {old}", f"{dimension} {new}")
                    data["key"] = new_key
                    data["signal_id"] = new_id
                    event["id"] = new_id + "-" + event["id"].rsplit("-", 1)[1]
                    text = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
                    out.write(shift_dates(text, 7 * weeks) + "\n")
                    transitions += 1
                written_ids += 1
                kind = "series" if template.get("series") else "funnel" if funnel_units else None
                if kind:
                    samples[kind] = new_id

    named = dict(named_orgs)
    unnamed = [code for code in pools["org"] if code not in named]
    for i, code in enumerate(unnamed):
        named[code] = f"{PLACES[i % len(PLACES)]} {KINDS[(i // len(PLACES)) % len(KINDS)]}"
    with open(args.org_names_out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["code", "name"])
        for code in sorted(named):
            writer.writerow([code, named[code]])

    print(f"review_bench_signals: {len(templates)} signals ({sum(map(len, templates.values()))} "
          f"transitions) from {args.input} -> {written_ids} signals ({transitions} transitions) "
          f"in {args.output}; {len(named)} organisation names", file=sys.stderr)
    print(f"series_signal={samples.get('series', '')}")
    print(f"funnel_signal={samples.get('funnel', '')}")


if __name__ == "__main__":
    main()
