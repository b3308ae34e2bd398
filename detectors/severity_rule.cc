#include "detectors/severity_rule.h"

#include <algorithm>
#include <iterator>
#include <limits>

#include "state/key_encoding.h"

namespace vigil {

Result<std::unique_ptr<SeverityRule>> SeverityRule::create(SeverityRuleConfig config,
                                                           int32_t partition, ColumnFamilyId cf) {
  if (config.group_days < 1 || config.resolve_after_days < 0 ||
      config.retain_days < config.resolve_after_days) {
    return config_error(config.name,
                        "needs group_days >= 1 and retain_days >= resolve_after_days >= 0");
  }
  if (std::find(config.group_by.begin(), config.group_by.end(), Dimension::kOrg) ==
      config.group_by.end()) {
    return config_error(config.name, "group_by must include org (one signal per organisation)");
  }
  if (config.min_physical_harm == PhysicalHarm::kUnknown && !config.never_events) {
    return config_error(config.name, "matches nothing (no harm level, no never events)");
  }
  return std::unique_ptr<SeverityRule>(new SeverityRule(std::move(config), partition, cf));
}

SeverityRule::SeverityRule(SeverityRuleConfig config, int32_t partition, ColumnFamilyId cf)
    : config_(std::move(config)), cf_(cf), prefix_(partition_prefix(partition)) {}

bool SeverityRule::matches(const IncidentEvent& e) const {
  if (config_.never_events && e.never_event) return true;
  return config_.min_physical_harm != PhysicalHarm::kUnknown &&
         e.physical_harm != PhysicalHarm::kUnknown && e.physical_harm >= config_.min_physical_harm;
}

void SeverityRule::mark_dirty(const std::string& key, Group& g) {
  if (!g.dirty) {
    g.dirty = true;
    dirty_.push_back(key);
  }
}

ApplyOutcome SeverityRule::apply(const IncidentEvent& event, int sign, std::vector<Signal>& out) {
  if (sign < 0) settle_take_backs(out);  // an earlier take-back that no +1 followed
  if (!matches(event)) {
    if (sign > 0) settle_take_backs(out);
    return {};
  }
  const int32_t day = event_time(event).days;
  for_each_key(event, config_.group_by, key_state_, [&](std::string_view key) {
    group_key_.assign(key);
    auto it = groups_.find(group_key_);
    if (it == groups_.end()) {
      if (sign < 0) return;
      it = groups_.emplace(group_key_, Group{}).first;
    }
    Group& g = it->second;
    g.erased = false;
    if (sign > 0) {
      add(it->first, g, event, day, out);
    } else {
      take_back(it->first, g, event, day);
    }
    mark_dirty(it->first, g);
  });
  if (sign > 0) settle_take_backs(out);
  return {};
}

void SeverityRule::add(const std::string& key, Group& g, const IncidentEvent& event, int32_t day,
                       std::vector<Signal>& out) {
  DayTally& tally = g.days[day];
  ++tally.count;
  tally.fatal += event.physical_harm == PhysicalHarm::kFatal;
  tally.never_events += event.never_event;
  if (tally.ids.size() < kMaxEvidenceIds) tally.ids.emplace_back(event.id);

  // A report within group_days - 1 days of an open episode's span joins it:
  // the same cluster is never raised twice.
  const int32_t span = config_.group_days - 1;
  for (Cluster& c : g.clusters) {
    if (!c.episode.open || day < c.first_day - span || day > c.last_day + span) continue;
    c.first_day = std::min(c.first_day, day);
    c.last_day = std::max(c.last_day, day);
    const Totals t = totals(g, c);
    if (const auto type = c.episode.step(true, t.count, c.start_day, policy())) {
      out.push_back(make_signal(key, c, t, *type, event_time(event)));
    }
    return;
  }
  // Otherwise: did this report complete a qualifying window? Only windows
  // holding its day changed. The new episode takes every report of those that
  // qualify.
  int32_t lo = std::numeric_limits<int32_t>::max();
  int32_t hi = std::numeric_limits<int32_t>::min();
  for (int32_t start = day - span; start <= day; ++start) {
    if (count_between(g, start, start + span) >= config_.min_reports) {
      lo = std::min(lo, start);
      hi = std::max(hi, start + span);
    }
  }
  if (lo > hi) return;  // remembered, not (yet) a signal
  Cluster c;
  c.first_day = g.days.lower_bound(lo)->first;      // a report's day: `day` is in range
  c.last_day = std::prev(g.days.upper_bound(hi))->first;
  c.start_day = c.first_day;
  for (const Cluster& other : g.clusters) {
    if (other.start_day == c.start_day) c.ordinal = std::max(c.ordinal, other.ordinal + 1);
  }
  c.raised_by.assign(event.id);
  const Totals t = totals(g, c);
  const auto type = c.episode.step(true, t.count, c.start_day, policy());
  if (type) out.push_back(make_signal(key, c, t, *type, event_time(event)));
  g.clusters.push_back(std::move(c));
}

void SeverityRule::take_back(const std::string& key, Group& g, const IncidentEvent& event, int32_t day) {
  auto it = g.days.find(day);
  if (it == g.days.end()) return;
  DayTally& tally = it->second;
  tally.count = std::max<int64_t>(0, tally.count - 1);
  tally.fatal = std::max<int64_t>(0, tally.fatal - (event.physical_harm == PhysicalHarm::kFatal));
  tally.never_events = std::max<int64_t>(0, tally.never_events - event.never_event);
  auto id = std::find(tally.ids.begin(), tally.ids.end(), event.id);
  if (id != tally.ids.end()) tally.ids.erase(id);
  if (tally.count == 0) g.days.erase(it);
  for (const Cluster& c : g.clusters) {
    if (!c.episode.open || day < c.first_day || day > c.last_day) continue;
    // The episode's condition has cleared, unless the new revision puts the
    // report back (settled after the +1 that follows).
    if (!has_qualifying_window(g, c.first_day, c.last_day)) {
      emptied_.push_back(TakeBack{key, c.start_day, c.ordinal, event_time(event)});
    }
  }
}

int64_t SeverityRule::count_between(const Group& g, int32_t first, int32_t last) {
  int64_t n = 0;
  for (auto it = g.days.lower_bound(first); it != g.days.end() && it->first <= last; ++it) {
    n += it->second.count;
  }
  return n;
}

SeverityRule::Totals SeverityRule::totals(const Group& g, const Cluster& c) {
  Totals t;
  for (auto it = g.days.lower_bound(c.first_day); it != g.days.end() && it->first <= c.last_day; ++it) {
    t.count += it->second.count;
    t.fatal += it->second.fatal;
    t.never_events += it->second.never_events;
    for (const auto& id : it->second.ids) {
      if (t.ids.size() < kMaxEvidenceIds) t.ids.push_back(id);
    }
  }
  return t;
}

bool SeverityRule::has_qualifying_window(const Group& g, int32_t first, int32_t last) const {
  // A window with the most reports can be slid to start on a report's day.
  const int32_t span = config_.group_days - 1;
  const auto end = g.days.upper_bound(last);
  for (auto start = g.days.lower_bound(first); start != end; ++start) {
    int64_t n = 0;
    for (auto it = start; it != end && it->first <= start->first + span; ++it) n += it->second.count;
    if (n >= config_.min_reports) return true;
  }
  return false;
}

void SeverityRule::settle_take_backs(std::vector<Signal>& out) {
  for (const TakeBack& taken : emptied_) {
    auto it = groups_.find(taken.key);
    if (it == groups_.end()) continue;
    Group& g = it->second;
    for (Cluster& c : g.clusters) {
      if (c.start_day != taken.start_day || c.ordinal != taken.ordinal) continue;
      // Refilled, or already settled.
      if (!c.episode.open || has_qualifying_window(g, c.first_day, c.last_day)) break;
      const Totals t = totals(g, c);
      if (const auto type = c.episode.step(false, t.count, c.start_day, policy())) {
        out.push_back(make_signal(taken.key, c, t, *type, taken.fired_at));
      }
      mark_dirty(taken.key, g);
      break;
    }
  }
  emptied_.clear();
}

void SeverityRule::advance(Date stream_time, std::vector<Signal>& out) {
  settle_take_backs(out);
  const int32_t span = config_.group_days - 1;
  for (auto& [key, g] : groups_) {
    if (g.erased) continue;
    bool changed = false;
    for (Cluster& c : g.clusters) {
      if (c.episode.open && reach_end(c) + config_.resolve_after_days < stream_time.days) {
        const Totals t = totals(g, c);
        if (const auto type = c.episode.step(false, t.count, c.start_day, policy())) {
          out.push_back(make_signal(key, c, t, *type, stream_time));
        }
        changed = true;
      }
    }
    changed |= std::erase_if(g.clusters, [&](const Cluster& c) {
                 return !c.episode.open && reach_end(c) + config_.retain_days < stream_time.days;
               }) > 0;
    for (auto d = g.days.begin(); d != g.days.end() && d->first + span + config_.retain_days < stream_time.days;) {
      const bool in_open = std::any_of(g.clusters.begin(), g.clusters.end(), [&](const Cluster& c) {
        return c.episode.open && c.first_day <= d->first && d->first <= c.last_day;
      });
      if (in_open) {
        ++d;
      } else {
        d = g.days.erase(d);
        changed = true;
      }
    }
    if (g.days.empty() && g.clusters.empty()) g.erased = true;
    if (changed || g.erased) mark_dirty(key, g);
  }
}

Signal SeverityRule::make_signal(const std::string& key, const Cluster& c, const Totals& t,
                                 SignalType type, Date fired_at) const {
  Signal s;
  s.type = type;
  s.key = key_parts(config_.group_by, key);
  s.period_start = Date{c.first_day};
  s.period_end = Date{c.last_day};
  s.signal_id = make_signal_id(config_.name, s.key,
                               format_date(Date{c.start_day}) + "#" + std::to_string(c.ordinal) +
                                   "#" + c.raised_by);
  s.sequence = c.episode.sequence;
  s.detector = config_.name;
  s.method = "severity_rule";
  s.fired_at = fired_at;
  s.observed = t.count;
  s.threshold = static_cast<double>(config_.min_reports);
  s.severity = config_.severity;
  s.evidence_count = t.count;
  s.evidence_orgs = t.count > 0 ? 1 : 0;  // groups are per organisation (checked in create)
  s.event_ids = t.ids;
  std::sort(s.event_ids.begin(), s.event_ids.end());
  std::string where;
  for (const auto& [k, v] : s.key) {
    if (!where.empty()) where += ", ";
    where += k + " " + v;
  }
  const std::string days = c.first_day == c.last_day
                               ? "on " + format_date(s.period_start)
                               : "from " + format_date(s.period_start) + " to " + format_date(s.period_end);
  switch (type) {
    case SignalType::kRaised:
    case SignalType::kUpdated:
      s.summary = std::to_string(t.count) + (t.count == 1 ? " report" : " reports") + " of " +
                  (t.fatal > 0 ? std::to_string(t.fatal) + " fatal harm" : std::string()) +
                  (t.fatal > 0 && t.never_events > 0 ? " and " : "") +
                  (t.never_events > 0 ? std::to_string(t.never_events) + " never event" : std::string()) +
                  (t.fatal == 0 && t.never_events == 0 ? "severe harm" : "") + " for " + where + " " +
                  days + ": needs review by the national team.";
      break;
    case SignalType::kResolved:
      s.summary = "Closed: no further fatal harm or never event reports for " + where + " " + days +
                  " (" + std::to_string(t.count) + " in all).";
      break;
  }
  return s;
}

namespace {

bool read_day_number(std::string_view& in, int32_t& day) {
  const auto z = read_varint(in);
  if (!z) return false;
  const int64_t d = zigzag_decode(*z);
  if (d < std::numeric_limits<int32_t>::min() || d > std::numeric_limits<int32_t>::max()) return false;
  day = static_cast<int32_t>(d);
  return true;
}

bool read_count(std::string_view& in, int64_t& n) {
  const auto v = read_varint(in);
  if (!v || *v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
  n = static_cast<int64_t>(*v);
  return true;
}

}  // namespace

Status SeverityRule::restore(const StateStore& store) {
  groups_.clear();
  dirty_.clear();
  emptied_.clear();
  obsolete_.clear();
  bool corrupt = false;
  const auto separators = static_cast<std::ptrdiff_t>(config_.group_by.size()) - 1;
  Status scanned = store.scan_prefix(cf_, prefix_, [&](std::string_view k, std::string_view v) {
    const std::string_view key = k.substr(prefix_.size());
    // Records of the fixed-window rule (before the sliding window) had the
    // window's number as one more part of the key. They cannot be carried
    // over (their windows are not this rule's); they are deleted at the
    // next save, and a cluster open across the upgrade is raised afresh.
    if (std::count(key.begin(), key.end(), kKeySeparator) != separators) {
      obsolete_.emplace_back(k);
      return true;
    }
    Group g;
    const auto n_days = read_varint(v);
    if (!n_days || *n_days > v.size()) {
      corrupt = true;
      return false;
    }
    for (uint64_t i = 0; i < *n_days; ++i) {
      int32_t day = 0;
      DayTally t;
      const auto n_ids = read_day_number(v, day) && read_count(v, t.count) && read_count(v, t.fatal) &&
                                 read_count(v, t.never_events)
                             ? read_varint(v)
                             : std::nullopt;
      if (!n_ids || *n_ids > kMaxEvidenceIds || t.count <= 0 || !g.days.emplace(day, DayTally{}).second) {
        corrupt = true;
        return false;
      }
      for (uint64_t j = 0; j < *n_ids; ++j) {
        const auto id = read_bytes(v);
        if (!id) {
          corrupt = true;
          return false;
        }
        t.ids.emplace_back(*id);
      }
      g.days[day] = std::move(t);
    }
    const auto n_clusters = read_varint(v);
    if (!n_clusters || *n_clusters > v.size()) {
      corrupt = true;
      return false;
    }
    for (uint64_t i = 0; i < *n_clusters; ++i) {
      Cluster c;
      const auto ordinal = read_day_number(v, c.start_day) ? read_varint(v) : std::nullopt;
      const auto raised_by = ordinal ? read_bytes(v) : std::nullopt;
      if (!raised_by || !read_day_number(v, c.first_day) || !read_day_number(v, c.last_day) ||
          !c.episode.decode(v) || c.first_day > c.last_day) {
        corrupt = true;
        return false;
      }
      c.ordinal = static_cast<uint32_t>(*ordinal);
      c.raised_by.assign(*raised_by);
      g.clusters.push_back(std::move(c));
    }
    if (!v.empty()) {
      corrupt = true;
      return false;
    }
    groups_.emplace(std::string(key), std::move(g));
    return true;
  });
  if (!scanned.is_ok()) return scanned;
  if (corrupt) {
    return make_error(ErrorKind::kCorruption, "detector " + config_.name + ": undecodable state record");
  }
  return Status::ok();
}

size_t SeverityRule::open_signals() const {
  size_t open = 0;
  for (const auto& [key, g] : groups_) {
    if (g.erased) continue;
    open += static_cast<size_t>(std::count_if(g.clusters.begin(), g.clusters.end(),
                                              [](const Cluster& c) { return c.episode.open; }));
  }
  return open;
}

void SeverityRule::save(StateBatch& batch) {
  for (const std::string& k : obsolete_) batch.erase(cf_, k);
  obsolete_.clear();
  std::string key = prefix_;
  for (const std::string& group_key : dirty_) {
    auto it = groups_.find(group_key);
    if (it == groups_.end()) continue;
    Group& g = it->second;
    g.dirty = false;
    key.resize(prefix_.size());
    key.append(group_key);
    if (g.erased) {
      batch.erase(cf_, key);
      groups_.erase(it);
      continue;
    }
    encode_buffer_.clear();
    append_varint(encode_buffer_, g.days.size());
    for (const auto& [day, t] : g.days) {
      append_varint(encode_buffer_, zigzag_encode(day));
      append_varint(encode_buffer_, static_cast<uint64_t>(t.count));
      append_varint(encode_buffer_, static_cast<uint64_t>(t.fatal));
      append_varint(encode_buffer_, static_cast<uint64_t>(t.never_events));
      append_varint(encode_buffer_, t.ids.size());
      for (const auto& id : t.ids) append_bytes(encode_buffer_, id);
    }
    append_varint(encode_buffer_, g.clusters.size());
    for (const Cluster& c : g.clusters) {
      append_varint(encode_buffer_, zigzag_encode(c.start_day));
      append_varint(encode_buffer_, c.ordinal);
      append_bytes(encode_buffer_, c.raised_by);
      append_varint(encode_buffer_, zigzag_encode(c.first_day));
      append_varint(encode_buffer_, zigzag_encode(c.last_day));
      c.episode.encode(encode_buffer_);
    }
    batch.put(cf_, key, encode_buffer_);
  }
  dirty_.clear();
}

}  // namespace vigil
