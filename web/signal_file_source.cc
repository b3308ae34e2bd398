#include <filesystem>
#include <fstream>
#include <vector>

#include <spdlog/spdlog.h>

#include "sinks/cloudevent_decoder.h"
#include "web/signal_source.h"

namespace vigil {
namespace {

constexpr size_t kBatch = 1000;

class SignalFileSource final : public SignalSource {
 public:
  explicit SignalFileSource(std::string path) : path_(std::move(path)) {}

  Status load(ReviewStore& store, const std::atomic<bool>& stop) override {
    std::ifstream in(path_);
    if (!in) return make_error(ErrorKind::kIo, "cannot read signals file " + path_);
    std::string line;
    size_t number = 0;
    // Batches: one store transaction per kBatch transitions, not one each.
    std::vector<ReviewStore::SignalEvent> batch;
    auto flush = [&]() -> Status {
      if (batch.empty()) return Status::ok();
      Status added = store.add_signals(batch);
      if (!added) {
        return make_error(added.error().kind, path_ + " (lines up to " + std::to_string(number) +
                                                  "): " + added.message());
      }
      transitions_ += batch.size();
      batch.clear();
      return Status::ok();
    };
    while (std::getline(in, line)) {
      if (stop.load()) return make_error(ErrorKind::kUnavailable, "stopped while reading " + path_);
      ++number;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto signal = decode_cloudevent(line);
      if (!signal) {
        // One bad line must not keep the team from the rest of a backtest:
        // it is named (line and reason, never its content) and skipped.
        ++skipped_;
        spdlog::warn("{}:{}: skipped, not a signal event: {}", path_, number, signal.error().message);
        continue;
      }
      batch.push_back({std::move(signal).value(), line});
      if (batch.size() == kBatch) {
        if (Status flushed = flush(); !flushed) return flushed;
      }
    }
    if (in.bad()) return make_error(ErrorKind::kIo, "error reading signals file " + path_);
    return flush();
  }

  DecisionPublisher* publisher() override { return nullptr; }

  std::string describe() const override {
    return path_ + " (" + std::to_string(transitions_) + " signal transitions" +
           (skipped_ > 0 ? ", " + std::to_string(skipped_) + " lines skipped: not signal events" : "") +
           ")";
  }

 private:
  std::string path_;
  size_t transitions_ = 0;
  size_t skipped_ = 0;
};

}  // namespace

std::string review_store_path(const std::string& state_dir) {
  return (std::filesystem::path(state_dir) / "review.sqlite").string();
}

std::unique_ptr<SignalSource> make_signal_file_source(std::string path) {
  return std::make_unique<SignalFileSource>(std::move(path));
}

}  // namespace vigil
