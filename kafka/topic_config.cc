#include "kafka/topic_config.h"

#include <librdkafka/rdkafka.h>

#include <charconv>
#include <memory>
#include <string_view>

namespace vigil {
namespace {

template <auto destroy>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    destroy(p);
  }
};
using Queue = std::unique_ptr<rd_kafka_queue_t, Deleter<rd_kafka_queue_destroy>>;
using Options = std::unique_ptr<rd_kafka_AdminOptions_t, Deleter<rd_kafka_AdminOptions_destroy>>;
using Resource = std::unique_ptr<rd_kafka_ConfigResource_t, Deleter<rd_kafka_ConfigResource_destroy>>;
using Event = std::unique_ptr<rd_kafka_event_t, Deleter<rd_kafka_event_destroy>>;

}  // namespace

Result<std::optional<int64_t>> topic_max_message_bytes(RdKafka::Handle& client, const std::string& topic,
                                                       int timeout_ms) {
  rd_kafka_t* rk = static_cast<rd_kafka_t*>(client.c_ptr());
  Queue queue(rd_kafka_queue_new(rk));
  Options options(rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS));
  char err[256];
  if (rd_kafka_AdminOptions_set_request_timeout(options.get(), timeout_ms, err, sizeof err) !=
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error(ErrorKind::kInvalidArgument, std::string("admin request timeout: ") + err);
  }
  Resource resource(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str()));
  rd_kafka_ConfigResource_t* resources[] = {resource.get()};
  rd_kafka_DescribeConfigs(rk, resources, 1, options.get(), queue.get());
  // The request's own timeout bounds the answer; the margin covers queueing.
  Event event(rd_kafka_queue_poll(queue.get(), timeout_ms + 1000));
  const std::string what = "describing topic " + topic;
  if (!event) return make_error(ErrorKind::kUnavailable, what + ": no answer");
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error(ErrorKind::kUnavailable, what + ": " + rd_kafka_event_error_string(event.get()));
  }
  const auto* result = rd_kafka_event_DescribeConfigs_result(event.get());
  size_t count = 0;
  const rd_kafka_ConfigResource_t** described = rd_kafka_DescribeConfigs_result_resources(result, &count);
  if (count != 1) return make_error(ErrorKind::kUnavailable, what + ": unexpected answer");
  const auto code = rd_kafka_ConfigResource_error(described[0]);
  if (code == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) return std::optional<int64_t>();
  if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error(ErrorKind::kUnavailable, what + ": " + rd_kafka_err2str(code));
  }
  size_t entries = 0;
  const rd_kafka_ConfigEntry_t** configs = rd_kafka_ConfigResource_configs(described[0], &entries);
  for (size_t i = 0; i < entries; ++i) {
    if (std::string_view(rd_kafka_ConfigEntry_name(configs[i])) != "max.message.bytes") continue;
    const char* value = rd_kafka_ConfigEntry_value(configs[i]);
    const std::string_view text = value != nullptr ? value : "";
    int64_t bytes = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), bytes);
    if (ec != std::errc() || end != text.data() + text.size() || bytes <= 0) {
      return make_error(ErrorKind::kUnavailable, what + ": max.message.bytes is '" + std::string(text) + "'");
    }
    return std::optional<int64_t>(bytes);
  }
  return make_error(ErrorKind::kUnavailable, what + ": no max.message.bytes in its configuration");
}

}  // namespace vigil
