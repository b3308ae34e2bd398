// The JSON walker built for simdjson's haswell (AVX2) kernel.
#if VIGIL_HASWELL_JSON_KERNEL
#define VIGIL_JSON_KERNEL haswell
#include "bench/json_walk_kernel.h"
#endif
