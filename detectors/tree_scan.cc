#include "detectors/tree_scan.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>

#include "detectors/rolling_table.h"
#include "state/key_encoding.h"

namespace vigil {
namespace {

constexpr char kClassTag = 'c';
constexpr char kNodeTag = 'n';
constexpr char kLeafSeparator = '\x1e';  // between the leaves of a class key
constexpr size_t kMaxDistinctOrgs = 4096;
// How often (in analysis days) records with nothing left to say are dropped.
constexpr int32_t kSweepEvery = 7;

std::string format_number(double v, int decimals) {
  if (std::isnan(v)) return "n/a";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

uint32_t count_on(const std::vector<uint32_t>& counts, int32_t first, int32_t day) {
  const int64_t idx = static_cast<int64_t>(day) - first;
  if (idx < 0 || idx >= static_cast<int64_t>(counts.size())) return 0;
  return counts[static_cast<size_t>(idx)];
}

size_t depth_of(std::string_view node) {
  return 1 + static_cast<size_t>(std::count(node.begin(), node.end(), kKeySeparator));
}

}  // namespace

Result<std::unique_ptr<TreeScanDetector>> TreeScanDetector::create(TreeScanConfig config,
                                                                   int32_t partition,
                                                                   ColumnFamilyId cf) {
  if (config.levels.empty() || config.levels.size() > 4) {
    return config_error(config.name, "levels must list 1 to 4 dimensions");
  }
  for (size_t i = 0; i < config.levels.size(); ++i) {
    for (size_t j = i + 1; j < config.levels.size(); ++j) {
      if (config.levels[i] == config.levels[j]) {
        return config_error(config.name, "levels lists " + std::string(to_string(config.levels[i])) + " twice");
      }
    }
  }
  if (config.study_days < 28 || config.study_days > 730) {
    return config_error(config.name, "study_days must be 28..730");
  }
  if (config.max_window_days < 1 || 2 * config.max_window_days > config.study_days) {
    return config_error(config.name, "max_window_days must be 1..study_days/2");
  }
  if (config.lag_days < 0 || config.lag_days > 60) {
    return config_error(config.name, "lag_days must be 0..60");
  }
  if (config.replicates < 9 || config.replicates > 99999) {
    return config_error(config.name, "replicates must be 9..99999");
  }
  if (!(config.alpha > 0 && config.alpha < 0.5)) {
    return config_error(config.name, "alpha must be in (0, 0.5)");
  }
  if (config.alpha * (config.replicates + 1) < 1 - 1e-9) {
    return config_error(config.name, "alpha below 1/(replicates+1) can never alarm: raise replicates");
  }
  if (config.min_cases < 1) return config_error(config.name, "min_cases must be at least 1");
  if (config.max_cuts < 1 || config.max_cuts > 20) {
    return config_error(config.name, "max_cuts must be 1..20");
  }
  return std::unique_ptr<TreeScanDetector>(new TreeScanDetector(std::move(config), partition, cf));
}

TreeScanDetector::TreeScanDetector(TreeScanConfig config, int32_t partition, ColumnFamilyId cf)
    : config_(std::move(config)), state_(config_.name, partition, cf) {}

Status TreeScanDetector::restore(const StateStore& store) { return state_.restore(store, decode); }

ApplyOutcome TreeScanDetector::apply(const IncidentEvent& event, int sign, std::vector<Signal>&) {
  const int32_t day = event_time(event).days;
  if (!state_.started()) state_.start(day);
  if (!config_.filter.matches(event)) return {};
  const int32_t next = state_.closed_through() + 1;
  // A day no future window reaches is late: it can only enlarge baselines.
  const bool late = day <= next - config_.max_window_days;
  if (day < next + 1 - config_.study_days) return ApplyOutcome{late};

  leaves_.clear();
  for_each_key(event, config_.levels, key_state_,
               [&](std::string_view leaf) { leaves_.emplace_back(leaf); });
  if (leaves_.empty()) return ApplyOutcome{late};
  std::sort(leaves_.begin(), leaves_.end());
  class_key_.assign(1, kClassTag);
  for (size_t i = 0; i < leaves_.size(); ++i) {
    if (i) class_key_.push_back(kLeafSeparator);
    class_key_.append(leaves_[i]);
  }
  count_class(class_key_, day, sign);

  if (late) return ApplyOutcome{late};
  // Every node the case counts at, once: each leaf and each of its ancestors.
  nodes_.clear();
  for (const std::string& leaf : leaves_) {
    const std::string_view v = leaf;
    for (size_t at = v.find(kKeySeparator); at != std::string_view::npos;
         at = v.find(kKeySeparator, at + 1)) {
      nodes_.push_back(v.substr(0, at));
    }
    nodes_.push_back(v);
  }
  std::sort(nodes_.begin(), nodes_.end());
  nodes_.erase(std::unique(nodes_.begin(), nodes_.end()), nodes_.end());
  for (const std::string_view node : nodes_) count_node(node, event, day, sign);
  return ApplyOutcome{late};
}

void TreeScanDetector::count_class(std::string_view key, int32_t day, int sign) {
  auto& records = state_.records();
  auto it = records.find(key);
  if (it == records.end()) {
    if (sign < 0) return;
    it = records.emplace(std::string(key), Record{}).first;
  }
  Record& r = it->second;
  if (r.erased) r = Record{};
  if (r.counts.empty()) r.first_day = day;
  if (day < r.first_day) {
    r.counts.insert(r.counts.begin(), static_cast<size_t>(r.first_day - day), 0u);
    r.first_day = day;
  }
  const size_t idx = static_cast<size_t>(day - r.first_day);
  if (idx >= r.counts.size()) r.counts.resize(idx + 1, 0u);
  if (sign > 0) {
    ++r.counts[idx];
  } else if (r.counts[idx] > 0) {
    --r.counts[idx];
  }
  state_.mark_dirty(it->first, r);
}

void TreeScanDetector::count_node(std::string_view node, const IncidentEvent& event, int32_t day,
                                  int sign) {
  record_key_.assign(1, kNodeTag);
  record_key_.append(node);
  auto& records = state_.records();
  auto it = records.find(record_key_);
  if (it == records.end()) {
    if (sign < 0) return;
    it = records.emplace(record_key_, Record{}).first;
  }
  Record& r = it->second;
  if (r.erased) r = Record{};
  const int32_t oldest = state_.closed_through() + 2 - config_.max_window_days;
  DayEvidence* ev = nullptr;
  for (auto& e : r.evidence) {
    if (e.day == day) ev = &e;
  }
  if (ev == nullptr) {
    if (sign < 0) return;
    for (auto& e : r.evidence) {
      if (e.day < oldest) {  // recycle a day no window reaches any more
        ev = &e;
        ev->id_count = 0;
        ev->ids.clear();
        ev->orgs.clear();
        break;
      }
    }
    if (ev == nullptr) ev = &r.evidence.emplace_back();
    ev->day = day;
  }
  if (sign > 0) {
    if (ev->id_count < kMaxEvidenceIds) {
      ev->ids.append(event.id);
      ev->ids.push_back('\n');
      ++ev->id_count;
    }
    const uint32_t h = org_code_hash(event.org);
    auto pos = std::lower_bound(ev->orgs.begin(), ev->orgs.end(), h);
    if ((pos == ev->orgs.end() || *pos != h) && ev->orgs.size() < kMaxDistinctOrgs) {
      ev->orgs.insert(pos, h);
    }
  } else {
    // The id leaves; its organisation may have other reports that day.
    std::string needle(event.id);
    needle.push_back('\n');
    for (size_t at = ev->ids.find(needle); at != std::string::npos; at = ev->ids.find(needle, at + 1)) {
      if (at == 0 || ev->ids[at - 1] == '\n') {
        ev->ids.erase(at, needle.size());
        --ev->id_count;
        break;
      }
    }
  }
  state_.mark_dirty(it->first, r);
}

void TreeScanDetector::advance(Date stream_time, std::vector<Signal>& out) {
  if (!state_.started()) return;
  while (state_.closed_through() + 1 + config_.lag_days < stream_time.days) {
    const int32_t day = state_.closed_through() + 1;
    state_.set_closed_through(day);
    // A study period reaching before the stream began would call every
    // node's first days an excess.
    if (day + 1 - config_.study_days >= state_.first_period()) analyse(day, stream_time, out);
    if (day % kSweepEvery == 0) sweep(day);
  }
}

void TreeScanDetector::analyse(int32_t day, Date stream_time, std::vector<Signal>& out) {
  const int32_t from = day + 1 - config_.study_days;
  const int32_t m = config_.max_window_days;

  // The classes with cases in the study period, in key order.
  std::vector<std::pair<std::string_view, const Record*>> classes;
  std::vector<const Record*> class_records;  // parallel to data.classes
  for (const auto& [key, r] : state_.records()) {
    if (r.erased || key.empty() || key.front() != kClassTag) continue;
    classes.emplace_back(std::string_view(key).substr(1), &r);
  }
  std::sort(classes.begin(), classes.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });

  TreeScanData data;
  data.max_window = m;
  std::unordered_map<std::string_view, uint32_t> index;
  std::vector<std::string_view> node_keys;
  const auto node_of = [&](std::string_view node, uint32_t parent) {
    auto [it, added] = index.emplace(node, static_cast<uint32_t>(node_keys.size()));
    if (added) {
      node_keys.push_back(node);
      data.parent.push_back(parent);
    }
    return it->second;
  };
  for (const auto& [key, r] : classes) {
    TreeScanData::CaseClass cls;
    cls.recent.assign(static_cast<size_t>(m), 0);
    for (int32_t d = from; d <= day; ++d) cls.total += count_on(r->counts, r->first_day, d);
    if (cls.total == 0) continue;
    for (int32_t d = 0; d < m; ++d) {
      cls.recent[static_cast<size_t>(d)] = count_on(r->counts, r->first_day, day - d);
    }
    std::string_view rest = key;
    while (!rest.empty()) {
      const size_t end = rest.find(kLeafSeparator);
      const std::string_view leaf = rest.substr(0, end);
      rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
      uint32_t parent = kNoParent;
      for (size_t at = leaf.find(kKeySeparator); at != std::string_view::npos;
           at = leaf.find(kKeySeparator, at + 1)) {
        parent = node_of(leaf.substr(0, at), parent);
        cls.nodes.push_back(parent);
      }
      cls.nodes.push_back(node_of(leaf, parent));
    }
    std::sort(cls.nodes.begin(), cls.nodes.end());
    cls.nodes.erase(std::unique(cls.nodes.begin(), cls.nodes.end()), cls.nodes.end());
    data.classes.push_back(std::move(cls));
    class_records.push_back(r);
  }

  TreeScanSettings settings;
  settings.replicates = config_.replicates;
  settings.alpha = config_.alpha;
  settings.min_cases = config_.min_cases;
  settings.max_cuts = config_.max_cuts;
  settings.seed = config_.seed * 0x9e3779b97f4a7c15ull + static_cast<uint64_t>(static_cast<uint32_t>(day));
  const TreeScanResult result = tree_scan(data, settings);
  replicates_run_ += result.replicates_run;

  // The nodes to judge: those alarming today and those with an open episode.
  std::vector<std::pair<std::string, TreeCut>> judged;  // record key, cut
  std::vector<bool> alarmed(node_keys.size(), false);
  for (const TreeCut& cut : result.cuts) {
    if (cut.p_value <= config_.alpha + 1e-12 && cut.observed >= config_.min_cases) {
      alarmed[cut.node] = true;
      judged.emplace_back(std::string(1, kNodeTag) + std::string(node_keys[cut.node]), cut);
    }
  }
  for (const auto& [key, r] : state_.records()) {
    if (r.erased || !r.episode.open || key.front() != kNodeTag) continue;
    auto found = index.find(std::string_view(key).substr(1));
    if (found != index.end() && alarmed[found->second]) continue;
    TreeCut cut;
    if (found != index.end()) cut = result.best_by_node[found->second];
    judged.emplace_back(key, cut);
  }
  std::sort(judged.begin(), judged.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });

  for (const auto& [key, cut] : judged) {
    auto it = state_.records().find(key);
    if (it == state_.records().end()) it = state_.records().emplace(key, Record{}).first;
    Record& r = it->second;
    if (r.erased) r = Record{};
    const bool alarm = cut.p_value <= config_.alpha + 1e-12 && cut.observed >= config_.min_cases &&
                       cut.window_days > 0;
    const auto transition = r.episode.step(alarm, cut.observed, day, config_.lifecycle);
    if (transition) {
      Signal s = make_signal(std::string_view(key).substr(1), r, *transition, day, cut, stream_time);
      auto found = index.find(std::string_view(key).substr(1));
      if (found != index.end() && cut.window_days > 0) {
        s.series = window_series(data, class_records, found->second, day, cut.window_days);
      }
      out.push_back(std::move(s));
    }
    state_.mark_dirty(it->first, r);
  }
}

SignalSeries TreeScanDetector::window_series(const TreeScanData& data,
                                             const std::vector<const Record*>& class_records,
                                             uint32_t node, int32_t day, int32_t window) const {
  const int32_t from = day + 1 - config_.study_days;
  const size_t days = static_cast<size_t>(config_.study_days);
  std::vector<int64_t> tree(days, 0), own(days, 0);  // per day of the study period
  int64_t total = 0, node_total = 0;
  for (size_t i = 0; i < data.classes.size(); ++i) {
    const auto& cls = data.classes[i];
    const bool in_node = std::binary_search(cls.nodes.begin(), cls.nodes.end(), node);
    total += cls.total;
    if (in_node) node_total += cls.total;
    for (size_t d = 0; d < days; ++d) {
      const int64_t c = count_on(class_records[i]->counts, class_records[i]->first_day,
                                 from + static_cast<int32_t>(d));
      tree[d] += c;
      if (in_node) own[d] += c;
    }
  }
  SignalSeries series;
  series.measure = "count";
  for (int32_t end = day; end - window + 1 >= from && series.points.size() < kMaxSeriesPoints;
       end -= window) {
    PeriodPoint p;
    p.start = Date{end - window + 1};
    p.end = Date{end};
    int64_t c = 0, tree_c = 0;
    for (int32_t d = p.start.days; d <= end; ++d) {
      c += own[static_cast<size_t>(d - from)];
      tree_c += tree[static_cast<size_t>(d - from)];
    }
    p.value = static_cast<double>(c);
    p.expected = total > 0 ? static_cast<double>(node_total) * static_cast<double>(tree_c) /
                                 static_cast<double>(total)
                           : 0.0;
    p.flagged = end == day;
    series.points.push_back(p);
  }
  std::reverse(series.points.begin(), series.points.end());
  return series;
}

void TreeScanDetector::sweep(int32_t day) {
  const int32_t class_from = day + 2 - config_.study_days;
  const int32_t evidence_from = day + 2 - config_.max_window_days;
  for (auto& [key, r] : state_.records()) {
    if (r.erased) continue;
    bool silent = false;
    if (key.front() == kClassTag) {
      const int64_t skip = static_cast<int64_t>(class_from) - r.first_day;
      silent = skip >= static_cast<int64_t>(r.counts.size()) ||
               std::all_of(r.counts.begin() + std::max<int64_t>(skip, 0), r.counts.end(),
                           [](uint32_t c) { return c == 0; });
    } else {
      silent = !r.episode.open &&
               std::none_of(r.evidence.begin(), r.evidence.end(), [&](const DayEvidence& e) {
                 return e.day >= evidence_from && e.id_count > 0;
               });
    }
    if (silent) {
      r.erased = true;
      state_.mark_dirty(key, r);
    }
  }
}

Signal TreeScanDetector::make_signal(std::string_view node, const Record& r, SignalType type,
                                     int32_t day, const TreeCut& cut, Date stream_time) const {
  const std::vector<Dimension> dims(config_.levels.begin(),
                                    config_.levels.begin() + static_cast<std::ptrdiff_t>(depth_of(node)));
  const int32_t window = cut.window_days > 0 ? cut.window_days : config_.max_window_days;
  Signal s;
  s.type = type;
  s.key = key_parts(dims, node);
  s.signal_id = make_signal_id(config_.name, s.key, format_date(Date{r.episode.start_period}));
  s.sequence = r.episode.sequence;
  s.detector = config_.name;
  s.method = "tree_scan";
  s.period_start = Date{day - window + 1};
  s.period_end = Date{day};
  s.fired_at = stream_time;
  s.observed = cut.observed;
  s.expected = cut.window_days > 0 ? cut.expected : std::nan("");
  s.score = cut.llr;
  s.severity = config_.severity;
  s.evidence_count = cut.observed;
  const double p = cut.window_days > 0 ? cut.p_value : 1.0;
  s.statistics = {{"llr", cut.llr},
                  {"p_value", p},
                  {"recurrence_interval_days", 1.0 / p},
                  {"window_days", static_cast<double>(window)},
                  {"node_total", static_cast<double>(cut.node_total)}};
  std::vector<uint32_t> orgs;
  std::vector<const DayEvidence*> days;
  for (const auto& e : r.evidence) {
    if (e.day >= s.period_start.days && e.day <= day) days.push_back(&e);
  }
  // Newest days first, so the ids kept are the latest.
  std::sort(days.begin(), days.end(), [](auto* a, auto* b) { return a->day > b->day; });
  for (const DayEvidence* e : days) {
    orgs.insert(orgs.end(), e->orgs.begin(), e->orgs.end());
    std::string_view ids = e->ids;
    while (!ids.empty() && s.event_ids.size() < kMaxEvidenceIds) {
      const size_t nl = ids.find('\n');
      s.event_ids.emplace_back(ids.substr(0, nl));
      ids.remove_prefix(nl == std::string_view::npos ? ids.size() : nl + 1);
    }
  }
  std::sort(orgs.begin(), orgs.end());
  s.evidence_orgs = std::unique(orgs.begin(), orgs.end()) - orgs.begin();
  std::sort(s.event_ids.begin(), s.event_ids.end());

  std::string where;
  for (const auto& [k, v] : s.key) where += (where.empty() ? "" : ", ") + k + " " + v;
  std::string tree;
  for (const Dimension d : config_.levels) tree += (tree.empty() ? "" : " > ") + std::string(to_string(d));
  const std::string span = window == 1 ? "day of " + format_date(s.period_end)
                                        : std::to_string(window) + " days to " + format_date(s.period_end);
  if (type == SignalType::kResolved) {
    s.summary = "No longer an excess in the " + tree + " tree for " + where + ": " +
                std::to_string(cut.observed) + " " + config_.filter.describe() + " in the " + span +
                ".";
  } else {
    s.summary = std::to_string(cut.observed) + " " + config_.filter.describe() + " for " + where +
                " in the " + span + ", against " + format_number(cut.expected, 1) +
                " expected from its " + std::to_string(cut.node_total) + " in the last " +
                std::to_string(config_.study_days) + " days (tree scan over " + tree + ": LLR " +
                format_number(cut.llr, 1) + ", p = " + format_number(p, 4) +
                ", recurrence interval " + format_number(1.0 / p, 0) + " days)" +
                (type == SignalType::kUpdated ? "; still rising" : "") + ".";
  }
  return s;
}

void TreeScanDetector::save(StateBatch& batch) {
  const int32_t class_from = state_.closed_through() + 2 - config_.study_days;
  const int32_t evidence_from = state_.closed_through() + 2 - config_.max_window_days;
  state_.save(batch, [&](Record& r, std::string& out) {
    // Days no analysis reads again are not stored.
    if (r.first_day < class_from && !r.counts.empty()) {
      const int64_t drop = std::min<int64_t>(class_from - r.first_day, static_cast<int64_t>(r.counts.size()));
      r.counts.erase(r.counts.begin(), r.counts.begin() + drop);
      r.first_day = class_from;
    }
    std::erase_if(r.evidence, [&](const DayEvidence& e) { return e.day < evidence_from; });
    encode(r, out);
  });
}

void TreeScanDetector::encode(const Record& r, std::string& out) {
  append_varint(out, static_cast<uint32_t>(r.first_day));
  append_varints(out, r.counts);
  r.episode.encode(out);
  append_varint(out, r.evidence.size());
  for (const auto& e : r.evidence) {
    append_varint(out, static_cast<uint32_t>(e.day));
    append_varint(out, e.id_count);
    append_bytes(out, e.ids);
    append_varints(out, e.orgs);
  }
}

bool TreeScanDetector::decode(std::string_view in, Record& r) {
  const auto first = read_varint(in);
  if (!first || !read_varints(in, r.counts) || !r.episode.decode(in)) return false;
  r.first_day = static_cast<int32_t>(static_cast<uint32_t>(*first));
  const bool ok = read_list(in, r.evidence, [](std::string_view& rest, DayEvidence& e) {
    const auto day = read_varint(rest);
    const auto count = day ? read_varint(rest) : std::nullopt;
    const auto ids = count ? read_bytes(rest) : std::nullopt;
    if (!ids || !read_varints(rest, e.orgs)) return false;
    e.day = static_cast<int32_t>(static_cast<uint32_t>(*day));
    e.id_count = static_cast<uint32_t>(*count);
    e.ids.assign(*ids);
    return true;
  });
  return ok && in.empty();
}

}  // namespace vigil
