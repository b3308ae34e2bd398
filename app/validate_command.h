// `vigil validate`: checks events against contract §1.
#pragma once

#include <ostream>
#include <string>

namespace vigil {

// Prints one line per invalid input line, "line N: <reason>: <detail>", on
// `out` and a summary on `err`. Returns 0 when every line is valid, 1 when
// any is invalid or the input cannot be read.
int run_validate_command(const std::string& input, std::ostream& out, std::ostream& err);

}  // namespace vigil
