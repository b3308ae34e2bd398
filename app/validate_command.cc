#include "app/validate_command.h"

#include "ingest/event_decoder.h"
#include "ingest/line_reader.h"

namespace vigil {

int run_validate_command(const std::string& input, std::ostream& out, std::ostream& err) {
  auto reader = LineReader::open(input);
  if (!reader) {
    err << "vigil validate: " << reader.error().message << "\n";
    return 1;
  }
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
    err << "vigil validate: " << reader.value()->error() << "\n";
    return 1;
  }
  err << "vigil validate: " << lines << " lines, " << invalid << " invalid\n";
  return invalid == 0 ? 0 : 1;
}

}  // namespace vigil
