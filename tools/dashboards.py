#!/usr/bin/env python3
"""Writes Vigil's Grafana dashboards to helm/vigil/dashboards/*.json.

    python3 tools/dashboards.py          (re)write the JSON files
    python3 tools/dashboards.py --check  exit 1 if the committed files differ

Two dashboards: `vigil-operations` for the operations team (throughput, lag,
the merge stage, latency, dead letters, late events, commits, Alertmanager
delivery, state and its volume, restarts) and `vigil-national` for the national patient safety team (signals
raised by detector and severity, open signals, the most active detectors). The
datasource is the template variable `datasource`; every rate uses
$__rate_interval; every panel has a unit. tests/dashboards_test.sh validates
the files and that every metric they query is served by `vigil demo`.
"""
import json
import pathlib
import sys

DS = {"type": "prometheus", "uid": "${datasource}"}
SCHEMA_VERSION = 39


class Layout:
    """Places panels left to right on Grafana's 24-column grid."""

    def __init__(self):
        self.x, self.y, self.row_h, self.next_id = 0, 0, 0, 1

    def place(self, panel, w, h):
        if self.x + w > 24:
            self.x, self.y, self.row_h = 0, self.y + self.row_h, 0
        panel["gridPos"] = {"x": self.x, "y": self.y, "w": w, "h": h}
        panel["id"] = self.next_id
        self.next_id += 1
        self.x += w
        self.row_h = max(self.row_h, h)
        return panel

    def row(self, title):
        if self.x:
            self.x, self.y, self.row_h = 0, self.y + self.row_h, 0
        panel = {"type": "row", "title": title, "collapsed": False, "panels": [],
                 "gridPos": {"x": 0, "y": self.y, "w": 24, "h": 1}, "id": self.next_id}
        self.next_id += 1
        self.y += 1
        return panel


def target(expr, legend="", ref="A", instant=False, fmt=None):
    t = {"datasource": DS, "expr": expr, "legendFormat": legend, "refId": ref, "range": not instant,
         "instant": instant}
    if fmt:
        t["format"] = fmt
    return t


def panel(kind, title, description, unit, targets, **extra):
    p = {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": DS,
        "targets": [target(*t) if isinstance(t, tuple) else t for t in targets],
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
    }
    for i, t in enumerate(p["targets"]):
        t["refId"] = chr(ord("A") + i)
    p.update(extra)
    return p


def timeseries(title, description, unit, targets, stack=False, bars=False, decimals=None):
    custom = {"drawStyle": "bars" if bars else "line", "fillOpacity": 60 if bars else 10,
              "lineWidth": 1, "showPoints": "never",
              "stacking": {"mode": "normal" if stack else "none", "group": "A"}}
    p = panel("timeseries", title, description, unit, targets,
              options={"legend": {"displayMode": "table", "placement": "bottom",
                                  "calcs": ["mean", "max", "lastNotNull"]},
                       "tooltip": {"mode": "multi", "sort": "desc"}})
    p["fieldConfig"]["defaults"]["custom"] = custom
    p["fieldConfig"]["defaults"]["min"] = 0
    if decimals is not None:
        p["fieldConfig"]["defaults"]["decimals"] = decimals
    return p


def right_axis(p, unit, refs):
    """Shows the queries `refs` of panel p on a right axis in `unit`."""
    p["fieldConfig"]["overrides"] = [
        {"matcher": {"id": "byFrameRefID", "options": ref},
         "properties": [{"id": "unit", "value": unit},
                        {"id": "custom.axisPlacement", "value": "right"}]} for ref in refs]
    return p


def stat(title, description, unit, expr, legend="", thresholds=None, instant=True):
    p = panel("stat", title, description, unit, [target(expr, legend, instant=instant)],
              options={"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                       "colorMode": "value", "graphMode": "area", "textMode": "auto"})
    if thresholds:
        p["fieldConfig"]["defaults"]["thresholds"] = {
            "mode": "absolute",
            "steps": [{"color": c, "value": v} for v, c in thresholds]}
    return p


def table(title, description, unit, targets):
    p = panel("table", title, description, unit,
              [target(e, l, instant=True, fmt="table") for e, l in targets],
              options={"showHeader": True, "footer": {"show": False}},
              transformations=[{"id": "merge", "options": {}},
                               {"id": "organize", "options": {"excludeByName": {"Time": True}}}])
    return p


def datasource_var():
    return {"name": "datasource", "label": "Data source", "type": "datasource",
            "query": "prometheus", "current": {}, "hide": 0, "refresh": 1, "regex": "",
            "includeAll": False, "multi": False, "options": []}


def query_var(name, label, query, multi=True):
    return {"name": name, "label": label, "type": "query", "datasource": DS,
            "query": {"query": query, "refId": name}, "definition": query,
            "refresh": 2, "sort": 1, "multi": multi, "includeAll": True,
            "allValue": ".*", "current": {}, "hide": 0, "options": [], "regex": ""}


def custom_var(name, label, values):
    return {"name": name, "label": label, "type": "custom", "query": ",".join(values),
            "multi": True, "includeAll": True, "allValue": ".*", "current": {}, "hide": 0,
            "options": []}


def dashboard(uid, title, description, tags, variables, panels, refresh="30s"):
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": tags,
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "editable": True,
        "graphTooltip": 1,
        "time": {"from": "now-6h", "to": "now"},
        "refresh": refresh,
        "timezone": "",
        "templating": {"list": variables},
        "annotations": {"list": []},
        "links": [],
        "panels": panels,
    }


def operations():
    sel = 'namespace=~"$namespace", pod=~"$pod"'
    L = Layout()
    rate = lambda m, by="": (f"sum{' by (' + by + ')' if by else ''} "
                             f"(rate({m}{{{sel}}}[$__rate_interval]))")
    q = lambda m, quantile: (f"histogram_quantile({quantile}, sum by (le) "
                             f"(rate({m}_bucket{{{sel}}}[$__rate_interval])))")
    # A latency panel's targets: the histogram's quantiles, each with its legend.
    quantiles = lambda m, levels: [(q(m, level), legend) for level, legend in levels]
    restarts = (f"sum by (pod) (changes(vigil_start_time_seconds{{{sel}}}[$__range])) + "
                f"count by (pod) (count_over_time(vigil_start_time_seconds{{{sel}}}[$__range])) - 1")
    panels = [
        L.row("Overview"),
        L.place(stat("Ready pods", "Pods whose /readyz answers ready (vigil_ready).", "none",
                     f"sum(vigil_ready{{{sel}}})", thresholds=[(None, "red"), (1, "green")]), 4, 4),
        L.place(stat("Events consumed", "Events taken from the events topic per second.", "ops",
                     rate("vigil_events_consumed_total"), instant=False), 5, 4),
        L.place(stat("Consumer lag", "Messages not yet consumed, over every partition.", "short",
                     f"sum(vigil_consumer_lag{{{sel}}})",
                     thresholds=[(None, "green"), (10000, "orange"), (100000, "red")]), 5, 4),
        L.place(stat("Restarts", "Process starts after the first, per pod, in the time range "
                     "(a changed vigil_start_time_seconds or a new series).", "short",
                     f"sum({restarts})", thresholds=[(None, "green"), (1, "orange"), (3, "red")]), 5, 4),
        L.place(stat("Version", "vigil_build_info: the version each pod runs.", "none",
                     f"count by (version) (vigil_build_info{{{sel}}})", "{{version}}"), 5, 4),
        L.row("Throughput and lag"),
        L.place(timeseries("Events by outcome",
                           "Consumed = processed + duplicate + dead-lettered; late is a subset of "
                           "processed.", "ops", [
                               (rate("vigil_events_consumed_total"), "consumed"),
                               (rate("vigil_events_processed_total"), "processed"),
                               (rate("vigil_events_duplicate_total"), "duplicate"),
                               (rate("vigil_events_dead_lettered_total"), "dead-lettered"),
                               (rate("vigil_events_late_total"), "late")]), 8, 8),
        L.place(timeseries("Consumer lag by partition",
                           "Messages between the committed position and the high watermark, per "
                           "input partition (updated at each commit).", "short", [
                               (f"max by (topic, partition) (vigil_consumer_lag{{{sel}}})",
                                "{{topic}}[{{partition}}]")]), 8, 8),
        L.place(right_axis(timeseries(
            "Merge stage: waiting records / released rate",
            "Records each pod's merge stage holds until every events partition has passed their "
            "stream time (left axis), and records received from the repartition topic and "
            "released to the national detectors per second (right axis). Waiting that only "
            "grows with nothing released: an events partition sends nothing (VigilMergeStalled).",
            "short", [
                (f"sum by (pod) (vigil_repartition_waiting_records{{{sel}}})", "{{pod}} waiting"),
                (rate("vigil_repartition_records_total", "pod"), "{{pod}} received"),
                (rate("vigil_repartition_released_total", "pod"), "{{pod}} released")]),
            "ops", ["B", "C"]), 8, 8),
        L.row("Latency"),
        L.place(timeseries("Event processing latency",
                           "From taking an event off the source to the last detector done with "
                           "it (sampled 1 in 16 events).", "s",
                           quantiles("vigil_event_processing_seconds",
                                     [(0.5, "p50"), (0.99, "p99"), (0.999, "p99.9")])), 8, 8),
        L.place(panel("heatmap", "Event processing latency distribution",
                      "Histogram buckets of vigil_event_processing_seconds over time.", "s",
                      [target(f"sum by (le) (increase(vigil_event_processing_seconds_bucket{{{sel}}}"
                              f"[$__rate_interval]))", "{{le}}", fmt="heatmap")],
                      options={"calculate": False, "yAxis": {"unit": "s"},
                               "cellGap": 1, "color": {"scheme": "Oranges", "mode": "scheme"}}),
                8, 8),
        L.place(timeseries("Commit latency",
                           "Seconds per commit: the RocksDB write of state, per-id records and the "
                           "input offset, after Kafka acknowledged the batch's output.", "s",
                           quantiles("vigil_commit_seconds",
                                     [(0.5, "p50"), (0.99, "p99"), (1.0, "max")])), 8, 8),
        L.row("Errors"),
        L.place(timeseries("Dead letters by reason",
                           "Invalid events sent to the dead-letter topic, by contract reason code.",
                           "ops", [(rate("vigil_events_dead_lettered_total", "reason"), "{{reason}}")],
                           stack=True), 8, 8),
        L.place(timeseries("Dead-letter and late share",
                           "Dead-lettered and late events as a share of consumed events.",
                           "percentunit", [
                               (f"{rate('vigil_events_dead_lettered_total')} / "
                                f"{rate('vigil_events_consumed_total')}", "dead-lettered"),
                               (f"{rate('vigil_events_late_total')} / "
                                f"{rate('vigil_events_consumed_total')}", "late")]), 8, 8),
        L.place(timeseries("Commit failures by stage",
                           "produce: output not acknowledged; state: RocksDB write failed (both "
                           "make the pod exit and replay); offsets: Kafka refused the "
                           "informational offset commit.", "short", [
                               (f"sum by (stage) (increase(vigil_commit_failures_total{{{sel}}}"
                                f"[$__rate_interval]))", "{{stage}}")], bars=True), 8, 8),
        L.row("Alertmanager"),
        L.place(timeseries("Alertmanager requests by result",
                           "Requests posting alerts to Alertmanager per second: success; error "
                           "(no answer, timeout, 5xx, 408, 429: retried); rejected (any other "
                           "status: not retried). Errors or rejections with no success: "
                           "VigilAlertmanagerDeliveryFailing.", "reqps",
                           [(rate("vigil_alertmanager_sends_total", "result"), "{{result}}")],
                           stack=True), 6, 8),
        L.place(timeseries("Alerts sent and dropped",
                           "Alerts Alertmanager accepted per second, by state (firing includes "
                           "the periodic re-sends of open signals), and signal transitions given "
                           "up, by reason (VigilAlertmanagerAlertsDropped).", "ops", [
                               (rate("vigil_alertmanager_alerts_sent_total", "state"),
                                "sent {{state}}"),
                               (rate("vigil_alertmanager_alerts_dropped_total", "reason"),
                                "dropped {{reason}}")]), 6, 8),
        L.place(timeseries("Alertmanager queue",
                           "Alerts whose latest state Alertmanager has not acknowledged (grows "
                           "while delivery fails), open signals held and re-sent, and open "
                           "signals held back by a reviewer's decision.", "short", [
                               (f"sum by (pod) (vigil_alertmanager_queue_depth{{{sel}}})",
                                "{{pod}} unacknowledged"),
                               (f"sum by (pod) (vigil_alertmanager_open_alerts{{{sel}}})",
                                "{{pod}} open"),
                               (f"sum by (pod) (vigil_alertmanager_suppressed_alerts{{{sel}}})",
                                "{{pod}} suppressed")], decimals=0), 6, 8),
        L.place(timeseries("Alertmanager request latency",
                           "Seconds per request posting alerts, any outcome (a timeout counts "
                           "its full alertmanager.timeoutMs).", "s",
                           quantiles("vigil_alertmanager_send_seconds",
                                     [(0.5, "p50"), (0.99, "p99"), (1.0, "max")])), 6, 8),
        L.row("Pods"),
        L.place(timeseries("Commits per second", "Partition commits completed per second.", "ops",
                           [(rate("vigil_commit_seconds_count", "pod"), "{{pod}}")]), 5, 8),
        L.place(timeseries("State size", "Approximate bytes in each pod's RocksDB state.", "bytes",
                           [(f"sum by (pod) (vigil_state_bytes{{{sel}}})", "{{pod}}")]), 5, 8),
        L.place(right_axis(timeseries(
            "State volume free",
            "Share of the file system holding each pod's state (its volume claim) that is still "
            "free (left axis), and its size (right axis). RocksDB stops writing when it is full "
            "(VigilStateVolumeFilling).", "percentunit", [
                (f"sum by (pod) (vigil_state_volume_available_bytes{{{sel}}}) / "
                 f"sum by (pod) (vigil_state_volume_capacity_bytes{{{sel}}})", "{{pod}} free"),
                (f"sum by (pod) (vigil_state_volume_capacity_bytes{{{sel}}})", "{{pod}} size")]),
            "bytes", ["B"]), 5, 8),
        L.place(timeseries("Uptime", "Seconds since each pod's process started; a drop is a "
                           "restart.", "s",
                           [(f"time() - max by (pod) (vigil_start_time_seconds{{{sel}}})",
                             "{{pod}}")]), 5, 8),
        L.place(timeseries("Ready", "1 while a pod answers /readyz with 200.", "bool",
                           [(f"max by (pod) (vigil_ready{{{sel}}})", "{{pod}}")]), 4, 8),
    ]
    variables = [
        datasource_var(),
        query_var("namespace", "Namespace", "label_values(vigil_build_info, namespace)"),
        query_var("pod", "Pod", 'label_values(vigil_build_info{namespace=~"$namespace"}, pod)'),
    ]
    return dashboard("vigil-operations", "Vigil / Operations",
                     "Health of the Vigil pipeline: throughput, lag, the merge stage, latency, dead "
                     "letters, commits, Alertmanager delivery, state and restarts.", ["vigil", "operations"], variables, panels)


def national():
    sel = 'namespace=~"$namespace", detector=~"$detector"'
    ssel = sel + ', severity=~"$severity"'
    L = Layout()
    raised_range = f"sum(increase(vigil_signals_raised_total{{{ssel}}}[$__range]))"
    panels = [
        L.row("Now"),
        L.place(stat("Open signals", "Signals raised and not yet resolved, every detector "
                     "(vigil_signals_open).", "short",
                     'sum(vigil_signals_open{namespace=~"$namespace"})',
                     thresholds=[(None, "green"), (1, "orange"), (20, "red")]), 6, 4),
        L.place(stat("Raised in range", "Signals raised in the selected time range.", "short",
                     raised_range), 6, 4),
        L.place(stat("Critical raised in range", "Critical signals raised in the selected time range.",
                     "short", f'sum(increase(vigil_signals_raised_total{{{sel}, severity="critical"}}'
                              f'[$__range]))', thresholds=[(None, "green"), (1, "red")]), 6, 4),
        L.place(stat("Resolved in range", "Signals resolved in the selected time range.", "short",
                     f'sum(increase(vigil_signals_total{{{sel}, type="resolved"}}[$__range]))'), 6, 4),
        L.row("Over time"),
        L.place(timeseries("Signals raised by detector",
                           "New signals per interval, by detector.", "short", [
                               (f"sum by (detector) (increase(vigil_signals_raised_total{{{ssel}}}"
                                f"[$__rate_interval]))", "{{detector}}")], stack=True, bars=True,
                           decimals=0), 12, 9),
        L.place(timeseries("Signals raised by severity",
                           "New signals per interval, by the severity they were raised with.",
                           "short", [
                               (f"sum by (severity) (increase(vigil_signals_raised_total{{{ssel}}}"
                                f"[$__rate_interval]))", "{{severity}}")], stack=True, bars=True,
                           decimals=0), 12, 9),
        L.place(timeseries("Open signals", "Signals open at each moment.", "short", [
            ('sum(vigil_signals_open{namespace=~"$namespace"})', "open")], decimals=0), 12, 8),
        L.place(timeseries("Signal transitions by type",
                           "raised, updated (the count grew 1.5x) and resolved, per interval.",
                           "short", [
                               (f"sum by (type) (increase(vigil_signals_total{{{sel}}}"
                                f"[$__rate_interval]))", "{{type}}")], bars=True, decimals=0), 12, 8),
        L.row("Most active"),
        L.place(table("Top detectors and severities",
                      "The ten detector × severity pairs with the most signals raised in the time "
                      "range. Metrics carry no signal keys (no organisation codes, by policy): "
                      "the keys are in the signals topic and Alertmanager.", "short",
                      [(f"topk(10, sum by (detector, severity) (increase("
                        f"vigil_signals_raised_total{{{ssel}}}[$__range])) > 0)", "")]), 12, 9),
        L.place(table("Signal activity by detector",
                      "Transitions of each detector in the time range, by type.", "short",
                      [(f"sum by (detector, type) (increase(vigil_signals_total{{{sel}}}"
                        f"[$__range]))", "")]), 12, 9),
    ]
    variables = [
        datasource_var(),
        query_var("namespace", "Namespace", "label_values(vigil_build_info, namespace)"),
        query_var("detector", "Detector",
                  'label_values(vigil_signals_total{namespace=~"$namespace"}, detector)'),
        custom_var("severity", "Severity", ["low", "medium", "high", "critical"]),
    ]
    return dashboard("vigil-national", "Vigil / National patient safety signals",
                     "Signals raised by Vigil's detectors: by detector and severity over time, "
                     "open signals and the most active detectors.", ["vigil", "signals"],
                     variables, panels, refresh="5m")


def main():
    out = pathlib.Path(__file__).resolve().parent.parent / "helm/vigil/dashboards"
    files = {"vigil-operations.json": operations(), "vigil-national.json": national()}
    stale = []
    for name, d in files.items():
        text = json.dumps(d, indent=2) + "\n"
        if "--check" in sys.argv[1:]:
            if not (out / name).exists() or (out / name).read_text() != text:
                stale.append(name)
        else:
            (out / name).write_text(text)
    if stale:
        sys.exit("stale dashboards (run tools/dashboards.py): " + ", ".join(stale))


if __name__ == "__main__":
    main()
