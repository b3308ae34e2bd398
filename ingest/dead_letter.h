// An input message that cannot be processed, kept whole (key and value as
// they arrived) until the dead-letter sink has it: a dead letter must be
// reprocessable once its cause is fixed.
#pragma once

#include <cstdint>
#include <string>

#include "ingest/invalid_reason.h"

namespace vigil {

struct DeadLetter {
  int64_t offset = 0;  // input offset (line number - 1 for files)
  InvalidReason reason = InvalidReason::kNotJson;
  std::string detail;
  std::string key;
  std::string value;
};

}  // namespace vigil
