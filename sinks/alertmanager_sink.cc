#include "sinks/alertmanager_sink.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>

#include "review/suppression.h"

namespace vigil {

using std::chrono::steady_clock;
using std::chrono::system_clock;

namespace {

// What a suppression verdict reads of a transition, without the parts that
// make a signal large (evidence ids, strata, series, funnel, summary).
Signal verdict_basis(const Signal& s) {
  Signal b;
  b.type = s.type;
  b.signal_id = s.signal_id;
  b.sequence = s.sequence;
  b.detector = s.detector;
  b.method = s.method;
  b.period_start = s.period_start;
  b.period_end = s.period_end;
  b.fired_at = s.fired_at;
  b.observed = s.observed;
  b.expected = s.expected;
  b.threshold = s.threshold;
  b.score = s.score;
  b.severity = s.severity;
  b.evidence_count = s.evidence_count;
  b.evidence_orgs = s.evidence_orgs;
  return b;
}

}  // namespace

Result<std::unique_ptr<AlertmanagerSink>> AlertmanagerSink::create(const AlertmanagerOptions& options,
                                                                   std::string pipeline_name,
                                                                   prometheus::Registry& registry,
                                                                   DecisionLookup latest_decision) {
  if (options.resend_interval_seconds == 0) {
    return make_error(ErrorKind::kInvalidArgument, "alertmanager.resend_interval_seconds: must be at least 1");
  }
  if (options.max_alerts == 0) {
    return make_error(ErrorKind::kInvalidArgument, "alertmanager.max_alerts: must be at least 1");
  }
  for (const auto& [name, value] : options.labels) {
    if (!is_valid_label_name(name) || is_reserved_alert_label(name) || value.empty()) {
      return make_error(ErrorKind::kInvalidArgument,
                        "alertmanager.labels." + name + ": must be a valid, unreserved label name "
                        "with a value");
    }
  }
  auto client = AlertmanagerClient::create(options);
  if (!client) return client.error();
  AlertMappingOptions mapping;
  mapping.pipeline_name = std::move(pipeline_name);
  mapping.static_labels = options.labels;
  mapping.generator_url = options.generator_url;
  std::unique_ptr<AlertmanagerSink> sink(
      new AlertmanagerSink(options, std::move(mapping), std::move(client).value(), registry,
                           std::move(latest_decision)));
  sink->thread_ = std::thread([s = sink.get()] { s->run(); });
  return sink;
}

AlertmanagerSink::AlertmanagerSink(const AlertmanagerOptions& options, AlertMappingOptions mapping,
                                   std::unique_ptr<AlertmanagerClient> client,
                                   prometheus::Registry& registry, DecisionLookup latest_decision)
    : options_(options),
      mapping_(std::move(mapping)),
      resend_interval_(options.resend_interval_seconds),
      latest_decision_(std::move(latest_decision)),
      client_(std::move(client)),
      metrics_(registry),
      backoff_(std::chrono::milliseconds(options.retry_initial_backoff_ms),
               std::chrono::milliseconds(options.retry_max_backoff_ms), std::random_device{}()) {}

AlertmanagerSink::~AlertmanagerSink() { shutdown(); }

Status AlertmanagerSink::deliver(std::span<const Signal> signals) {
  if (signals.empty()) return Status::ok();
  // Asked before the lock is taken, so a slow lookup never holds up the
  // delivery thread.
  std::vector<std::optional<Decision>> latest(signals.size());
  if (latest_decision_) {
    for (size_t i = 0; i < signals.size(); ++i) latest[i] = latest_decision_(signals[i].signal_id);
  }
  size_t dropped = 0;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return Status::ok();
    const auto now_wall = system_clock::now();
    const auto now = steady_clock::now();
    for (size_t i = 0; i < signals.size(); ++i) {
      if (!apply_locked(signals[i], latest[i], now_wall, now)) ++dropped;
    }
    update_gauges_locked();
    // Waiting out a backoff: new transitions end the wait once the initial
    // backoff has passed since the failed attempt (see the header).
    if (retry_at_ && dropped < signals.size()) {
      const auto earliest = failed_at_ + std::chrono::milliseconds(options_.retry_initial_backoff_ms);
      retry_at_ = std::min(*retry_at_, std::max(now, earliest));
    }
  }
  wake_.notify_one();
  if (dropped == 0) return Status::ok();
  return make_error(ErrorKind::kUnavailable,
                    "alertmanager sink full (alertmanager.max_alerts " +
                        std::to_string(options_.max_alerts) + "): dropped " +
                        std::to_string(dropped) + " signal transition(s)");
}

bool AlertmanagerSink::held_back_locked(Entry& e, const std::optional<Decision>& latest) const {
  switch (notify_verdict(latest, e.basis)) {
    case NotifyVerdict::kNotify:
      return false;
    case NotifyVerdict::kSuppressed:
      // Unless this very decision's suppression already ended for the episode.
      return latest->decision_id != e.released_by;
    case NotifyVerdict::kMaterialChange:
    case NotifyVerdict::kSuppressionEnded:
      e.released_by = latest->decision_id;
      return false;
  }
  return false;
}

bool AlertmanagerSink::apply_locked(const Signal& s, const std::optional<Decision>& latest,
                                    system_clock::time_point now_wall, steady_clock::time_point now) {
  const bool resolved = s.type == SignalType::kResolved;
  auto it = alerts_.find(s.signal_id);
  if (it == alerts_.end()) {
    if (alerts_.size() >= options_.max_alerts) {
      metrics_.dropped_queue_full.Increment();
      return false;
    }
    // First sight of the episode: its raise, or (after a restart) a later
    // transition. Alertmanager keeps the earlier startsAt of an alert it
    // still holds, so `now` is right in both cases.
    Entry e;
    e.severity = s.severity;
    e.content = make_alert_content(s, s.severity, mapping_);
    e.basis = verdict_basis(s);
    e.starts_at = now_wall;
    // Held back at first sight: resolved, in case Alertmanager still holds
    // it from before a restart (resolving an alert it never saw is harmless).
    e.suppressed = !resolved && held_back_locked(e, latest);
    if (resolved || e.suppressed) e.ends_at = now_wall;
    e.due = now;
    e.version = 1;
    alerts_.emplace(s.signal_id, std::move(e));
    return true;
  }

  Entry& e = it->second;
  const Severity label = std::max(e.severity, s.severity);
  if (label != e.severity && e.maybe_seen && !e.ends_at) {
    // A new severity label is a new alert to Alertmanager: resolve the old
    // label set so it does not linger until its endsAt. Severity only rises
    // within an episode, so each level is retired at most once.
    std::string retired_key = s.signal_id + "@" + std::string(to_string(e.severity));
    if (alerts_.size() >= options_.max_alerts) {
      metrics_.dropped_queue_full.Increment();  // it lapses at its endsAt instead
    } else {
      Entry retired;
      retired.content = e.content;
      retired.severity = e.severity;
      retired.starts_at = e.starts_at;
      retired.ends_at = now_wall;
      retired.due = now;
      retired.version = 1;
      retired.maybe_seen = true;
      alerts_.insert_or_assign(std::move(retired_key), std::move(retired));
    }
  }
  e.severity = label;
  e.content = make_alert_content(s, label, mapping_);
  e.basis = verdict_basis(s);
  const bool held = !resolved && held_back_locked(e, latest);
  if (held && e.suppressed) return true;  // resolved in Alertmanager already: nothing to send
  if (resolved || held) {
    e.ends_at = now_wall;
  } else {
    if (e.suppressed) e.starts_at = now_wall;  // a new alert to Alertmanager
    e.ends_at.reset();
  }
  e.suppressed = held;
  e.due = now;
  ++e.version;
  e.acknowledged = false;
  return true;
}

void AlertmanagerSink::recheck_locked(Entry& e, system_clock::time_point now_wall) {
  const bool held = held_back_locked(e, latest_decision_(e.basis.signal_id));
  if (held == e.suppressed) return;
  e.suppressed = held;
  if (held) {
    e.ends_at = now_wall;
  } else {
    e.starts_at = now_wall;
    e.ends_at.reset();
  }
  ++e.version;
  e.acknowledged = false;
}

std::optional<steady_clock::time_point> AlertmanagerSink::earliest_due_locked() const {
  std::optional<steady_clock::time_point> earliest;
  for (const auto& [key, e] : alerts_) {
    if (!earliest || e.due < *earliest) earliest = e.due;
  }
  return earliest;
}

std::string AlertmanagerSink::take_batch_locked(steady_clock::time_point now, bool only_unacknowledged,
                                                std::vector<Sent>& sent) {
  sent.clear();
  const auto now_wall = system_clock::now();
  const auto firing_until = now_wall + resend_interval_ * kEndsAtResendMultiple;
  JsonWriter w;
  w.begin_array();
  for (auto& [key, e] : alerts_) {
    if (sent.size() == kMaxAlertsPerRequest) break;
    if (only_unacknowledged ? e.acknowledged : e.due > now) continue;
    // A decision may have come or gone since the alert was last sent (a
    // resolved alert, including a retired label set, is past asking).
    if (!only_unacknowledged && latest_decision_ && (!e.ends_at || e.suppressed)) {
      recheck_locked(e, now_wall);
      if (e.suppressed && e.acknowledged) {
        e.due = now + resend_interval_;  // ask again then; nothing to send
        continue;
      }
    }
    const auto ends_at = e.ends_at.value_or(firing_until);
    // Alertmanager refuses an alert that ends before it starts, which only a
    // wall clock stepped backwards could cause.
    append_postable_alert(w, e.content, std::min(e.starts_at, ends_at), ends_at);
    sent.push_back({key, e.version, e.ends_at.has_value()});
    // From here Alertmanager may hold this label set, even if the answer
    // never comes back or a newer transition overtakes it in flight, so a
    // later severity rise must resolve it (resolving a label set it never
    // saw is harmless).
    e.maybe_seen = true;
  }
  if (sent.empty()) return {};
  w.end_array();
  return std::move(w).take();
}

void AlertmanagerSink::settle_locked(const std::vector<Sent>& sent, const Status& result,
                                     steady_clock::time_point now) {
  if (result.is_ok()) {
    metrics_.sends_success.Increment();
    if (backoff_.failures() > 0) {
      spdlog::info("alertmanager {}: delivering again after {} failed attempt(s)", redact_url_credentials(client_->endpoint()),
                   backoff_.failures());
    }
    backoff_.reset();
    retry_at_.reset();
  } else if (result.error().kind == ErrorKind::kUnavailable) {
    metrics_.sends_error.Increment();
    const auto delay = backoff_.next_delay();
    failed_at_ = now;
    retry_at_ = now + delay;
    spdlog::warn("{} (attempt {}; retrying in {} ms; {} alert(s) waiting)", result.message(),
                 backoff_.failures(), delay.count(), alerts_.size());
    update_gauges_locked();
    return;
  } else {
    metrics_.sends_rejected.Increment();
    spdlog::error("{} ({} alert(s) in the request; not retried)", result.message(), sent.size());
    backoff_.reset();
    retry_at_.reset();
  }

  for (const Sent& s : sent) {
    if (result.is_ok()) {
      (s.resolved ? metrics_.alerts_sent_resolved : metrics_.alerts_sent_firing).Increment();
    }
    auto it = alerts_.find(s.key);
    // Changed while the request was in flight: it is due again as it is.
    if (it == alerts_.end() || it->second.version != s.version) continue;
    Entry& e = it->second;
    if (s.resolved && !e.suppressed) {
      if (!result.is_ok()) metrics_.dropped_rejected.Increment();
      alerts_.erase(it);
      continue;
    }
    e.acknowledged = result.is_ok();
    e.due = now + resend_interval_;
  }
  update_gauges_locked();
}

void AlertmanagerSink::update_gauges_locked() {
  size_t open = 0, pending = 0, suppressed = 0;
  for (const auto& [key, e] : alerts_) {
    if (!e.ends_at) ++open;
    if (!e.acknowledged) ++pending;
    if (e.suppressed) ++suppressed;
  }
  metrics_.open_alerts.Set(static_cast<double>(open));
  metrics_.suppressed_alerts.Set(static_cast<double>(suppressed));
  metrics_.queue_depth.Set(static_cast<double>(pending));
}

Status AlertmanagerSink::post(const std::string& body) {
  const auto start = steady_clock::now();
  Status result = client_->post_alerts(body);
  metrics_.send_seconds.Observe(std::chrono::duration<double>(steady_clock::now() - start).count());
  return result;
}

void AlertmanagerSink::run() {
  std::unique_lock lock(mutex_);
  std::vector<Sent> sent;
  while (!stopping_) {
    const auto now = steady_clock::now();
    if (retry_at_ && *retry_at_ > now) {
      wake_.wait_until(lock, *retry_at_);
      continue;
    }
    const auto due = earliest_due_locked();
    if (!due) {
      wake_.wait(lock);
      continue;
    }
    if (*due > now) {
      wake_.wait_until(lock, *due);
      continue;
    }
    const std::string body = take_batch_locked(now, false, sent);
    if (body.empty()) {  // every due alert was held back: their next look is scheduled
      update_gauges_locked();
      continue;
    }
    lock.unlock();
    const Status result = post(body);
    lock.lock();
    settle_locked(sent, result, steady_clock::now());
  }
  final_flush(lock);
}

void AlertmanagerSink::final_flush(std::unique_lock<std::mutex>& lock) {
  std::vector<Sent> sent;
  // Each successful round acknowledges or removes every entry it carried.
  const size_t max_rounds = alerts_.size() / kMaxAlertsPerRequest + 1;
  for (size_t round = 0; round < max_rounds; ++round) {
    const std::string body = take_batch_locked(steady_clock::now(), true, sent);
    if (body.empty()) return;
    lock.unlock();
    const Status result = post(body);
    lock.lock();
    settle_locked(sent, result, steady_clock::now());
    if (!result.is_ok()) {
      spdlog::warn("alertmanager {}: {} alert state(s) not delivered at shutdown; the signals "
                   "topic has them",
                   redact_url_credentials(client_->endpoint()), pending_alerts_locked());
      return;
    }
  }
}

size_t AlertmanagerSink::pending_alerts_locked() const {
  size_t pending = 0;
  for (const auto& [key, e] : alerts_) pending += e.acknowledged ? 0 : 1;
  return pending;
}

void AlertmanagerSink::shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  stopped_ = true;
}

size_t AlertmanagerSink::held_alerts() const {
  std::lock_guard lock(mutex_);
  return alerts_.size();
}

size_t AlertmanagerSink::pending_alerts() const {
  std::lock_guard lock(mutex_);
  return pending_alerts_locked();
}

}  // namespace vigil
