// Parse-only yardstick: reads a JSON document with simdjson On-Demand,
// visiting every key and value (so every byte is validated), and nothing
// else. What the event decoder costs beyond it is the price of the contract.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "ingest/json_kernel_choice.h"

namespace vigil {

class JsonWalker {
 public:
  virtual ~JsonWalker() = default;
  // Parses `document` and visits all of it; false when it is not well-formed
  // JSON. Adds the keys and scalar values seen to values().
  virtual bool walk(std::string_view document) = 0;
  uint64_t values() const { return values_; }

 protected:
  uint64_t values_ = 0;
};

// A walker running `kernel`'s On-Demand code; `kernel` must run on this CPU.
std::unique_ptr<JsonWalker> make_json_walker(JsonKernel kernel);

namespace fallback {
std::unique_ptr<JsonWalker> make_json_walker();
}
namespace haswell {
std::unique_ptr<JsonWalker> make_json_walker();
}

}  // namespace vigil
