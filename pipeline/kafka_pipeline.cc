#include "pipeline/kafka_pipeline.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "ingest/kafka_config.h"

namespace vigil {
namespace {

constexpr auto kLastCommitTimeout = std::chrono::seconds(20);
// Fatal producer errors replaced in a row without a commit in between
// before giving up (two instances fencing each other would loop for ever).
constexpr int kMaxProducerReplacements = 3;

}  // namespace

Result<std::unique_ptr<KafkaPipeline>> KafkaPipeline::create(const PipelineConfig& config,
                                                             StateStore& store, Metrics& metrics,
                                                             std::shared_ptr<std::atomic<bool>> ready,
                                                             SignalNotifier* notifier) {
  std::unique_ptr<KafkaPipeline> p(
      new KafkaPipeline(config, store, metrics, std::move(ready), notifier));
  const auto& k = config.kafka;
  Status produced = p->open_producer();
  if (!produced.is_ok()) return produced.error();

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
      {"reconnect.backoff.max.ms", "1000"},
  };
  if (p->exactly_once()) {
    // Input written by a transactional producer is read only once committed;
    // committed offsets are then fetched only once no transaction that
    // could still change them is pending (KIP-447's require_stable).
    props["isolation.level"] = "read_committed";
  }
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
  for (const auto& d : config.detectors) metrics.register_detector(detector_name(d));
  return p;
}

Status KafkaPipeline::open_producer() {
  const auto& k = config_.kafka;
  // librdkafka backs off up to 10 s between reconnects by default: after a
  // broker outage the group session (45 s) could expire while waiting, and
  // a static member whose session expired is fenced (a fatal error in 2.0.2).
  std::map<std::string, std::string> props = {{"reconnect.backoff.max.ms", "1000"}};
  if (exactly_once()) {
    props.insert({
        {"transactional.id", transactional_id_for(k)},
        // A transaction spans one commit (produce, offsets, commit), seconds
        // at most; the broker aborts one left open by a crashed instance
        // after this long, which is also how long a partition's new owner
        // may wait for it.
        {"transaction.timeout.ms", "60000"},
        // Must stay below transaction.timeout.ms; long enough to ride out a
        // broker that is away for half a minute.
        {"message.timeout.ms", "50000"},
    });
  }
  for (const auto& [key, v] : k.properties) props[key] = v;
  auto producer = KafkaProducer::create(k.bootstrap_servers, props);
  if (!producer) return producer.error();
  producer_ = std::move(producer).value();
  const AwaitAcks await = exactly_once() ? AwaitAcks::kOnTransactionCommit : AwaitAcks::kOnDeliver;
  signal_sink_ = std::make_unique<KafkaSignalSink>(*producer_, k.signals_topic, config_.name,
                                                   stopping_, await);
  dead_letter_sink_ = std::make_unique<KafkaDeadLetterSink>(*producer_, k.dead_letter_topic,
                                                            k.events_topic, stopping_, await);
  return Status::ok();
}

Status KafkaPipeline::init_transactions() {
  auto transaction = KafkaTransaction::init(producer_->handle(), stopping_);
  if (!transaction) return transaction.error();
  transaction_ = std::move(transaction).value();
  return Status::ok();
}

Status KafkaPipeline::recover_from_failed_transaction(const Error& failure) {
  std::string reason;
  const auto code = producer_->handle().fatal_error(reason);
  // Not a fatal producer error (e.g. stopped while retrying): nothing to
  // replace; the caller stops.
  if (code == RdKafka::ERR_NO_ERROR) return failure;
  // Fenced: a newer instance owns this transactional.id and its partitions;
  // going on would fence it back. Stop.
  if (code == RdKafka::ERR__FENCED || code == RdKafka::ERR_PRODUCER_FENCED ||
      code == RdKafka::ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED ||
      ++producer_replacements_ > kMaxProducerReplacements) {
    return failure;
  }
  // Any other fatal error (e.g. a transaction the coordinator timed out
  // during a broker outage): librdkafka's remedy is a new producer. Its
  // init_transactions aborts whatever the old one left open; state and
  // input go back to the last commit.
  spdlog::warn("kafka producer failed fatally ({}); replacing it and redoing the batch", reason);
  signal_sink_.reset();
  dead_letter_sink_.reset();
  transaction_.reset();
  producer_.reset();
  Status s = open_producer();
  if (s.is_ok()) s = init_transactions();
  if (!s.is_ok()) return s;
  return rewind();
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

void KafkaPipeline::update_ready() {
  bool restoring = false;
  for (const auto& [partition, task] : tasks_) restoring = restoring || task->restoring();
  set_ready(fatal_.is_ok() && !restoring);
}

Status KafkaPipeline::fetch_committed(std::vector<RdKafka::TopicPartition*>& partitions) {
  for (int attempt = 1;; ++attempt) {
    const auto err = consumer_->committed(partitions, 10000);
    if (err == RdKafka::ERR_NO_ERROR) return Status::ok();
    if (stopping_.load() || attempt == 30) {
      return make_error(ErrorKind::kUnavailable,
                        "fetching the group's committed offsets: " + RdKafka::err2str(err));
    }
    spdlog::warn("fetching the group's committed offsets: {}; retrying", RdKafka::err2str(err));
  }
}

Result<int64_t> KafkaPipeline::open_task(int32_t partition) {
  auto opened = PartitionTask::open(partition, store_, config_.detectors, &metrics_);
  if (!opened) return opened.error();
  auto task = std::move(opened).value();
  const std::optional<int64_t> state = task->resume_offset();
  if (exactly_once()) {
    const int64_t committed = committed_[partition];
    if (state.value_or(0) > std::max<int64_t>(committed, 0)) {
      // Only a state written outside the transactional protocol (an
      // at-least-once run, a restored backup, a reset group) can be ahead.
      return make_error(ErrorKind::kFatal,
                        "partition " + std::to_string(partition) + ": local state is at offset " +
                            std::to_string(*state) + " but the group has committed only " +
                            std::to_string(committed) +
                            "; this instance cannot vouch for it (move the state directory away "
                            "to rebuild it from the topic)");
    }
    if (committed > state.value_or(0)) {
      task->restore_until(committed);
      spdlog::info("partition {}: restoring state from offset {} to {} with output dropped",
                   partition, state.value_or(0), committed);
    }
  }
  tasks_[partition] = std::move(task);
  return state.value_or(RdKafka::Topic::OFFSET_BEGINNING);
}

void KafkaPipeline::on_assign(std::vector<RdKafka::TopicPartition*>& partitions) {
  set_ready(false);
  if (exactly_once() && fatal_.is_ok()) {
    Status fetched = fetch_committed(partitions);
    if (!fetched.is_ok()) fatal_ = fetched;
    for (const auto* tp : partitions) committed_[tp->partition()] = std::max<int64_t>(tp->offset(), -1);
  }
  for (auto* tp : partitions) {
    tp->set_offset(RdKafka::Topic::OFFSET_BEGINNING);
    if (!fatal_.is_ok()) continue;
    auto start = open_task(tp->partition());
    if (!start) {
      fatal_ = Status(start.error());
      continue;
    }
    tp->set_offset(start.value());
    spdlog::info("assigned {}[{}] from offset {}", tp->topic(), tp->partition(),
                 std::max<int64_t>(start.value(), 0));
  }
  consumer_->assign(partitions);
  update_open_signals();
  update_ready();
}

void KafkaPipeline::on_revoke(std::vector<RdKafka::TopicPartition*>& partitions) {
  set_ready(false);
  if (fatal_.is_ok()) {
    Status committed = commit_all();
    if (!committed.is_ok()) fatal_ = committed;
  }
  for (auto* tp : partitions) {
    tasks_.erase(tp->partition());
    committed_.erase(tp->partition());
    metrics_.remove_consumer_lag(tp->topic(), tp->partition());
  }
  update_open_signals();
  consumer_->unassign();
}

Status KafkaPipeline::commit_all() {
  if (uncommitted_ == 0) return Status::ok();
  return exactly_once() ? commit_exactly_once() : commit_at_least_once();
}

Status KafkaPipeline::commit_at_least_once() {
  std::vector<RdKafka::TopicPartition*> offsets;
  for (auto& [partition, task] : tasks_) {
    if (task->uncommitted() == 0) continue;
    Status s = dead_letter_sink_->deliver(task->dead_letters(), partition);
    if (s.is_ok()) s = signal_sink_->deliver(task->signals());
    if (!s.is_ok()) {
      metrics_.commit_failures(CommitStage::kProduce).Increment();
      return s;
    }
    offsets.push_back(RdKafka::TopicPartition::create(config_.kafka.events_topic, partition,
                                                      task->next_offset()));
  }
  Status s = commit_state();
  if (s.is_ok() && !offsets.empty()) consumer_->commitAsync(offsets);
  RdKafka::TopicPartition::destroy(offsets);
  return s;
}

Status KafkaPipeline::commit_exactly_once() {
  std::vector<RdKafka::TopicPartition*> offsets;
  bool output = false;
  for (auto& [partition, task] : tasks_) {
    output = output || !task->signals().empty() || !task->dead_letters().empty();
    // Offsets a restoring task has not passed are committed already; sending
    // them again would move the group backwards.
    if (task->uncommitted() > 0 && task->next_offset() > committed_[partition]) {
      offsets.push_back(RdKafka::TopicPartition::create(config_.kafka.events_topic, partition,
                                                        task->next_offset()));
    }
  }
  struct OffsetsGuard {
    std::vector<RdKafka::TopicPartition*>& v;
    ~OffsetsGuard() { RdKafka::TopicPartition::destroy(v); }
  } guard{offsets};
  if (output || !offsets.empty()) {
    Status s = transaction_->begin();
    for (auto& [partition, task] : tasks_) {
      if (s.is_ok()) s = dead_letter_sink_->deliver(task->dead_letters(), partition);
      if (s.is_ok()) s = signal_sink_->deliver(task->signals());
    }
    if (!s.is_ok()) {
      // A record librdkafka refused to queue: fatal if the producer says so,
      // otherwise the transaction is abandoned and the batch done again.
      metrics_.commit_failures(CommitStage::kProduce).Increment();
      std::string reason;
      if (producer_->handle().fatal_error(reason) != RdKafka::ERR_NO_ERROR) {
        return recover_from_failed_transaction(Error{ErrorKind::kFatal, "kafka producer: " + reason});
      }
      spdlog::warn("{}; aborting the transaction", s.message());
      Status aborted = transaction_->abort();
      if (!aborted.is_ok()) return recover_from_failed_transaction(Error{ErrorKind::kFatal, aborted.message()});
      return rewind();
    }
    auto outcome = transaction_->commit(offsets, *consumer_);
    if (!outcome) {
      metrics_.commit_failures(CommitStage::kTransaction).Increment();
      return recover_from_failed_transaction(outcome.error());
    }
    if (outcome.value() == TransactionOutcome::kAborted) {
      metrics_.commit_failures(CommitStage::kTransaction).Increment();
      return rewind();
    }
    for (const auto* tp : offsets) committed_[tp->partition()] = tp->offset();
    producer_replacements_ = 0;
  }
  return commit_state();
}

Status KafkaPipeline::commit_state() {
  for (auto& [partition, task] : tasks_) {
    if (task->uncommitted() == 0) continue;
    for (const auto& sig : task->signals()) metrics_.record_signal(sig);
    // commit() clears the task's signals; the notifier gets them only once
    // the state that produced them is committed too.
    std::vector<Signal> committed;
    if (notifier_ != nullptr) committed = task->signals();
    Status s = task->commit();
    if (!s.is_ok()) {
      metrics_.commit_failures(CommitStage::kState).Increment();
      return s;
    }
    if (!committed.empty()) {
      const Status notified = notifier_->deliver(committed);
      if (!notified.is_ok()) spdlog::warn("partition {}: {}", partition, notified.message());
    }
  }
  uncommitted_ = 0;
  update_open_signals();
  return Status::ok();
}

Status KafkaPipeline::rewind() {
  uncommitted_ = 0;
  for (auto& [partition, task] : tasks_) {
    task.reset();  // its detectors hold state from the aborted batch
    auto start = open_task(partition);
    if (!start) return start.error();
    std::unique_ptr<RdKafka::TopicPartition> tp(
        RdKafka::TopicPartition::create(config_.kafka.events_topic, partition, start.value()));
    const auto err = consumer_->seek(*tp, 10000);
    if (err != RdKafka::ERR_NO_ERROR) {
      return make_error(ErrorKind::kFatal, "partition " + std::to_string(partition) +
                                               ": rewinding after an aborted transaction: " +
                                               RdKafka::err2str(err));
    }
    spdlog::info("partition {}: rewound to offset {}", partition, std::max<int64_t>(start.value(), 0));
  }
  update_open_signals();
  update_ready();
  return Status::ok();
}

void KafkaPipeline::update_lag() {
  for (auto& [partition, task] : tasks_) {
    int64_t low = 0, high = 0;
    if (consumer_->get_watermark_offsets(config_.kafka.events_topic, partition, &low, &high) !=
        RdKafka::ERR_NO_ERROR) {
      continue;
    }
    const int64_t position = std::max(task->next_offset(), low);
    metrics_.set_consumer_lag(config_.kafka.events_topic, partition, std::max<int64_t>(0, high - position));
  }
}

Status KafkaPipeline::run(const std::atomic<bool>& stop) {
  if (exactly_once()) {
    // Before joining the group: this also fences a previous instance with
    // the same transactional.id and aborts what it left open.
    Status initialised = init_transactions();
    if (!initialised.is_ok()) return initialised;
  }
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
        // A rebalance inside consume() may have failed: keep its error.
        if (!fatal_.is_ok()) break;
        auto it = tasks_.find(msg->partition());
        if (it == tasks_.end()) {
          fatal_ = make_error(ErrorKind::kFatal, "message for an unassigned partition");
          break;
        }
        const std::string_view value(static_cast<const char*>(msg->payload()), msg->len());
        const std::string_view key = msg->key_pointer()
                                         ? std::string_view(static_cast<const char*>(msg->key_pointer()), msg->key_len())
                                         : std::string_view();
        const bool was_restoring = it->second->restoring();
        it->second->process(value, msg->offset(), key);
        ++uncommitted_;
        if (was_restoring && !it->second->restoring()) {
          spdlog::info("partition {}: state restored up to offset {}", msg->partition(),
                       msg->offset() + 1);
          update_ready();
        }
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
    // Lag is refreshed on every commit and at least once an interval when
    // idle, since the high watermark keeps moving without us.
    if (uncommitted_ >= config_.commit.max_events || Clock::now() - last_commit >= interval) {
      Status s = commit_all();
      if (!s.is_ok()) return s;
      update_lag();
      last_commit = Clock::now();
    }
  }
  if (!fatal_.is_ok()) return fatal_;
  // The last commit gets a bounded time: with the cluster unreachable it
  // would retry for ever, and a process asked to stop should stop. What it
  // could not commit is done again after the restart.
  std::mutex mutex;
  std::condition_variable committed;
  bool done = false;
  std::thread watchdog([&] {
    std::unique_lock lock(mutex);
    if (!committed.wait_for(lock, kLastCommitTimeout, [&] { return done; })) stopping_.store(true);
  });
  Status s = commit_all();
  {
    std::lock_guard lock(mutex);
    done = true;
  }
  committed.notify_one();
  watchdog.join();
  set_ready(false);
  consumer_->close();
  closed_ = true;
  tasks_.clear();
  return s;
}

}  // namespace vigil
