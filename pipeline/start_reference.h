// Where replay judges a fresh partition's first events from
// (event_time_gate.h): the median latest date (occurred_on or reported_at)
// of its first events. One
// event dated far ahead among them (even the very first) cannot move the
// median, so it cannot become the stream time everything else is late
// against. `vigil run` needs none: the wall clock bounds its first event.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/civil_date.h"
#include "core/result.h"
#include "ingest/message_format.h"

namespace vigil {

// How many valid events from the start the median is taken over: odd, and
// enough that a few bad dates among them cannot move it.
inline constexpr size_t kStartReferenceEvents = 101;

// The lower median of latest_date() over the first kStartReferenceEvents
// valid events of JSON Lines file `path` from line `from_offset` (0-based),
// its lines read as `format` (a FHIR Bundle's events counting one by one,
// so a FHIR file and its event v1 rendition give the same reference);
// std::nullopt when there are none, or for standard input ("-"), which
// cannot be read twice.
Result<std::optional<Date>> start_reference(const std::string& path, int64_t from_offset,
                                            InputFormat format = InputFormat::kAuto);

}  // namespace vigil
