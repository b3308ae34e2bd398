// The severity rule: fatal physical harm, or a never event, raises a critical
// signal at once, whatever the statistics say.
//
// Reports are grouped per key (organisation × category by default) and
// counted per event-time day. A group is raised when at least `min_reports`
// reports fall within some `group_days` consecutive days (a sliding window,
// so two deaths a day apart always cluster, wherever the calendar puts them);
// with min_reports 1 and group_days 1 that is every report, grouped per day.
//
// An episode (one signal: raised, updated as its count doubles, resolved) is
// the report that completed a qualifying window together with every report of
// the qualifying windows holding it. It stays open while further reports come
// within group_days - 1 days of its span (they join it, they do not raise a
// new signal), and resolves `resolve_after_days` of stream time after the last
// day on which a report could still have joined it (its last day plus
// group_days - 1), or at once when revisions leave it without a qualifying
// window. Its signal id is built from the detector, the key, the first day of
// the episode when raised, its ordinal among the episodes that started that
// day, and the id of the report that raised it, so replay gives the same ids.
// The rule ignores lateness on purpose: a death reported two months after it
// happened is raised the moment it arrives; a report that reaches no open
// episode but completes a window opens a new one (a late report after a
// resolution is a new episode, counting the reports before it).
//
// A revision is apply(old, -1) followed by apply(new, +1). When the take-back
// leaves an open episode without a qualifying window, the resolution waits for
// that +1 (it is emitted by the next apply or advance call): a revision that
// keeps the report in its episode (fatal before and after) must not resolve the
// signal and raise a new one, while one that takes the report out resolves it
// in the same event's processing.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "detectors/detector.h"
#include "detectors/key_dimension.h"
#include "detectors/signal_episode.h"

namespace vigil {

class SeverityRule;

struct SeverityRuleConfig : DetectorKind<SeverityRule, "severity_rule"> {

  std::string name;
  // Events at or above this physical harm fire; kUnknown turns harm off.
  PhysicalHarm min_physical_harm = PhysicalHarm::kFatal;
  bool never_events = true;
  std::vector<Dimension> group_by = {Dimension::kOrg, Dimension::kCategory};
  int32_t group_days = 1;
  int32_t resolve_after_days = 7;
  // Days and resolved episodes are remembered this long (after the last day
  // a report could join them) so a report that arrives later for the same
  // days counts them and opens a new, distinct episode.
  int32_t retain_days = 400;
  Severity severity = Severity::kCritical;
  double update_growth = 2.0;
  // Reports a group needs within group_days consecutive days (a sliding
  // window of event time) before it is raised: 1 raises every matching
  // report; 2 raises clusters only (two deaths in one organisation and
  // category at most group_days - 1 days apart).
  int64_t min_reports = 1;
};

class SeverityRule final : public Detector {
 public:
  static Result<std::unique_ptr<SeverityRule>> create(SeverityRuleConfig config, int32_t partition,
                                                      ColumnFamilyId cf);

  const std::string& name() const override { return config_.name; }
  Status restore(const StateStore& store) override;
  ApplyOutcome apply(const IncidentEvent& event, int sign, std::vector<Signal>& out) override;
  void advance(Date stream_time, std::vector<Signal>& out) override;
  void save(StateBatch& batch) override;
  size_t key_count() const override { return groups_.size(); }
  size_t open_signals() const override;

 private:
  // The matching reports of one key on one event-time day.
  struct DayTally {
    int64_t count = 0;
    int64_t fatal = 0;
    int64_t never_events = 0;
    std::vector<std::string> ids;  // at most kMaxEvidenceIds
  };
  // One episode of a key: the span of event-time days its reports cover.
  struct Cluster {
    int32_t start_day = 0;  // first day when raised: names the episode
    uint32_t ordinal = 1;   // among the remembered episodes that started on start_day
    // Id of the report that raised it, also part of its name: a key whose
    // episodes are all forgotten (retain_days) starts its ordinals at 1 again,
    // and without this a later report for the same day would reuse an id.
    std::string raised_by;
    int32_t first_day = 0;
    int32_t last_day = 0;
    Episode episode;
  };
  struct Group {
    std::map<int32_t, DayTally> days;
    std::vector<Cluster> clusters;  // in the order raised
    bool dirty = false;
    bool erased = false;
  };
  struct Totals {
    int64_t count = 0;
    int64_t fatal = 0;
    int64_t never_events = 0;
    std::vector<std::string> ids;
  };
  struct TakeBack {
    std::string key;
    int32_t start_day;
    uint32_t ordinal;
    Date fired_at;
  };

  SeverityRule(SeverityRuleConfig config, int32_t partition, ColumnFamilyId cf);

  bool matches(const IncidentEvent& e) const;
  void add(const std::string& key, Group& g, const IncidentEvent& event, int32_t day,
           std::vector<Signal>& out);
  void take_back(const std::string& key, Group& g, const IncidentEvent& event, int32_t day);
  static int64_t count_between(const Group& g, int32_t first, int32_t last);
  static Totals totals(const Group& g, const Cluster& c);
  // Whether some group_days consecutive days within [first, last] hold min_reports.
  bool has_qualifying_window(const Group& g, int32_t first, int32_t last) const;
  // The day the latest report that could still join `c` may have happened on.
  int32_t reach_end(const Cluster& c) const { return c.last_day + config_.group_days - 1; }
  Signal make_signal(const std::string& key, const Cluster& c, const Totals& t, SignalType type,
                     Date fired_at) const;
  void mark_dirty(const std::string& key, Group& g);
  // Resolves the episodes a take-back left without a qualifying window and
  // that the following apply(+1) did not restore.
  void settle_take_backs(std::vector<Signal>& out);
  LifecyclePolicy policy() const { return LifecyclePolicy{config_.update_growth, 1}; }

  SeverityRuleConfig config_;
  ColumnFamilyId cf_;
  std::string prefix_;
  // Ordered so that advance() resolves groups in a deterministic order.
  std::map<std::string, Group, std::less<>> groups_;
  // Stored keys of the fixed-window rule's records, deleted at the next save.
  std::vector<std::string> obsolete_;
  std::vector<std::string> dirty_;
  // Episodes a take-back left without a qualifying window, awaiting settlement.
  std::vector<TakeBack> emptied_;
  KeyBuilderState key_state_;
  std::string group_key_;
  std::string encode_buffer_;
};

}  // namespace vigil
