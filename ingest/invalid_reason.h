// Why an incident event was rejected (contract section 4).
//
// The codes are a stable external contract: they travel as the dead-letter
// header `vigil.error.reason`, in replay's dead-letter file and as the
// `reason` label of `vigil_events_dead_lettered_total`. Never rename one.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace vigil {

enum class InvalidReason : uint8_t {
  kNotJson,       // not a single well-formed JSON object (also invalid UTF-8)
  kTooLarge,      // the message is larger than 1 MiB
  kMissingField,  // a required field is absent or null
  kWrongType,     // a field has the wrong JSON type
  kBadValue,      // a field has the right type but breaks its rule
  kBadTimestamp,  // reported_at or occurred_on is not a valid time, or they disagree, or
                  // they are too far ahead of the partition (pipeline/event_time_gate.h)
  // Not judged invalid: part of a batch whose output Kafka refused the same
  // way commit.max_attempts times in a row (KafkaPipeline), sent here
  // unprocessed so the pipeline goes on. Reprocess it once the cause is fixed.
  kUndeliverable,
};

// Every reason, in declaration order: for pre-registering metric labels.
inline constexpr std::array kAllInvalidReasons = {
    InvalidReason::kNotJson,   InvalidReason::kTooLarge, InvalidReason::kMissingField,
    InvalidReason::kWrongType, InvalidReason::kBadValue, InvalidReason::kBadTimestamp,
    InvalidReason::kUndeliverable,
};

// The contract's stable code: `not_json`, `too_large`, `missing_field`,
// `wrong_type`, `bad_value`, `bad_timestamp` or `undeliverable`. The view is static.
std::string_view reason_code(InvalidReason reason);

}  // namespace vigil
