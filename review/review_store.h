// The review application's store: a view of the signals topic (or a file of
// signals) and of the reviewers' decisions, rebuilt from them at start, so
// losing it loses nothing. SQLite (one file in --state-dir, or in memory):
// the queue is a filtered, ordered, paged query over up to hundreds of
// thousands of signals, which an indexed relational table serves directly;
// the pipeline's RocksDB is keyed for point lookups and would need every
// index built by hand.
//
// Thread safety: every member may be called from any thread (the HTTP
// server's workers and the source that feeds signals); calls are
// serialised on one connection.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/civil_date.h"
#include "core/result.h"
#include "core/signal.h"
#include "review/decision.h"
#include "review/priority.h"
#include "review/reference_names.h"
#include "review/review_state.h"

namespace vigil {

// The queue's filters; empty members do not filter.
struct SignalQuery {
  // "open" (latest transition raised or updated; the default), "resolved",
  // or "all".
  std::string status = "open";
  // A review state, which shows every signal in it; absent: every state,
  // but without the signals a known_issue or dismissed decision holds back
  // (see review/suppression.h), unless `include_suppressed`.
  std::optional<ReviewState> state;
  bool include_suppressed = false;
  std::string detector;
  std::string method;
  std::optional<Severity> severity;  // at least this severity
  // Key filters: the signal's key has this dimension with this value.
  std::string region, org, medication, device, category;
  // Period: the signal's judged period ends on or after `from` and starts
  // on or before `to`.
  std::optional<Date> from, to;
  // Any of its transitions fired (stream time) within [fired_from, fired_to].
  std::optional<Date> fired_from, fired_to;
  // Case-insensitive substring of the key's values or their names.
  std::string text;
  size_t offset = 0;
  size_t limit = 50;  // at most kMaxPageSize
};

inline constexpr size_t kMaxPageSize = 500;

// One row of the queue.
struct SignalRow {
  std::string signal_id;
  std::string detector;
  std::string method;
  std::vector<KeyPart> key;
  Date period_start, period_end;
  Date first_fired, last_fired;  // stream time of its raised and latest transitions
  SignalType latest = SignalType::kRaised;
  uint32_t sequence = 1;
  Severity severity = Severity::kLow;
  int64_t observed = 0;
  double expected = 0, threshold = 0;  // NaN where the method gives none
  int64_t orgs = 0;
  ReviewState state = ReviewState::kNew;
  bool suppressed = false;  // held back by a known_issue or dismissed decision
  PriorityParts priority;  // at the store's stream time
  std::string summary;
};

struct SignalPage {
  size_t total = 0;  // rows matching the filters, before paging
  std::vector<SignalRow> rows;
};

struct LifecycleStep {
  SignalType type = SignalType::kRaised;
  uint32_t sequence = 1;
  Date fired_at;
  int64_t observed = 0;
  Severity severity = Severity::kLow;
};

struct SignalDetail {
  SignalRow row;
  std::string cloudevent;  // the latest transition's CloudEvents JSON, as received
  std::vector<LifecycleStep> lifecycle;  // by sequence
  std::vector<Decision> decisions;       // oldest first
};

class ReviewStore {
 public:
  // `path`: a file (created with its parent directories if missing) or
  // ":memory:". `names` feed the text search (kept by reference; must
  // outlive the store). Errors: kIo naming the path and SQLite's message.
  static Result<std::unique_ptr<ReviewStore>> open(const std::string& path,
                                                   const ReferenceNames& names);
  ~ReviewStore();

  // Takes one signal transition and its CloudEvents JSON. Idempotent by
  // (signal_id, sequence): the same transition twice changes nothing. A
  // transition older than the one held (lower sequence) is added to the
  // lifecycle but does not replace the latest. Advances the store's stream
  // time to the latest fired_at seen.
  Status add_signal(const Signal& s, std::string_view cloudevent_json);

  // The same as add_signal on each, in order, in one transaction: all or
  // none. Each transaction writes a dozen pages, so a store filled from a
  // topic or a file at start should take its signals in batches (e.g. one
  // poll's worth): 100,000 signals one at a time took 2 minutes on the
  // development VM, in batches of 1,000 half a minute.
  struct SignalEvent {
    Signal signal;
    std::string cloudevent_json;
  };
  Status add_signals(const std::vector<SignalEvent>& events);

  // Checks a reviewer's request against the signal's current state and
  // returns the decision that would be stored (next decision_id,
  // observed_at_decision = its latest observed count), without storing it.
  // Errors: kNotFound for an unknown signal; kInvalidArgument for a move
  // check_review_transition refuses.
  Result<Decision> prepare_decision(std::string_view signal_id, const DecisionRequest& request,
                                    std::string_view reviewer, int64_t time_ms) const;
  // Stores a decision (from prepare_decision, or read back from the reviews
  // topic). Idempotent by decision_id. A decision for a signal not yet seen
  // is kept and applies when the signal arrives. The signal's review state
  // becomes that of its latest decision (by n of "<signal_id>-d<n>"), so
  // decisions replayed out of order give the same state. Errors:
  // kInvalidArgument for an empty id, or for a decision_id already stored
  // with other content (two reviewers prepared the same next decision at
  // once: the second prepares again).
  Status apply_decision(const Decision& d);

  Result<SignalPage> query(const SignalQuery& q) const;
  // kNotFound for an unknown signal.
  Result<SignalDetail> get(std::string_view signal_id) const;
  // The latest decision, if any (for suppression).
  std::optional<Decision> latest_decision(std::string_view signal_id) const;

  // Latest fired_at of any signal: "now" for recency and the digest.
  std::optional<Date> stream_time() const;
  size_t signal_count() const;

 private:
  struct Impl;
  explicit ReviewStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil
