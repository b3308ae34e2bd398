// The event decoder built for simdjson's fallback (scalar) kernel.
#define VIGIL_JSON_KERNEL fallback
#include "ingest/event_decoder_kernel.h"
