// JsonFieldReader built for simdjson's fallback (scalar) kernel.
#define VIGIL_JSON_KERNEL fallback
#include "ingest/json_field_reader_impl.h"
