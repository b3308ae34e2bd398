#include "ingest/json_kernel_choice.h"

#include <simdjson.h>

#include <cstdlib>

namespace vigil {
namespace {

JsonKernel detect_json_kernel() {
  if (const char* forced = std::getenv("VIGIL_JSON_KERNEL");
      forced != nullptr && std::string_view(forced) == "fallback") {
    return JsonKernel::kFallback;
  }
#if VIGIL_HASWELL_JSON_KERNEL
  const simdjson::implementation* haswell = simdjson::get_available_implementations()["haswell"];
  if (haswell != nullptr && haswell->supported_by_runtime_system()) return JsonKernel::kHaswell;
#endif
  return JsonKernel::kFallback;
}

}  // namespace

JsonKernel best_json_kernel() {
  static const JsonKernel kernel = detect_json_kernel();
  return kernel;
}

std::string_view json_kernel_name(JsonKernel kernel) {
  switch (kernel) {
    case JsonKernel::kFallback: return "fallback";
    case JsonKernel::kHaswell: return "haswell";
  }
  return "fallback";
}

}  // namespace vigil
