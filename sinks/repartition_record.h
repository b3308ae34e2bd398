// A record on the repartition topic: one accepted event, as the input
// partition's task saw it, on its way to the tasks that run the national
// detectors.
//
// The merge stage orders records by a clock derived from `clock` (the
// event's reported_at, pipeline/merge_task.h), then upstream, then offset.
// Within one upstream the merge makes that key only grow (the clock is a
// high-water mark and offsets increase), which is what lets the merge be
// deterministic however the upstreams' records interleave on the topic.
//
// Encoding, version 3 (written since the merge orders by reported_at): a
// version byte, then varints (upstream, offset, zigzag stream time, zigzag
// clock, length of `previous`), `previous`, and `current` to the end.
// Version 4 (a record of the second or later event of a FHIR Bundle) adds
// a varint `index` after the clock; a record with index 0 is still written
// as version 3, so a stream of one event per message is encoded as before.
// Version 1, written before, has no clock varint: it is still read (records
// on the topic and held in merge state when Vigil is upgraded), with `clock`
// empty. Both per-id records (state/event_record.h) hold categorical fields,
// never the free-text description.
//
// Version 5 (written when a text detector is configured, so the input task
// derived a text fingerprint, core/text_fingerprint.h) carries, after the
// index varint (always present in version 5): a varint count and that many
// word hashes (8 bytes each, big-endian, the redacted description's kept
// words in text order, at most kMaxFingerprintWords), then a varint count
// and that many revealed words (8-byte hash, varint length, the word's
// bytes; at most kMaxRevealsPerReport, in hash order). What travels of the
// text: hashes, and single redacted words that reports of at least two
// organisations use (detectors/term_reveal_gate.h), never the description,
// never words in text order. Records without a fingerprint are written as
// versions 1, 3 and 4 were, and all four versions are read.
//
// Version 6 is not an event: a progress mark (ingest/progress_mark.h) the
// input task passes on, so the merge can move the partition's clock on
// without a report. After the version byte, varints: upstream, offset (the
// mark's message on the events topic), zigzag stream time (the input
// partition's, unchanged by the mark), zigzag clock (the mark's
// reported_through, Unix seconds) and index; no per-id record, no text.
// A merge older than version 6 refuses it as undecodable: upgrade the merge
// tasks (every task of one Vigil version) before producers send marks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/civil_date.h"
#include "core/text_fingerprint.h"

namespace vigil {

struct RepartitionRecord {
  int32_t upstream = 0;       // input partition
  int64_t offset = 0;         // input offset
  Date stream_time;           // the input partition's stream time after this event
  std::string_view previous;  // per-id record of the revision taken back; empty if none
  std::string_view current;   // per-id record of the event
  // Unix seconds: the event's reported_at as the input task writes it; in a
  // record the merge holds in its state, the merge clock it assigned. Empty
  // for a version 1 record, and then written as version 1.
  std::optional<int64_t> clock;
  // The event's place in its input message: several events of one message
  // (a FHIR Bundle) share `offset`, and (offset, index) tells them apart.
  // 0 for a message of one event. Needs `clock`.
  uint32_t index = 0;
  // The description's fingerprint, when the input task derived one (then
  // written as version 5; needs `clock`). Decoding reuses its vectors'
  // capacity; its revealed words are views into the decoded bytes.
  bool has_text = false;
  TextFingerprint text = {};
  // A progress mark, not an event (version 6): `clock` is the mark's
  // reported_through; `previous` and `current` are empty.
  bool progress_mark = false;
};

// Records for the repartition topic, each sent to every partition that runs
// a detector: concatenated bytes, with where each record ends.
struct RepartitionBatch {
  std::string bytes;
  std::vector<size_t> ends;

  size_t size() const { return ends.size(); }
  std::string_view record(size_t i) const {
    const size_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(bytes).substr(begin, ends[i] - begin);
  }
  void truncate(size_t records) {
    ends.resize(records);
    bytes.resize(records == 0 ? 0 : ends.back());
  }
  void clear() { truncate(0); }
};

// Appends the encoded record to `out` (not cleared first).
void encode_repartition_record(const RepartitionRecord& record, std::string& out);

// Decodes bytes written by encode_repartition_record; the views point into
// `data`. False for anything else (a record Vigil did not write).
[[nodiscard]] bool decode_repartition_record(std::string_view data, RepartitionRecord& out);

// A Kafka message on the repartition topic carries many records, so the
// second hop costs a message per batch rather than per event: a version
// byte of its own, then each record as a varint length and its bytes. A
// message holding one bare record (its own version byte) is read too.
inline constexpr size_t kMaxRecordsPerMessage = 1000;
inline constexpr size_t kMaxRepartitionMessageBytes = 256 * 1024;  // well below brokers' 1 MB default

// Calls `emit` with each message of `records` (consecutive records, in order,
// at most kMaxRecordsPerMessage and about kMaxRepartitionMessageBytes each).
template <typename Records, typename Emit>
void for_each_repartition_message(const Records& records, std::string& buffer, Emit&& emit);

// The records of `message`, in order, as views into it; false (and `out`
// unspecified) for a message Vigil did not write.
[[nodiscard]] bool split_repartition_message(std::string_view message, std::vector<std::string_view>& out);

void begin_repartition_message(std::string& buffer);
void append_to_repartition_message(std::string_view record, std::string& buffer);

template <typename Records, typename Emit>
void for_each_repartition_message(const Records& records, std::string& buffer, Emit&& emit) {
  size_t in_message = 0;
  begin_repartition_message(buffer);
  for (size_t i = 0; i < records.size(); ++i) {
    append_to_repartition_message(records.record(i), buffer);
    if (++in_message == kMaxRecordsPerMessage || buffer.size() >= kMaxRepartitionMessageBytes) {
      emit(std::string_view(buffer));
      begin_repartition_message(buffer);
      in_message = 0;
    }
  }
  if (in_message > 0) emit(std::string_view(buffer));
}

}  // namespace vigil
