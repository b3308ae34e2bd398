#include "pipeline/start_reference.h"

#include <algorithm>
#include <vector>

#include "ingest/message_decoder.h"
#include "ingest/line_reader.h"
#include "pipeline/event_time_gate.h"

namespace vigil {

Result<std::optional<Date>> start_reference(const std::string& path, int64_t from_offset,
                                            InputFormat format) {
  if (path == "-") return std::optional<Date>();
  auto reader = LineReader::open(path);
  if (!reader) return reader.error();
  MessageDecoder decoder;
  DecodeFailure failure;
  std::vector<int32_t> days;
  std::string_view line;
  while (days.size() < kStartReferenceEvents && reader.value()->next(line)) {
    if (static_cast<int64_t>(reader.value()->line_number()) - 1 < from_offset) continue;
    for (const IncidentEvent& event : decoder.decode(line, format_of_line(format, line), failure)) {
      if (days.size() < kStartReferenceEvents) days.push_back(latest_date(event).days);
    }
  }
  if (!reader.value()->error().empty()) {
    return make_error(ErrorKind::kIo, path + ": " + reader.value()->error());
  }
  if (days.empty()) return std::optional<Date>();
  const auto middle = days.begin() + static_cast<std::ptrdiff_t>((days.size() - 1) / 2);
  std::nth_element(days.begin(), middle, days.end());
  return std::optional<Date>(Date{*middle});
}

}  // namespace vigil
