#include "pipeline/kafka_pipeline.h"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <strings.h>  // strcasecmp
#include <mutex>
#include <thread>

#include "kafka/client_conf.h"
#include "kafka/topic_config.h"
#include "pipeline/detector_placement.h"
#include "pipeline/kafka_topology.h"
#include "pipeline/merge_task.h"
#include "ingest/message_format.h"
#include "pipeline/partition_task.h"

namespace vigil {
namespace {

// After a stop request, retry loops go on this long (the last commit riding
// out a short blip), then give up: the termination grace (60 s in the chart)
// must cover it plus one transaction call's attempt (10 s) and leaving the
// group.
constexpr auto kLastCommitTimeout = std::chrono::seconds(20);
// How long asking the brokers for a topic's configuration may take. A
// cluster answers in milliseconds; one that does not (librdkafka's mock
// cluster, a broker under repair) leaves Kafka's default assumed, which a
// record refused for its size corrects, so a short wait costs nothing and a
// long one delays every start.
constexpr int kDescribeTimeoutMs = 3000;
// Fatal producer errors replaced in a row without a commit in between
// before giving up (two instances fencing each other would loop for ever).
constexpr int kMaxProducerReplacements = 3;
// A static member fenced this many times within the window stops: its own
// rejoin after a broker restart fences it at most once or twice, a second
// instance configured with the same group.instance.id does so without end.
constexpr size_t kMaxConsumerReplacements = 3;
constexpr auto kConsumerReplacementWindow = std::chrono::minutes(10);

// Offsets handed to a transaction committing on another thread.
struct OwnedOffsets {
  std::vector<RdKafka::TopicPartition*> list;
  OwnedOffsets() = default;
  OwnedOffsets(const OwnedOffsets&) = delete;
  OwnedOffsets& operator=(const OwnedOffsets&) = delete;
  ~OwnedOffsets() { RdKafka::TopicPartition::destroy(list); }
};

// The message's topic name without the std::string topic_name() allocates
// for every message.
std::string_view message_topic(RdKafka::Message& msg) {
  const auto* m = static_cast<const rd_kafka_message_t*>(msg.c_ptr());
  return m->rkt != nullptr ? std::string_view(rd_kafka_topic_name(m->rkt)) : std::string_view();
}

// The format of an events message (kafka.events_format unless its
// `content-type` header, matched without regard to case, says otherwise).
// Read with librdkafka's C API, which, unlike RdKafka::Message::headers(),
// copies nothing.
MessageFormat message_format(RdKafka::Message& msg, MessageFormat fallback) {
  const auto* m = static_cast<const rd_kafka_message_t*>(msg.c_ptr());
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(m, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return fallback;
  std::optional<std::string_view> content_type;
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
       ++i) {
    // The last one counts, as with rd_kafka_header_get_last().
    if (value != nullptr && strcasecmp(name, "content-type") == 0) {
      content_type = std::string_view(static_cast<const char*>(value), size);
    }
  }
  return format_of_content_type(content_type, fallback);
}

// How long a drain check waits for the broker's answer per partition.
constexpr int kWatermarkQueryTimeoutMs = 5000;

// Test-only fault injection. Tests that must kill or freeze the process at
// a precise point of the exactly-once protocol, which a signal from outside
// hits only by chance, set the environment variable VIGIL_FAULT (never set
// it in a deployment; tests/exactly_once_crash_test.sh and
// exactly_once_outage_test.sh use it):
//   VIGIL_FAULT=exit-after-kafka-commit:N   SIGKILL on itself right after the
//       Nth Kafka transaction of this process commits, before the state
//       write: the next incarnation must restore that batch from the topics;
//   VIGIL_FAULT=exit-during-restore:N       SIGKILL on itself right after
//       consuming the Nth message it re-processes with output dropped;
//   VIGIL_FAULT=stop-after-kafka-commit:N   SIGSTOP on itself at the same
//       point as exit-after-kafka-commit: frozen with no transaction in
//       flight, until the test sends SIGCONT (e.g. once it has stopped the
//       broker).
// The commit points need exactly-once (at-least-once has no transactions).
// Each logs one warning line starting "VIGIL_FAULT:" first. An unknown value
// is a configuration error, so a misspelt test setting cannot pass silently.
struct FaultSetting {
  std::string_view prefix;
  bool after_commit;  // else during restore
  int signal;         // SIGKILL or SIGSTOP
};
constexpr FaultSetting kFaultSettings[] = {{"exit-after-kafka-commit:", true, SIGKILL},
                                           {"exit-during-restore:", false, SIGKILL},
                                           {"stop-after-kafka-commit:", true, SIGSTOP}};

}  // namespace

Result<std::unique_ptr<KafkaPipeline>> KafkaPipeline::create(const PipelineConfig& config,
                                                             StateStore& store, Metrics& metrics,
                                                             std::shared_ptr<std::atomic<bool>> ready,
                                                             SignalNotifier* notifier) {
  std::unique_ptr<KafkaPipeline> p(
      new KafkaPipeline(config, store, metrics, std::move(ready), notifier));
  // Partitions whose state is here but which the group may never assign to
  // this instance again (moved away by a scale-out) keep expiring their
  // per-id records up to where this instance left them.
  Status published = PartitionTask::publish_stored_horizons(store);
  if (!published.is_ok()) return published.error();
  Status produced = p->open_producer();
  if (!produced.is_ok()) return produced.error();
  Status consumer = p->open_consumer();
  if (!consumer.is_ok()) return consumer.error();
  if (const char* fault = std::getenv("VIGIL_FAULT"); fault != nullptr && *fault != '\0') {
    const std::string_view value(fault);
    for (const auto& setting : kFaultSettings) {
      if (!value.starts_with(setting.prefix)) continue;
      const std::string count(value.substr(setting.prefix.size()));
      char* end = nullptr;
      const unsigned long long n = std::strtoull(count.c_str(), &end, 10);
      if (count.empty() || *end != '\0' || n == 0) break;
      p->fault_ = setting.after_commit ? Fault::kAfterKafkaCommit : Fault::kDuringRestore;
      p->fault_signal_ = setting.signal;
      p->fault_at_ = n;
    }
    if (p->fault_ == Fault::kNone) {
      return make_error(ErrorKind::kInvalidArgument,
                        "VIGIL_FAULT (test-only): want exit-after-kafka-commit:N, "
                        "exit-during-restore:N or stop-after-kafka-commit:N with N >= 1, not '" +
                            std::string(value) + "'");
    }
    spdlog::warn("VIGIL_FAULT={}: test-only fault injection is on", value);
  }
  for (const auto& d : config.detectors) metrics.register_detector(detector_name(d));
  return p;
}

Status KafkaPipeline::open_consumer() {
  const auto& k = config_.kafka;
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
  if (exactly_once()) {
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
  if (conf.value()->set("rebalance_cb", &rebalancer_, err) != RdKafka::Conf::CONF_OK ||
      conf.value()->set("offset_commit_cb", &offset_commit_reporter_, err) !=
          RdKafka::Conf::CONF_OK) {
    return make_error(ErrorKind::kInvalidArgument, err);
  }
  consumer_.reset(RdKafka::KafkaConsumer::create(conf.value().get(), err));
  if (!consumer_) return make_error(ErrorKind::kInvalidArgument, "kafka consumer: " + err);
  closed_ = false;
  return Status::ok();
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
  dead_letter_sink_->on_truncated([this] { metrics_.dead_letters_truncated.Increment(); });
  const size_t topic_limit = dead_letter_topic_limit_ > 0 ? dead_letter_topic_limit_ : kKafkaDefaultMaxMessageBytes;
  dead_letter_sink_->set_max_record_bytes(std::min(topic_limit, producer_->max_message_bytes()));
  open_repartition_sink();
  return Status::ok();
}

void KafkaPipeline::refresh_dead_letter_limit() {
  const std::string& topic = config_.kafka.dead_letter_topic;
  auto limit = topic_max_message_bytes(producer_->handle(), topic, kDescribeTimeoutMs);
  if (!limit) {
    spdlog::warn("{}; dead letters are cut to fit {} bytes", limit.error().message,
                 dead_letter_sink_->max_record_bytes());
    return;
  }
  // A topic not created yet will get the brokers' default; Kafka's is assumed.
  dead_letter_topic_limit_ = static_cast<size_t>(limit.value().value_or(kKafkaDefaultMaxMessageBytes));
  const size_t usable = std::min(dead_letter_topic_limit_, producer_->max_message_bytes());
  if (usable != dead_letter_sink_->max_record_bytes()) {
    spdlog::info("dead letters over {} bytes go to {} as truncated copies ({} max.message.bytes {}{})",
                 usable, topic, topic, dead_letter_topic_limit_, limit.value() ? "" : ", assumed: not created yet");
  }
  dead_letter_sink_->set_max_record_bytes(usable);
}

void KafkaPipeline::open_repartition_sink() {
  // Before the topology is known (at creation) there is nothing to send yet.
  if (!repartitioned() || merge_partitions_ == 0) return;
  repartition_sink_ = std::make_unique<KafkaRepartitionSink>(
      *producer_, config_.kafka.repartition_topic, merge_targets_, stopping_,
      exactly_once() ? AwaitAcks::kOnTransactionCommit : AwaitAcks::kOnDeliver);
}

const std::string& KafkaPipeline::topic_of(Stage stage) const {
  return stage == Stage::kInput ? config_.kafka.events_topic : config_.kafka.repartition_topic;
}

KafkaPipeline::Stage KafkaPipeline::stage_of(std::string_view topic) const {
  return topic == config_.kafka.events_topic ? Stage::kInput : Stage::kMerge;
}

std::string KafkaPipeline::describe(const TaskKey& key) const {
  return topic_of(key.first) + "[" + std::to_string(key.second) + "]";
}

Status KafkaPipeline::learn_topology(const std::atomic<bool>& stop) {
  const auto& k = config_.kafka;
  // The consumer cannot create the events topic; the producer may create
  // the internal repartition topic where the broker allows it.
  auto inputs = wait_for_partition_count(*consumer_, k.events_topic, stop);
  if (!inputs) return inputs.error();
  refresh_dead_letter_limit();
  input_partitions_ = inputs.value();
  if (!repartitioned()) {
    if (input_partitions_ > 1) {
      return make_error(ErrorKind::kInvalidArgument,
                        k.events_topic + " has " + std::to_string(input_partitions_) +
                            " partitions and kafka.repartition_topic is empty: each partition's "
                            "detectors would see only its share of the events. Set a repartition "
                            "topic (the default is vigil.repartition)");
    }
    return Status::ok();
  }
  auto merges = wait_for_partition_count(producer_->handle(), k.repartition_topic, stop);
  if (!merges) return merges.error();
  merge_partitions_ = merges.value();
  merge_targets_ = partitions_with_detectors(config_.detectors, merge_partitions_);
  open_repartition_sink();
  spdlog::info("topology: {} partitions of {} merged on {} partitions of {} ({} run detectors)",
               input_partitions_, k.events_topic, merge_partitions_, k.repartition_topic,
               merge_targets_.size());
  return Status::ok();
}

Status KafkaPipeline::init_transactions() {
  auto transaction = KafkaTransaction::init(producer_->handle(), stopping_);
  if (!transaction) return transaction.error();
  transaction_ = std::move(transaction).value();
  return Status::ok();
}

Status KafkaPipeline::recover_from_failed_transaction(const Error& failure) {
  Status replaced = replace_failed_producer(failure);
  if (!replaced.is_ok()) return replaced;
  return rewind();
}

Status KafkaPipeline::replace_failed_producer(const Error& failure) {
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
  // init_transactions aborts whatever the old one left open; the caller
  // takes state and input back to the last commit.
  spdlog::warn("kafka producer failed fatally ({}); replacing it and redoing the batch", reason);
  signal_sink_.reset();
  dead_letter_sink_.reset();
  repartition_sink_.reset();
  transaction_.reset();
  producer_.reset();
  Status s = open_producer();
  if (s.is_ok()) s = init_transactions();
  return s;
}

bool KafkaPipeline::consumer_fenced() const {
  std::string reason;
  return consumer_->fatal_error(reason) == RdKafka::ERR_FENCED_INSTANCE_ID;
}

Status KafkaPipeline::replace_fenced_consumer(const std::vector<std::string>& topics) {
  std::string reason;
  consumer_->fatal_error(reason);
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(consumer_replacements_, [&](auto at) { return now - at > kConsumerReplacementWindow; });
  if (consumer_replacements_.size() >= kMaxConsumerReplacements) {
    return make_error(ErrorKind::kFatal,
                      "kafka consumer: " + reason + " (" + std::to_string(consumer_replacements_.size() + 1) +
                          " times within " + std::to_string(kConsumerReplacementWindow.count()) +
                          " minutes: is another instance running with group.instance.id " +
                          config_.kafka.group_instance_id + "?)");
  }
  consumer_replacements_.push_back(now);
  metrics_.consumers_replaced.Increment();
  // librdkafka 2.0.2 can fence a static member with its own rejoin after
  // the group coordinator comes back (seen after a broker restart on a
  // loaded machine). A new consumer with the same group.instance.id takes
  // the member over, as a restarted process would: uncommitted work is
  // dropped and each partition, once assigned again, resumes from the
  // state and the group's committed offsets. A second instance with the
  // same id is stopped by its transactional.id (exactly-once) or, failing
  // that, by the limit above.
  spdlog::warn("kafka consumer fenced ({}; noticed as: {}); replacing it and redoing what was not committed",
               reason, fatal_.message());
  set_ready(false);
  Status settled = settle_abandoned_transaction();
  if (!settled.is_ok()) return settled;
  // Its assignment is lost: the revoke callback drops the tasks uncommitted.
  consumer_->close();
  closed_ = true;
  consumer_.reset();
  tasks_.clear();
  committed_.clear();
  given_up_.clear();
  overlap_ = false;
  unsent_ = 0;
  unwritten_ = 0;
  Status opened = open_consumer();
  if (!opened.is_ok()) return opened;
  return subscribe(topics);
}

Status KafkaPipeline::subscribe(const std::vector<std::string>& topics) {
  const auto err = consumer_->subscribe(topics);
  if (err != RdKafka::ERR_NO_ERROR) {
    return make_error(ErrorKind::kUnavailable, "subscribe: " + RdKafka::err2str(err));
  }
  return Status::ok();
}

Status KafkaPipeline::settle_abandoned_transaction() {
  if (!in_flight_) return Status::ok();
  InFlight flight = std::move(*in_flight_);
  in_flight_.reset();
  auto outcome = flight.outcome.get();
  if (outcome && outcome.value() == TransactionOutcome::kCommitted) {
    transaction_committed(flight);
    return Status::ok();
  }
  metrics_.commit_failures(CommitStage::kTransaction).Increment();
  (void)producer_->take_delivery_error();
  // Aborted: none of it is visible, and the batch is redone from the group's offsets.
  if (outcome) return Status::ok();
  return replace_failed_producer(outcome.error());
}

KafkaPipeline::KafkaPipeline(const PipelineConfig& config, StateStore& store, Metrics& metrics,
                             std::shared_ptr<std::atomic<bool>> ready, SignalNotifier* notifier)
    : config_(config), store_(store), metrics_(metrics), ready_(std::move(ready)),
      notifier_(notifier) {}

KafkaPipeline::~KafkaPipeline() {
  // A run that ended in an error may leave a transaction committing: it
  // uses the producer and the consumer's group metadata until it is through.
  if (in_flight_) in_flight_->outcome.wait();
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
  for (const auto& [key, task] : tasks_) open += task->open_signals();
  metrics_.signals_open.Set(static_cast<double>(open));
}

void KafkaPipeline::update_waiting() {
  size_t waiting = 0;
  int64_t held_back = 0;
  for (const auto& [key, task] : tasks_) {
    if (key.first != Stage::kMerge) continue;
    const auto& merge = static_cast<const MergeTask&>(*task);
    waiting += merge.waiting();
    held_back = std::max(held_back, merge.held_back_seconds());
  }
  metrics_.repartition_waiting.Set(static_cast<double>(waiting));
  metrics_.repartition_held_back_seconds.Set(static_cast<double>(held_back));
}

void KafkaPipeline::update_ready() {
  bool restoring = false;
  for (const auto& [key, task] : tasks_) restoring = restoring || task->restoring();
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

Result<int64_t> KafkaPipeline::open_task(const TaskKey& key) {
  const auto [stage, partition] = key;
  std::unique_ptr<PipelineTask> task;
  if (stage == Stage::kInput) {
    // Live: events are also judged against the wall clock (event_time_gate.h).
    EventTimeLimits limits{config_.future_tolerance_days, [] {
                             return static_cast<int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                                             std::chrono::system_clock::now().time_since_epoch())
                                                             .count());
                           }};
    // A text detector on the merge stage reads what the input task derives
    // from the description (core/text_fingerprint.h).
    auto text_rules = text_fingerprint_rules(config_.detectors);
    if (!text_rules) return text_rules.error();
    auto opened = repartitioned()
                      ? PartitionTask::open(partition, store_, {}, &metrics_, InputRole::kRepartition,
                                            std::move(limits), text_rules.value())
                      : PartitionTask::open(partition, store_, config_.detectors, &metrics_,
                                            InputRole::kDetect, std::move(limits), std::nullopt,
                                            config_.parallel_detectors);
    if (!opened) return opened.error();
    task = std::move(opened).value();
  } else {
    auto opened = MergeTask::open(partition, input_partitions_, store_,
                                  detectors_on(config_.detectors, partition, merge_partitions_),
                                  &metrics_, config_.parallel_detectors);
    if (!opened) return opened.error();
    task = std::move(opened).value();
  }
  const std::optional<int64_t> state = task->resume_offset();
  if (exactly_once()) {
    const int64_t committed = committed_[key];
    if (state.value_or(0) > std::max<int64_t>(committed, 0)) {
      // Only a state written outside the transactional protocol (an
      // at-least-once run, a restored backup, a reset group) can be ahead.
      return make_error(ErrorKind::kFatal,
                        describe(key) + ": local state is at offset " + std::to_string(*state) +
                            " but the group has committed only " + std::to_string(committed) +
                            "; this instance cannot vouch for it (move the state directory away "
                            "to rebuild it from the topics)");
    }
    if (committed > state.value_or(0)) {
      task->restore_until(committed);
      spdlog::info("{}: restoring state from offset {} to {} with output dropped", describe(key),
                   state.value_or(0), committed);
    }
  }
  tasks_[key] = std::move(task);
  return state.value_or(RdKafka::Topic::OFFSET_BEGINNING);
}

void KafkaPipeline::on_assign(std::vector<RdKafka::TopicPartition*>& partitions) {
  set_ready(false);
  drained_since_ns_.store(-1);
  if (exactly_once() && fatal_.is_ok()) {
    Status fetched = fetch_committed(partitions);
    if (!fetched.is_ok()) fatal_ = fetched;
    for (const auto* tp : partitions) {
      committed_[{stage_of(tp->topic()), tp->partition()}] = std::max<int64_t>(tp->offset(), -1);
    }
  }
  for (auto* tp : partitions) {
    tp->set_offset(RdKafka::Topic::OFFSET_BEGINNING);
    if (!fatal_.is_ok()) continue;
    auto start = open_task({stage_of(tp->topic()), tp->partition()});
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
  update_waiting();
  update_ready();
}

void KafkaPipeline::on_revoke(std::vector<RdKafka::TopicPartition*>& partitions) {
  set_ready(false);
  drained_since_ns_.store(-1);
  // A lost assignment (fenced, session expired) may be another member's
  // already, and the group refuses commits for it: what was not committed
  // is redone by whoever gets the partitions.
  if (fatal_.is_ok() && !consumer_->assignment_lost()) {
    Status committed = commit_all();
    if (!committed.is_ok()) fatal_ = committed;
  }
  for (auto* tp : partitions) {
    tasks_.erase({stage_of(tp->topic()), tp->partition()});
    committed_.erase({stage_of(tp->topic()), tp->partition()});
    given_up_.erase({stage_of(tp->topic()), tp->partition()});
    metrics_.remove_consumer_lag(tp->topic(), tp->partition());
  }
  update_open_signals();
  update_waiting();
  consumer_->unassign();
}

Status KafkaPipeline::commit_all(bool write_state) {
  if (!exactly_once()) return unsent_ == 0 ? Status::ok() : commit_at_least_once();
  if (unsent_ == 0 && !in_flight_ && (!write_state || unwritten_ == 0)) return Status::ok();
  return commit_exactly_once(write_state);
}

Status KafkaPipeline::commit_at_least_once() {
  std::vector<RdKafka::TopicPartition*> offsets;
  for (auto& [key, task] : tasks_) {
    if (task->uncommitted() == 0) continue;
    Status s = dead_letter_sink_->deliver(task->dead_letters(), key.second);
    if (s.is_ok() && repartition_sink_) s = repartition_sink_->deliver(task->repartition());
    if (s.is_ok()) s = signal_sink_->deliver(task->signals());
    if (!s.is_ok()) {
      metrics_.commit_failures(CommitStage::kProduce).Increment();
      RdKafka::TopicPartition::destroy(offsets);
      if (stopping_.load()) return s;
      // What was acknowledged of the batch is produced again when it is
      // redone: duplicates, which at-least-once allows.
      const auto code = producer_->take_delivery_error();
      // The error, not the message, which counts the failed records: the
      // batch given up on (only dead letters) has another count, and must
      // still be seen failing the same way.
      const std::string why =
          code == RdKafka::ERR_NO_ERROR ? s.message() : "records failed delivery: " + RdKafka::err2str(code);
      BatchRanges batch;
      for (const auto& [k, t] : tasks_) {
        if (k.first == Stage::kInput && t->uncommitted() > 0) {
          batch[k] = {t->resume_offset().value_or(0), t->next_offset()};
        }
      }
      return batch_failed(why, code == RdKafka::ERR_NO_ERROR || !transient_delivery_error(code), code, batch);
    }
    offsets.push_back(RdKafka::TopicPartition::create(topic_of(key.first), key.second, task->next_offset()));
  }
  Status s = commit_state();
  if (s.is_ok() && !offsets.empty()) consumer_->commitAsync(offsets);
  RdKafka::TopicPartition::destroy(offsets);
  return s;
}

KafkaPipeline::BatchRanges KafkaPipeline::exactly_once_batch(const std::map<TaskKey, int64_t>& ends) {
  BatchRanges batch;
  for (const auto& [key, end] : ends) {
    if (key.first == Stage::kInput) batch[key] = {std::max<int64_t>(committed_[key], 0), end};
  }
  return batch;
}

Status KafkaPipeline::commit_exactly_once(bool write_state) {
  // Transactions go one at a time: this batch's records may be produced
  // only once the previous transaction is through.
  auto settled = settle_transaction();
  if (!settled) return settled.error();
  if (!settled.value()) return Status::ok();  // rewound: the batch is redone
  auto offsets = std::make_shared<OwnedOffsets>();
  std::map<TaskKey, int64_t> ends;
  bool output = false;
  for (auto& [key, task] : tasks_) {
    output = output || !task->signals().empty() || !task->dead_letters().empty() ||
             task->repartition().size() > 0;
    // Offsets a restoring task has not passed are committed already; sending
    // them again would move the group backwards.
    if (task->uncommitted() > 0 && task->next_offset() > committed_[key]) {
      offsets->list.push_back(
          RdKafka::TopicPartition::create(topic_of(key.first), key.second, task->next_offset()));
      ends[key] = task->next_offset();
    }
  }
  if (output || !offsets->list.empty()) {
    Status s = transaction_->begin();
    for (auto& [key, task] : tasks_) {
      if (s.is_ok()) s = dead_letter_sink_->deliver(task->dead_letters(), key.second);
      if (s.is_ok() && repartition_sink_) s = repartition_sink_->deliver(task->repartition());
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
      // The broker refusing a record already sent leaves the transaction
      // abortable, and librdkafka refuses the records after it ("Erroneous
      // state"): that refusal is the cause, as when the commit finds it.
      // (The records the abort purges are no refusal.)
      const auto code = producer_->take_delivery_error();
      if (code != RdKafka::ERR_NO_ERROR && !transient_delivery_error(code)) return transaction_aborted(code, ends);
      // Refused before it was sent (e.g. larger than message.max.bytes): the
      // batch's own fault, unless it was the stop that ended a wait.
      return batch_failed(s.message(), !stopping_.load(), RdKafka::ERR_NO_ERROR, exactly_once_batch(ends));
    }
    // The records are queued: the tasks' output is the transaction's now.
    InFlight flight;
    flight.offsets = std::move(ends);
    for (auto& [key, task] : tasks_) {
      if (!task->signals().empty()) flight.signals.emplace_back(key, std::move(task->signals()));
      task->signals().clear();
      task->dead_letters().clear();
      task->repartition().clear();
    }
    std::shared_ptr<RdKafka::ConsumerGroupMetadata> group(consumer_->groupMetadata());
    // The commit's round trips (flushing the records, the offsets, the
    // commit markers) overlap the processing of the next batch.
    flight.outcome = std::async(std::launch::async, [this, offsets, group] {
      return transaction_->commit(offsets->list, group.get());
    });
    in_flight_ = std::move(flight);
  }
  unsent_ = 0;
  if (!write_state) return Status::ok();
  settled = settle_transaction();
  if (!settled) return settled.error();
  if (!settled.value()) return Status::ok();
  return commit_state();
}

Result<bool> KafkaPipeline::settle_transaction() {
  if (!in_flight_) return true;
  InFlight flight = std::move(*in_flight_);
  in_flight_.reset();
  auto outcome = flight.outcome.get();
  if (!outcome) {
    metrics_.commit_failures(CommitStage::kTransaction).Increment();
    Status recovered = recover_from_failed_transaction(outcome.error());
    if (!recovered.is_ok()) return recovered.error();
    return false;
  }
  if (outcome.value() == TransactionOutcome::kAborted) {
    metrics_.commit_failures(CommitStage::kTransaction).Increment();
    Status redone = transaction_aborted(producer_->take_delivery_error(), flight.offsets);
    if (!redone.is_ok()) return redone.error();
    return false;
  }
  transaction_committed(flight);
  return true;
}

Status KafkaPipeline::transaction_aborted(RdKafka::ErrorCode code, const std::map<TaskKey, int64_t>& ends) {
  // Counted when the broker refused the record itself, not when the cluster
  // was away.
  return batch_failed("transaction aborted: " + RdKafka::err2str(code),
                      code != RdKafka::ERR_NO_ERROR && !transient_delivery_error(code), code,
                      exactly_once_batch(ends));
}

void KafkaPipeline::transaction_committed(const InFlight& flight) {
  for (const auto& [key, offset] : flight.offsets) committed_[key] = offset;
  overlap_ = true;
  producer_replacements_ = 0;
  (void)producer_->take_delivery_error();
  // Committed in Kafka, so never produced again, even when the state write
  // that follows does not happen: a restart restores with output dropped.
  for (const auto& [key, signals] : flight.signals) signals_committed(key, signals);
  batch_committed();
  fault_point(Fault::kAfterKafkaCommit);
}

void KafkaPipeline::signals_committed(const TaskKey& key, const std::vector<Signal>& signals) {
  for (const auto& sig : signals) metrics_.record_signal(sig);
  if (notifier_ == nullptr || signals.empty()) return;
  const Status notified = notifier_->deliver(signals);
  if (!notified.is_ok()) spdlog::warn("{}: {}", describe(key), notified.message());
}

Status KafkaPipeline::commit_state() {
  for (auto& [key, task] : tasks_) {
    if (task->uncommitted() == 0) continue;
    // At-least-once: commit() clears the task's signals; the notifier gets
    // them only once the state that produced them is committed too.
    // (Exactly-once handed them over with their transaction.)
    std::vector<Signal> committed = task->signals();
    Status s = task->commit();
    if (!s.is_ok()) {
      metrics_.commit_failures(CommitStage::kState).Increment();
      return s;
    }
    signals_committed(key, committed);
  }
  unsent_ = 0;
  unwritten_ = 0;
  last_state_write_ = std::chrono::steady_clock::now();
  heap_pages_.maybe_release();
  if (!exactly_once()) batch_committed();
  update_open_signals();
  update_waiting();
  return Status::ok();
}

void KafkaPipeline::batch_committed() {
  // A batch given up on is done once committed past its end; until then a
  // failure of the same kind is still the same batch's. Its why is kept
  // until a later commit succeeds, so that the next batch failing the same
  // way is not given up on too: the cause is then not in the events.
  if (given_up_.empty()) given_up_why_.clear();
  for (auto it = given_up_.begin(); it != given_up_.end();) {
    auto task = tasks_.find(it->first);
    const int64_t committed = task == tasks_.end() ? 0
                              : exactly_once()     ? committed_[it->first]
                                                   : task->second->resume_offset().value_or(0);
    it = task == tasks_.end() || committed >= it->second.second ? given_up_.erase(it) : std::next(it);
  }
  if (given_up_.empty()) {
    batch_failures_ = 0;
    batch_failure_.clear();
  }
}

bool KafkaPipeline::transient_delivery_error(RdKafka::ErrorCode code) {
  switch (code) {
    case RdKafka::ERR__MSG_TIMED_OUT:
    case RdKafka::ERR__TIMED_OUT:
    case RdKafka::ERR__TRANSPORT:
    case RdKafka::ERR__ALL_BROKERS_DOWN:
    case RdKafka::ERR__PURGE_QUEUE:
    case RdKafka::ERR__PURGE_INFLIGHT:
    case RdKafka::ERR_REQUEST_TIMED_OUT:
    case RdKafka::ERR_NOT_ENOUGH_REPLICAS:
    case RdKafka::ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RdKafka::ERR_NOT_LEADER_FOR_PARTITION:
    case RdKafka::ERR_LEADER_NOT_AVAILABLE:
    case RdKafka::ERR_NETWORK_EXCEPTION:
    case RdKafka::ERR_COORDINATOR_NOT_AVAILABLE:
    case RdKafka::ERR_NOT_COORDINATOR:
      return true;
    default:
      return false;
  }
}

Status KafkaPipeline::batch_failed(const std::string& why, bool counts, RdKafka::ErrorCode code,
                                   const BatchRanges& batch) {
  // Only a record refused for its size can be about the dead-letter topic's
  // limit. Asking on every failure would also hold each redo of an outage
  // up to kDescribeTimeoutMs, stop requests unseen.
  if (code == RdKafka::ERR_MSG_SIZE_TOO_LARGE || code == RdKafka::ERR_RECORD_LIST_TOO_LARGE) {
    refresh_dead_letter_limit();
  }
  if (counts) {
    batch_failures_ = why == batch_failure_ ? batch_failures_ + 1 : 1;
    batch_failure_ = why;
  }
  const uint32_t limit = config_.commit.max_attempts;
  if (counts && batch_failures_ >= limit) {
    if (why == given_up_why_) {
      return make_error(ErrorKind::kFatal,
                        "a batch given up on (its events dead-lettered as undeliverable) failed the same "
                        "way again, so the cause is not in its events: " + why);
    }
    given_up_ = batch;
    int64_t events = 0;
    for (const auto& [key, range] : batch) events += range.second - range.first;
    given_up_why_ = why;
    metrics_.batches_dead_lettered.Increment();
    spdlog::error("a batch failed {} times in a row the same way ({}); its {} input event(s) go to {} "
                  "as undeliverable, unprocessed",
                  batch_failures_, why, events, config_.kafka.dead_letter_topic);
    batch_failures_ = 0;
  } else {
    spdlog::warn("batch failed ({}{}); redoing it", why,
                 counts ? ", attempt " + std::to_string(batch_failures_) + " of " + std::to_string(limit)
                        : ", the cluster is away: not counted");
  }
  return rewind();
}

Status KafkaPipeline::rewind() {
  // Called with no transaction in flight (settle_transaction() first).
  overlap_ = false;  // until a transaction commits again
  unsent_ = 0;
  unwritten_ = 0;
  last_state_write_ = std::chrono::steady_clock::now();
  for (auto& [key, task] : tasks_) {
    task.reset();  // its detectors hold state from the aborted batch
    auto start = open_task(key);
    if (!start) return start.error();
    std::unique_ptr<RdKafka::TopicPartition> tp(
        RdKafka::TopicPartition::create(topic_of(key.first), key.second, start.value()));
    const auto err = consumer_->seek(*tp, 10000);
    if (err != RdKafka::ERR_NO_ERROR) {
      return make_error(ErrorKind::kFatal, describe(key) + ": rewinding after an aborted transaction: " +
                                               RdKafka::err2str(err));
    }
    spdlog::info("{}: rewound to offset {}", describe(key), std::max<int64_t>(start.value(), 0));
  }
  update_open_signals();
  update_waiting();
  update_ready();
  return Status::ok();
}

std::optional<std::vector<int64_t>> KafkaPipeline::read_positions() {
  // A transactional topic (the repartition topic) ends each transaction
  // with a commit marker the consumer skips: its position, not the offset
  // after the last message, says whether anything is left to read.
  std::vector<RdKafka::TopicPartition*> positions;
  for (auto& [key, task] : tasks_) {
    positions.push_back(RdKafka::TopicPartition::create(topic_of(key.first), key.second));
  }
  struct Guard {
    std::vector<RdKafka::TopicPartition*>& v;
    ~Guard() { RdKafka::TopicPartition::destroy(v); }
  } guard{positions};
  if (consumer_->position(positions) != RdKafka::ERR_NO_ERROR) return std::nullopt;
  std::vector<int64_t> out;
  size_t i = 0;
  for (auto& [key, task] : tasks_) {
    int64_t position = task->next_offset();
    if (positions[i]->err() == RdKafka::ERR_NO_ERROR) position = std::max(position, positions[i]->offset());
    out.push_back(position);
    ++i;
  }
  return out;
}

void KafkaPipeline::update_lag() {
  const auto positions = read_positions();
  size_t i = 0;
  for (auto& [key, task] : tasks_) {
    const std::string& topic = topic_of(key.first);
    const int64_t position = positions ? (*positions)[i] : task->next_offset();
    ++i;
    int64_t low = 0, high = 0;
    if (consumer_->get_watermark_offsets(topic, key.second, &low, &high) != RdKafka::ERR_NO_ERROR) {
      continue;
    }
    metrics_.set_consumer_lag(topic, key.second, std::max<int64_t>(0, high - std::max(position, low)));
  }
}

std::optional<std::chrono::steady_clock::time_point> KafkaPipeline::drained_since() const {
  const int64_t ns = drained_since_ns_.load();
  if (ns < 0) return std::nullopt;
  return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(ns));
}

void KafkaPipeline::check_drained() {
  const auto started = std::chrono::steady_clock::now();
  drained_since_ns_.store(-1);
  // Every partition of both topics, none restoring, nothing uncommitted.
  const size_t partitions = static_cast<size_t>(input_partitions_) +
                            (repartitioned() ? static_cast<size_t>(merge_partitions_) : 0);
  if (!fatal_.is_ok() || unsent_ != 0 || unwritten_ != 0 || in_flight_ || partitions == 0 ||
      tasks_.size() != partitions) {
    return;
  }
  for (const auto& [key, task] : tasks_) {
    if (task->restoring() || task->uncommitted() != 0) return;
  }
  // Positions as update_lag() takes them: past a transaction's commit marker
  // once it is read.
  const auto positions = read_positions();
  if (!positions) return;
  size_t i = 0;
  for (auto& [key, task] : tasks_) {
    const int64_t position = (*positions)[i++];
    // The cached watermark first: while it shows a backlog there is no
    // need to ask the broker.
    int64_t low = 0, high = 0;
    if (consumer_->get_watermark_offsets(topic_of(key.first), key.second, &low, &high) ==
            RdKafka::ERR_NO_ERROR &&
        high > std::max(position, low)) {
      return;
    }
    // The broker's, asked now: anything acknowledged before `started` is
    // below it.
    if (consumer_->query_watermark_offsets(topic_of(key.first), key.second, &low, &high,
                                           kWatermarkQueryTimeoutMs) != RdKafka::ERR_NO_ERROR ||
        high > std::max(position, low)) {
      return;
    }
  }
  drained_since_ns_.store(
      std::chrono::duration_cast<std::chrono::nanoseconds>(started.time_since_epoch()).count());
}

void KafkaPipeline::fault_point(Fault point) {
  if (fault_ != point || ++fault_count_ != fault_at_) return;
  spdlog::warn("VIGIL_FAULT: {} this process {} (test-only fault injection)",
               fault_signal_ == SIGSTOP ? "stopping (SIGSTOP)" : "killing",
               point == Fault::kAfterKafkaCommit
                   ? "after Kafka transaction commit " + std::to_string(fault_count_) +
                         ", before its state write"
                   : "after re-processing " + std::to_string(fault_count_) +
                         " message(s) during restore");
  spdlog::default_logger()->flush();
  // SIGSTOP: the process goes on from here once it gets SIGCONT.
  std::raise(fault_signal_);
}

Status KafkaPipeline::run(const std::atomic<bool>& stop) {
  // The stop watch: once `stop` is seen (looked at every 50 ms), every retry
  // loop gets kLastCommitTimeout more, then gives up (stopping_), wherever
  // the pipeline is: in the main loop, in a commit riding out an outage,
  // initialising transactions or in the last commit.
  std::mutex mutex;
  std::condition_variable finished_cv;
  bool finished = false;
  std::thread stop_watch([&] {
    std::unique_lock lock(mutex);
    while (!finished && !stop.load()) finished_cv.wait_for(lock, std::chrono::milliseconds(50));
    if (finished) return;
    if (!finished_cv.wait_for(lock, kLastCommitTimeout, [&] { return finished; })) {
      spdlog::warn("stopping: retries end now, {} s after the stop request", kLastCommitTimeout.count());
      stopping_.store(true);
    }
  });
  Status s = consume_until(stop);
  {
    std::lock_guard lock(mutex);
    finished = true;
  }
  finished_cv.notify_one();
  stop_watch.join();
  if (!s.is_ok() && stopping_.load()) {
    // Asked to stop, and a retry loop gave up at the deadline: nothing
    // uncommitted was written to state, so the restart redoes it. A stop,
    // not a failure (exit status 0).
    spdlog::warn("stopped before the last batch could be committed ({}); it is processed again after the "
                 "restart", s.message());
    return Status::ok();
  }
  return s;
}

Status KafkaPipeline::consume_until(const std::atomic<bool>& stop) {
  if (exactly_once()) {
    // Before joining the group: this also fences a previous instance with
    // the same transactional.id and aborts what it left open.
    Status initialised = init_transactions();
    if (!initialised.is_ok()) return initialised;
  }
  Status learned = learn_topology(stop);
  // Asked to stop while a topic did not exist yet: nothing was consumed.
  if (!learned.is_ok()) return stop.load() ? Status::ok() : learned;
  std::vector<std::string> topics = {config_.kafka.events_topic};
  if (repartitioned()) topics.push_back(config_.kafka.repartition_topic);
  Status subscribed = subscribe(topics);
  if (!subscribed.is_ok()) return subscribed;
  using Clock = std::chrono::steady_clock;
  auto last_commit = Clock::now();
  const auto interval = std::chrono::milliseconds(config_.commit.max_interval_ms);
  while (!stop.load()) {
    if (!fatal_.is_ok()) {
      // The group fencing this static member shows first wherever it
      // happens to be noticed: the consumer's fatal error, a transaction's
      // offsets refused, a rewind's seek. Each is answered by a new
      // consumer; any other failure stops.
      if (!consumer_fenced()) break;
      fatal_ = replace_fenced_consumer(topics);
      if (!fatal_.is_ok()) break;
    }
    std::unique_ptr<RdKafka::Message> msg(consumer_->consume(100));
    switch (msg->err()) {
      case RdKafka::ERR_NO_ERROR: {
        // A rebalance inside consume() may have failed: keep its error.
        if (!fatal_.is_ok()) break;
        auto it = tasks_.find({stage_of(message_topic(*msg)), msg->partition()});
        if (it == tasks_.end()) {
          fatal_ = make_error(ErrorKind::kFatal, "message for an unassigned partition");
          break;
        }
        const std::string_view value(static_cast<const char*>(msg->payload()), msg->len());
        const std::string_view key = msg->key_pointer()
                                         ? std::string_view(static_cast<const char*>(msg->key_pointer()), msg->key_len())
                                         : std::string_view();
        const bool was_restoring = it->second->restoring();
        Status consumed;
        if (auto given_up = given_up_.find(it->first); given_up != given_up_.end() &&
                                                        msg->offset() >= given_up->second.first &&
                                                        msg->offset() < given_up->second.second) {
          static_cast<PartitionTask&>(*it->second)
              .dead_letter(value, msg->offset(), key, InvalidReason::kUndeliverable,
                           "its batch failed " + std::to_string(config_.commit.max_attempts) +
                               " times: " + given_up_why_);
        } else if (it->first.first == Stage::kInput) {
          static_cast<PartitionTask&>(*it->second)
              .process(value, msg->offset(), key, message_format(*msg, config_.kafka.events_format));
        } else {
          consumed = it->second->consume(value, msg->offset(), key);
        }
        if (!consumed.is_ok()) {
          fatal_ = consumed;
          break;
        }
        ++unsent_;
        ++unwritten_;
        drained_since_ns_.store(-1, std::memory_order_relaxed);
        if (was_restoring) fault_point(Fault::kDuringRestore);
        if (was_restoring && !it->second->restoring()) {
          spdlog::info("{}: state restored up to offset {}", describe(it->first), msg->offset() + 1);
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
    const bool full = unsent_ >= config_.commit.max_events;
    const auto now = Clock::now();
    if (full || now - last_commit >= interval) {
      // Exactly-once under load (full batches): the transaction commits in
      // the background while the next batch is processed, and the state is
      // written once an interval, where everything processed is committed.
      // A batch the timer ends (a quiet stream) is committed through to the
      // state at once, so an idle pipeline has nothing pending. So is every
      // batch until a transaction has committed (overlap_): a batch being
      // redone is not overlapped with the next, which a failure would
      // discard too.
      const bool write_state = !full || !overlap_ || now - last_state_write_ >= interval;
      Status s = commit_all(write_state);
      if (!s.is_ok()) {
        // Kept so that leaving the group (on_revoke) does not commit the
        // failed batch again.
        fatal_ = s;
        continue;
      }
      update_lag();
      if (track_drain_) check_drained();
      last_commit = Clock::now();
    }
  }
  if (!fatal_.is_ok()) return fatal_;
  // The last commit gets what is left of the stop watch's time (run()):
  // with the cluster unreachable it would retry for ever. What it could not
  // commit is done again after the restart.
  Status s = commit_all();
  if (!s.is_ok()) fatal_ = s;  // leaving the group must not commit it again
  set_ready(false);
  consumer_->close();
  closed_ = true;
  tasks_.clear();
  return s;
}

}  // namespace vigil
