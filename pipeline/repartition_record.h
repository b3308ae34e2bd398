// A record on the repartition topic: one accepted event, as the input
// partition's task saw it, on its way to the tasks that run the national
// detectors.
//
// The merge stage orders records by (stream_time, upstream, offset). Within
// one upstream that key only grows, because an input partition's stream time
// never goes back and its offsets increase, which is what lets the merge be
// deterministic however the upstreams' records interleave on the topic.
//
// Encoding: a version byte, then varints (upstream, offset, zigzag stream
// time, length of `previous`), `previous`, and `current` to the end. Both
// are per-id records (state/event_record.h): categorical fields, never the
// free-text description.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/civil_date.h"

namespace vigil {

struct RepartitionRecord {
  int32_t upstream = 0;       // input partition
  int64_t offset = 0;         // input offset
  Date stream_time;           // the input partition's stream time after this event
  std::string_view previous;  // per-id record of the revision taken back; empty if none
  std::string_view current;   // per-id record of the event
};

// Appends the encoded record to `out` (not cleared first).
void encode_repartition_record(const RepartitionRecord& record, std::string& out);

// Decodes bytes written by encode_repartition_record; the views point into
// `data`. False for anything else (a record Vigil did not write).
[[nodiscard]] bool decode_repartition_record(std::string_view data, RepartitionRecord& out);

}  // namespace vigil
