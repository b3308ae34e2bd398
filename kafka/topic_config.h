// A topic's settings as the brokers hold them, asked through the admin API.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"

namespace vigil {

// The topic's max.message.bytes: the largest record batch (after
// compression) the brokers accept for it. nullopt when the topic does not
// exist yet (a producer may create it with the broker's defaults); an error
// when the brokers cannot be asked within `timeout_ms` or refuse to say.
Result<std::optional<int64_t>> topic_max_message_bytes(RdKafka::Handle& client, const std::string& topic,
                                                       int timeout_ms);

}  // namespace vigil
