// The FHIR decoder built for simdjson's haswell (AVX2) kernel; compiled
// with -mavx2 -mbmi -mpclmul -mlzcnt -fno-weak (see json_kernel.h).
#if VIGIL_HASWELL_JSON_KERNEL
#define VIGIL_JSON_KERNEL haswell
#include "ingest/fhir_decoder_kernel.h"
#endif
