// A signal as an Alertmanager alert (API v2, `POST /api/v2/alerts`).
//
// One signal episode (one signal_id) is one alert. Alertmanager identifies an
// alert by its label set, so labels hold only what stays fixed for the
// episode and what people route on:
//   alertname  "VigilSignal" (kAlertName), for every signal
//   signal_id  the episode's id (contract §2): keeps two episodes apart
//   detector   the detector instance name from the configuration
//   method     earsC2, severity_rule, ...
//   severity   low | medium | high | critical: the highest the episode has
//              reached (a count detector raises one level when observed is
//              twice the threshold, and resolved transitions carry the base
//              level, so the sink passes the episode's maximum)
//   pipeline   the pipeline name (config `pipeline.name`)
//   <dimension> one label per key part: category, region, org, medication,
//              device, ... with its value. Key parts are aggregate keys
//              (codes and slugs), never free text or patient details.
//   plus the configured static labels.
// A key dimension whose name is taken by a label above becomes key_<name>.
// Label names are made valid for Alertmanager ([A-Za-z_][A-Za-z0-9_]*) and
// labels with an empty value are left out (Alertmanager treats empty as
// absent).
//
// Annotations carry what changes from one transition to the next, for people
// reading a notification: summary, description, signal_type, sequence,
// cloudevent_id (the CloudEvents `id` of the transition on the signals
// topic), subject, observed, expected, threshold, score (two decimals, left
// out when the method gives none), evidence_count, evidence_orgs, period
// ("YYYY-MM-DD/YYYY-MM-DD", the event-time period judged) and fired_at (the
// event-time date it fired). Report ids are never sent: notifications go to
// mail and chat; the signals topic holds the evidence.
//
// Times: signal times are event times (the stream's own dates, which in a
// replay may be months old), while Alertmanager compares startsAt/endsAt with
// its wall clock, so both are wall-clock instants chosen by the sink (see
// alertmanager_sink.h). The event-time facts travel in the annotations.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/signal.h"
#include "core/json_writer.h"

namespace vigil {

using LabelPairs = std::vector<std::pair<std::string, std::string>>;

// What an alert says, apart from its times.
struct AlertContent {
  LabelPairs labels;       // in the order listed above
  LabelPairs annotations;  // in the order listed above
  std::string generator_url;  // empty: no generatorURL member
};

struct AlertMappingOptions {
  std::string pipeline_name = "national";
  LabelPairs static_labels;   // names already valid and not reserved (config checks)
  std::string generator_url;  // "{signal_id}" is replaced; empty: none
};

// The labels every alert has and that static labels may not redefine.
bool is_reserved_alert_label(std::string_view name);

// Whether `name` is a valid Alertmanager label name.
bool is_valid_label_name(std::string_view name);

// Maps `s` to alert content, with `label_severity` as the severity label
// (the episode's highest). Pure: the same inputs give the same content.
AlertContent make_alert_content(const Signal& s, Severity label_severity,
                                const AlertMappingOptions& options);

// Writes one PostableAlert object into an open JSON array:
//   {"labels":{...},"annotations":{...},"startsAt":T,"endsAt":T,"generatorURL":U?}
void append_postable_alert(JsonWriter& w, const AlertContent& content,
                           std::chrono::system_clock::time_point starts_at,
                           std::chrono::system_clock::time_point ends_at);

// RFC 3339 in UTC with milliseconds: "2025-03-10T14:02:07.250Z".
std::string format_rfc3339_millis(std::chrono::system_clock::time_point t);

}  // namespace vigil
