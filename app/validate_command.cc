#include "app/validate_command.h"

#include "app/command_failure.h"
#include "ingest/line_reader.h"
#include "ingest/message_decoder.h"
#include "ingest/progress_mark.h"

namespace vigil {

int run_validate_command(const std::string& input, InputFormat format, std::ostream& out,
                         std::ostream& err) {
  auto reader = LineReader::open(input);
  if (!reader) return command_failure(err, "validate", reader.error());
  MessageDecoder decoder;
  DecodeFailure failure;
  uint64_t lines = 0, invalid = 0, events = 0, marks = 0;
  std::string_view line;
  while (reader.value()->next(line)) {
    ++lines;
    if (looks_like_progress_mark(line)) {
      ProgressMarkError error;
      if (read_progress_mark(line, error)) {
        ++marks;
      } else {
        ++invalid;
        out << "line " << reader.value()->line_number() << ": " << reason_code(error.reason) << ": "
            << error.detail << "\n";
      }
      continue;
    }
    const MessageFormat line_format = format_of_line(format, line);
    const auto decoded = decoder.decode(line, line_format, failure);
    events += decoded.size();
    if (decoded.empty()) {
      ++invalid;
      out << "line " << reader.value()->line_number() << ": " << reason_code(failure.reason) << ": ";
      if (line_format == MessageFormat::kFhir && format == InputFormat::kAuto) out << "(fhir) ";
      out << failure.detail << "\n";
    }
  }
  if (!reader.value()->error().empty()) {
    return command_failure(err, "validate", reader.value()->error());
  }
  err << "vigil validate: " << lines << " lines, " << invalid << " invalid";
  if (events != lines - invalid - marks) err << ", " << events << " events";
  if (marks > 0) err << ", " << marks << " progress marks";
  err << "\n";
  return invalid == 0 ? 0 : 1;
}

}  // namespace vigil
