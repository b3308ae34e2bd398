// What both decoder kernels (event_decoder_kernel.h, fhir_decoder_kernel.h)
// do around their readers: a padded copy of the message for simdjson, and
// the failure details for an oversized or malformed message. Compiled once
// per simdjson kernel like them (see json_kernel.h): include it from a kernel
// body, after defining VIGIL_JSON_KERNEL.
#pragma once

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "core/check.h"
#include "ingest/event_decoder.h"
#include "ingest/json_field_reader.h"

namespace vigil::VIGIL_JSON_KERNEL {

// A parser and the buffer it reads: the message is copied in, followed by
// simdjson's padding. Both are reused across messages and only grow.
class PaddedJsonParser {
 public:
  static constexpr size_t kInitialCapacity = size_t{16} << 10;
  static_assert((kMaxMessageBytes & (kMaxMessageBytes - 1)) == 0 &&
                    (kInitialCapacity & (kInitialCapacity - 1)) == 0,
                "doubling from kInitialCapacity must land exactly on kMaxMessageBytes");

  PaddedJsonParser() { reserve(kInitialCapacity); }

  // Copies `message` (at most kMaxMessageBytes bytes) and starts an On-Demand
  // document over the copy, valid until the next call.
  simdjson::error_code iterate(std::string_view message, simdjson::ondemand::document& doc) {
    reserve(message.size());
    char* text = text_.get();
    if (!message.empty()) std::memcpy(text, message.data(), message.size());
    // simdjson may read the padding; zeroing it keeps every run identical.
    std::memset(text + message.size(), 0, simdjson::SIMDJSON_PADDING);
    return parser_.iterate(text, message.size(), text_capacity_ + simdjson::SIMDJSON_PADDING)
        .get(doc);
  }

 private:
  // Makes room for a message of `size` <= kMaxMessageBytes bytes. Doubling
  // keeps the number of reallocations logarithmic in the largest message.
  void reserve(size_t size) {
    if (size <= text_capacity_ && size <= parser_.capacity()) return;
    size_t capacity = std::max(text_capacity_, kInitialCapacity);
    while (capacity < size) capacity *= 2;
    if (capacity > text_capacity_) {
      text_.reset(new char[capacity + simdjson::SIMDJSON_PADDING]);
      text_capacity_ = capacity;
    }
    if (parser_.capacity() < capacity) {
      VIGIL_CHECK(parser_.allocate(capacity) == simdjson::SUCCESS,
                  "cannot allocate the JSON parser");
    }
  }

  simdjson::ondemand::parser parser_;
  // The message being decoded, followed by simdjson's padding.
  std::unique_ptr<char[]> text_;
  size_t text_capacity_ = 0;  // room for a message, padding excluded
};

// The failure detail of a list longer than kMaxListItems.
inline constexpr std::string_view kTooManyItems = "more than 100 entries";
static_assert(kMaxListItems == 100, "kTooManyItems spells the limit out");

// Records kTooLarge and returns true when `message` exceeds kMaxMessageBytes.
inline bool reject_too_large(std::string_view message, DecodeFailure& failure) {
  if (message.size() <= kMaxMessageBytes) return false;
  failure.reason = InvalidReason::kTooLarge;
  failure.detail = "message: larger than 1048576 bytes (1 MiB)";
  return true;
}

// Records kNotJson for a simdjson `error`: "message: not a JSON object", or
// "<where>: malformed JSON (<error>)" with `where` the decoder's own path of
// the value being read ("message" when empty).
inline void reject_malformed(simdjson::error_code error, bool not_an_object,
                             std::string_view where, DecodeFailure& failure) {
  failure.reason = InvalidReason::kNotJson;
  if (not_an_object) {
    failure.detail = "message: not a JSON object";
    return;
  }
  failure.detail = where.empty() ? std::string_view("message") : where;
  failure.detail += ": malformed JSON (";
  failure.detail += describe_json_error(error);
  failure.detail += ')';
}

}  // namespace vigil::VIGIL_JSON_KERNEL
