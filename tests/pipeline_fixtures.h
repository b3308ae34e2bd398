// Fixtures shared by the partition and replay tests: a small detector
// configuration whose signals follow single events, event v1 lines for it,
// and sinks that record what the pipeline delivered and can fail on cue.
#pragma once

#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "config/pipeline_config.h"
#include "sinks/cloudevent_encoder.h"
#include "sinks/signal_sink.h"

namespace vigil::testing {

// A rule that raises one signal per fatal report of an (org, category), so
// "the detectors saw it" is visible event by event, and a weekly count.
inline constexpr const char* kFatalRuleAndWeeklyCount = R"(
detectors:
  - name: fatal_rule
    type: severity_rule
    group_by: [org, category]
    resolve_after_days: 3
  - name: falls_weekly
    type: count
    dimensions: [category, org]
    period: week
    grace_days: 7
    method: earsC1
    params: {baseline: 3, alpha: 0.001, minSigma: 0.5}
    min_observed: 3
)";

inline PipelineConfig fatal_rule_and_weekly_count_config() {
  auto c = parse_pipeline_config(kFatalRuleAndWeeklyCount, "test");
  BOOST_REQUIRE_MESSAGE(c.is_ok(), (c.is_ok() ? std::string() : c.error().message));
  return c.value();
}

// An event v1 line reported and occurring on `date` (YYYY-MM-DD).
inline std::string harm_event(const std::string& id, const std::string& date,
                              const std::string& harm, int revision = 0,
                              const std::string& org = "RXA",
                              const std::string& category = "fall") {
  return R"({"id":")" + id + R"(","revision":)" + std::to_string(revision) +
         R"(,"reported_at":")" + date + R"(T10:00:00Z","occurred_on":")" + date +
         R"(","org":")" + org + R"(","record_type":"incident","category":")" + category +
         R"(","physical_harm":")" + harm + R"("})";
}

// Keeps every delivered signal as its CloudEvent, in delivery order.
// Fails the `fail_at`-th delivery (1-based; 0: never), delivering nothing
// of it, as a crash before the batch's signals were durable.
class CollectingSink final : public SignalSink {
 public:
  Status deliver(std::span<const Signal> signals) override {
    if (++calls == fail_at) return make_error(ErrorKind::kUnavailable, "injected signal failure");
    for (const auto& s : signals) events.push_back(encode_cloudevent(s, "test"));
    return Status::ok();
  }
  std::vector<std::string> events;
  size_t calls = 0;
  size_t fail_at = 0;
};

// Counts dead letters; fails the `fail_at`-th delivery (1-based; 0: never).
// A replay delivers an input's dead letters after the merge has committed
// and before that input commits, so a failure here is a crash between the
// two commits.
class CountingDeadLetters final : public DeadLetterSink {
 public:
  Status deliver(std::span<const DeadLetter> dead_letters, int32_t) override {
    if (++calls == fail_at) return make_error(ErrorKind::kUnavailable, "injected dead-letter failure");
    delivered += dead_letters.size();
    return Status::ok();
  }
  size_t delivered = 0;
  size_t calls = 0;
  size_t fail_at = 0;
};

}  // namespace vigil::testing
