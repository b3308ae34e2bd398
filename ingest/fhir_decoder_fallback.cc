// The FHIR decoder built for simdjson's fallback kernel (see json_kernel.h).
#define VIGIL_JSON_KERNEL fallback
#include "ingest/fhir_decoder_kernel.h"
