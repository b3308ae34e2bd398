#include "detectors/text_cluster.h"

#include <algorithm>
#include <boost/math/distributions/poisson.hpp>
#include <cmath>
#include <cstdio>
#include <functional>

#include "detectors/key_dimension.h"
#include "state/key_encoding.h"

namespace vigil {
namespace {

constexpr char kMetaTag = 'm';
constexpr char kWarmTag = 'w';
constexpr char kBackgroundTag = 'b';
constexpr char kClusterTag = 'c';
constexpr char kBucketTag = 'd';
// 'i', 'j' and 'J': per-report entries (text_report_entries.h).
constexpr char kGateTag = 'g';   // + u64 word hash -> the single-task path's gate counts
constexpr char kWordTag = 'v';   // + u64 word hash -> a revealed word
constexpr uint32_t kDayFlip = 0x80000000u;  // days sort as unsigned big-endian

// The fields a signal names when every report of its window shares them.
// The organisation and the patient's ethnic group came later (bucket
// version 2): a cluster confined to one trust, or to one ethnic group, is
// what a reviewer needs to see first.
constexpr std::array<Dimension, 6> kFieldDimensions = {
    Dimension::kCategory, Dimension::kServiceArea, Dimension::kMedication,
    Dimension::kDevice,   Dimension::kOrg,         Dimension::kEthnicity};
// Buckets of version 1 kept the first four.
constexpr size_t kVersion1Fields = 4;
constexpr size_t kEthnicityField = 5;
// A shared ethnic group is named only when all of a window's reports would
// share it by chance less often than this: three reports of the majority
// group are no finding, three of a group of 3 % are one.
constexpr double kSharedByChance = 0.01;
constexpr char kGroupsTag = 'e';  // + nothing -> counts of reports per ethnic group

uint32_t org_hash(std::string_view org) { return organisation_hash(org); }

void append_day(std::string& out, int32_t day) {
  append_u32_be(out, static_cast<uint32_t>(day) ^ kDayFlip);
}

std::string hex_id(uint64_t id) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(id));
  return buf;
}

double poisson_upper_tail(double mean, int64_t observed) {
  if (observed <= 0) return 1.0;
  if (mean <= 0) return 0.0;
  return boost::math::cdf(boost::math::complement(boost::math::poisson(mean),
                                                  static_cast<double>(observed - 1)));
}

bool read_u32_list(std::string_view& in, std::vector<uint32_t>& out) {
  return read_varints(in, out);
}

}  // namespace

Result<std::unique_ptr<TextClusterDetector>> TextClusterDetector::create(TextClusterConfig config,
                                                                         int32_t partition,
                                                                         ColumnFamilyId cf) {
  if (config.window_days < 1 || config.window_days > 90) {
    return config_error(config.name, "window_days must be 1..90");
  }
  if (config.baseline_days < 7 || config.baseline_days > 730) {
    return config_error(config.name, "baseline_days must be 7..730");
  }
  if (config.min_reports < 2) return config_error(config.name, "min_reports must be at least 2");
  if (config.min_orgs < 1) return config_error(config.name, "min_orgs must be at least 1");
  if (!(config.min_ratio >= 1)) return config_error(config.name, "min_ratio must be at least 1");
  if (!(config.alpha > 0 && config.alpha < 0.5)) {
    return config_error(config.name, "alpha must be in (0, 0.5)");
  }
  if (!(config.similarity > 0 && config.similarity <= 1)) {
    return config_error(config.name, "similarity must be in (0, 1]");
  }
  if (config.bands < 1 || config.rows < 1 || config.bands * config.rows > 256) {
    return config_error(config.name, "bands and rows must be at least 1, bands x rows at most 256");
  }
  if (config.shingle_words < 1 || config.shingle_words > 4) {
    return config_error(config.name, "shingle_words must be 1..4");
  }
  if (config.warmup_reports < 1) {
    return config_error(config.name, "warmup_reports must be at least 1");
  }
  if (!(config.background_share > 0 && config.background_share <= 1)) {
    return config_error(config.name, "background_share must be in (0, 1]");
  }
  auto fingerprinter =
      DescriptionFingerprinter::make(config.redaction, partition_prefix(partition) + kGateTag, cf);
  if (!fingerprinter) return config_error(config.name, fingerprinter.error().message);
  return std::unique_ptr<TextClusterDetector>(
      new TextClusterDetector(std::move(config), partition, cf, std::move(fingerprinter).value()));
}

TextClusterDetector::TextClusterDetector(TextClusterConfig config, int32_t partition,
                                         ColumnFamilyId cf, DescriptionFingerprinter fingerprinter)
    : config_(std::move(config)),
      prefix_(partition_prefix(partition)),
      cf_(cf),
      entries_(partition_prefix(partition), cf),
      fingerprinter_(std::move(fingerprinter)) {}

bool TextClusterDetector::knows_word(std::string_view word) const {
  return std::any_of(revealed_words_.begin(), revealed_words_.end(),
                     [&](const auto& entry) { return entry.second == word; });
}

void TextClusterDetector::learn(const TextFingerprint& text) {
  for (const RevealedWord& w : text.revealed) {
    if (revealed_words_.try_emplace(w.hash, w.word).second) new_words_.push_back(w.hash);
  }
}

size_t TextClusterDetector::open_signals() const {
  size_t open = 0;
  for (const auto& [id, c] : clusters_) open += c.episode.open ? 1 : 0;
  return open;
}

std::optional<int32_t> TextClusterDetector::closed_through() const {
  if (!started_) return std::nullopt;
  return closed_through_;
}

bool TextClusterDetector::late_when_closed_through(const IncidentEvent& event, int32_t closed) const {
  // As apply() decides it: only reports the filter counts can be late.
  return config_.filter.matches(event) && event_time(event).days <= closed;
}

int32_t TextClusterDetector::horizon_start() const {
  // The next day judged is closed_through_ + 1; its baseline starts here.
  return closed_through_ + 2 - config_.window_days - config_.baseline_days;
}

std::string TextClusterDetector::cluster_key(char tag, uint64_t id) const {
  std::string key = prefix_;
  key.push_back(tag);
  append_u64_be(key, id);
  return key;
}

void TextClusterDetector::warm_up(const std::vector<TermHash>& words) {
  // Document frequency: each word once per description.
  thread_local std::vector<TermHash> distinct;
  distinct.assign(words.begin(), words.end());
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  for (const TermHash h : distinct) ++warm_counts_[h];
  ++warm_docs_;
  vocabulary_dirty_ = true;
  meta_dirty_ = true;
  if (warm_docs_ < config_.warmup_reports) return;
  const double limit = config_.background_share * static_cast<double>(warm_docs_);
  for (const auto& [h, n] : warm_counts_) {
    if (static_cast<double>(n) > limit) background_.insert(h);
  }
  warm_counts_.clear();
  frozen_ = true;
  frozen_day_ = closed_through_ + 1;
}

uint64_t TextClusterDetector::assign(const std::vector<TermHash>& hashes) {
  const size_t bands = static_cast<size_t>(config_.bands);
  const size_t rows = static_cast<size_t>(config_.rows);
  // The oldest cluster whose leader is similar enough: an established
  // cluster keeps its reports, so a newer leader near it never takes over
  // its stream (and then looks like new wording with no history).
  uint64_t oldest = 0;
  // A leader not similar enough shares several bands with the report as a
  // rule: compared once.
  not_similar_.clear();
  for (size_t b = 0; b < bands; ++b) {
    const std::vector<Leader>* leaders = bands_.find(band_key(signature_, b, rows));
    if (leaders == nullptr) continue;
    for (const Leader& l : *leaders) {
      if (oldest != 0 && l.id >= oldest) break;  // the rest are younger still
      if (std::find(not_similar_.begin(), not_similar_.end(), l.id) != not_similar_.end()) continue;
      if (signature_similarity(signature_, *l.signature) >= config_.similarity) {
        oldest = l.id;
        break;
      }
      not_similar_.push_back(l.id);
    }
  }
  if (oldest != 0) return oldest;

  // A new cluster, led by this report.
  const uint64_t id = next_cluster_++;
  meta_dirty_ = true;
  Cluster& c = clusters_[id];
  c.signature = signature_;
  for (size_t i = 0; i < hashes.size() && c.term_hashes.size() < kLeaderTerms; ++i) {
    if (background_.contains(hashes[i])) continue;
    if (std::find(c.term_hashes.begin(), c.term_hashes.end(), hashes[i]) != c.term_hashes.end()) {
      continue;
    }
    c.term_hashes.push_back(hashes[i]);
  }
  for (size_t b = 0; b < bands; ++b) {
    bands_.add(band_key(signature_, b, rows), Leader{id, &c.signature});
  }
  return id;
}

ApplyOutcome TextClusterDetector::apply(const IncidentEvent& event, int sign, std::vector<Signal>&) {
  const int32_t day = event_time(event).days;
  if (!started_) {
    started_ = true;
    closed_through_ = day - 1;
    meta_dirty_ = true;
  }
  // The text, as a fingerprint: the input task's (merge stage), or derived
  // here from the description (single task), through the same gate, so the
  // words revealed depend only on the reports before, and on every report
  // the task accepts, whatever the filter.
  const TextFingerprint* text = nullptr;
  if (sign > 0) {
    text = event.text;
    if (text == nullptr && !event.description.empty()) {
      fingerprinter_.fingerprint(event.description, event.org, own_text_);
      text = &own_text_;
    }
    if (text != nullptr) learn(*text);
  }
  if (!config_.filter.matches(event)) return {};
  const bool late = day <= closed_through_;
  if (day < horizon_start()) return ApplyOutcome{late};

  if (sign < 0) {
    // The stored description is gone: take back what this report added, as
    // recorded under its day and id.
    const auto entry = entries_.take_back(day, event.id, store_);
    if (!entry) return ApplyOutcome{late};
    auto it = clusters_.find(entry->cluster);
    if (it != clusters_.end()) count(it->second, it->first, event, day, entry->mask, -1);
    return ApplyOutcome{late};
  }

  if (text == nullptr || text->word_hashes.empty()) return ApplyOutcome{late};
  const std::vector<TermHash>& hashes = text->word_hashes;
  if (!frozen_) {
    warm_up(hashes);
    return ApplyOutcome{late};
  }
  if (!minhash_signature(hashes, background_, config_.shingle_words,
                         static_cast<size_t>(config_.bands * config_.rows), signature_)) {
    return ApplyOutcome{late};
  }
  const uint64_t id = assign(hashes);
  Cluster& c = clusters_.at(id);
  uint32_t mask = 0;
  for (size_t t = 0; t < c.term_hashes.size(); ++t) {
    if (std::find(hashes.begin(), hashes.end(), c.term_hashes[t]) != hashes.end()) {
      mask |= 1u << t;
    }
  }
  count(c, id, event, day, mask, +1);
  entries_.add(day, event.id, id, mask);
  return ApplyOutcome{late};
}

void TextClusterDetector::count(Cluster& c, uint64_t id, const IncidentEvent& event, int32_t day,
                                uint32_t mask, int sign) {
  if (c.counts.empty()) c.first_day = day;
  if (day < c.first_day) {
    c.counts.insert(c.counts.begin(), static_cast<size_t>(c.first_day - day), 0u);
    c.first_day = day;
  }
  const auto idx = static_cast<size_t>(day - c.first_day);
  if (idx >= c.counts.size()) c.counts.resize(idx + 1, 0u);
  if (sign > 0) {
    ++c.counts[idx];
  } else if (c.counts[idx] > 0) {
    --c.counts[idx];
  }
  c.dirty = true;
  (void)id;
  count_group(event, sign);

  // Details only for days a later window still covers.
  if (day < closed_through_ + 2 - config_.window_days) return;
  auto bucket_it = c.buckets.find(day);
  if (bucket_it == c.buckets.end()) {
    if (sign < 0) return;
    bucket_it = c.buckets.emplace(day, Bucket{}).first;
  }
  Bucket& b = bucket_it->second;
  b.dirty = true;
  if (sign < 0 && b.count == 0) return;
  b.count = sign > 0 ? b.count + 1 : b.count - 1;
  const uint32_t org = org_hash(event.org);
  auto o = std::find_if(b.orgs.begin(), b.orgs.end(), [&](const auto& p) { return p.first == org; });
  if (sign > 0) {
    if (o == b.orgs.end()) {
      b.orgs.emplace_back(org, 1u);
    } else {
      ++o->second;
    }
  } else if (o != b.orgs.end() && --o->second == 0) {
    b.orgs.erase(o);
  }
  if (sign > 0) {
    if (b.id_count < kTextIdsPerDay) {
      b.ids.append(event.id);
      b.ids.push_back('\n');
      ++b.id_count;
    }
  } else {
    std::string needle(event.id);
    needle.push_back('\n');
    for (size_t at = 0; (at = b.ids.find(needle, at)) != std::string::npos; ++at) {
      if (at == 0 || b.ids[at - 1] == '\n') {
        b.ids.erase(at, needle.size());
        --b.id_count;
        break;
      }
    }
  }
  if (b.terms.size() < c.term_hashes.size()) b.terms.resize(c.term_hashes.size(), 0u);
  for (size_t t = 0; t < c.term_hashes.size(); ++t) {
    if ((mask & (1u << t)) == 0) continue;
    if (sign > 0) {
      ++b.terms[t];
    } else if (b.terms[t] > 0) {
      --b.terms[t];
    }
  }
  for (size_t f = 0; f < kFieldCount; ++f) {
    values_.clear();
    scratch_.clear();
    scratch_.reserve(device_scratch_bytes(event));
    dimension_values(event, kFieldDimensions[f], values_, scratch_);
    const std::string_view v = values_.empty() ? kUnknownValue : values_.front();
    auto& list = b.fields[f];
    auto it = std::find_if(list.begin(), list.end(), [&](const FieldValue& fv) { return fv.value == v; });
    if (it == list.end() && sign > 0 && list.size() < kValuesPerField) {
      list.push_back(FieldValue{std::string(v), 0});
      it = list.end() - 1;
    }
    if (it == list.end()) {
      // Not one of the values kept: counted as "another value".
      it = std::find_if(list.begin(), list.end(), [](const FieldValue& fv) { return fv.value.empty(); });
      if (it == list.end()) {
        if (sign < 0) continue;
        list.push_back(FieldValue{std::string(), 0});
        it = list.end() - 1;
      }
    }
    if (sign > 0) {
      ++it->count;
    } else if (it->count > 0) {
      --it->count;
    }
  }
}

void TextClusterDetector::advance(Date stream_time, std::vector<Signal>& out) {
  if (!started_) return;
  // A day is judged once stream time has moved past it.
  while (closed_through_ < stream_time.days - 1) judge(closed_through_ + 1, stream_time, out);
}

TextClusterDetector::Judged TextClusterDetector::measure(const Cluster& c, int32_t day) const {
  Judged j;
  const int32_t window_from = day - config_.window_days + 1;
  const int32_t base_from = window_from - config_.baseline_days;
  for (size_t i = 0; i < c.counts.size(); ++i) {
    const int32_t d = c.first_day + static_cast<int32_t>(i);
    if (d > day) break;
    if (d >= window_from) {
      j.reports += c.counts[i];
    } else if (d >= base_from) {
      j.baseline += c.counts[i];
    }
  }
  j.expected = config_.window_days * (static_cast<double>(j.baseline) + 0.5) / config_.baseline_days;
  if (j.reports >= config_.min_reports) {
    std::vector<uint32_t> orgs;
    for (auto it = c.buckets.lower_bound(window_from); it != c.buckets.end() && it->first <= day; ++it) {
      for (const auto& [org, n] : it->second.orgs) {
        if (n > 0) orgs.push_back(org);
      }
    }
    std::sort(orgs.begin(), orgs.end());
    j.orgs = std::unique(orgs.begin(), orgs.end()) - orgs.begin();
    j.p_value = poisson_upper_tail(j.expected, j.reports);
  }
  return j;
}

void TextClusterDetector::judge(int32_t day, Date stream_time, std::vector<Signal>& out) {
  closed_through_ = day;
  meta_dirty_ = true;
  const bool whole = frozen_ && day - config_.window_days - config_.baseline_days + 1 >= frozen_day_;
  const int32_t keep_from = horizon_start();                      // counts
  const int32_t detail_from = day + 2 - config_.window_days;      // buckets
  entries_.expire(keep_from - 1);
  std::vector<uint64_t> drop;
  for (auto& [id, c] : clusters_) {
    if (whole) {
      const Judged j = measure(c, day);
      const bool alarm = j.reports >= config_.min_reports && j.orgs >= config_.min_orgs &&
                         static_cast<double>(j.reports) >= config_.min_ratio * j.expected &&
                         j.p_value < config_.alpha;
      const auto transition = c.episode.step(alarm, j.reports, day, config_.lifecycle);
      if (transition) {
        if (*transition == SignalType::kRaised) {
          c.shared = shared_fields(c, day - config_.window_days + 1, day, j.reports);
        }
        c.dirty = true;
        out.push_back(make_signal(id, c, j, *transition, day, stream_time));
      } else if (c.episode.open) {
        c.dirty = true;  // its quiet count moved
      }
    }
    // Trim what no later judgement reads.
    while (!c.buckets.empty() && c.buckets.begin()->first < detail_from) {
      dropped_buckets_.emplace_back(id, c.buckets.begin()->first);
      c.buckets.erase(c.buckets.begin());
    }
    if (!c.counts.empty() && c.first_day < keep_from) {
      const auto cut = std::min(c.counts.size(), static_cast<size_t>(keep_from - c.first_day));
      c.counts.erase(c.counts.begin(), c.counts.begin() + static_cast<std::ptrdiff_t>(cut));
      c.first_day = keep_from;
      c.dirty = true;
    }
    const bool empty = std::all_of(c.counts.begin(), c.counts.end(), [](uint32_t n) { return n == 0; });
    if (empty && !c.episode.open) drop.push_back(id);
  }
  for (const uint64_t id : drop) drop_cluster(id);
}

void TextClusterDetector::drop_cluster(uint64_t id) {
  auto it = clusters_.find(id);
  if (it == clusters_.end()) return;
  const size_t rows = static_cast<size_t>(config_.rows);
  for (size_t b = 0; b < static_cast<size_t>(config_.bands); ++b) {
    bands_.remove(band_key(it->second.signature, b, rows), id);
  }
  clusters_.erase(it);
  dropped_clusters_.push_back(id);
}

void TextClusterDetector::count_group(const IncidentEvent& event, int sign) {
  const char g = event.has_patient ? event.patient.ethnicity : '\0';
  const size_t i = g >= 'A' && g <= 'Z' ? static_cast<size_t>(g - 'A') : kGroupSlots - 1;
  if (sign > 0) {
    ++group_counts_[i];
  } else if (group_counts_[i] > 0) {
    --group_counts_[i];
  }
  groups_dirty_ = true;
}

bool TextClusterDetector::shared_by_chance(std::string_view group, int64_t reports) const {
  if (group.size() != 1 || group[0] < 'A' || group[0] > 'Z') return true;
  uint64_t total = 0;
  for (const uint64_t n : group_counts_) total += n;
  // The group's share of the reports counted so far, smoothed so that an
  // unseen group is rare rather than impossible.
  const double share = (static_cast<double>(group_counts_[static_cast<size_t>(group[0] - 'A')]) + 1) /
                       (static_cast<double>(total) + kGroupSlots);
  return std::pow(share, static_cast<double>(reports)) >= kSharedByChance;
}

std::vector<KeyPart> TextClusterDetector::shared_fields(const Cluster& c, int32_t from, int32_t to,
                                                        int64_t reports) const {
  std::vector<KeyPart> shared;
  for (size_t f = 0; f < kFieldCount; ++f) {
    std::map<std::string, int64_t> totals;
    for (auto it = c.buckets.lower_bound(from); it != c.buckets.end() && it->first <= to; ++it) {
      for (const FieldValue& fv : it->second.fields[f]) totals[fv.value] += fv.count;
    }
    for (const auto& [value, n] : totals) {
      if (value.empty() || value == kUnknownValue || n != reports) continue;
      if (f == kEthnicityField && shared_by_chance(value, reports)) continue;
      shared.emplace_back(std::string(to_string(kFieldDimensions[f])), value);
    }
  }
  return shared;
}

Signal TextClusterDetector::make_signal(uint64_t id, const Cluster& c, const Judged& j,
                                        SignalType type, int32_t day, Date stream_time) const {
  const int32_t from = day - config_.window_days + 1;
  Signal s;
  s.type = type;
  const std::vector<KeyPart> identity = {{"cluster", hex_id(id)}};
  s.signal_id = make_signal_id(config_.name, identity, format_date(Date{c.episode.start_period}));
  s.key = identity;
  s.key.insert(s.key.end(), c.shared.begin(), c.shared.end());
  s.sequence = c.episode.sequence;
  s.detector = config_.name;
  s.method = "text_cluster";
  s.period_start = Date{from};
  s.period_end = Date{day};
  s.fired_at = stream_time;
  s.observed = j.reports;
  s.expected = j.expected;
  s.threshold = std::max(static_cast<double>(config_.min_reports), config_.min_ratio * j.expected);
  s.score = j.expected > 0 ? static_cast<double>(j.reports) / j.expected : 0.0;
  s.severity = config_.severity;
  s.evidence_count = j.reports;
  s.evidence_orgs = j.orgs;

  // Report ids, newest days first until kMaxEvidenceIds, listed oldest first.
  std::vector<std::string> ids;
  for (auto it = c.buckets.upper_bound(day); it != c.buckets.begin();) {
    --it;
    if (it->first < from) break;
    std::vector<std::string> of_day;
    std::string_view rest = it->second.ids;
    while (!rest.empty()) {
      const size_t nl = rest.find('\n');
      of_day.emplace_back(rest.substr(0, nl));
      rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    }
    for (auto r = of_day.rbegin(); r != of_day.rend() && ids.size() < kMaxEvidenceIds; ++r) {
      ids.push_back(*r);
    }
    if (ids.size() >= kMaxEvidenceIds) break;
  }
  s.event_ids.assign(ids.rbegin(), ids.rend());

  // Top terms: the leader words most of the window's reports contain, of
  // those the gate has revealed (a word not yet revealed is not named).
  std::vector<int64_t> term_counts(c.term_hashes.size(), 0);
  for (auto it = c.buckets.lower_bound(from); it != c.buckets.end() && it->first <= day; ++it) {
    for (size_t t = 0; t < it->second.terms.size() && t < term_counts.size(); ++t) {
      term_counts[t] += it->second.terms[t];
    }
  }
  std::vector<size_t> order(c.term_hashes.size());
  for (size_t t = 0; t < order.size(); ++t) order[t] = t;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return term_counts[a] > term_counts[b]; });
  StratumCounts terms{"term", {}};
  std::string listed;
  for (size_t k = 0; k < order.size() && terms.counts.size() < kTopTerms; ++k) {
    // A word of the leader that few of the window's reports share is not
    // what the cluster is about.
    if (term_counts[order[k]] == 0 || 2 * term_counts[order[k]] < j.reports) break;
    const auto word = revealed_words_.find(c.term_hashes[order[k]]);
    if (word == revealed_words_.end()) continue;
    terms.counts.emplace_back(word->second, term_counts[order[k]]);
    listed += (listed.empty() ? "" : ", ") + word->second;
  }
  if (!terms.counts.empty()) s.strata.push_back(std::move(terms));

  // The series: the cluster's reports in consecutive windows back over the
  // baseline, the last one the window judged (what the review page charts).
  SignalSeries series{"count", {}};
  const int32_t w = config_.window_days;
  const auto periods = std::min<size_t>(
      kMaxSeriesPoints, static_cast<size_t>((config_.baseline_days + w - 1) / w + 1));
  for (size_t k = periods; k-- > 0;) {
    PeriodPoint p;
    p.end = Date{day - static_cast<int32_t>(k) * w};
    p.start = Date{p.end.days - w + 1};
    for (size_t i = 0; i < c.counts.size(); ++i) {
      const int32_t d = c.first_day + static_cast<int32_t>(i);
      if (d >= p.start.days && d <= p.end.days) p.value += c.counts[i];
    }
    if (k == 0) {
      p.expected = j.expected;
      p.threshold = s.threshold;
      p.flagged = type != SignalType::kResolved;
    }
    series.points.push_back(p);
  }
  s.series = std::move(series);

  s.statistics = {{"reports", static_cast<double>(j.reports)},
                  {"organisations", static_cast<double>(j.orgs)},
                  {"baseline_reports", static_cast<double>(j.baseline)},
                  {"rate_ratio", s.score},
                  {"p_value", j.p_value},
                  {"window_days", static_cast<double>(config_.window_days)},
                  {"baseline_days", static_cast<double>(config_.baseline_days)}};
  char expected[32];
  std::snprintf(expected, sizeof expected, "%.1f", j.expected);
  const std::string span = std::to_string(config_.window_days) + " days to " + format_date(Date{day});
  if (type == SignalType::kResolved) {
    s.summary = "A cluster of reports with similar descriptions has subsided: " +
                std::to_string(j.reports) + " reports in the " + span + " (about " + expected +
                " expected).";
  } else {
    s.summary = std::to_string(j.reports) + " reports with similar descriptions from " +
                std::to_string(j.orgs) + " organisations in the " + span + ", against about " +
                expected + " expected from the previous " + std::to_string(config_.baseline_days) +
                " days; top terms: " + (listed.empty() ? "none" : listed) + ".";
  }
  return s;
}

// ---- State ----

void TextClusterDetector::encode_meta(std::string& out) const {
  out.push_back(1);  // version
  out.push_back(static_cast<char>((started_ ? 1 : 0) | (frozen_ ? 2 : 0)));
  append_varint(out, zigzag_encode(closed_through_));
  append_varint(out, zigzag_encode(frozen_day_));
  append_varint(out, static_cast<uint64_t>(warm_docs_));
  append_varint(out, next_cluster_);
}

bool TextClusterDetector::decode_meta(std::string_view in) {
  if (in.size() < 2 || in[0] != 1) return false;
  const auto flags = static_cast<unsigned char>(in[1]);
  in.remove_prefix(2);
  const auto closed = read_varint(in);
  const auto frozen_day = read_varint(in);
  const auto docs = read_varint(in);
  const auto next = read_varint(in);
  if (!closed || !frozen_day || !docs || !next || !in.empty()) return false;
  started_ = (flags & 1) != 0;
  frozen_ = (flags & 2) != 0;
  closed_through_ = static_cast<int32_t>(zigzag_decode(*closed));
  frozen_day_ = static_cast<int32_t>(zigzag_decode(*frozen_day));
  warm_docs_ = static_cast<int64_t>(*docs);
  next_cluster_ = *next;
  return true;
}

void TextClusterDetector::encode_cluster(const Cluster& c, std::string& out) {
  // Version 2: leader terms as hashes only (version 1 kept the leader's
  // words, from one report; it was never released, so it is not read).
  out.push_back(2);
  append_varints(out, c.signature);
  append_varint(out, c.term_hashes.size());
  for (const TermHash h : c.term_hashes) append_u64_be(out, h);
  append_varint(out, zigzag_encode(c.first_day));
  append_varints(out, c.counts);
  c.episode.encode(out);
  append_varint(out, c.shared.size());
  for (const auto& [k, v] : c.shared) {
    append_bytes(out, k);
    append_bytes(out, v);
  }
}

bool TextClusterDetector::decode_cluster(std::string_view in, Cluster& c) {
  if (in.empty() || in[0] != 2) return false;
  in.remove_prefix(1);
  if (!read_u32_list(in, c.signature)) return false;
  const auto terms = read_varint(in);
  if (!terms || *terms > kLeaderTerms) return false;
  for (uint64_t t = 0; t < *terms; ++t) {
    const auto h = read_u64_be(in);
    if (!h) return false;
    in.remove_prefix(8);
    c.term_hashes.push_back(*h);
  }
  const auto first = read_varint(in);
  if (!first) return false;
  c.first_day = static_cast<int32_t>(zigzag_decode(*first));
  if (!read_u32_list(in, c.counts) || !c.episode.decode(in)) return false;
  const auto shared = read_varint(in);
  if (!shared || *shared > 16) return false;
  for (uint64_t i = 0; i < *shared; ++i) {
    const auto k = read_bytes(in);
    if (!k) return false;
    const auto v = read_bytes(in);
    if (!v) return false;
    c.shared.emplace_back(std::string(*k), std::string(*v));
  }
  return in.empty();
}

void TextClusterDetector::encode_bucket(const Bucket& b, std::string& out) {
  out.push_back(2);  // version
  append_varint(out, b.count);
  append_varint(out, b.orgs.size());
  for (const auto& [org, n] : b.orgs) {
    append_u32_be(out, org);
    append_varint(out, n);
  }
  append_varint(out, b.id_count);
  append_bytes(out, b.ids);
  append_varints(out, b.terms);
  for (const auto& list : b.fields) {
    append_varint(out, list.size());
    for (const FieldValue& fv : list) {
      append_bytes(out, fv.value);
      append_varint(out, fv.count);
    }
  }
}

bool TextClusterDetector::decode_bucket(std::string_view in, Bucket& b) {
  if (in.empty() || (in[0] != 1 && in[0] != 2)) return false;
  const size_t field_lists = in[0] == 1 ? kVersion1Fields : kFieldCount;
  in.remove_prefix(1);
  const auto count = read_varint(in);
  const auto orgs = read_varint(in);
  if (!count || !orgs || *orgs > in.size()) return false;
  b.count = static_cast<uint32_t>(*count);
  for (uint64_t i = 0; i < *orgs; ++i) {
    const auto org = read_u32_be(in);
    if (!org) return false;
    in.remove_prefix(4);
    const auto n = read_varint(in);
    if (!n) return false;
    b.orgs.emplace_back(*org, static_cast<uint32_t>(*n));
  }
  const auto id_count = read_varint(in);
  if (!id_count) return false;
  b.id_count = static_cast<uint32_t>(*id_count);
  const auto ids = read_bytes(in);
  if (!ids) return false;
  b.ids.assign(*ids);
  if (!read_u32_list(in, b.terms)) return false;
  for (size_t f = 0; f < field_lists; ++f) {
    auto& list = b.fields[f];
    const auto n = read_varint(in);
    if (!n || *n > kValuesPerField + 1) return false;
    for (uint64_t i = 0; i < *n; ++i) {
      const auto v = read_bytes(in);
      if (!v) return false;
      const auto c = read_varint(in);
      if (!c) return false;
      list.push_back(FieldValue{std::string(*v), static_cast<uint32_t>(*c)});
    }
  }
  return in.empty();
}

Status TextClusterDetector::restore(const StateStore& store) {
  store_ = &store;
  clusters_.clear();
  bands_.clear();
  background_.clear();
  warm_counts_.clear();
  revealed_words_.clear();
  new_words_.clear();
  group_counts_.fill(0);
  groups_dirty_ = false;
  if (Status gate = fingerprinter_.restore(store); !gate.is_ok()) return gate;
  bool corrupt = false;
  const auto scan = [&](char tag, const std::function<bool(std::string_view, std::string_view)>& visit) {
    std::string p = prefix_;
    p.push_back(tag);
    return store.scan_prefix(cf_, p, [&](std::string_view k, std::string_view v) {
      k.remove_prefix(p.size());
      if (!visit(k, v)) corrupt = true;
      return !corrupt;
    });
  };
  Status s = scan(kMetaTag, [&](std::string_view, std::string_view v) { return decode_meta(v); });
  if (s.is_ok()) {
    // Absent in state written before (then counted from here on).
    s = scan(kGroupsTag, [&](std::string_view k, std::string_view v) {
      for (uint64_t& n : group_counts_) {
        const auto read = read_varint(v);
        if (!read) return false;
        n = *read;
      }
      return k.empty() && v.empty();
    });
  }
  if (s.is_ok()) {
    s = scan(kWarmTag, [&](std::string_view, std::string_view v) {
      while (!v.empty()) {
        const auto h = read_u64_be(v);
        if (!h) return false;
        v.remove_prefix(8);
        const auto n = read_varint(v);
        if (!n) return false;
        warm_counts_[*h] = static_cast<uint32_t>(*n);
      }
      return true;
    });
  }
  if (s.is_ok()) {
    s = scan(kBackgroundTag, [&](std::string_view, std::string_view v) {
      if (v.size() % 8 != 0) return false;
      for (size_t i = 0; i < v.size(); i += 8) background_.insert(*read_u64_be(v, i));
      return true;
    });
  }
  if (s.is_ok()) {
    s = scan(kWordTag, [&](std::string_view k, std::string_view v) {
      const auto h = read_u64_be(k);
      const auto word = read_bytes(v);  // length-prefixed, so a cut value shows
      if (!h || k.size() != 8 || !word || !v.empty() || word->empty() ||
          word->size() > kMaxRevealedWordBytes) {
        return false;
      }
      revealed_words_.emplace(*h, std::string(*word));
      return true;
    });
  }
  if (s.is_ok()) {
    s = scan(kClusterTag, [&](std::string_view k, std::string_view v) {
      const auto id = read_u64_be(k);
      Cluster c;
      if (!id || k.size() != 8 || !decode_cluster(v, c)) return false;
      clusters_.emplace(*id, std::move(c));
      return true;
    });
  }
  if (s.is_ok()) {
    s = scan(kBucketTag, [&](std::string_view k, std::string_view v) {
      const auto id = read_u64_be(k);
      const auto day = read_u32_be(k, 8);
      Bucket b;
      if (!id || !day || k.size() != 12 || !decode_bucket(v, b)) return false;
      auto it = clusters_.find(*id);
      if (it == clusters_.end()) return false;
      it->second.buckets.emplace(static_cast<int32_t>(*day ^ kDayFlip), std::move(b));
      return true;
    });
  }
  // Per-report entries are read when a revision needs one; checked here,
  // so that a damaged one shows at the restart, not at some revision.
  if (s.is_ok()) s = entries_.restore(store, (uint64_t{1} << kLeaderTerms) - 1);
  if (!s.is_ok()) return s;
  if (corrupt) {
    return make_error(ErrorKind::kCorruption, "detector " + config_.name + ": undecodable state record");
  }
  // The LSH index is the leaders' bands, in id order as when they were made.
  const size_t rows = static_cast<size_t>(config_.rows);
  for (const auto& [id, c] : clusters_) {
    if (c.signature.size() != static_cast<size_t>(config_.bands * config_.rows)) {
      return make_error(ErrorKind::kCorruption,
                        "detector " + config_.name + ": stored signatures do not match bands x rows");
    }
    for (size_t b = 0; b < static_cast<size_t>(config_.bands); ++b) {
      bands_.add(band_key(c.signature, b, rows), Leader{id, &c.signature});
    }
  }
  return Status::ok();
}

void TextClusterDetector::save(StateBatch& batch) {
  std::string key;
  std::string value;
  if (meta_dirty_) {
    key = prefix_;
    key.push_back(kMetaTag);
    value.clear();
    encode_meta(value);
    batch.put(cf_, key, value);
    meta_dirty_ = false;
  }
  if (vocabulary_dirty_) {
    std::string warm_key = prefix_;
    warm_key.push_back(kWarmTag);
    std::string background_key = prefix_;
    background_key.push_back(kBackgroundTag);
    value.clear();
    if (frozen_) {
      batch.erase(cf_, warm_key);
      std::vector<TermHash> sorted(background_.begin(), background_.end());
      std::sort(sorted.begin(), sorted.end());
      for (const TermHash h : sorted) append_u64_be(value, h);
      batch.put(cf_, background_key, value);
    } else {
      std::vector<std::pair<TermHash, uint32_t>> sorted(warm_counts_.begin(), warm_counts_.end());
      std::sort(sorted.begin(), sorted.end());
      for (const auto& [h, n] : sorted) {
        append_u64_be(value, h);
        append_varint(value, n);
      }
      batch.put(cf_, warm_key, value);
    }
    vocabulary_dirty_ = false;
  }
  if (groups_dirty_) {
    value.clear();
    for (const uint64_t n : group_counts_) append_varint(value, n);
    batch.put(cf_, prefix_ + kGroupsTag, value);
    groups_dirty_ = false;
  }
  fingerprinter_.save(batch);
  for (const TermHash h : new_words_) {
    key = prefix_;
    key.push_back(kWordTag);
    append_u64_be(key, h);
    value.clear();
    append_bytes(value, revealed_words_.at(h));
    batch.put(cf_, key, value);
  }
  new_words_.clear();
  for (const uint64_t id : dropped_clusters_) {
    batch.erase(cf_, cluster_key(kClusterTag, id));
    batch.erase_prefix(cf_, cluster_key(kBucketTag, id));
  }
  dropped_clusters_.clear();
  for (const auto& [id, day] : dropped_buckets_) {
    key = cluster_key(kBucketTag, id);
    append_day(key, day);
    batch.erase(cf_, key);
  }
  dropped_buckets_.clear();
  for (auto& [id, c] : clusters_) {
    if (c.dirty) {
      value.clear();
      encode_cluster(c, value);
      batch.put(cf_, cluster_key(kClusterTag, id), value);
      c.dirty = false;
    }
    for (auto& [day, b] : c.buckets) {
      if (!b.dirty) continue;
      key = cluster_key(kBucketTag, id);
      append_day(key, day);
      value.clear();
      encode_bucket(b, value);
      batch.put(cf_, key, value);
      b.dirty = false;
    }
  }
  entries_.save(batch, horizon_start());
}

}  // namespace vigil
