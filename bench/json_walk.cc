#include "bench/json_walk.h"

namespace vigil {

std::unique_ptr<JsonWalker> make_json_walker(JsonKernel kernel) {
  switch (kernel) {
    case JsonKernel::kFallback: return fallback::make_json_walker();
    case JsonKernel::kHaswell:
#if VIGIL_HASWELL_JSON_KERNEL
      return haswell::make_json_walker();
#else
      break;
#endif
  }
  return fallback::make_json_walker();
}

}  // namespace vigil
