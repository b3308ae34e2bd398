#include "pipeline/kafka_pipeline.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "ingest/kafka_config.h"

namespace vigil {

Result<std::unique_ptr<KafkaPipeline>> KafkaPipeline::create(const PipelineConfig& config,
                                                             StateStore& store, Metrics& metrics,
                                                             std::shared_ptr<std::atomic<bool>> ready,
                                                             SignalNotifier* notifier) {
  std::unique_ptr<KafkaPipeline> p(
      new KafkaPipeline(config, store, metrics, std::move(ready), notifier));
  const auto& k = config.kafka;
  auto producer = KafkaProducer::create(k.bootstrap_servers, k.properties);
  if (!producer) return producer.error();
  p->producer_ = std::move(producer).value();

  std::map<std::string, std::string> props = {
      {"bootstrap.servers", k.bootstrap_servers},
      {"group.id", k.group_id},
      // Offsets are taken from the state store; Kafka's copy is informational
      // and committed only after the state write.
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      // Partitions are assigned at explicit offsets (the state's, or the
      // beginning). An offset that is out of range means the broker deleted
      // events before Vigil processed them: stop loudly rather than skip.
      {"auto.offset.reset", "error"},
      // librdkafka 2.0.2's cooperative-sticky assignor has known bugs; range
      // with static membership avoids rebalances on rolling restarts.
      {"partition.assignment.strategy", "range"},
      {"queued.max.messages.kbytes", "65536"},
  };
  if (!k.group_instance_id.empty()) props["group.instance.id"] = k.group_instance_id;
  for (const auto& [key, v] : k.properties) props[key] = v;
  auto conf = make_kafka_conf(props);
  if (!conf) return conf.error();
  std::string err;
  if (conf.value()->set("rebalance_cb", &p->rebalancer_, err) != RdKafka::Conf::CONF_OK ||
      conf.value()->set("offset_commit_cb", &p->offset_commit_reporter_, err) !=
          RdKafka::Conf::CONF_OK) {
    return make_error(ErrorKind::kInvalidArgument, err);
  }
  p->consumer_.reset(RdKafka::KafkaConsumer::create(conf.value().get(), err));
  if (!p->consumer_) return make_error(ErrorKind::kInvalidArgument, "kafka consumer: " + err);
  p->signal_sink_ = std::make_unique<KafkaSignalSink>(*p->producer_, k.signals_topic, config.name,
                                                      p->stopping_);
  p->dead_letter_sink_ = std::make_unique<KafkaDeadLetterSink>(*p->producer_, k.dead_letter_topic,
                                                               k.events_topic, p->stopping_);
  for (const auto& d : config.detectors) metrics.register_detector(detector_name(d));
  return p;
}

KafkaPipeline::KafkaPipeline(const PipelineConfig& config, StateStore& store, Metrics& metrics,
                             std::shared_ptr<std::atomic<bool>> ready, SignalNotifier* notifier)
    : config_(config), store_(store), metrics_(metrics), ready_(std::move(ready)),
      notifier_(notifier) {}

KafkaPipeline::~KafkaPipeline() {
  // run() leaves the group itself; close only a consumer it never closed.
  if (consumer_ && !closed_) consumer_->close();
  tasks_.clear();
}

void KafkaPipeline::Rebalancer::rebalance_cb(RdKafka::KafkaConsumer*, RdKafka::ErrorCode err,
                                             std::vector<RdKafka::TopicPartition*>& partitions) {
  if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
    owner_.on_assign(partitions);
  } else {
    owner_.on_revoke(partitions);
  }
}

void KafkaPipeline::OffsetCommitReporter::offset_commit_cb(
    RdKafka::ErrorCode err, std::vector<RdKafka::TopicPartition*>& offsets) {
  // ERR__NO_OFFSET: there was nothing to commit, which is not a failure.
  bool failed = err != RdKafka::ERR_NO_ERROR && err != RdKafka::ERR__NO_OFFSET;
  for (const auto* tp : offsets) failed = failed || tp->err() != RdKafka::ERR_NO_ERROR;
  if (!failed) return;
  metrics_.commit_failures(CommitStage::kOffsets).Increment();
  spdlog::warn("kafka offset commit failed: {}", RdKafka::err2str(err));
}

void KafkaPipeline::set_ready(bool ready) {
  ready_->store(ready);
  metrics_.ready.Set(ready ? 1 : 0);
}

void KafkaPipeline::update_open_signals() {
  size_t open = 0;
  for (const auto& [partition, task] : tasks_) open += task->open_signals();
  metrics_.signals_open.Set(static_cast<double>(open));
}

void KafkaPipeline::on_assign(std::vector<RdKafka::TopicPartition*>& partitions) {
  for (auto* tp : partitions) {
    auto task = PartitionTask::open(tp->partition(), store_, config_.detectors, &metrics_);
    if (!task) {
      fatal_ = Status(task.error());
      continue;
    }
    if (const auto offset = task.value()->resume_offset()) {
      tp->set_offset(*offset);
    } else {
      tp->set_offset(RdKafka::Topic::OFFSET_BEGINNING);
    }
    spdlog::info("assigned {}[{}] from offset {}", tp->topic(), tp->partition(),
                 task.value()->resume_offset().value_or(0));
    tasks_[tp->partition()] = std::move(task).value();
  }
  consumer_->assign(partitions);
  update_open_signals();
  if (fatal_.is_ok()) set_ready(true);
}

void KafkaPipeline::on_revoke(std::vector<RdKafka::TopicPartition*>& partitions) {
  set_ready(false);
  Status committed = commit_all();
  if (!committed.is_ok() && fatal_.is_ok()) fatal_ = committed;
  for (auto* tp : partitions) {
    tasks_.erase(tp->partition());
    metrics_.remove_consumer_lag(tp->topic(), tp->partition());
  }
  update_open_signals();
  consumer_->unassign();
}

Status KafkaPipeline::commit_all() {
  if (uncommitted_ == 0) return Status::ok();
  std::vector<RdKafka::TopicPartition*> offsets;
  for (auto& [partition, task] : tasks_) {
    if (task->uncommitted() == 0) continue;
    Status s = dead_letter_sink_->deliver(task->dead_letters(), partition);
    if (s.is_ok()) s = signal_sink_->deliver(task->signals());
    if (!s.is_ok()) {
      metrics_.commit_failures(CommitStage::kProduce).Increment();
      return s;
    }
    for (const auto& sig : task->signals()) metrics_.record_signal(sig);
    // commit() clears the task's signals; the notifier gets them only once
    // the state that produced them is committed too.
    std::vector<Signal> committed;
    if (notifier_ != nullptr) committed = task->signals();
    s = task->commit();
    if (!s.is_ok()) {
      metrics_.commit_failures(CommitStage::kState).Increment();
      return s;
    }
    if (!committed.empty()) {
      const Status notified = notifier_->deliver(committed);
      if (!notified.is_ok()) spdlog::warn("partition {}: {}", partition, notified.message());
    }
    offsets.push_back(RdKafka::TopicPartition::create(config_.kafka.events_topic, partition,
                                                      *task->resume_offset()));
  }
  if (!offsets.empty()) consumer_->commitAsync(offsets);
  RdKafka::TopicPartition::destroy(offsets);
  uncommitted_ = 0;
  update_open_signals();
  return Status::ok();
}

void KafkaPipeline::update_lag() {
  for (auto& [partition, task] : tasks_) {
    int64_t low = 0, high = 0;
    if (consumer_->get_watermark_offsets(config_.kafka.events_topic, partition, &low, &high) !=
        RdKafka::ERR_NO_ERROR) {
      continue;
    }
    const int64_t position = task->resume_offset().value_or(low) + static_cast<int64_t>(task->uncommitted());
    metrics_.set_consumer_lag(config_.kafka.events_topic, partition, std::max<int64_t>(0, high - position));
  }
}

Status KafkaPipeline::run(const std::atomic<bool>& stop) {
  const auto err = consumer_->subscribe({config_.kafka.events_topic});
  if (err != RdKafka::ERR_NO_ERROR) {
    return make_error(ErrorKind::kUnavailable, "subscribe: " + RdKafka::err2str(err));
  }
  using Clock = std::chrono::steady_clock;
  auto last_commit = Clock::now();
  const auto interval = std::chrono::milliseconds(config_.commit.max_interval_ms);
  while (!stop.load() && fatal_.is_ok()) {
    std::unique_ptr<RdKafka::Message> msg(consumer_->consume(100));
    switch (msg->err()) {
      case RdKafka::ERR_NO_ERROR: {
        auto it = tasks_.find(msg->partition());
        if (it == tasks_.end()) {
          fatal_ = make_error(ErrorKind::kFatal, "message for an unassigned partition");
          break;
        }
        const std::string_view value(static_cast<const char*>(msg->payload()), msg->len());
        const std::string_view key = msg->key_pointer()
                                         ? std::string_view(static_cast<const char*>(msg->key_pointer()), msg->key_len())
                                         : std::string_view();
        it->second->process(value, msg->offset(), key);
        ++uncommitted_;
        break;
      }
      case RdKafka::ERR__TIMED_OUT:
      case RdKafka::ERR__PARTITION_EOF:
        break;
      case RdKafka::ERR__FATAL:
        fatal_ = make_error(ErrorKind::kFatal, "kafka consumer: " + msg->errstr());
        break;
      case RdKafka::ERR__AUTO_OFFSET_RESET:
        fatal_ = make_error(ErrorKind::kFatal,
                            "partition " + std::to_string(msg->partition()) +
                                ": events were deleted by the broker before they were processed (" +
                                msg->errstr() + ")");
        break;
      default:
        // Transport errors and unavailable brokers are retried by librdkafka.
        spdlog::warn("kafka consumer: {}", msg->errstr());
        break;
    }
    if (uncommitted_ >= config_.commit.max_events ||
        (uncommitted_ > 0 && Clock::now() - last_commit >= interval)) {
      Status s = commit_all();
      if (!s.is_ok()) return s;
      update_lag();
      last_commit = Clock::now();
    }
  }
  if (!fatal_.is_ok()) return fatal_;
  Status s = commit_all();
  set_ready(false);
  consumer_->close();
  closed_ = true;
  tasks_.clear();
  return s;
}

}  // namespace vigil
