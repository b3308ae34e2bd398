// Signal v1 (contract section 2) as a CloudEvents 1.0 event in structured
// JSON mode, and the one-line console form used by `vigil demo`.
#pragma once

#include <string>
#include <string_view>

#include "core/json_writer.h"
#include "core/signal.h"

namespace vigil {

// Content type of an encoded signal, for the Kafka `content-type` header.
inline constexpr std::string_view kCloudEventContentType =
    "application/cloudevents+json; charset=UTF-8";

// The `dataschema` attribute of every signal: the $id of
// config/schemas/signal-v1.schema.json.
std::string_view signal_data_schema();

// Encodes `s` as one compact JSON object on a single line, without a trailing
// newline (JSON Lines writers add it). Members appear in the fixed order of
// the contract example:
//   specversion, id, source, type, subject, time, datacontenttype, dataschema,
//   data{signal_id, detector, method, key{...in key order}, period{start, end},
//        observed, expected, threshold, score, severity,
//        evidence{count, orgs, event_ids, table?}, summary, statistics?, strata?,
//        series?, funnel?}
// where
//   id      = "<signal_id>-<sequence>"
//   source  = "/vigil/<pipeline_name>", the name percent-encoded outside
//             [A-Za-z0-9._~-] so the source stays a valid URI-reference
//   type    = "vigil.signal.raised|updated|resolved"
//   subject = "<detector>/<render_key(key)>"
//   time    = fired_at as "YYYY-MM-DDT00:00:00Z"
// `strata` (an extension: [{"dimension": d, "counts": {value: n, ...}}]) is
// written after disclosure control (core/disclosure_control.h: no cell of
// 1..4, such a dimension withheld) and present only when a dimension is left; `evidence.table` ({a,b,c,d})
// only when `s.table` is set; `statistics` ({name: number|null}) only when
// `s.statistics` is non-empty; `series` ({"measure", "points": [{"start",
// "end", "value", "expected", "threshold", "flagged"}]}) only when `s.series`
// is set, `funnel` ({"coverage", "points": [{"unit", "observed", "expected",
// "lower", "upper"}]}) only when `s.funnel` is. Every number that is NaN or
// infinite is null, any other the shortest decimal that round-trips.
// The output is a pure function of its inputs: identical signals give
// byte-identical events, which is what lets consumers deduplicate by `id`.
// At most kMaxEvidenceIds event ids are written, whatever `s` holds.
std::string encode_cloudevent(const Signal& s, std::string_view pipeline_name);

// The members of data that other JSON views of a signal (the review API)
// write exactly as the signal does: "series", "table" and "strata", each
// with its key ("strata" after disclosure control, as above).
void write_series(JsonWriter& w, const SignalSeries& series);
void write_table(JsonWriter& w, const ContingencyTable& table);
void write_strata(JsonWriter& w, const std::vector<StratumCounts>& strata);

// One human-readable line (no newline, no colours) for console output, e.g.
//   2025-03-10 RAISED   critical severity_rule        org=RXX,category=medication
//   observed 3 (expected –, threshold –)  | <summary>
// (shown wrapped here; it is one line). Columns are padded to fixed minimum
// widths so consecutive lines align; a longer value pushes the rest right.
std::string render_signal_line(const Signal& s);

}  // namespace vigil
