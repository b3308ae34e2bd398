// Decoding and validation of incident event v1 messages (contract sections 1
// and 4): one JSON object in, a typed IncidentEvent or a stable reason out.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/incident_event.h"
#include "ingest/invalid_reason.h"
#include "ingest/json_kernel_choice.h"

namespace vigil {

// Largest message accepted, in bytes (1 MiB); larger ones are kTooLarge.
inline constexpr size_t kMaxMessageBytes = size_t{1} << 20;

// Longest `description`, in bytes of UTF-8 after JSON unescaping (32 KiB).
inline constexpr size_t kMaxDescriptionBytes = size_t{32} << 10;

// Longest device `name`, `manufacturer` and `model` and medication `name`, in
// bytes of UTF-8 after JSON unescaping, before normalisation.
inline constexpr size_t kMaxIdentityTextBytes = 256;

// Longest device `code`, in bytes after JSON unescaping (GTIN-14, a GS1 UDI-DI
// of up to 25 characters, GMDN and other schemes all fit).
inline constexpr size_t kMaxDeviceCodeBytes = 64;

// Most entries of `medications`, of `devices` and of `agents` in one event
// (LFPSE allows 100 medicines and 100 devices per report).
inline constexpr size_t kMaxListItems = 100;

// Most combinations of one medication, one device and one agent in one event
// (an empty list counting as one), the most keys one event can give any
// detector: a detector keyed by those three dimensions counts the event once
// per combination. Bounds the state and work one message can cause, while a
// report at LFPSE's own limits (100 medicines, 100 devices, one agent) passes.
inline constexpr size_t kMaxKeyCombinations = 10000;

// Deepest nesting of arrays and objects accepted anywhere in a message, the
// event object itself being level 1. The contract's own fields need 3 levels;
// the limit exists so a hostile unknown field (thousands of nested arrays)
// is rejected as kNotJson instead of exhausting the stack.
inline constexpr int kMaxNestingDepth = 64;

struct DecodeFailure {
  InvalidReason reason = InvalidReason::kNotJson;
  // Which field and what is wrong with it, e.g. "org: must match
  // [A-Z0-9]{3,6}" or "medications[2].code: missing or null". Built only from
  // the decoder's own field names, array positions and fixed phrases, never
  // from message text, so it is safe for logs and dead-letter headers.
  std::string detail;
};

// Decodes messages with simdjson On-Demand, checking every rule of contract
// section 1:
//   - more than kMaxMessageBytes: kTooLarge (checked before parsing);
//   - anything but exactly one well-formed JSON object, including malformed
//     JSON inside unknown fields, invalid UTF-8, trailing content, or nesting
//     deeper than kMaxNestingDepth: kNotJson;
//   - `id`, `reported_at`, `org`, `record_type` or `category` absent or null
//     (also `code`/`name` of a medication, `name` of a device, which is all
//     contract section 1 requires of one): kMissingField;
//   - a field of the wrong JSON type: kWrongType. Integers (`revision`,
//     `imd_decile`) must be written without fraction or exponent: 1.0 and 1e3
//     are kWrongType;
//   - a value outside its rule (see field_rules.h), a known field given twice,
//     a description over kMaxDescriptionBytes, a device text or medication
//     name over kMaxIdentityTextBytes (a device code over
//     kMaxDeviceCodeBytes) or holding a control character, a device name
//     that is blank after normalisation, more than kMaxListItems medications,
//     devices or agents, or more than kMaxKeyCombinations combinations of
//     them: kBadValue;
//   - `reported_at` not RFC 3339 with a zone, `occurred_on` not a valid
//     YYYY-MM-DD, or `occurred_on` more than one day after the date of
//     `reported_at` (an extension of the contract: an event cannot be reported
//     before it happens; one day of slack covers zone offsets): kBadTimestamp.
// Device identity is normalised (normalise_identity_text in field_rules.h):
// `code` to upper case, `name`, `manufacturer` and `model` to lower case, all
// trimmed with inner spaces collapsed and typographic punctuation made ASCII;
// an optional device field that is blank after that counts as absent.
// Null for an optional field means absent. Unknown fields are ignored but must
// be well-formed. When a message breaks several rules the first broken one in
// document order is reported, except that malformed JSON anywhere always
// makes it kNotJson; missing fields are reported after all present ones.
//
// Cost: one pass over the message, copying it once into a padded buffer. The
// buffers grow to the largest message seen and are then reused, so in the
// steady state (and with the same IncidentEvent passed in each time) decoding
// allocates nothing.
//
// The JSON is read with the fastest simdjson kernel the CPU runs
// (best_json_kernel(); every kernel gives the same results).
//
// Not thread-safe: use one decoder per thread. A moved-from decoder may only
// be destroyed or assigned to.
template <typename Output>
class JsonDecoderKernel;
using DecoderKernel = JsonDecoderKernel<IncidentEvent>;
class EventDecoder {
 public:
  EventDecoder();
  // Reads with `kernel`, which must run on this CPU (for tests comparing the
  // kernels; a kernel not built here is replaced by fallback).
  explicit EventDecoder(JsonKernel kernel);
  ~EventDecoder();
  EventDecoder(EventDecoder&& other) noexcept;
  EventDecoder& operator=(EventDecoder&& other) noexcept;
  EventDecoder(const EventDecoder&) = delete;
  EventDecoder& operator=(const EventDecoder&) = delete;

  // Decodes and validates one message (a Kafka value or one JSON Lines line,
  // without its line terminator).
  //
  // On success fills `out` and returns true. The text fields of `out` are
  // views into this decoder's buffers, valid until the next decode() call on
  // this decoder; `patient.age_band` and `patient.sex` are views of static
  // storage and stay valid. `occurred_on` is the given date, or the date of
  // `reported_at` as written in its own offset, with `has_occurred_on` telling
  // which; `reported_on` is always the date of `reported_at`.
  //
  // On failure returns false, fills `failure` and leaves `out` cleared.
  // Never throws; running out of memory terminates the process.
  [[nodiscard]] bool decode(std::string_view message, IncidentEvent& out,
                            DecodeFailure& failure) noexcept;

 private:
  std::unique_ptr<DecoderKernel> kernel_;
};

}  // namespace vigil
