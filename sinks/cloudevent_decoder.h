// Reads a signal back from its CloudEvents JSON (contract §2): for the demo's
// console, and for tests that check what reached the signals topic.
#pragma once

#include <string_view>

#include "core/result.h"
#include "core/signal.h"

namespace vigil {

// Parses every field encode_cloudevent writes, the optional extensions
// (evidence.table, statistics, strata, series, funnel) included; numbers
// written as null read back as NaN, except a funnel point's upper limit,
// which reads back as +infinity (a unit too small to judge has no upper
// limit). An error names what is missing.
Result<Signal> decode_cloudevent(std::string_view json);

}  // namespace vigil
