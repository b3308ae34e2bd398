#include "sinks/kafka_sinks.h"

#include <spdlog/spdlog.h>

#include "sinks/cloudevent_encoder.h"
#include "sinks/repartition_record.h"

namespace vigil {

Status KafkaSignalSink::deliver(std::span<const Signal> signals) {
  if (signals.empty()) return Status::ok();
  const KafkaHeaders headers = {{"content-type", "application/cloudevents+json; charset=UTF-8"}};
  for (const auto& s : signals) {
    Status st = out_.produce(s.signal_id, encode_cloudevent(s, pipeline_name_), headers);
    if (!st.is_ok()) return st;
  }
  return out_.finish();
}

Status KafkaDeadLetterSink::deliver(std::span<const DeadLetter> dead_letters, int32_t partition) {
  if (dead_letters.empty()) return Status::ok();
  for (const auto& d : dead_letters) {
    KafkaHeaders headers = {
        {"vigil.error.reason", std::string(reason_code(d.reason))},
        {"vigil.error.detail", d.detail},
        {"vigil.error.topic", source_topic_},
        {"vigil.error.partition", std::to_string(partition)},
        {"vigil.error.offset", std::to_string(d.offset)},
    };
    const FittedRecord record = fit_dead_letter(d.key, d.value, std::move(headers), max_record_bytes_);
    if (record.truncated) {
      if (on_truncated_) on_truncated_();
      spdlog::warn("dead letter of {}[{}] offset {} ({} bytes) truncated to {} bytes for {}", source_topic_,
                   partition, d.offset, d.value.size(), record.value.size(), out_.topic());
    }
    Status st = out_.produce(record.key, record.value, record.headers);
    if (!st.is_ok()) return st;
  }
  return out_.finish();
}

Status KafkaRepartitionSink::deliver(const RepartitionBatch& batch) {
  if (batch.size() == 0) return Status::ok();
  Status st;
  for_each_repartition_message(batch, buffer_, [&](std::string_view message) {
    for (const int32_t partition : targets_) {
      if (st.is_ok()) st = out_.produce({}, message, {}, partition);
    }
  });
  if (!st.is_ok()) return st;
  return out_.finish();
}

}  // namespace vigil
