#include <spdlog/spdlog.h>

#include <atomic>

#include "web/kafka_decision_publisher.h"
#include "web/kafka_decision_reader.h"
#include "web/kafka_signal_source.h"
#include "web/signal_source.h"

namespace vigil {
namespace {

class KafkaReviewSource final : public SignalSource {
 public:
  KafkaReviewSource(KafkaConfig kafka, std::string signals_topic, std::string reviews_topic,
                    std::unique_ptr<KafkaDecisionPublisher> publisher)
      : kafka_(std::move(kafka)),
        signals_topic_(std::move(signals_topic)),
        reviews_topic_(std::move(reviews_topic)),
        publisher_(std::move(publisher)) {}

  Status load(ReviewStore& store, const std::atomic<bool>& stop) override {
    // Store failures are counted and logged by count only: a signal's or
    // decision's content is never logged.
    auto signals = KafkaSignalSource::start(
        kafka_, signals_topic_, [this, &store](const Signal& s, std::string_view json) {
          if (!store.add_signal(s, json).is_ok() && store_failures_.fetch_add(1) == 0) {
            spdlog::error(
                "vigil serve: the review store refused a signal (more are counted, not logged)");
          }
        });
    if (!signals) return signals.error();
    signals_ = std::move(signals).value();
    auto decisions =
        KafkaDecisionReader::start(kafka_, reviews_topic_, [this, &store](const Decision& d) {
          if (!store.apply_decision(d).is_ok() && store_failures_.fetch_add(1) == 0) {
            spdlog::error(
                "vigil serve: the review store refused a decision (more are counted, not logged)");
          }
        });
    if (!decisions) return decisions.error();
    decisions_ = std::move(decisions).value();
    if (Status caught_up = signals_->wait_caught_up(stop); !caught_up) return caught_up;
    return decisions_->wait_caught_up(stop);
  }

  DecisionPublisher* publisher() override { return publisher_.get(); }

  std::string describe() const override {
    return "topic " + signals_topic_ + " (" +
           std::to_string(signals_ ? signals_->signals_read() : 0) + " signal transitions) and " +
           reviews_topic_ + " (" + std::to_string(decisions_ ? decisions_->decisions_read() : 0) +
           " decisions)";
  }

 private:
  KafkaConfig kafka_;
  std::string signals_topic_, reviews_topic_;
  std::atomic<uint64_t> store_failures_{0};
  std::unique_ptr<KafkaDecisionPublisher> publisher_;
  // Last: their threads stop before anything they write into goes.
  std::unique_ptr<KafkaSignalSource> signals_;
  std::unique_ptr<KafkaDecisionReader> decisions_;
};

}  // namespace

Result<std::unique_ptr<SignalSource>> make_kafka_review_source(KafkaConfig kafka,
                                                               std::string signals_topic,
                                                               std::string reviews_topic) {
  auto publisher = KafkaDecisionPublisher::create(kafka, reviews_topic);
  if (!publisher) return publisher.error();
  return std::unique_ptr<SignalSource>(
      std::make_unique<KafkaReviewSource>(std::move(kafka), std::move(signals_topic),
                                          std::move(reviews_topic), std::move(publisher).value()));
}

}  // namespace vigil
