#include "sinks/jsonl_sinks.h"

#include <cerrno>
#include <cstring>

#include "sinks/cloudevent_encoder.h"
#include "core/json_writer.h"

namespace vigil {
namespace {

int no_close(std::FILE*) { return 0; }

Status write_and_flush(std::FILE* out, const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), out) != text.size() || std::fflush(out) != 0) {
    return make_error(ErrorKind::kIo, std::string("writing output failed: ") + std::strerror(errno));
  }
  return Status::ok();
}

}  // namespace

Result<OutputFile> open_output(const std::string& path) {
  if (path == "-") return OutputFile(stdout, &no_close);
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) {
    return make_error(ErrorKind::kIo, "cannot write " + path + ": " + std::strerror(errno));
  }
  return OutputFile(f, &std::fclose);
}

Status JsonlSignalSink::deliver(std::span<const Signal> signals) {
  if (signals.empty()) return Status::ok();
  line_.clear();
  for (const auto& s : signals) {
    line_ += encode_cloudevent(s, pipeline_name_);
    line_.push_back('\n');
  }
  return write_and_flush(out_, line_);
}

Status JsonlDeadLetterSink::deliver(std::span<const DeadLetter> dead_letters, int32_t) {
  if (dead_letters.empty()) return Status::ok();
  line_.clear();
  for (const auto& d : dead_letters) {
    line_ += "{\"line\":" + std::to_string(d.offset + 1) + ",\"reason\":";
    append_json_string(line_, reason_code(d.reason));
    line_ += ",\"detail\":";
    append_json_string(line_, d.detail);
    line_ += "}\n";
  }
  return write_and_flush(out_, line_);
}

}  // namespace vigil
