#include "detectors/severity_rule.h"

#include <algorithm>
#include <charconv>

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

// Group keys end with the window number after the last separator.
int32_t SeverityRule::window_of(const std::string& group_key) const {
  const size_t sep = group_key.rfind(kKeySeparator);
  int32_t window = 0;
  std::from_chars(group_key.data() + sep + 1, group_key.data() + group_key.size(), window);
  return window;
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
  const int32_t window = day >= 0 ? day / config_.group_days
                                  : -((-day + config_.group_days - 1) / config_.group_days);
  const bool fatal = event.physical_harm == PhysicalHarm::kFatal;
  for_each_key(event, config_.group_by, key_state_, [&](std::string_view key) {
    group_key_.assign(key);
    group_key_.push_back(kKeySeparator);
    char digits[16];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, window);
    (void)ec;
    group_key_.append(digits, end);

    auto it = groups_.find(group_key_);
    if (it == groups_.end()) {
      if (sign < 0) return;
      it = groups_.emplace(group_key_, Group{}).first;
    }
    Group& g = it->second;
    g.erased = false;
    if (sign > 0) {
      ++g.count;
      g.fatal += fatal;
      g.never_events += event.never_event;
      if (g.ids.size() < kMaxEvidenceIds) g.ids.emplace_back(event.id);
      // A group below min_reports is remembered but not yet a signal.
      if (g.episode.open || g.count >= config_.min_reports) {
        if (!g.episode.open) {
          ++g.episodes;
          g.raised_by.assign(event.id);
        }
        const auto t =
            g.episode.step(true, g.count, window, LifecyclePolicy{config_.update_growth, 1});
        if (t) out.push_back(make_signal(it->first, g, *t, event_time(event)));
      }
    } else {
      g.count = std::max<int64_t>(0, g.count - 1);
      g.fatal = std::max<int64_t>(0, g.fatal - fatal);
      g.never_events = std::max<int64_t>(0, g.never_events - event.never_event);
      auto id = std::find(g.ids.begin(), g.ids.end(), event.id);
      if (id != g.ids.end()) g.ids.erase(id);
      if (g.count == 0 && g.episode.open) {
        // Every report behind the signal was revised away: its condition has
        // cleared, unless the new revision puts the report back (settled
        // after the +1 that follows).
        emptied_.emplace_back(it->first, event_time(event));
      }
    }
    mark_dirty(it->first, g);
  });
  if (sign > 0) settle_take_backs(out);
  return {};
}

void SeverityRule::settle_take_backs(std::vector<Signal>& out) {
  for (const auto& [key, fired_at] : emptied_) {
    auto it = groups_.find(key);
    if (it == groups_.end()) continue;
    Group& g = it->second;
    if (g.count != 0 || !g.episode.open) continue;  // refilled, or already settled
    const auto t = g.episode.step(false, 0, window_of(key), LifecyclePolicy{config_.update_growth, 1});
    if (t) out.push_back(make_signal(key, g, *t, fired_at));
    mark_dirty(key, g);
  }
  emptied_.clear();
}

void SeverityRule::advance(Date stream_time, std::vector<Signal>& out) {
  settle_take_backs(out);
  for (auto& [key, g] : groups_) {
    if (g.erased) continue;
    const int32_t window_end_day = (window_of(key) + 1) * config_.group_days - 1;
    if (g.episode.open && window_end_day + config_.resolve_after_days < stream_time.days) {
      const auto t = g.episode.step(false, g.count, window_of(key), LifecyclePolicy{config_.update_growth, 1});
      if (t) out.push_back(make_signal(key, g, *t, stream_time));
      mark_dirty(key, g);
    }
    if (!g.episode.open && window_end_day + config_.retain_days < stream_time.days) {
      g.erased = true;
      mark_dirty(key, g);
    }
  }
}

Signal SeverityRule::make_signal(const std::string& group_key, const Group& g, SignalType type,
                                 Date fired_at) const {
  const size_t sep = group_key.rfind(kKeySeparator);
  const int32_t window = window_of(group_key);
  Signal s;
  s.type = type;
  s.key = key_parts(config_.group_by, std::string_view(group_key).substr(0, sep));
  s.period_start = Date{window * config_.group_days};
  s.period_end = Date{(window + 1) * config_.group_days - 1};
  s.signal_id = make_signal_id(config_.name, s.key,
                               format_date(s.period_start) + "#" + std::to_string(g.episodes) +
                                   "#" + g.raised_by);
  s.sequence = g.episode.sequence;
  s.detector = config_.name;
  s.method = "severity_rule";
  s.fired_at = fired_at;
  s.observed = g.count;
  s.threshold = 1;
  s.severity = config_.severity;
  s.evidence_count = g.count;
  s.evidence_orgs = g.count > 0 ? 1 : 0;  // groups are per organisation (checked in create)
  s.event_ids = g.ids;
  std::sort(s.event_ids.begin(), s.event_ids.end());
  std::string where;
  for (const auto& [k, v] : s.key) {
    if (!where.empty()) where += ", ";
    where += k + " " + v;
  }
  const std::string day = format_date(s.period_start);
  switch (type) {
    case SignalType::kRaised:
    case SignalType::kUpdated:
      s.summary = std::to_string(g.count) + (g.count == 1 ? " report" : " reports") + " of " +
                  (g.fatal > 0 ? std::to_string(g.fatal) + " fatal harm" : std::string()) +
                  (g.fatal > 0 && g.never_events > 0 ? " and " : "") +
                  (g.never_events > 0 ? std::to_string(g.never_events) + " never event" : std::string()) +
                  (g.fatal == 0 && g.never_events == 0 ? "severe harm" : "") + " for " + where +
                  " on " + day + ": needs review by the national team.";
      break;
    case SignalType::kResolved:
      s.summary = "Closed: no further fatal harm or never event reports for " + where + " on " + day +
                  " (" + std::to_string(g.count) + " in all).";
      break;
  }
  return s;
}

Status SeverityRule::restore(const StateStore& store) {
  groups_.clear();
  dirty_.clear();
  emptied_.clear();
  bool corrupt = false;
  Status scanned = store.scan_prefix(cf_, prefix_, [&](std::string_view k, std::string_view v) {
    Group g;
    auto count = read_varint(v);
    auto fatal = count ? read_varint(v) : std::nullopt;
    auto never = fatal ? read_varint(v) : std::nullopt;
    auto episodes = never ? read_varint(v) : std::nullopt;
    if (!episodes || !g.episode.decode(v)) {
      corrupt = true;
      return false;
    }
    g.count = static_cast<int64_t>(*count);
    g.fatal = static_cast<int64_t>(*fatal);
    g.never_events = static_cast<int64_t>(*never);
    g.episodes = static_cast<uint32_t>(*episodes);
    const auto raised_by = read_bytes(v);
    if (!raised_by) {
      corrupt = true;
      return false;
    }
    g.raised_by.assign(*raised_by);
    while (!v.empty()) {
      const auto id = read_bytes(v);
      if (!id) {
        corrupt = true;
        return false;
      }
      g.ids.emplace_back(*id);
    }
    groups_.emplace(std::string(k.substr(prefix_.size())), std::move(g));
    return true;
  });
  if (!scanned.is_ok()) return scanned;
  if (corrupt) {
    return make_error(ErrorKind::kCorruption, "detector " + config_.name + ": undecodable state record");
  }
  return Status::ok();
}

size_t SeverityRule::open_signals() const {
  return static_cast<size_t>(std::count_if(groups_.begin(), groups_.end(), [](const auto& kv) {
    return !kv.second.erased && kv.second.episode.open;
  }));
}

void SeverityRule::save(StateBatch& batch) {
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
    append_varint(encode_buffer_, static_cast<uint64_t>(g.count));
    append_varint(encode_buffer_, static_cast<uint64_t>(g.fatal));
    append_varint(encode_buffer_, static_cast<uint64_t>(g.never_events));
    append_varint(encode_buffer_, g.episodes);
    g.episode.encode(encode_buffer_);
    append_bytes(encode_buffer_, g.raised_by);
    for (const auto& id : g.ids) append_bytes(encode_buffer_, id);
    batch.put(cf_, key, encode_buffer_);
  }
  dirty_.clear();
}

}  // namespace vigil
