#include "web/kafka_signal_source.h"

#include <spdlog/spdlog.h>

#include "sinks/cloudevent_decoder.h"
#include "web/review_kafka_conf.h"

namespace vigil {

Result<std::unique_ptr<KafkaSignalSource>> KafkaSignalSource::start(const KafkaConfig& kafka,
                                                                    const std::string& topic,
                                                                    OnSignal on_signal) {
  std::unique_ptr<KafkaSignalSource> source(new KafkaSignalSource());
  auto follower = TopicFollower::start(
      review_consumer_props(kafka), topic,
      [s = source.get(), on_signal = std::move(on_signal), topic](const TopicRecord& record) {
        auto signal = decode_cloudevent(record.value);
        if (!signal) {
          // The decoder's message names a field, never a value.
          spdlog::warn("{}[{}] offset {}: not a signal ({}); skipped", topic, record.partition,
                       record.offset, signal.error().message);
          s->skipped_.fetch_add(1);
          return;
        }
        on_signal(signal.value(), record.value);
        s->signals_.fetch_add(1);
      });
  if (!follower) return follower.error();
  source->follower_ = std::move(follower).value();
  return source;
}

}  // namespace vigil
