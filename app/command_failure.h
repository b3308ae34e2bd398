// How a command reports what stopped it: "vigil <command>: <message>" on its
// error stream, and the exit code it then returns (1 for a failure, 2 for a
// configuration error), so that a failed step is one line:
//   if (!store) return command_failure(err, "replay", store.error());
#pragma once

#include <ostream>
#include <string_view>

#include "core/result.h"

namespace vigil {

inline int command_failure(std::ostream& err, std::string_view command, std::string_view message,
                           int exit_code = 1) {
  err << "vigil " << command << ": " << message << "\n";
  return exit_code;
}

inline int command_failure(std::ostream& err, std::string_view command, const Error& error,
                           int exit_code = 1) {
  return command_failure(err, command, error.message, exit_code);
}

}  // namespace vigil
