#include "review/review_store.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <utility>

#include "core/named_values.h"
#include "review/queue_filter.h"
#include "review/review_schema.h"
#include "review/search_text.h"
#include "review/suppression.h"
#include "review/sqlite_statement.h"

namespace vigil {
namespace {

// Distinct query shapes (which filters are set) each keep a prepared
// statement; this bounds how many.
constexpr size_t kMaxCachedQueries = 64;

// Signals added before the query planner's statistics are gathered again.
constexpr size_t kAnalyzeAfter = 1000;

constexpr std::string_view kRowColumns =
    "signal_id, detector, method, period_start, period_end, first_fired, last_fired, latest, "
    "sequence, severity, observed, expected, threshold, orgs, strength, severity_points, spread, "
    "trend, review_state, summary, suppressed";

constexpr std::string_view kDecisionColumns =
    "decision_id, signal_id, state, reason, reviewer, time_ms, until, renotify_multiple, "
    "observed_at_decision";

Error io_error(const std::string& what, const std::exception& e) {
  return make_error(ErrorKind::kIo, what + ": " + e.what());
}

std::optional<SignalType> parse_signal_type(std::string_view text) {
  return parse_enum(text, {SignalType::kRaised, SignalType::kUpdated, SignalType::kResolved});
}

Severity severity_of(int64_t v) {
  return static_cast<Severity>(
      std::clamp<int64_t>(v, 0, static_cast<int64_t>(Severity::kCritical)));
}

// n of "<signal_id>-d<n>"; nullopt for an id of another form.
std::optional<int64_t> decision_ordinal(std::string_view decision_id, std::string_view signal_id) {
  const std::string prefix = std::string(signal_id) + "-d";
  if (!decision_id.starts_with(prefix)) return std::nullopt;
  const std::string_view digits = decision_id.substr(prefix.size());
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || n < 1) return std::nullopt;
  return n;
}

Decision read_decision(SQLite::Statement& st) {
  Decision d;
  d.decision_id = st.getColumn(0).getString();
  d.signal_id = st.getColumn(1).getString();
  d.state = parse_review_state(st.getColumn(2).getString()).value_or(ReviewState::kUnderReview);
  d.reason = st.getColumn(3).getString();
  d.reviewer = st.getColumn(4).getString();
  d.time_ms = st.getColumn(5).getInt64();
  if (!st.getColumn(6).isNull()) d.until = Date{st.getColumn(6).getInt()};
  if (!st.getColumn(7).isNull()) d.renotify_multiple = st.getColumn(7).getDouble();
  d.observed_at_decision = st.getColumn(8).getInt64();
  return d;
}

bool same_decision(const Decision& a, const Decision& b) {
  return a.decision_id == b.decision_id && a.signal_id == b.signal_id && a.state == b.state &&
         a.reason == b.reason && a.reviewer == b.reviewer && a.time_ms == b.time_ms &&
         a.until == b.until && a.renotify_multiple == b.renotify_multiple &&
         a.observed_at_decision == b.observed_at_decision;
}

}  // namespace

struct ReviewStore::Impl {
  Impl(const std::string& path, const ReferenceNames& reference)
      : names(reference), db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE) {}

  // One prepared statement per SQL text of this file (a fixed set).
  StatementUse statement(const std::string& sql) { return use(statements, sql); }
  // The queue's statements, one per shape of filters: a bounded cache. A
  // use must end before the next query_statement() call.
  StatementUse query_statement(const std::string& sql) {
    if (query_statements.size() >= kMaxCachedQueries && !query_statements.contains(sql)) {
      query_statements.clear();
    }
    return use(query_statements, sql);
  }
  StatementUse use(std::map<std::string, std::unique_ptr<SQLite::Statement>>& cache,
                   const std::string& sql) {
    auto it = cache.find(sql);
    if (it == cache.end()) {
      it = cache.emplace(sql, std::make_unique<SQLite::Statement>(db, sql)).first;
    } else {
      it->second->clearBindings();
    }
    return StatementUse(*it->second);
  }

  std::vector<KeyPart> key_of(const std::string& signal_id) {
    auto st =
        statement("SELECT dimension, value FROM key_parts WHERE signal_id = ? ORDER BY position");
    st->bind(1, signal_id);
    std::vector<KeyPart> key;
    while (st->executeStep())
      key.emplace_back(st->getColumn(0).getString(), st->getColumn(1).getString());
    return key;
  }

  // Reads one row of kRowColumns (the statement stands on it).
  SignalRow read_row(SQLite::Statement& st) {
    SignalRow r;
    r.signal_id = st.getColumn(0).getString();
    r.detector = st.getColumn(1).getString();
    r.method = st.getColumn(2).getString();
    r.period_start = Date{st.getColumn(3).getInt()};
    r.period_end = Date{st.getColumn(4).getInt()};
    r.first_fired = Date{st.getColumn(5).getInt()};
    r.last_fired = Date{st.getColumn(6).getInt()};
    r.latest = parse_signal_type(st.getColumn(7).getString()).value_or(SignalType::kRaised);
    r.sequence = static_cast<uint32_t>(st.getColumn(8).getInt64());
    r.severity = severity_of(st.getColumn(9).getInt64());
    r.observed = st.getColumn(10).getInt64();
    r.expected = real_or_nan(st.getColumn(11));
    r.threshold = real_or_nan(st.getColumn(12));
    r.orgs = st.getColumn(13).getInt64();
    r.priority.strength = st.getColumn(14).getDouble();
    r.priority.severity = st.getColumn(15).getDouble();
    r.priority.spread = st.getColumn(16).getDouble();
    r.priority.trend = st.getColumn(17).getDouble();
    const Date now = stream_time.value_or(r.last_fired);
    r.priority.recency = -kRecencyPointsPerDay * static_cast<double>(now.days - r.last_fired.days);
    r.priority.total = r.priority.strength + r.priority.severity + r.priority.spread +
                       r.priority.trend + r.priority.recency;
    r.state = parse_review_state(st.getColumn(18).getString()).value_or(ReviewState::kNew);
    r.summary = st.getColumn(19).getString();
    r.suppressed = st.getColumn(20).getInt() != 0;
    return r;
  }

  // add_signal's work, inside the caller's transaction. Throws
  // SQLite::Exception.
  void add(const Signal& s, std::string_view cloudevent_json) {
    {
      auto st = statement(
          "INSERT OR IGNORE INTO lifecycle (signal_id, sequence, type, fired_at, observed, "
          "severity)"
          " VALUES (?, ?, ?, ?, ?, ?)");
      st->bind(1, s.signal_id);
      st->bind(2, static_cast<int64_t>(s.sequence));
      st->bind(3, std::string(to_string(s.type)));
      st->bind(4, s.fired_at.days);
      st->bind(5, s.observed);
      st->bind(6, static_cast<int>(s.severity));
      if (st->exec() == 0) return;  // this transition is already held
    }
    std::optional<int64_t> held_sequence;
    {
      auto st = statement("SELECT sequence FROM signals WHERE signal_id = ?");
      st->bind(1, s.signal_id);
      if (st->executeStep()) held_sequence = st->getColumn(0).getInt64();
    }
    if (held_sequence && *held_sequence > static_cast<int64_t>(s.sequence)) {
      // An older transition arriving late: it only adds to the lifecycle.
      auto st =
          statement("UPDATE signals SET first_fired = min(first_fired, ?) WHERE signal_id = ?");
      st->bind(1, s.fired_at.days);
      st->bind(2, s.signal_id);
      st->exec();
    } else {
      const PriorityParts parts = priority_of(s, s.fired_at);
      auto st = statement(
          "INSERT INTO signals (signal_id, detector, method, period_start, period_end,"
          " first_fired, last_fired, latest, is_open, sequence, severity, observed, expected,"
          " threshold, orgs, strength, severity_points, spread, trend, rank_key, review_state,"
          " summary)"
          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
          " ?17, ?18, ?19, coalesce((SELECT state FROM decisions WHERE signal_id = ?1"
          " ORDER BY ordinal DESC LIMIT 1), 'new'), ?20)"
          " ON CONFLICT (signal_id) DO UPDATE SET detector = excluded.detector,"
          " method = excluded.method, period_start = excluded.period_start,"
          " period_end = excluded.period_end, first_fired = min(first_fired, excluded.first_fired),"
          " last_fired = excluded.last_fired, latest = excluded.latest,"
          " is_open = excluded.is_open, sequence = excluded.sequence,"
          " severity = excluded.severity, observed = excluded.observed,"
          " expected = excluded.expected, threshold = excluded.threshold, orgs = excluded.orgs,"
          " strength = excluded.strength, severity_points = excluded.severity_points,"
          " spread = excluded.spread, trend = excluded.trend, rank_key = excluded.rank_key,"
          " summary = excluded.summary");
      st->bind(1, s.signal_id);
      st->bind(2, s.detector);
      st->bind(3, s.method);
      st->bind(4, s.period_start.days);
      st->bind(5, s.period_end.days);
      st->bind(6, s.fired_at.days);
      st->bind(7, std::string(to_string(s.type)));
      st->bind(8, s.type == SignalType::kResolved ? 0 : 1);
      st->bind(9, static_cast<int64_t>(s.sequence));
      st->bind(10, static_cast<int>(s.severity));
      st->bind(11, s.observed);
      bind_real(*st, 12, s.expected);
      bind_real(*st, 13, s.threshold);
      st->bind(14, s.evidence_orgs);
      st->bind(15, parts.strength);
      st->bind(16, parts.severity);
      st->bind(17, parts.spread);
      st->bind(18, parts.trend);
      st->bind(19, rank_key(s));
      st->bind(20, s.summary);
      st->exec();
      if (!held_sequence) add_search_text(db.getLastInsertRowid(), s.key);

      auto event = statement("INSERT OR REPLACE INTO events (signal_id, cloudevent) VALUES (?, ?)");
      event->bind(1, s.signal_id);
      event->bind(2, std::string(cloudevent_json));
      event->exec();

      for (size_t i = 0; i < s.key.size(); ++i) {
        auto part = statement(
            "INSERT OR IGNORE INTO key_parts (signal_id, position, dimension, value)"
            " VALUES (?, ?, ?, ?)");
        part->bind(1, s.signal_id);
        part->bind(2, static_cast<int64_t>(i));
        part->bind(3, s.key[i].first);
        part->bind(4, s.key[i].second);
        part->exec();
      }
    }
    refresh_suppression(s.signal_id);
    if (!pending_stream_time || *pending_stream_time < s.fired_at) pending_stream_time = s.fired_at;
  }

  // Whether the latest decision holds the signal back from the queue's
  // default view, judged on its latest transition as the Alertmanager sink
  // judges each one: once a material change or the decision's date has
  // lifted the hold, it stays lifted for that decision, even if the count
  // falls back, until a reviewer decides again.
  void refresh_suppression(const std::string& signal_id) {
    Signal latest;
    std::optional<std::string> lifted_for;
    {
      auto st = statement(
          "SELECT latest, observed, last_fired, lifted_for FROM signals WHERE signal_id = ?");
      st->bind(1, signal_id);
      if (!st->executeStep()) return;  // the signal has not arrived yet
      latest.signal_id = signal_id;
      latest.type = parse_signal_type(st->getColumn(0).getString()).value_or(SignalType::kRaised);
      latest.observed = st->getColumn(1).getInt64();
      latest.fired_at = Date{st->getColumn(2).getInt()};
      if (!st->getColumn(3).isNull()) lifted_for = st->getColumn(3).getString();
    }
    const auto decision = latest_decision(signal_id);
    bool suppressed = false;
    if (decision && lifted_for != decision->decision_id) {
      const NotifyVerdict verdict = notify_verdict(decision, latest);
      suppressed = verdict == NotifyVerdict::kSuppressed;
      if (verdict == NotifyVerdict::kMaterialChange || verdict == NotifyVerdict::kSuppressionEnded) {
        lifted_for = decision->decision_id;
      }
    }
    auto st = statement("UPDATE signals SET suppressed = ?, lifted_for = ? WHERE signal_id = ?");
    st->bind(1, suppressed ? 1 : 0);
    if (lifted_for) {
      st->bind(2, *lifted_for);
    } else {
      st->bind(2);
    }
    st->bind(3, signal_id);
    st->exec();
  }

  // The planner chooses between the indexes (queue order, state, key parts)
  // by their statistics, so they are gathered again whenever the store has
  // grown by half since the last time. analysis_limit keeps that to a few
  // milliseconds at any size.
  void analyze_when_grown() noexcept {
    if (added_since_analyze < kAnalyzeAfter || added_since_analyze < analyzed_rows / 2) return;
    try {
      db.exec("ANALYZE");
    } catch (const std::exception&) {
      return;  // the statistics only guide the planner: the queries still answer without
    }
    analyzed_rows += added_since_analyze;
    added_since_analyze = 0;
  }

  std::optional<Decision> latest_decision(const std::string& signal_id) {
    auto st = statement("SELECT " + std::string(kDecisionColumns) +
                        " FROM decisions WHERE signal_id = ?"
                        " ORDER BY ordinal DESC LIMIT 1");
    st->bind(1, signal_id);
    if (!st->executeStep()) return std::nullopt;
    return read_decision(*st);
  }

  // The review state of a stored signal follows its latest decision.
  void refresh_review_state(const std::string& signal_id) {
    const auto latest = latest_decision(signal_id);
    auto st = statement("UPDATE signals SET review_state = ? WHERE signal_id = ?");
    st->bind(1, std::string(to_string(latest ? latest->state : ReviewState::kNew)));
    st->bind(2, signal_id);
    st->exec();
  }

  void add_search_text(int64_t rowid, const std::vector<KeyPart>& key) {
    auto st = statement("INSERT INTO signal_search (rowid, text) VALUES (?, ?)");
    st->bind(1, rowid);
    st->bind(2, search_text(key, names));
    st->exec();
  }

  // Rebuilds every signal's search text when the reference names differ from
  // the ones it was built with.
  void refresh_search_text() {
    const std::string fingerprint = std::to_string(names.fingerprint());
    {
      auto st = statement("SELECT value FROM meta WHERE name = 'names'");
      if (st->executeStep() && st->getColumn(0).getString() == fingerprint) return;
    }
    SQLite::Transaction tx(db);
    std::vector<std::pair<int64_t, std::string>> rows;
    {
      SQLite::Statement all(db, "SELECT id, signal_id FROM signals");
      while (all.executeStep())
        rows.emplace_back(all.getColumn(0).getInt64(), all.getColumn(1).getString());
    }
    db.exec("DELETE FROM signal_search");
    for (const auto& [rowid, id] : rows) add_search_text(rowid, key_of(id));
    auto st = statement("INSERT OR REPLACE INTO meta (name, value) VALUES ('names', ?)");
    st->bind(1, fingerprint);
    st->exec();
    tx.commit();
  }

  void check_schema_version() {
    auto st = statement("SELECT value FROM meta WHERE name = 'schema_version'");
    if (st->executeStep()) {
      const int version = std::stoi(st->getColumn(0).getString());
      if (version > kReviewSchemaVersion) {
        throw std::runtime_error("written by a newer version of Vigil (schema " +
                                 std::to_string(version) + ")");
      }
      return;
    }
    auto set = statement("INSERT INTO meta (name, value) VALUES ('schema_version', ?)");
    set->bind(1, std::to_string(kReviewSchemaVersion));
    set->exec();
  }

  void load_stream_time() {
    auto st = statement("SELECT max(fired_at) FROM lifecycle");
    if (st->executeStep() && !st->getColumn(0).isNull())
      stream_time = Date{st->getColumn(0).getInt()};
  }

  const ReferenceNames& names;
  SQLite::Database db;
  std::map<std::string, std::unique_ptr<SQLite::Statement>> statements;
  std::map<std::string, std::unique_ptr<SQLite::Statement>> query_statements;
  std::optional<Date> stream_time;
  std::optional<Date> pending_stream_time;  // during add_signals, until it commits
  size_t added_since_analyze = 0;
  size_t analyzed_rows = 0;
  std::mutex mu;
};

ReviewStore::ReviewStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ReviewStore::~ReviewStore() = default;

Result<std::unique_ptr<ReviewStore>> ReviewStore::open(const std::string& path,
                                                       const ReferenceNames& names) {
  if (path != ":memory:") {
    std::error_code ec;
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) {
      return make_error(ErrorKind::kIo, "review store " + path + ": cannot create " +
                                            parent.string() + ": " + ec.message());
    }
  }
  try {
    auto impl = std::make_unique<Impl>(path, names);
    impl->db.setBusyTimeout(5000);
    create_review_schema(impl->db);
    impl->check_schema_version();
    impl->refresh_search_text();
    impl->load_stream_time();
    impl->db.exec("PRAGMA analysis_limit=1000");
    impl->added_since_analyze = impl->db.execAndGet("SELECT count(*) FROM signals").getInt64();
    impl->analyze_when_grown();
    return std::unique_ptr<ReviewStore>(new ReviewStore(std::move(impl)));
  } catch (const std::exception& e) {
    return io_error("review store " + path, e);
  }
}

Status ReviewStore::add_signal(const Signal& s, std::string_view cloudevent_json) {
  std::vector<SignalEvent> one;
  one.push_back(SignalEvent{s, std::string(cloudevent_json)});
  return add_signals(one);
}

Status ReviewStore::add_signals(const std::vector<SignalEvent>& events) {
  for (const SignalEvent& e : events) {
    if (e.signal.signal_id.empty()) {
      return make_error(ErrorKind::kInvalidArgument, "signal without an id");
    }
  }
  std::lock_guard lock(impl_->mu);
  try {
    impl_->pending_stream_time = impl_->stream_time;
    SQLite::Transaction tx(impl_->db);
    for (const SignalEvent& e : events) impl_->add(e.signal, e.cloudevent_json);
    tx.commit();
    impl_->stream_time = impl_->pending_stream_time;
    impl_->added_since_analyze += events.size();
    impl_->analyze_when_grown();
    return Status::ok();
  } catch (const std::exception& e) {
    return io_error("review store: signals", e);
  }
}

Result<Decision> ReviewStore::prepare_decision(std::string_view signal_id,
                                               const DecisionRequest& request,
                                               std::string_view reviewer, int64_t time_ms) const {
  if (reviewer.empty() || reviewer.size() > kMaxReviewerBytes) {
    return make_error(ErrorKind::kInvalidArgument,
                      "reviewer: must be 1 to " + std::to_string(kMaxReviewerBytes) + " bytes");
  }
  std::lock_guard lock(impl_->mu);
  try {
    const std::string id(signal_id);
    Decision d;
    ReviewState current = ReviewState::kNew;
    {
      auto st = impl_->statement("SELECT review_state, observed FROM signals WHERE signal_id = ?");
      st->bind(1, id);
      if (!st->executeStep()) return make_error(ErrorKind::kNotFound, "no signal " + id);
      current = parse_review_state(st->getColumn(0).getString()).value_or(ReviewState::kNew);
      d.observed_at_decision = st->getColumn(1).getInt64();
    }
    if (Status allowed = check_review_transition(current, request.state); !allowed) {
      return allowed.error();
    }
    int64_t next = 1;
    {
      auto st = impl_->statement(
          "SELECT coalesce(max(ordinal), 0) + 1 FROM decisions WHERE signal_id = ?");
      st->bind(1, id);
      if (st->executeStep()) next = st->getColumn(0).getInt64();
    }
    d.decision_id = id + "-d" + std::to_string(next);
    d.signal_id = id;
    d.state = request.state;
    d.reason = request.reason;
    d.reviewer = std::string(reviewer);
    d.time_ms = time_ms;
    d.until = request.until;
    d.renotify_multiple = request.renotify_multiple;
    return d;
  } catch (const std::exception& e) {
    return io_error("review store: decision on " + std::string(signal_id), e);
  }
}

Status ReviewStore::apply_decision(const Decision& d) {
  if (d.decision_id.empty() || d.signal_id.empty()) {
    return make_error(ErrorKind::kInvalidArgument, "decision without decision_id or signal_id");
  }
  std::lock_guard lock(impl_->mu);
  try {
    SQLite::Transaction tx(impl_->db);
    {
      auto st = impl_->statement("SELECT " + std::string(kDecisionColumns) +
                                 " FROM decisions WHERE decision_id = ?");
      st->bind(1, d.decision_id);
      if (st->executeStep()) {
        if (same_decision(read_decision(*st), d)) return Status::ok();
        // Two reviewers prepared the same next decision at once: the second
        // must prepare again, against the state the first one left.
        return make_error(ErrorKind::kInvalidArgument,
                          "decision " + d.decision_id + " is already stored with other content");
      }
    }
    int64_t ordinal = 0;
    if (auto n = decision_ordinal(d.decision_id, d.signal_id)) {
      ordinal = *n;
    } else {
      // An id of another form: after every decision already held.
      auto st = impl_->statement(
          "SELECT coalesce(max(ordinal), 0) + 1 FROM decisions WHERE signal_id = ?");
      st->bind(1, d.signal_id);
      if (st->executeStep()) ordinal = st->getColumn(0).getInt64();
    }
    auto st = impl_->statement(
        "INSERT INTO decisions (decision_id, signal_id, ordinal, state, reason, reviewer, time_ms,"
        " until, renotify_multiple, observed_at_decision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st->bind(1, d.decision_id);
    st->bind(2, d.signal_id);
    st->bind(3, ordinal);
    st->bind(4, std::string(to_string(d.state)));
    st->bind(5, d.reason);
    st->bind(6, d.reviewer);
    st->bind(7, d.time_ms);
    if (d.until) {
      st->bind(8, d.until->days);
    } else {
      st->bind(8);
    }
    if (d.renotify_multiple) {
      bind_real(*st, 9, *d.renotify_multiple);
    } else {
      st->bind(9);
    }
    st->bind(10, d.observed_at_decision);
    st->exec();
    impl_->refresh_review_state(d.signal_id);  // no row yet: applied when the signal arrives
    impl_->refresh_suppression(d.signal_id);
    tx.commit();
    return Status::ok();
  } catch (const std::exception& e) {
    return io_error("review store: decision " + d.decision_id, e);
  }
}

Result<SignalPage> ReviewStore::query(const SignalQuery& q) const {
  auto filter = queue_filter(q);
  if (!filter) return filter.error();
  const std::string& where = filter.value().where;
  const std::vector<SqlValue>& bindings = filter.value().values;
  const size_t limit = std::min(q.limit, kMaxPageSize);

  std::lock_guard lock(impl_->mu);
  try {
    SignalPage page;
    {
      auto st = impl_->query_statement("SELECT count(*) FROM signals" + where);
      bind_all(*st, bindings);
      if (st->executeStep()) page.total = static_cast<size_t>(st->getColumn(0).getInt64());
    }
    if (limit == 0 || q.offset >= page.total) return page;
    auto st = impl_->query_statement("SELECT " + std::string(kRowColumns) + " FROM signals" +
                                     where + " ORDER BY rank_key DESC, signal_id LIMIT ? OFFSET ?");
    bind_all(*st, bindings);
    st->bind(static_cast<int>(bindings.size() + 1), static_cast<int64_t>(limit));
    st->bind(static_cast<int>(bindings.size() + 2), static_cast<int64_t>(q.offset));
    while (st->executeStep()) page.rows.push_back(impl_->read_row(*st));
    for (SignalRow& row : page.rows) row.key = impl_->key_of(row.signal_id);
    return page;
  } catch (const std::exception& e) {
    return io_error("review store: query", e);
  }
}

Result<SignalDetail> ReviewStore::get(std::string_view signal_id) const {
  const std::string id(signal_id);
  std::lock_guard lock(impl_->mu);
  try {
    SignalDetail detail;
    {
      auto st = impl_->statement("SELECT " + std::string(kRowColumns) +
                                 " FROM signals WHERE signal_id = ?");
      st->bind(1, id);
      if (!st->executeStep()) return make_error(ErrorKind::kNotFound, "no signal " + id);
      detail.row = impl_->read_row(*st);
    }
    detail.row.key = impl_->key_of(id);
    {
      auto st = impl_->statement("SELECT cloudevent FROM events WHERE signal_id = ?");
      st->bind(1, id);
      if (st->executeStep()) detail.cloudevent = st->getColumn(0).getString();
    }
    {
      auto st = impl_->statement(
          "SELECT type, sequence, fired_at, observed, severity FROM lifecycle"
          " WHERE signal_id = ? ORDER BY sequence");
      st->bind(1, id);
      while (st->executeStep()) {
        LifecycleStep step;
        step.type = parse_signal_type(st->getColumn(0).getString()).value_or(SignalType::kRaised);
        step.sequence = static_cast<uint32_t>(st->getColumn(1).getInt64());
        step.fired_at = Date{st->getColumn(2).getInt()};
        step.observed = st->getColumn(3).getInt64();
        step.severity = severity_of(st->getColumn(4).getInt64());
        detail.lifecycle.push_back(step);
      }
    }
    {
      auto st = impl_->statement("SELECT " + std::string(kDecisionColumns) +
                                 " FROM decisions WHERE signal_id = ?"
                                 " ORDER BY ordinal");
      st->bind(1, id);
      while (st->executeStep()) detail.decisions.push_back(read_decision(*st));
    }
    return detail;
  } catch (const std::exception& e) {
    return io_error("review store: signal " + id, e);
  }
}

std::optional<Decision> ReviewStore::latest_decision(std::string_view signal_id) const {
  std::lock_guard lock(impl_->mu);
  try {
    return impl_->latest_decision(std::string(signal_id));
  } catch (const std::exception&) {
    return std::nullopt;  // a store that cannot be read holds no decision to honour
  }
}

std::optional<Date> ReviewStore::stream_time() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stream_time;
}

size_t ReviewStore::signal_count() const {
  std::lock_guard lock(impl_->mu);
  try {
    auto st = impl_->statement("SELECT count(*) FROM signals");
    return st->executeStep() ? static_cast<size_t>(st->getColumn(0).getInt64()) : 0;
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace vigil
