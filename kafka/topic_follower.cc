#include "kafka/topic_follower.h"

#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>

#include <vector>

#include "kafka/client_conf.h"

namespace vigil {
namespace {

using std::chrono::steady_clock;

// The topic's partition count: 0 when it does not exist (yet), an error
// when the cluster did not answer.
Result<int32_t> partition_count(RdKafka::KafkaConsumer& consumer, RdKafka::Topic& topic) {
  RdKafka::Metadata* raw = nullptr;
  const auto code = consumer.metadata(false, &topic, &raw, 2000);
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  if (code != RdKafka::ERR_NO_ERROR || !metadata) {
    return make_error(ErrorKind::kUnavailable, RdKafka::err2str(code));
  }
  for (const auto* tm : *metadata->topics()) {
    if (tm->topic() != topic.name()) continue;
    if (tm->err() == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART) return 0;
    if (tm->err() != RdKafka::ERR_NO_ERROR) {
      return make_error(ErrorKind::kUnavailable, RdKafka::err2str(tm->err()));
    }
    return static_cast<int32_t>(tm->partitions()->size());
  }
  return 0;
}

}  // namespace

Result<std::unique_ptr<TopicFollower>> TopicFollower::start(std::map<std::string, std::string> props,
                                                            std::string topic, OnRecord on_record) {
  // librdkafka wants a group.id for any KafkaConsumer; partitions are
  // assigned by hand, so the group is never joined and nothing is committed.
  props.emplace("group.id", "vigil-reader-" + topic);
  props.emplace("enable.auto.commit", "false");
  props.emplace("enable.auto.offset.store", "false");
  // Records deleted by retention before they were read are simply gone.
  props.emplace("auto.offset.reset", "earliest");
  props.emplace("reconnect.backoff.max.ms", "1000");
  auto conf = make_kafka_conf(props);
  if (!conf) return conf.error();
  std::string err;
  std::unique_ptr<TopicFollower> f(new TopicFollower(std::move(topic), std::move(on_record)));
  f->consumer_.reset(RdKafka::KafkaConsumer::create(conf.value().get(), err));
  if (!f->consumer_) return make_error(ErrorKind::kInvalidArgument, "kafka consumer: " + err);
  f->thread_ = std::thread([raw = f.get()] { raw->run(); });
  return f;
}

TopicFollower::TopicFollower(std::string topic, OnRecord on_record)
    : topic_(std::move(topic)), on_record_(std::move(on_record)) {}

TopicFollower::~TopicFollower() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  if (consumer_) consumer_->close();
}

Status TopicFollower::wait_caught_up(const std::atomic<bool>& give_up) const {
  std::unique_lock lock(mutex_);
  while (!caught_up_.load()) {
    if (give_up.load()) {
      return make_error(ErrorKind::kUnavailable, "stopped before " + topic_ + " was read to its end");
    }
    caught_up_cv_.wait_for(lock, std::chrono::milliseconds(100));
  }
  return Status::ok();
}

void TopicFollower::run() {
  std::string err;
  std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(consumer_.get(), topic_, nullptr, err));
  if (!handle) {
    spdlog::error("topic {}: {}", topic_, err);
    return;
  }
  // Assigned partitions 0..assigned-1, and for those assigned before the
  // catch-up finished, the offset each must be read to (its end at the
  // first look; 0: empty; -1: not known yet).
  std::vector<RdKafka::TopicPartition*> partitions;
  std::vector<int64_t> targets;
  bool looked = false;  // the partition count was read once
  bool reported_missing = false;
  std::string last_error;
  auto next_look = steady_clock::now();

  const auto set_caught_up = [&] {
    std::lock_guard lock(mutex_);
    caught_up_.store(true);
    caught_up_cv_.notify_all();
  };

  while (!stop_.load()) {
    const auto now = steady_clock::now();
    if (now >= next_look) {
      auto count = partition_count(*consumer_, *handle);
      // Until the first answer, ask again soon.
      next_look = now + (count ? std::chrono::milliseconds(kRecheckInterval) : std::chrono::milliseconds(500));
      if (count) {
        looked = true;
        if (count.value() == 0 && !reported_missing) {
          spdlog::warn("topic {} does not exist (yet): read as empty until it appears", topic_);
          reported_missing = true;
        }
        const auto assigned = static_cast<int32_t>(partitions.size());
        if (count.value() > assigned) {
          std::vector<RdKafka::TopicPartition*> added;
          for (int32_t p = assigned; p < count.value(); ++p) {
            added.push_back(RdKafka::TopicPartition::create(topic_, p, RdKafka::Topic::OFFSET_BEGINNING));
          }
          std::unique_ptr<RdKafka::Error> error(consumer_->incremental_assign(added));
          if (error) {
            spdlog::warn("topic {}: assigning partitions: {}", topic_, error->str());
            RdKafka::TopicPartition::destroy(added);
          } else {
            partitions.insert(partitions.end(), added.begin(), added.end());
            if (!caught_up_.load()) targets.resize(partitions.size(), -1);
          }
        }
      }
    }

    if (looked && !caught_up_.load()) {
      bool reached = consumer_->position(partitions) == RdKafka::ERR_NO_ERROR;
      for (size_t i = 0; i < targets.size() && reached; ++i) {
        if (targets[i] < 0) {
          int64_t low = 0, high = 0;
          if (consumer_->query_watermark_offsets(topic_, partitions[i]->partition(), &low, &high,
                                                 2000) != RdKafka::ERR_NO_ERROR) {
            reached = false;
            break;
          }
          targets[i] = high > low ? high : 0;
        }
        // After a transaction's last record the position passes its
        // commit marker, so a committed tail is reached too.
        reached = targets[i] == 0 || partitions[i]->offset() >= targets[i];
      }
      if (reached) {
        set_caught_up();
        spdlog::info("topic {}: read {} record(s) to its end; following it", topic_, records_.load());
      }
    }

    std::unique_ptr<RdKafka::Message> msg(consumer_->consume(200));
    switch (msg->err()) {
      case RdKafka::ERR_NO_ERROR: {
        TopicRecord record;
        record.partition = msg->partition();
        record.offset = msg->offset();
        if (msg->key_pointer() != nullptr) {
          record.key = std::string_view(static_cast<const char*>(msg->key_pointer()), msg->key_len());
        }
        if (msg->payload() != nullptr) {
          record.value = std::string_view(static_cast<const char*>(msg->payload()), msg->len());
        }
        on_record_(record);
        records_.fetch_add(1);
        last_error.clear();
        break;
      }
      case RdKafka::ERR__TIMED_OUT:
      case RdKafka::ERR__PARTITION_EOF:
        break;
      default:
        // Logged when it changes, not at every poll of a broker that is away.
        if (msg->errstr() != last_error) {
          last_error = msg->errstr();
          spdlog::warn("topic {}: {}", topic_, last_error);
        }
        break;
    }
  }
  RdKafka::TopicPartition::destroy(partitions);
}

}  // namespace vigil
