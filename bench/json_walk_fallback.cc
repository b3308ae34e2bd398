// The JSON walker built for simdjson's fallback kernel.
#define VIGIL_JSON_KERNEL fallback
#include "bench/json_walk_kernel.h"
