// The per-id record: what Vigil remembers of each report so that a later
// revision can take back exactly what the earlier one contributed.
//
// The record holds every field a detector counts by, and never the free-text
// description. Encoding is a compact, versioned binary form (varints and
// length-prefixed strings); decoding yields an IncidentEvent whose views point
// into the encoded bytes, so the caller keeps those bytes alive.
#pragma once

#include <string>
#include <string_view>

#include "core/incident_event.h"

namespace vigil {

// Appends the record of `event` to `out` (which is not cleared first).
void encode_event_record(const IncidentEvent& event, std::string& out);

// Decodes a record written by encode_event_record. Returns false for bytes
// that are not a valid record (corrupt state), leaving `out` unspecified.
[[nodiscard]] bool decode_event_record(std::string_view data, IncidentEvent& out);

// Reads only the revision of a record, without decoding the rest: the
// duplicate check on the hot path needs nothing else.
[[nodiscard]] bool read_record_revision(std::string_view data, int64_t& revision);

// Reads only the record's last day: the later of its occurred_on and its
// reported_on, the last day any detector counts the report on (count
// detectors count by event time, volume_drop by the day reported). Past
// retention (state/record_retention.h) is judged on this day.
[[nodiscard]] bool read_record_last_day(std::string_view data, Date& last_day);

}  // namespace vigil
