// librdkafka configuration objects built from key/value properties.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>
#include <string>

#include "core/result.h"

namespace vigil {

// A global configuration with every property set; an unknown property or a
// bad value is an error naming it.
Result<std::unique_ptr<RdKafka::Conf>> make_kafka_conf(const std::map<std::string, std::string>& props);

}  // namespace vigil
