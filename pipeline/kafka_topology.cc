#include "pipeline/kafka_topology.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <thread>

namespace vigil {

Result<int32_t> wait_for_partition_count(RdKafka::Handle& handle, const std::string& topic,
                                         const std::atomic<bool>& stop) {
  std::string err;
  std::unique_ptr<RdKafka::Topic> t(RdKafka::Topic::create(&handle, topic, nullptr, err));
  if (!t) return make_error(ErrorKind::kInvalidArgument, "topic " + topic + ": " + err);
  bool logged = false;
  while (!stop.load()) {
    RdKafka::Metadata* raw = nullptr;
    const auto code = handle.metadata(false, t.get(), &raw, 5000);
    std::unique_ptr<RdKafka::Metadata> metadata(raw);
    std::string why = RdKafka::err2str(code);
    if (code == RdKafka::ERR_NO_ERROR && metadata) {
      for (const auto* tm : *metadata->topics()) {
        if (tm->topic() != topic) continue;
        if (tm->err() == RdKafka::ERR_NO_ERROR && !tm->partitions()->empty()) {
          return static_cast<int32_t>(tm->partitions()->size());
        }
        why = RdKafka::err2str(tm->err());
      }
    }
    if (!logged) {
      spdlog::info("waiting for topic {} ({})", topic, why);
      logged = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return make_error(ErrorKind::kUnavailable, "stopped while waiting for topic " + topic);
}

}  // namespace vigil
