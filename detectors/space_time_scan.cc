#include "detectors/space_time_scan.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include "core/fnv1a.h"
#include "state/key_encoding.h"

namespace vigil {
namespace {

constexpr char kRowTag = 'c';
constexpr char kEpisodeTag = 'e';
constexpr char kGroupEnd = '\x1e';  // after the group key (whose parts are split by '\x1f')
// How often (in analysed days) records with nothing left to say are dropped.
constexpr int32_t kSweepEvery = 8;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

char kind_tag(NeighbourhoodKind kind) {
  switch (kind) {
    case NeighbourhoodKind::kOrg: return 'o';
    case NeighbourhoodKind::kIcb: return 'i';
    case NeighbourhoodKind::kRegion: return 'r';
  }
  return 'o';
}

// The random stream of one group's analysis of one day: FNV-1a of the group
// with the day mixed in, so it does not depend on what else is analysed.
uint64_t analysis_stream(std::string_view group, int32_t day) {
  return fnv1a_64(group) ^ (static_cast<uint64_t>(static_cast<uint32_t>(day)) * 0x9e3779b97f4a7c15ull);
}

std::string format_number(double v, const char* format) {
  if (std::isnan(v)) return "n/a";
  char buf[48];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

uint32_t count_on(const std::vector<uint32_t>& counts, int32_t first, int32_t day) {
  const int64_t idx = static_cast<int64_t>(day) - first;
  if (idx < 0 || idx >= static_cast<int64_t>(counts.size())) return 0;
  return counts[static_cast<size_t>(idx)];
}

}  // namespace

struct SpaceTimeScanDetector::Group {
  std::string_view key;
  std::vector<std::pair<std::string_view, Record*>> rows;  // by org
  std::vector<std::pair<std::string_view, Record*>> open;  // open episodes, by key
};

Result<std::unique_ptr<SpaceTimeScanDetector>> SpaceTimeScanDetector::create(
    SpaceTimeScanConfig config, int32_t partition, ColumnFamilyId cf) {
  if (config.study_days < 14 || config.study_days > 1096) {
    return config_error(config.name, "study_days must be 14..1096");
  }
  // SaTScan's limit for this model: a window of at most half the study period.
  if (config.max_window_days < 1 || config.max_window_days > config.study_days / 2) {
    return config_error(config.name, "max_window_days must be 1..study_days/2");
  }
  if (config.lag_days < 0 || config.lag_days > 60) {
    return config_error(config.name, "lag_days must be 0..60");
  }
  if (!(config.max_cluster_fraction > 0 && config.max_cluster_fraction <= 0.5)) {
    return config_error(config.name, "max_cluster_fraction must be in (0, 0.5]");
  }
  if (config.replicates < 9 || config.replicates > 99999) {
    return config_error(config.name, "replicates must be 9..99999");
  }
  if (config.early_stop_hits < 0 || config.early_stop_hits > config.replicates) {
    return config_error(config.name, "early_stop_hits must be 0..replicates");
  }
  // With R replicates the smallest p is 1/(R+1): a larger threshold never alarms.
  if (!(config.min_recurrence_days >= 1 && config.min_recurrence_days <= config.replicates + 1)) {
    return config_error(config.name,
                        "min_recurrence_days must be 1..replicates+1 (the largest recurrence "
                        "interval R replicates can show)");
  }
  if (config.min_cases < 1) return config_error(config.name, "min_cases must be at least 1");
  for (Dimension d : config.group_by) {
    if (d == Dimension::kOrg) return config_error(config.name, "group_by cannot include org");
  }
  for (const auto& l : config.coordinates) {
    if (!(std::abs(l.latitude) <= 90 && std::abs(l.longitude) <= 180)) {
      return config_error(config.name, "coordinates of " + l.org + " are out of range");
    }
  }
  return std::unique_ptr<SpaceTimeScanDetector>(
      new SpaceTimeScanDetector(std::move(config), partition, cf));
}

SpaceTimeScanDetector::SpaceTimeScanDetector(SpaceTimeScanConfig config, int32_t partition,
                                             ColumnFamilyId cf)
    : config_(std::move(config)),
      neighbours_(config_.coordinates),
      state_(config_.name, partition, cf) {}

Status SpaceTimeScanDetector::restore(const StateStore& store) {
  return state_.restore(store, decode_record);
}

ApplyOutcome SpaceTimeScanDetector::apply(const IncidentEvent& event, int sign,
                                          std::vector<Signal>&) {
  const int32_t day = event_time(event).days;
  if (!state_.started()) state_.start(day);
  if (!config_.filter.matches(event) || event.org.empty()) return {};
  for_each_key(event, config_.group_by, key_state_,
               [&](std::string_view group) { count(group, event, day, sign); });
  // Its day may already be analysed: it still counts in later study periods.
  return ApplyOutcome{day <= state_.closed_through()};
}

void SpaceTimeScanDetector::count(std::string_view group, const IncidentEvent& event, int32_t day,
                                  int sign) {
  const int32_t next = state_.closed_through() + 1;  // the next day analysed
  if (day < next - config_.study_days + 1) return;    // in no future study period
  key_.clear();
  key_.push_back(kRowTag);
  key_.append(group);
  key_.push_back(kGroupEnd);
  key_.append(event.org);
  auto& records = state_.records();
  auto it = records.find(key_);
  if (it == records.end()) {
    if (sign < 0) return;
    it = records.emplace(key_, Record{}).first;
  }
  Record& r = it->second;
  if (r.erased) r = Record{};
  if (r.counts.empty()) r.first_day = day;
  if (day < r.first_day) {
    r.counts.insert(r.counts.begin(), static_cast<size_t>(r.first_day - day), 0u);
    r.first_day = day;
  }
  const auto idx = static_cast<size_t>(day - r.first_day);
  if (idx >= r.counts.size()) r.counts.resize(idx + 1, 0u);
  if (sign > 0) {
    ++r.counts[idx];
    if (!event.icb.empty() && r.icb != event.icb) r.icb.assign(event.icb);
    if (!event.region.empty() && r.region != event.region) r.region.assign(event.region);
  } else if (r.counts[idx] > 0) {
    --r.counts[idx];
  }
  // Evidence only for days a future window can still reach.
  if (day >= next - config_.max_window_days + 1) {
    auto bucket = std::find_if(r.ids.begin(), r.ids.end(), [&](const DayIds& b) { return b.day == day; });
    if (sign > 0) {
      if (bucket == r.ids.end()) {
        r.ids.push_back(DayIds{day, 0, {}});
        bucket = r.ids.end() - 1;
      }
      if (bucket->count < kIdsPerBucket) {
        bucket->ids.append(event.id);
        bucket->ids.push_back('\n');
        ++bucket->count;
      }
    } else if (bucket != r.ids.end()) {
      std::string needle(event.id);
      needle.push_back('\n');
      for (size_t at = 0; (at = bucket->ids.find(needle, at)) != std::string::npos; ++at) {
        if (at == 0 || bucket->ids[at - 1] == '\n') {
          bucket->ids.erase(at, needle.size());
          --bucket->count;
          break;
        }
      }
    }
  }
  state_.mark_dirty(it->first, r);
}

void SpaceTimeScanDetector::advance(Date stream_time, std::vector<Signal>& out) {
  if (!state_.started()) return;
  const int32_t last = stream_time.days - config_.lag_days;
  while (state_.closed_through() < last) analyse(state_.closed_through() + 1, stream_time, out);
}

void SpaceTimeScanDetector::analyse(int32_t day, Date stream_time, std::vector<Signal>& out) {
  state_.set_closed_through(day);
  // Only a whole study period is analysed: a scan over a few days of a new
  // stream would judge every organisation by almost nothing.
  const bool whole = day - config_.study_days + 1 >= state_.first_period();
  const int32_t keep_from = day + 2 - config_.study_days;  // the next study period
  const int32_t ids_from = day + 2 - config_.max_window_days;
  const bool sweep = day % kSweepEvery == 0;

  std::map<std::string_view, Group> groups;
  for (auto& [key, r] : state_.records()) {
    if (r.erased) continue;
    const size_t end = key.rfind(kGroupEnd);
    if (end == std::string::npos) continue;
    const std::string_view group = std::string_view(key).substr(1, end - 1);
    if (key.front() == kRowTag) {
      groups[group].rows.emplace_back(std::string_view(key).substr(end + 1), &r);
    } else if (r.episode.open) {
      groups[group].open.emplace_back(key, &r);
    }
  }
  if (whole) {
    for (auto& [key, group] : groups) {
      group.key = key;
      std::sort(group.rows.begin(), group.rows.end());
      std::sort(group.open.begin(), group.open.end());
      analyse_group(group, day, stream_time, out);
    }
  }

  // Forget what no future analysis reads; now and then drop what is empty.
  for (auto& [key, r] : state_.records()) {
    if (r.erased) continue;
    if (key.front() == kEpisodeTag) {
      if (sweep && !r.episode.open) {
        r.erased = true;
        state_.mark_dirty(key, r);
      }
      continue;
    }
    if (r.first_day < keep_from) {
      const auto drop = std::min<size_t>(r.counts.size(), static_cast<size_t>(keep_from - r.first_day));
      r.counts.erase(r.counts.begin(), r.counts.begin() + static_cast<std::ptrdiff_t>(drop));
      r.first_day = keep_from;
    }
    std::erase_if(r.ids, [&](const DayIds& b) { return b.day < ids_from; });
    if (sweep && r.ids.empty() &&
        std::all_of(r.counts.begin(), r.counts.end(), [](uint32_t c) { return c == 0; })) {
      r.erased = true;
      state_.mark_dirty(key, r);
    }
  }
}

void SpaceTimeScanDetector::analyse_group(Group& group, int32_t day, Date stream_time,
                                          std::vector<Signal>& out) {
  const auto days = static_cast<uint32_t>(config_.study_days);
  const int32_t from = day - config_.study_days + 1;

  // The organisations with cases in the study period are the zones.
  std::vector<ScanZone> zones;
  std::vector<Record*> zone_rows;
  for (auto& [org, r] : group.rows) {
    uint64_t cases = 0;
    for (int32_t d = std::max(from, r->first_day); d <= day; ++d) cases += count_on(r->counts, r->first_day, d);
    if (cases == 0) continue;
    zones.push_back(ScanZone{org, r->icb, r->region, cases});
    zone_rows.push_back(r);
  }
  ScanTable table;
  table.zones = static_cast<uint32_t>(zones.size());
  table.days = days;
  table.counts.assign(static_cast<size_t>(table.zones) * days, 0u);
  uint64_t total = 0;
  for (uint32_t z = 0; z < table.zones; ++z) {
    const Record& r = *zone_rows[z];
    for (uint32_t d = 0; d < days; ++d) table.at(z, d) = count_on(r.counts, r.first_day, from + static_cast<int32_t>(d));
    total += zones[z].cases;
  }
  const auto max_cases =
      static_cast<uint64_t>(std::floor(config_.max_cluster_fraction * static_cast<double>(total)));
  const Neighbourhoods nb = neighbours_.empty() ? hierarchy_neighbourhoods(zones, max_cases)
                                                : neighbours_.build(zones, max_cases);
  // Signals carry the p-value of an alarm only, so the Monte Carlo may stop
  // as soon as the verdict is certain not to be one.
  const ScanSettings settings{config_.max_window_days, config_.replicates, config_.early_stop_hits,
                              config_.seed, config_.min_recurrence_days, config_.min_cases};
  const ScanResult result = space_time_scan(table, nb.chains, settings, analysis_stream(group.key, day));
  replicates_run_ += result.replicates_run;

  const auto episode_key = [&](const NeighbourhoodName& name) {
    std::string key(1, kEpisodeTag);
    key.append(group.key);
    key.push_back(kGroupEnd);
    key.push_back(kind_tag(name.kind));
    key.append(name.code);
    return key;
  };
  // The numbers of the cylinder `size` zones of `chain` × the last `window`
  // days, and the signal reporting it.
  const auto emit = [&](const Record& rec, SignalType type, const NeighbourhoodName& name,
                        const ZoneChain* chain, uint32_t size, int32_t window, double p_value) {
    std::vector<uint32_t> members;
    if (chain != nullptr) members.assign(chain->zones.begin(), chain->zones.begin() + std::min<size_t>(size, chain->zones.size()));
    int64_t observed = 0;
    uint64_t set_total = 0;
    uint64_t window_total = 0;
    int64_t orgs = 0;
    for (uint32_t d = days - static_cast<uint32_t>(window); d < days; ++d) {
      for (uint32_t z = 0; z < table.zones; ++z) window_total += table.at(z, d);
    }
    for (uint32_t z : members) {
      set_total += zones[z].cases;
      int64_t in_window = 0;
      for (uint32_t d = days - static_cast<uint32_t>(window); d < days; ++d) in_window += table.at(z, d);
      observed += in_window;
      orgs += in_window > 0 ? 1 : 0;
    }
    const double expected = total > 0 ? static_cast<double>(set_total) *
                                            static_cast<double>(window_total) /
                                            static_cast<double>(total)
                                      : 0.0;
    const double llr = scan_llr(static_cast<double>(observed), expected, static_cast<double>(total));

    Signal s;
    s.type = type;
    s.key = key_parts(config_.group_by, group.key);
    s.key.emplace_back(std::string(to_string(name.kind)), std::string(name.code));
    s.signal_id = make_signal_id(config_.name, s.key, format_date(Date{rec.episode.start_period}));
    s.sequence = rec.episode.sequence;
    s.detector = config_.name;
    s.method = "space_time_scan";
    s.period_start = Date{day - window + 1};
    s.period_end = Date{day};
    s.fired_at = stream_time;
    s.observed = observed;
    s.expected = expected;
    s.score = llr;
    s.severity = config_.severity;
    s.evidence_count = observed;
    s.evidence_orgs = orgs;
    const double ri = std::isnan(p_value) ? kNaN : recurrence_interval_days(p_value);
    s.statistics = {{"llr", llr},
                    {"p_value", p_value},
                    {"recurrence_interval_days", ri},
                    {"window_days", static_cast<double>(window)},
                    {"zones", static_cast<double>(members.size())}};
    for (uint32_t z : members) {
      for (const DayIds& b : zone_rows[z]->ids) {
        if (b.day < day - window + 1 || b.day > day) continue;
        std::string_view ids = b.ids;
        while (!ids.empty() && s.event_ids.size() < kMaxEvidenceIds) {
          const size_t nl = ids.find('\n');
          s.event_ids.emplace_back(ids.substr(0, nl));
          ids.remove_prefix(nl == std::string_view::npos ? ids.size() : nl + 1);
        }
      }
    }
    std::sort(s.event_ids.begin(), s.event_ids.end());
    // The cluster's count in each block of `window` days of the study
    // period, ending with the cluster's own window, against what the same
    // zones would expect from each block's total.
    SignalSeries series;
    series.measure = "count";
    const int32_t blocks = std::min<int32_t>(static_cast<int32_t>(kMaxSeriesPoints), config_.study_days / window);
    for (int32_t b = blocks - 1; b >= 0; --b) {
      const auto last_index = static_cast<int64_t>(days) - 1 - static_cast<int64_t>(b) * window;
      int64_t block_observed = 0;
      uint64_t block_total = 0;
      for (int64_t d = last_index - window + 1; d <= last_index; ++d) {
        for (uint32_t z = 0; z < table.zones; ++z) block_total += table.at(z, static_cast<uint32_t>(d));
        for (uint32_t z : members) block_observed += table.at(z, static_cast<uint32_t>(d));
      }
      PeriodPoint point;
      point.end = Date{day - b * window};
      point.start = Date{point.end.days - window + 1};
      point.value = static_cast<double>(block_observed);
      point.expected = total > 0 ? static_cast<double>(set_total) * static_cast<double>(block_total) /
                                       static_cast<double>(total)
                                 : 0.0;
      point.flagged = b == 0 && type != SignalType::kResolved;
      series.points.push_back(point);
    }
    s.series = std::move(series);

    std::string where;
    for (size_t i = 0; i + 1 < s.key.size(); ++i) where += s.key[i].first + " " + s.key[i].second + ", ";
    switch (name.kind) {
      case NeighbourhoodKind::kOrg:
        where += "organisation " + std::string(name.code);
        if (members.size() > 1) where += " and its " + std::to_string(members.size() - 1) + " nearest neighbours";
        break;
      case NeighbourhoodKind::kIcb:
      case NeighbourhoodKind::kRegion:
        where += "the " + std::to_string(members.size()) + " organisations of " +
                 std::string(to_string(name.kind) == "icb" ? "ICB " : "region ") + std::string(name.code);
        break;
    }
    const std::string span = "the " + std::to_string(window) + (window == 1 ? " day" : " days") +
                             " to " + format_date(s.period_end);
    if (type == SignalType::kResolved) {
      s.summary = "No longer an unusual cluster at " + where + ": " + std::to_string(observed) + " " +
                  config_.filter.describe() + " in " + span + " against " +
                  format_number(expected, "%.1f") + " expected.";
    } else {
      s.summary = std::to_string(observed) + " " + config_.filter.describe() + " at " + where +
                  " in " + span + " against " + format_number(expected, "%.1f") +
                  " expected from their share of the last " + std::to_string(config_.study_days) +
                  " days' reports and each day's total; a cluster this unusual arises by chance "
                  "about once in " + format_number(ri, "%.0f") + " days (p = " +
                  format_number(p_value, "%.4g") + ")" +
                  (type == SignalType::kUpdated ? "; still growing" : "") + ".";
    }
    out.push_back(std::move(s));
  };
  const auto find_chain = [&](std::string_view key) -> std::pair<const ZoneChain*, NeighbourhoodName> {
    for (size_t i = 0; i < nb.names.size(); ++i) {
      if (episode_key(nb.names[i]) == key) return {&nb.chains[i], nb.names[i]};
    }
    // No longer a candidate (grown past the maximum size): named from its key.
    const std::string_view tail = key.substr(key.rfind(kGroupEnd) + 1);
    NeighbourhoodName name{tail.front() == 'i'   ? NeighbourhoodKind::kIcb
                           : tail.front() == 'r' ? NeighbourhoodKind::kRegion
                                                 : NeighbourhoodKind::kOrg,
                           tail.substr(1)};
    return {nullptr, name};
  };

  const double ri = result.found ? recurrence_interval_days(result.p_value) : 0.0;
  const bool alarm = result.found && ri >= config_.min_recurrence_days &&
                     result.best.observed >= config_.min_cases;
  std::string alarm_key;
  if (alarm) {
    const NeighbourhoodName& name = nb.names[result.best.chain];
    alarm_key = episode_key(name);
    auto& records = state_.records();
    auto it = records.find(alarm_key);
    if (it == records.end()) it = records.emplace(alarm_key, Record{}).first;
    Record& rec = it->second;
    if (rec.erased) rec = Record{};
    rec.is_episode = true;
    const auto transition = rec.episode.step(true, result.best.observed, day, config_.lifecycle);
    if (transition) {
      rec.window_days = result.best.window_days;
      rec.size = result.best.size;
      emit(rec, *transition, name, &nb.chains[result.best.chain], result.best.size,
           result.best.window_days, result.p_value);
    }
    state_.mark_dirty(it->first, rec);
  }
  // An open episode that is not the most likely cluster stays alarming while
  // its own most likely cylinder is significant as a secondary cluster
  // (against the same replicates), so a lasting cluster does not resolve
  // on a day another one outscores it.
  for (auto& [key, rec] : group.open) {
    if (key == alarm_key) continue;
    const auto [chain, name] = find_chain(key);
    ScanResult own;
    if (chain != nullptr && result.found) {
      const auto index = static_cast<uint32_t>(chain - nb.chains.data());
      own = space_time_scan(table, nb.chains, settings, analysis_stream(group.key, day), index);
      replicates_run_ += own.replicates_run;
    }
    const bool still = own.found && recurrence_interval_days(own.p_value) >= config_.min_recurrence_days &&
                       own.best.observed >= config_.min_cases;
    const auto transition = rec->episode.step(still, still ? own.best.observed : 0, day, config_.lifecycle);
    if (transition) {
      if (still) {
        rec->window_days = own.best.window_days;
        rec->size = own.best.size;
        emit(*rec, *transition, name, chain, own.best.size, own.best.window_days, own.p_value);
      } else {
        emit(*rec, *transition, name, chain, rec->size, rec->window_days, kNaN);
      }
    }
    state_.mark_dirty(key, *rec);
  }
}

void SpaceTimeScanDetector::save(StateBatch& batch) { state_.save(batch, encode_record); }

void SpaceTimeScanDetector::encode_record(const Record& r, std::string& out) {
  if (r.is_episode) {
    out.push_back(kEpisodeTag);
    r.episode.encode(out);
    append_varint(out, static_cast<uint32_t>(r.window_days));
    append_varint(out, r.size);
    return;
  }
  out.push_back(kRowTag);
  append_varint(out, static_cast<uint32_t>(r.first_day));
  append_varints(out, r.counts);
  append_bytes(out, r.icb);
  append_bytes(out, r.region);
  append_varint(out, r.ids.size());
  for (const DayIds& b : r.ids) {
    append_varint(out, static_cast<uint32_t>(b.day));
    append_varint(out, b.count);
    append_bytes(out, b.ids);
  }
}

bool SpaceTimeScanDetector::decode_record(std::string_view in, Record& r) {
  if (in.empty()) return false;
  const char tag = in.front();
  in.remove_prefix(1);
  if (tag == kEpisodeTag) {
    r.is_episode = true;
    if (!r.episode.decode(in)) return false;
    const auto window = read_varint(in);
    const auto size = window ? read_varint(in) : std::nullopt;
    if (!size) return false;
    r.window_days = static_cast<int32_t>(*window);
    r.size = static_cast<uint32_t>(*size);
    return in.empty();
  }
  if (tag != kRowTag) return false;
  const auto first = read_varint(in);
  if (!first || !read_varints(in, r.counts)) return false;
  r.first_day = static_cast<int32_t>(static_cast<uint32_t>(*first));
  const auto icb = read_bytes(in);
  const auto region = icb ? read_bytes(in) : std::nullopt;
  if (!region) return false;
  r.icb.assign(*icb);
  r.region.assign(*region);
  const bool ids = read_list(in, r.ids, [](std::string_view& rest, DayIds& b) {
    const auto d = read_varint(rest);
    const auto n = d ? read_varint(rest) : std::nullopt;
    const auto text = n ? read_bytes(rest) : std::nullopt;
    if (!text) return false;
    b.day = static_cast<int32_t>(static_cast<uint32_t>(*d));
    b.count = static_cast<uint32_t>(*n);
    b.ids.assign(*text);
    return true;
  });
  return ids && in.empty();
}

}  // namespace vigil
