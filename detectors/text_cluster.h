// Text clusters: groups of reports whose descriptions say the same thing,
// appearing in several organisations at once, well beyond their usual rate
// (issue 12). A new failure mode or product ("insulin lispro 200 units/ml
// pen ... dose window stuck") is written the same way by reporters who never
// met; the structured fields may not show it at all.
//
// Method: MinHash over the distinctive words of each redacted description
// (detectors/text_fingerprint.h) with LSH banding, and incremental leader
// clustering. A report joins the oldest cluster whose leader (the report
// that founded it) shares at least one LSH band with it and has an
// estimated Jaccard similarity of at least `similarity`; otherwise it founds
// a cluster of its own. The oldest, not the most similar: an established
// cluster keeps its stream, so a newer leader close to it never takes a
// share over and looks like new wording without history. Chosen over
// TF-IDF with centroid clustering because a signature is a fixed 4·k bytes
// that can be stored and compared without the text, LSH finds candidates in
// constant time per report, and leaders never move, so a report's cluster
// depends only on the reports before it (deterministic, and nothing drifts).
//
// The background vocabulary: the words of everyday reporting (outcome
// sentences, ward names, "patient") would make two unrelated reports look
// alike. The detector counts in how many of the first `warmup_reports`
// descriptions each word appears, then freezes the words above
// `background_share` as background, ignored from then on. Reports of the
// warm-up are not clustered.
//
// Judgement: once a day of event time has passed (stream time beyond it),
// each cluster's reports in the `window_days` ending that day are compared
// with its rate over the `baseline_days` before: expected = window_days ×
// (baseline + 0.5) / baseline_days (a cluster never seen expects half a
// report per baseline). It alarms when it has at least `min_reports`
// reports from at least `min_orgs` organisations, at least `min_ratio` ×
// expected, and P(Poisson(expected) ≥ reports) < alpha. Days are judged only
// once the stream after the warm-up covers a whole baseline.
//
// Signals: one episode per cluster (signal_episode.h; resolves after
// lifecycle.resolve_after_quiet quiet days). Key: the cluster id, then the
// structured fields every report of the window shares (category,
// service_area, medication, device, org, ethnicity; the ethnic group only
// when that many reports would all share it by chance less than 1 time in
// 100, given each group's share of the reports counted), frozen when raised. A signal carries
// the cluster's top terms (leader words, by how many of the window's
// reports contain them, among those the term reveal gate has revealed) as
// the stratum "term", the number of reports and organisations and up to 50
// report ids. No description text.
//
// What the detector reads of a description: its text fingerprint
// (core/text_fingerprint.h), the hashes of the redacted description's
// words in text order (at most 64), plus the single words that report
// reveals. A word is revealed by the report that brings it to two reports
// from two organisations (term_reveal_gate.h); only revealed words are
// kept, in a dictionary hash -> word, and only they can name a top term; a
// leader word not yet revealed is left out. Clustering, warm-up and term
// counts use hashes only.
//
// Where it runs, and what travels where:
//   - One task (`vigil replay` of one file, `vigil run` on one input
//     partition): the detector gets the description and derives the
//     fingerprint itself (description_fingerprinter.h), with its own gate,
//     whose counts it keeps in its state.
//   - The merge stage (several input partitions, partitioned replay): the
//     input task derives the same fingerprint where the description is,
//     with a gate per input partition (kTextGateColumnFamily), and sends it
//     in the repartition record (version 5, sinks/repartition_record.h):
//     hashes, and the few words the record's report revealed; never the
//     description, never words in text order. The merge hands it to the
//     detector with the released event (IncidentEvent::text).
// Both paths compute the same hashes from the same redaction rules, so they
// form the same clusters from the same reports in the same order. What can
// differ is which words are known when: per partition, a word needs two
// organisations within one input partition, so the merge may name fewer top
// terms early on. Reveals ride on the records, so the merge order fixes what
// is known when; the outcome is deterministic either way.
//
// State, in RocksDB (never text): each cluster's leader signature, its
// leader words' hashes (at most kLeaderTerms), its daily counts over the
// horizon (baseline + window days), and for the window's days the
// organisations (hashed), report ids, field values and term counts; the
// background word hashes (and during the warm-up, word hashes with their
// counts); the revealed words (single redacted words of at least two
// organisations' reports); in a single task, the gate's counts per word
// hash; and per report its cluster and which leader words it had, so that a
// revision takes exactly that back (text_report_entries.h: one value per
// day, id bucket and save, not a key per report). Per-report
// entries leave when their day leaves the horizon, as their counts do.
// Revealed words and gate counts are kept for good (the vocabulary).
#pragma once

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/text_fingerprint.h"
#include "detectors/band_index.h"
#include "detectors/description_fingerprinter.h"
#include "detectors/detector.h"
#include "detectors/event_filter.h"
#include "detectors/signal_episode.h"
#include "detectors/text_fingerprint.h"
#include "detectors/text_report_entries.h"
#include "text/redaction.h"
#include "text/redaction_defaults.h"

namespace vigil {

class TextClusterDetector;

struct TextClusterConfig : DetectorKind<TextClusterDetector, "text_cluster"> {
  std::string name;
  EventFilter filter;
  int32_t window_days = 14;
  int32_t baseline_days = 182;
  int64_t min_reports = 8;
  int64_t min_orgs = 3;
  double min_ratio = 4;
  double alpha = 1e-6;
  double similarity = 0.5;  // estimated Jaccard to join a cluster
  // LSH bands x rows = the signature's length. Two rows a band find a
  // leader of similarity 0.5 with probability 1 - (1 - 0.5^2)^32 > 0.9999.
  int32_t bands = 32;
  int32_t rows = 2;
  int32_t shingle_words = 1;
  int64_t warmup_reports = 20000;
  double background_share = 0.02;
  // Local record-number patterns: the detector's `record_number_patterns:`
  // (own_redaction), else the configuration's `redaction:` section, else
  // the defaults of text/redaction_defaults.h.
  RedactionRules redaction = default_redaction_rules();
  bool own_redaction = false;
  Severity severity = Severity::kMedium;
  LifecyclePolicy lifecycle{1.5, 7};
};

// A cluster's possible top terms: the first distinctive words of its leader
// (their hashes; a term is named only once the gate has revealed it).
inline constexpr size_t kLeaderTerms = 12;
// Report ids kept per cluster and day, for a signal's evidence.
inline constexpr uint32_t kTextIdsPerDay = 20;
// Top terms a signal shows.
inline constexpr size_t kTopTerms = 5;

class TextClusterDetector final : public Detector {
 public:
  static Result<std::unique_ptr<TextClusterDetector>> create(TextClusterConfig config,
                                                             int32_t partition, ColumnFamilyId cf);

  const std::string& name() const override { return config_.name; }
  Status restore(const StateStore& store) override;
  ApplyOutcome apply(const IncidentEvent& event, int sign, std::vector<Signal>& out) override;
  void advance(Date stream_time, std::vector<Signal>& out) override;
  void save(StateBatch& batch) override;
  size_t key_count() const override { return clusters_.size(); }
  size_t open_signals() const override;
  // apply() appends no signal and calls an event late by closed_through_,
  // which only advance() moves once started.
  bool can_run_apart() const override { return true; }
  std::optional<int32_t> closed_through() const override;
  bool late_when_closed_through(const IncidentEvent& event, int32_t closed) const override;

  // For tests and measurements.
  bool warmed_up() const { return frozen_; }
  size_t background_words() const { return background_.size(); }
  // Words revealed to this detector (by the gate), which it may name.
  size_t revealed_words() const { return revealed_words_.size(); }
  bool knows_word(std::string_view word) const;

 private:
  static constexpr size_t kFieldCount = 6;  // category, service_area, medication, device, org, ethnicity
  static constexpr size_t kValuesPerField = 6;

  struct FieldValue {
    std::string value;  // empty: any other value
    uint32_t count = 0;
  };
  // One day of a cluster's reports, kept in detail while the day is in a window.
  struct Bucket {
    uint32_t count = 0;
    std::vector<std::pair<uint32_t, uint32_t>> orgs;  // org hash, reports
    uint32_t id_count = 0;
    std::string ids;  // joined by '\n', at most kTextIdsPerDay
    std::vector<uint32_t> terms;  // reports containing each leader term
    std::array<std::vector<FieldValue>, kFieldCount> fields;
    bool dirty = false;
  };
  struct Cluster {
    std::vector<uint32_t> signature;  // the leader's
    std::vector<TermHash> term_hashes;  // the leader's distinctive words, hashed
    int32_t first_day = 0;            // day of counts[0]
    std::vector<uint32_t> counts;     // reports per day from first_day
    std::map<int32_t, Bucket> buckets;
    Episode episode;
    std::vector<KeyPart> shared;      // fields shared when raised
    bool dirty = false;
  };
  struct Judged {
    int64_t reports = 0;
    int64_t baseline = 0;
    int64_t orgs = 0;
    double expected = 0;
    double p_value = 1;
  };

  TextClusterDetector(TextClusterConfig config, int32_t partition, ColumnFamilyId cf,
                      DescriptionFingerprinter fingerprinter);

  int32_t horizon_start() const;  // the oldest day any later judgement counts
  void warm_up(const std::vector<TermHash>& words);
  uint64_t assign(const std::vector<TermHash>& hashes);
  void learn(const TextFingerprint& text);
  void count(Cluster& c, uint64_t id, const IncidentEvent& event, int32_t day, uint32_t mask,
             int sign);
  void judge(int32_t day, Date stream_time, std::vector<Signal>& out);
  Judged measure(const Cluster& c, int32_t day) const;
  Signal make_signal(uint64_t id, const Cluster& c, const Judged& j, SignalType type, int32_t day,
                     Date stream_time) const;
  std::vector<KeyPart> shared_fields(const Cluster& c, int32_t from, int32_t to,
                                     int64_t reports) const;
  // Counts the report's ethnic group among all reports counted (sign -1 for
  // one taken back), and whether `reports` reports would all share `group`
  // by chance often enough that sharing it is no finding.
  void count_group(const IncidentEvent& event, int sign);
  bool shared_by_chance(std::string_view group, int64_t reports) const;
  void drop_cluster(uint64_t id);
  void encode_meta(std::string& out) const;
  bool decode_meta(std::string_view in);
  static void encode_cluster(const Cluster& c, std::string& out);
  static bool decode_cluster(std::string_view in, Cluster& c);
  static void encode_bucket(const Bucket& b, std::string& out);
  static bool decode_bucket(std::string_view in, Bucket& b);
  std::string cluster_key(char tag, uint64_t id) const;

  TextClusterConfig config_;
  std::string prefix_;
  ColumnFamilyId cf_;
  const StateStore* store_ = nullptr;

  // Stream position.
  bool started_ = false;
  int32_t closed_through_ = 0;  // the last day judged
  bool meta_dirty_ = false;

  // Background vocabulary: counted during the warm-up, then frozen.
  bool frozen_ = false;
  int32_t frozen_day_ = 0;  // judging needs a whole baseline after it
  int64_t warm_docs_ = 0;
  std::unordered_map<TermHash, uint32_t> warm_counts_;
  TermSet background_;
  bool vocabulary_dirty_ = false;

  std::map<uint64_t, Cluster> clusters_;  // by id: judged in id order
  uint64_t next_cluster_ = 1;
  // Band key -> leaders (id and signature: clusters_ nodes stay put until
  // erased, and a cluster leaves the index before that, so a candidate is
  // compared without a walk down clusters_), in increasing id order
  // (appended as made, restored in id order, removal keeps the order).
  using Leader = BandIndex::Leader;
  BandIndex bands_;
  std::vector<uint64_t> dropped_clusters_;
  std::vector<std::pair<uint64_t, int32_t>> dropped_buckets_;

  // Which cluster each report joined, for revisions.
  TextReportEntries entries_;
  // Reports counted per ethnic group (A-Z, then none or unknown).
  static constexpr size_t kGroupSlots = 27;
  std::array<uint64_t, kGroupSlots> group_counts_{};
  bool groups_dirty_ = false;

  // The single-task path: fingerprints of the descriptions given, with
  // this detector's own term reveal gate (state under tag 'g').
  DescriptionFingerprinter fingerprinter_;
  TextFingerprint own_text_;
  // Words the gate revealed, by hash: the only words this detector keeps.
  std::unordered_map<TermHash, std::string> revealed_words_;
  std::vector<TermHash> new_words_;  // to write at the next save

  // Reused buffers.
  std::vector<uint32_t> signature_;
  std::vector<uint64_t> not_similar_;  // assign()'s working list
  std::string scratch_;
  std::vector<std::string_view> values_;
};

}  // namespace vigil
