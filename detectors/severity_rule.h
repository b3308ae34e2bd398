// The severity rule: fatal physical harm, or a never event, raises a critical
// signal at once, whatever the statistics say.
//
// Reports are grouped per key (organisation × category by default) and
// per event-time day, so a burst of fifty reports about one death is one
// signal, updated as the count doubles, not fifty signals. The rule ignores
// lateness on purpose: a death reported two months after it happened is
// raised the moment it arrives. A group resolves `resolve_after_days` after
// its day (stream time), or at once if revisions take back all its reports.
//
// A revision is apply(old, -1) followed by apply(new, +1). When the take-back
// empties an open group, the resolution waits for that +1 (it is emitted by
// the next apply or advance call): a revision that keeps the report in its
// group (fatal before and after) must not resolve the signal and raise a new
// one, while one that takes the report out of the group resolves it in the
// same event's processing.
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
  // Resolved groups are remembered this long so a report that arrives later
  // for the same day opens a new, distinct episode.
  int32_t retain_days = 400;
  Severity severity = Severity::kCritical;
  double update_growth = 2.0;
  // Reports a group needs before it is raised: 1 raises every matching
  // report; 2 raises clusters only (two deaths in one organisation and
  // category within group_days).
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
  struct Group {
    int64_t count = 0;
    int64_t fatal = 0;
    int64_t never_events = 0;
    uint32_t episodes = 0;  // episodes so far; names the current one
    // Id of the report that raised the current episode, also part of its
    // name: a group older than retain_days is forgotten as soon as it
    // resolves, so its episode count starts again at 1, and without this a
    // later report for the same day would reuse the first episode's id.
    std::string raised_by;
    Episode episode;
    std::vector<std::string> ids;  // at most kMaxEvidenceIds
    bool dirty = false;
    bool erased = false;
  };

  SeverityRule(SeverityRuleConfig config, int32_t partition, ColumnFamilyId cf);

  bool matches(const IncidentEvent& e) const;
  Signal make_signal(const std::string& group_key, const Group& g, SignalType type, Date fired_at) const;
  int32_t window_of(const std::string& group_key) const;
  void mark_dirty(const std::string& key, Group& g);
  // Resolves the groups whose last report a take-back removed and that the
  // following apply(+1) did not refill.
  void settle_take_backs(std::vector<Signal>& out);

  SeverityRuleConfig config_;
  ColumnFamilyId cf_;
  std::string prefix_;
  // Ordered so that advance() resolves groups in a deterministic order.
  std::map<std::string, Group, std::less<>> groups_;
  std::vector<std::string> dirty_;
  // Groups emptied by a take-back, with its event time, awaiting settlement.
  std::vector<std::pair<std::string, Date>> emptied_;
  KeyBuilderState key_state_;
  std::string group_key_;
  std::string encode_buffer_;
};

}  // namespace vigil
