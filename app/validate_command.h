// `vigil validate`: checks events against contract §1, or as LFPSE FHIR.
#pragma once

#include <ostream>
#include <string>

#include "ingest/message_format.h"

namespace vigil {

// Prints one line per invalid input line, "line N: <reason>: <detail>", on
// `out` and a summary on `err`. Lines are read as `format` (kAuto: each by
// its content, ingest/message_format.h); a FHIR line's detail is the JSON
// path at fault, e.g. "line 7: bad_value: entry[2].resource.extension[...]:
// unknown code 7". A progress mark (ingest/progress_mark.h) is a valid line,
// counted apart; a malformed one is invalid. Returns 0 when every line is valid, 1 when any is invalid
// or the input cannot be read.
int run_validate_command(const std::string& input, InputFormat format, std::ostream& out,
                         std::ostream& err);

}  // namespace vigil
