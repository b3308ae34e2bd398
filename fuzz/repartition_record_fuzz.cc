// libFuzzer target: a message on the repartition topic (sinks/
// repartition_record.h), split into records, each record decoded, and the
// per-id records it carries (state/event_record.h) decoded as the merge stage
// does. Any bytes must be refused or read without a crash, and whatever is
// accepted must encode back to exactly the bytes it came from: every value has
// one encoding, so a decoder that accepted something else would let two
// different byte strings stand for one record.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "sinks/repartition_record.h"
#include "state/event_record.h"

namespace {

void check_event_record(std::string_view bytes) {
  static vigil::IncidentEvent event;
  if (!vigil::decode_event_record(bytes, event)) return;
  static std::string again;
  again.clear();
  vigil::encode_event_record(event, again);
  if (again != bytes) std::abort();
}

void check_record(std::string_view bytes) {
  vigil::RepartitionRecord record;
  if (!vigil::decode_repartition_record(bytes, record)) return;
  static std::string again;
  again.clear();
  vigil::encode_repartition_record(record, again);
  if (again != bytes) std::abort();
  if (!record.previous.empty()) check_event_record(record.previous);
  check_event_record(record.current);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view message(reinterpret_cast<const char*>(data), size);
  static std::vector<std::string_view> records;
  if (!vigil::split_repartition_message(message, records)) return 0;
  for (const auto record : records) check_record(record);
  // Written again as messages, the records split back into themselves.
  vigil::RepartitionBatch batch;
  for (const auto record : records) {
    batch.bytes.append(record);
    batch.ends.push_back(batch.bytes.size());
  }
  static std::string buffer;
  static std::vector<std::string_view> resplit;
  size_t index = 0;
  vigil::for_each_repartition_message(batch, buffer, [&](std::string_view written) {
    if (!vigil::split_repartition_message(written, resplit)) std::abort();
    for (const auto r : resplit) {
      if (index >= records.size() || r != records[index]) std::abort();
      ++index;
    }
  });
  if (index != records.size()) std::abort();
  return 0;
}
