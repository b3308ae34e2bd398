// Signal and dead-letter sinks writing JSON Lines to a file or stdout, used
// by `vigil replay`.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include "sinks/signal_sink.h"

namespace vigil {

using OutputFile = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

// Opens `path` for writing ("-" is stdout). The file is truncated.
Result<OutputFile> open_output(const std::string& path);

// A sink with the file it writes to, which it must not outlive.
template <typename Sink>
struct FileSink {
  OutputFile file{nullptr, &std::fclose};
  std::unique_ptr<Sink> sink;  // null for an output not asked for
};

// Opens `path` (as open_output) and a Sink(file, args...) writing to it.
template <typename Sink, typename... Args>
Result<FileSink<Sink>> open_sink(const std::string& path, Args&&... args) {
  auto file = open_output(path);
  if (!file) return file.error();
  FileSink<Sink> out;
  out.file = std::move(file).value();
  out.sink = std::make_unique<Sink>(out.file.get(), std::forward<Args>(args)...);
  return out;
}

// open_sink(), or no sink when `path` is empty: an output a command may do
// without.
template <typename Sink, typename... Args>
Result<FileSink<Sink>> open_optional_sink(const std::string& path, Args&&... args) {
  if (path.empty()) return FileSink<Sink>{};
  return open_sink<Sink>(path, std::forward<Args>(args)...);
}

// One CloudEvents signal (contract §2) per line.
class JsonlSignalSink final : public SignalSink {
 public:
  JsonlSignalSink(std::FILE* out, std::string pipeline_name)
      : out_(out), pipeline_name_(std::move(pipeline_name)) {}
  Status deliver(std::span<const Signal> signals) override;

 private:
  std::FILE* out_;
  std::string pipeline_name_;
  std::string line_;
};

// One {"line": N, "reason": "<code>", "detail": "..."} per invalid input
// line (contract §4), N being the 1-based line number (offset + 1).
class JsonlDeadLetterSink final : public DeadLetterSink {
 public:
  explicit JsonlDeadLetterSink(std::FILE* out) : out_(out) {}
  Status deliver(std::span<const DeadLetter> dead_letters, int32_t partition) override;

 private:
  std::FILE* out_;
  std::string line_;
};

}  // namespace vigil
