// Signals to Alertmanager (API v2), delivered in the background.
//
// The pipeline hands the sink each committed batch (SignalNotifier);
// deliver() only updates an in-memory table under a short lock and wakes the
// delivery thread, so an Alertmanager that is slow, down or unreachable never
// holds up the Kafka pipeline. The signals topic stays the durable record;
// this sink keeps the latest state of every signal that Alertmanager must
// hear about:
//   - an open signal (raised or updated) is one firing alert, sent when it
//     changes and re-sent every resend_interval_seconds for as long as it is
//     open, each time with endsAt = now + kEndsAtResendMultiple × the
//     interval, as Prometheus does; if Vigil stops re-sending (it stopped, or
//     Alertmanager was unreachable for that long) Alertmanager resolves the
//     alert by itself;
//   - a resolved signal is sent once with endsAt = the wall-clock time the
//     sink received the resolved transition, then forgotten.
// startsAt is the wall-clock time the sink received the first transition of
// the episode (its raise, normally): signal times are event times, which
// Alertmanager cannot compare with its clock (see alertmanager_alert.h).
// When the episode's severity rises, the alert's label set changes; the old
// label set is then resolved and the new one fires.
//
// A failed request is retried with exponential backoff and jitter
// (retry_initial_backoff_ms doubling to retry_max_backoff_ms). New
// transitions cut a backoff wait short, so that a signal raised while the
// sink waits out a long backoff is not held up for a minute once
// Alertmanager is back: the next attempt is then made as soon as
// retry_initial_backoff_ms have passed since the failed one (so a down
// Alertmanager is tried at most that often, and only while transitions
// arrive); the backoff itself keeps growing. Shutdown ends the wait too. While
// Alertmanager is down, transitions keep updating the table, so when it comes
// back every open alert is re-sent in its latest state and every resolved one
// is delivered. At most max_alerts are held; transitions beyond that are
// dropped and counted. A request Alertmanager refuses (4xx other than 408 and
// 429) is not retried: the open alerts in it wait for the next resend.
//
// Reviewers' decisions (issue 11, "decisions that stick"): given a
// DecisionLookup (`vigil run` passes one backed by the reviews topic,
// review/latest_decisions.h), the sink asks for a signal's latest decision
// before it notifies, and holds back what review/suppression.h says to hold
// back (a known_issue or dismissed signal, while its episode continues):
//   - a held-back transition is sent once as resolved (endsAt now), so
//     Alertmanager stops notifying about it, then kept in the table without
//     re-sends;
//   - a decision that arrives while the alert fires is seen at the alert's
//     next re-send (within resend_interval_seconds), which resolves it then;
//   - it fires again (a new startsAt) at the first transition whose verdict
//     is a material change or the end of the suppression's date, or at the
//     next re-send after a later decision that does not suppress; once a
//     decision's suppression has ended for an episode, that decision holds
//     it back no more (a count falling back below the multiple does not
//     hide it again);
//   - a resolved transition is always delivered.
// The lookup is called on the caller's thread in deliver() and on the
// delivery thread under the sink's lock, so it must be quick and must not
// call into the sink.
//
// Restart: the table lives in memory. After a restart an alert opened before
// it is sent again at its episode's next transition; until then Alertmanager
// keeps it firing only up to its last endsAt.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <prometheus/registry.h>

#include "core/result.h"
#include "core/signal.h"
#include "review/latest_decisions.h"
#include "sinks/alertmanager_alert.h"
#include "sinks/alertmanager_client.h"
#include "sinks/alertmanager_metrics.h"
#include "sinks/alertmanager_options.h"
#include "sinks/retry_backoff.h"
#include "sinks/signal_sink.h"

namespace vigil {

class AlertmanagerSink final : public SignalNotifier {
 public:
  // Checks the options (see AlertmanagerClient::create), registers the
  // vigil_alertmanager_* metrics in `registry` and starts the delivery
  // thread. `pipeline_name` becomes the `pipeline` label. `registry` must
  // outlive the sink. `latest_decision` (may be empty: nothing is held
  // back) gives a signal's latest review decision, see above. Errors:
  // kInvalidArgument naming the option at fault.
  static Result<std::unique_ptr<AlertmanagerSink>> create(const AlertmanagerOptions& options,
                                                          std::string pipeline_name,
                                                          prometheus::Registry& registry,
                                                          DecisionLookup latest_decision = {});
  // shutdown(), if not called yet.
  ~AlertmanagerSink() override;
  AlertmanagerSink(const AlertmanagerSink&) = delete;
  AlertmanagerSink& operator=(const AlertmanagerSink&) = delete;

  // Records `signals` (in order) in the table and wakes the delivery thread.
  // Never blocks on the network: it waits at most for the delivery thread
  // to finish rendering a request body. Returns kUnavailable, naming how
  // many, when transitions had to be dropped because the table was full;
  // they are counted in vigil_alertmanager_alerts_dropped_total either way.
  // After shutdown() it drops nothing and does nothing.
  Status deliver(std::span<const Signal> signals) override;

  // Stops the delivery thread after one last attempt, without backoff, to
  // send every alert whose latest state Alertmanager has not acknowledged;
  // that attempt takes at most about timeout_ms per request. Open alerts are
  // left firing in Alertmanager until their endsAt. Idempotent.
  void shutdown();

  // Alerts held: open ones plus resolved ones not yet delivered.
  size_t held_alerts() const;
  // Alerts whose latest state Alertmanager has not acknowledged yet.
  size_t pending_alerts() const;

 private:
  struct Entry {
    AlertContent content;
    Severity severity = Severity::kLow;  // the severity label: the episode's highest
    std::chrono::system_clock::time_point starts_at;
    std::optional<std::chrono::system_clock::time_point> ends_at;  // set once resolved
    std::chrono::steady_clock::time_point due;  // next send
    uint64_t version = 0;       // bumped at every change
    bool acknowledged = false;  // Alertmanager has the current version
    bool maybe_seen = false;    // some version was in a request to Alertmanager
    // Held back by a review decision: sent as resolved (ends_at), kept.
    bool suppressed = false;
    // The decision whose suppression has ended for this episode.
    std::string released_by;
    // The latest transition's facts a suppression verdict reads (no
    // evidence, series or summary: the table stays small).
    Signal basis;
  };
  // What one request carried, to settle the table after it.
  struct Sent {
    std::string key;
    uint64_t version;
    bool resolved;
  };

  AlertmanagerSink(const AlertmanagerOptions& options, AlertMappingOptions mapping,
                   std::unique_ptr<AlertmanagerClient> client, prometheus::Registry& registry,
                   DecisionLookup latest_decision);

  // All *_locked members require mutex_.
  bool apply_locked(const Signal& s, const std::optional<Decision>& latest,
                    std::chrono::system_clock::time_point now_wall,
                    std::chrono::steady_clock::time_point now);
  // Whether `e`'s latest transition is held back by `latest` (and records
  // a suppression that has ended in e.released_by).
  bool held_back_locked(Entry& e, const std::optional<Decision>& latest) const;
  // Asks again for the latest decision of an open or held-back alert that
  // is due, and moves it between firing and held back if that changed.
  void recheck_locked(Entry& e, std::chrono::system_clock::time_point now_wall);
  std::optional<std::chrono::steady_clock::time_point> earliest_due_locked() const;
  // Renders a request body of at most kMaxAlertsPerRequest entries that are
  // due (all unacknowledged ones when `only_unacknowledged`); empty if none.
  std::string take_batch_locked(std::chrono::steady_clock::time_point now, bool only_unacknowledged,
                                std::vector<Sent>& sent);
  void settle_locked(const std::vector<Sent>& sent, const Status& result,
                     std::chrono::steady_clock::time_point now);
  void update_gauges_locked();
  size_t pending_alerts_locked() const;
  Status post(const std::string& body);
  void run();
  void final_flush(std::unique_lock<std::mutex>& lock);

  const AlertmanagerOptions options_;
  const AlertMappingOptions mapping_;
  const std::chrono::seconds resend_interval_;
  const DecisionLookup latest_decision_;
  std::unique_ptr<AlertmanagerClient> client_;  // used by the delivery thread only
  AlertmanagerMetrics metrics_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, Entry> alerts_;  // by signal_id; retired label sets by signal_id@severity
  RetryBackoff backoff_;
  std::optional<std::chrono::steady_clock::time_point> retry_at_;
  std::chrono::steady_clock::time_point failed_at_;  // of the last failed request
  bool stopping_ = false;
  bool stopped_ = false;
  std::thread thread_;
};

// At most this many alerts per request: a bounded body and a bounded time
// holding the lock while rendering it.
inline constexpr size_t kMaxAlertsPerRequest = 256;

}  // namespace vigil
