#include "app/validate_command.h"

#include "app/command_failure.h"
#include "ingest/event_decoder.h"
#include "ingest/line_reader.h"

namespace vigil {

int run_validate_command(const std::string& input, std::ostream& out, std::ostream& err) {
  auto reader = LineReader::open(input);
  if (!reader) return command_failure(err, "validate", reader.error());
  EventDecoder decoder;
  IncidentEvent event;
  DecodeFailure failure;
  uint64_t lines = 0, invalid = 0;
  std::string_view line;
  while (reader.value()->next(line)) {
    ++lines;
    if (!decoder.decode(line, event, failure)) {
      ++invalid;
      out << "line " << reader.value()->line_number() << ": " << reason_code(failure.reason)
          << ": " << failure.detail << "\n";
    }
  }
  if (!reader.value()->error().empty()) {
    return command_failure(err, "validate", reader.value()->error());
  }
  err << "vigil validate: " << lines << " lines, " << invalid << " invalid\n";
  return invalid == 0 ? 0 : 1;
}

}  // namespace vigil
