// Makes a dead letter fit the dead-letter topic, so that dead-lettering can
// never fail on size (a failure there would stall the pipeline: the batch
// would be redone for ever, or the process restarted for ever).
//
// A record that fits (as estimated below) goes unchanged. One that does not
// becomes a truncated copy: the value's first bytes, up to what fits, and
// headers that identify the original:
//   vigil.original.length      the original value's length in bytes (decimal)
//   vigil.original.sha256      SHA-256 of the original value, lowercase hex
// and, only when the key had to be cut as well (a key over 4 KiB):
//   vigil.original.key_length  the original key's length in bytes
//   vigil.original.key_sha256  SHA-256 of the original key, lowercase hex
// Header values of a truncated copy (the error detail) are cut to 1 KiB.
//
// The estimate is conservative: the uncompressed key, value and headers,
// plus the record batch's framing and the worst-case growth of
// incompressible data under compression. A compressible record near the
// limit may be truncated although the broker would have taken it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "kafka/kafka_producer.h"

namespace vigil {

// Kafka's default max.message.bytes of a topic (1 MiB + 12 bytes), used
// until the dead-letter topic's own limit is known.
inline constexpr size_t kKafkaDefaultMaxMessageBytes = 1048588;

struct FittedRecord {
  std::string_view key;    // the original or a prefix of it
  std::string_view value;  // the original or a prefix of it
  KafkaHeaders headers;    // the given ones, plus vigil.original.* if truncated
  bool truncated = false;
};

// The size a record may take in a batch of its own, as estimated here.
size_t estimated_record_bytes(std::string_view key, std::string_view value, const KafkaHeaders& headers);

// `key`, `value` and `headers` as they can be produced to a topic accepting
// records up to `max_record_bytes` (at least 16 KiB). The views point into
// `key` and `value`.
FittedRecord fit_dead_letter(std::string_view key, std::string_view value, KafkaHeaders headers,
                             size_t max_record_bytes);

}  // namespace vigil
