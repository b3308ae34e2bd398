// Signal and dead-letter sinks writing JSON Lines to a file or stdout, used
// by `vigil replay`.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "sinks/signal_sink.h"

namespace vigil {

// Opens `path` for writing ("-" is stdout). The file is truncated.
Result<std::unique_ptr<std::FILE, int (*)(std::FILE*)>> open_output(const std::string& path);

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
