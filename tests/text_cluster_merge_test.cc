// The text_cluster detector on the merge stage (issue 12): a partitioned
// replay of several input files finds the same clusters, with the same
// reports and counts, as a single-file replay of the same events; what the
// input tasks send on carries hashes and revealed words, never a
// description nor a word only one organisation wrote; neither path keeps
// such a word in state.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "config/pipeline_config.h"
#include "core/version.h"
#include "detectors/detector_factory.h"
#include "detectors/text_fingerprint.h"
#include "partitioned_stream.h"
#include "pipeline/partition_task.h"
#include "pipeline/partitioned_replay.h"
#include "pipeline/replay_runner.h"
#include "sinks/repartition_record.h"
#include "sinks/signal_sink.h"
#include "telemetry/metrics.h"
#include "test_events.h"
#include "text_cluster_fixtures.h"

using namespace vigil;
using namespace vigil::testing;

namespace {

constexpr int32_t kPartitions = 3;

constexpr const char* kConfig = R"(
commit: {max_events: 40}
detectors:
  - name: text_clusters
    type: text_cluster
    window_days: 7
    baseline_days: 14
    min_reports: 5
    min_orgs: 3
    min_ratio: 3
    alpha: 0.001
    warmup_reports: 60
    background_share: 0.3
)";

// Words only one organisation ever writes: never revealed, never sent, never kept.
constexpr std::string_view kLocal =
    "Quenby said Fernleigh annexe hoist Zarkov jammed again on %W ward.";
constexpr std::string_view kLocalWords[] = {"quenby", "fernleigh", "annexe", "hoist", "zarkov", "jammed"};

std::string line(const std::string& id, int revision, Date day, int second, std::string_view org,
                 std::string_view category, const std::string& description) {
  char reported[48];
  std::snprintf(reported, sizeof reported, "%sT%02d:%02d:%02dZ", format_date(day).c_str(),
                second / 3600, second / 60 % 60, second % 60);
  return R"({"id":")" + id + R"(","revision":)" + std::to_string(revision) + R"(,"reported_at":")" +
         reported + R"(","occurred_on":")" + format_date(day) + R"(","org":")" + std::string(org) +
         R"(","record_type":"incident","category":")" + std::string(category) +
         R"(","physical_harm":"none","description":")" + description + R"("})";
}

struct Stream {
  std::vector<std::string> lines;  // in reported_at order, one second apart at least
  std::vector<std::string> descriptions;
};

// 60 days of routine text (12 reports a day from six organisations), one
// organisation's local wording every fifth day, on day 41 eight reports of
// a new wording from four organisations, and on day 43 one of them revised
// into routine text.
const Stream& stream() {
  static const Stream s = [] {
    Stream s;
    const Date start = date("2024-03-01");
    int n = 0;
    for (int day = 0; day < 60; ++day) {
      const Date on{start.days + day};
      int second = 8 * 3600;
      const auto add = [&](const std::string& id, int revision, std::string_view org,
                           std::string_view category, const std::string& d) {
        s.lines.push_back(line(id, revision, on, second, org, category, d));
        s.descriptions.push_back(d);
        second += 7;
      };
      for (int i = 0; i < 12; ++i, ++n) {
        add("R" + std::to_string(n), 0, kOrgs[(n * 5 + day) % 6], "treatment",
            fill_ward(kRoutineWordings[(n * 7 + day) % 6], kWards[(n / 6 + i) % 4]));
      }
      if (day % 5 == 0) add("L" + std::to_string(day), 0, kOrgs[0], "treatment", fill_ward(kLocal, "Elm"));
      if (day == 41) {
        for (int c = 0; c < 8; ++c) {
          add("C" + std::to_string(c), 0, kOrgs[c % 4], "device", fill_ward(kClusterWording, kWards[c % 4]));
        }
      }
      if (day == 43) add("C1", 1, kOrgs[1], "treatment", fill_ward(kRoutineWordings[0], "Oak"));
    }
    return s;
  }();
  return s;
}

class KeepingSink final : public SignalSink {
 public:
  Status deliver(std::span<const Signal> signals) override {
    kept.insert(kept.end(), signals.begin(), signals.end());
    return Status::ok();
  }
  std::vector<Signal> kept;
};

PipelineConfig config() {
  auto c = parse_pipeline_config(kConfig, "test");
  BOOST_REQUIRE_MESSAGE(c.is_ok(), (c.is_ok() ? std::string() : c.error().message));
  return c.value();
}

// What a signal says about its cluster: its transition, day, reports and ids.
std::vector<std::string> clusters(const std::vector<Signal>& signals, Date before) {
  std::vector<std::string> out;
  for (const Signal& s : signals) {
    if (!(s.period_end < before)) continue;
    std::vector<std::string> ids = s.event_ids;
    std::sort(ids.begin(), ids.end());
    std::string d = std::string(to_string(s.type)) + " " + format_date(s.period_end) + " reports=" +
                    std::to_string(s.evidence_count) + " orgs=" + std::to_string(s.evidence_orgs) +
                    " key=" + render_key(s.key) + " ids=";
    for (const auto& id : ids) d += id + ",";
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<std::string> top_terms(const std::vector<Signal>& signals) {
  std::vector<std::string> out;
  for (const Signal& s : signals) {
    for (const auto& stratum : s.strata) {
      if (stratum.dimension != "term") continue;
      for (const auto& [term, n] : stratum.counts) out.push_back(term);
    }
  }
  return out;
}

// Every key and value of the store, lower-cased.
std::string stored_text(StateStore& store) {
  std::string all;
  for (const std::string_view cf_name : {std::string_view("det.text_clusters"), kTextGateColumnFamily,
                                         std::string_view("merge")}) {
    auto cf = store.column_family(cf_name);
    if (!cf) continue;
    BOOST_REQUIRE(store.scan_prefix(cf.value(), {}, [&](std::string_view k, std::string_view v) {
      all.append(k).push_back('\0');
      all.append(v).push_back('\0');
      return true;
    }).is_ok());
  }
  for (char& c : all) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return all;
}

void check_no_local_words(const std::string& lowered_bytes, const std::string& where) {
  for (const std::string_view w : kLocalWords) {
    BOOST_TEST(lowered_bytes.find(w) == std::string::npos, where << " holds '" << w << "'");
  }
  BOOST_TEST(lowered_bytes.find("943 476") == std::string::npos, where);
  BOOST_TEST(lowered_bytes.find("9434765919") == std::string::npos, where);
  BOOST_TEST(lowered_bytes.find("14/03/1950") == std::string::npos, where);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(text_cluster_merge_test)

BOOST_AUTO_TEST_CASE(partitioned_replay_finds_the_clusters_of_a_single_replay) {
  TempDir dir;
  const std::string single = dir.sub("all.jsonl");
  {
    std::ofstream out(single);
    for (const auto& l : stream().lines) out << l << "\n";
  }
  std::vector<std::string> inputs;
  {
    std::vector<std::ofstream> outs;
    for (int32_t p = 0; p < kPartitions; ++p) {
      inputs.push_back(dir.sub("p" + std::to_string(p) + ".jsonl"));
      outs.emplace_back(inputs.back());
    }
    for (const auto& l : stream().lines) outs[static_cast<size_t>(report_partition(l, kPartitions))] << l << "\n";
  }
  KeepingSink one, many;
  {
    auto store = open_test_store(dir.sub("state-single"));
    Metrics metrics(kVersion);
    auto run = run_replay(config(), single, *store, one, nullptr, metrics);
    BOOST_REQUIRE_MESSAGE(run.is_ok(), (run.is_ok() ? std::string() : run.error().message));
    BOOST_TEST(run.value().processed == stream().lines.size());
    check_no_local_words(stored_text(*store), "single replay state");
  }
  {
    auto store = open_test_store(dir.sub("state-partitioned"));
    Metrics metrics(kVersion);
    auto run = run_partitioned_replay(config(), inputs, *store, many, nullptr, metrics);
    BOOST_REQUIRE_MESSAGE(run.is_ok(), (run.is_ok() ? std::string() : run.error().message));
    BOOST_TEST(run.value().processed == stream().lines.size());
    check_no_local_words(stored_text(*store), "partitioned replay state");
  }
  // The held tail of a partitioned replay (records after another
  // partition's last) may leave its last day unjudged: compare before it.
  const Date before = date("2024-04-27");
  const auto a = clusters(one.kept, before);
  const auto b = clusters(many.kept, before);
  BOOST_TEST_REQUIRE(!a.empty());
  BOOST_TEST(a == b, boost::test_tools::per_element());
  // The cluster raised once, with its eight reports from four organisations.
  BOOST_TEST_REQUIRE(a.front().find("raised 2024-04-11 reports=8 orgs=4") == 0u, a.front());
  BOOST_TEST(a.front().find("ids=C0,C1,C2,C3,C4,C5,C6,C7,") != std::string::npos, a.front());
  // Top terms: only revealed words, some of them named in both paths (the
  // input tasks' gates count per partition, so they may know fewer words).
  const auto terms_one = top_terms(one.kept);
  const auto terms_many = top_terms(many.kept);
  BOOST_TEST(!terms_one.empty());
  std::string cluster_text = fill_ward(kClusterWording, "x");
  for (char& c : cluster_text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& t : terms_many) BOOST_TEST(cluster_text.find(t) != std::string::npos, t);
  BOOST_TEST_MESSAGE("top terms: single " << terms_one.size() << ", partitioned " << terms_many.size());
}

BOOST_AUTO_TEST_CASE(repartition_records_carry_no_description) {
  TempDir dir;
  auto store = open_test_store(dir.sub("state"));
  auto rules = text_fingerprint_rules(config().detectors);
  BOOST_REQUIRE(rules.is_ok());
  BOOST_REQUIRE(rules.value().has_value());
  auto task = PartitionTask::open(0, *store, {}, nullptr, InputRole::kRepartition, {}, rules.value());
  BOOST_REQUIRE(task.is_ok());
  int64_t offset = 0;
  for (const auto& l : stream().lines) {
    BOOST_TEST((task.value()->process(l, offset++) == Disposition::kProcessed));
  }
  const RepartitionBatch& batch = task.value()->repartition();
  BOOST_TEST_REQUIRE(batch.size() == stream().lines.size());

  std::set<std::string> revealed;
  size_t with_text = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    RepartitionRecord r;
    BOOST_REQUIRE(decode_repartition_record(batch.record(i), r));
    BOOST_TEST(batch.record(i).front() == '\x05');
    with_text += r.has_text && !r.text.word_hashes.empty();
    for (const RevealedWord& w : r.text.revealed) {
      BOOST_TEST(revealed.insert(std::string(w.word)).second, "revealed twice: " << w.word);
    }
  }
  BOOST_TEST(with_text == batch.size());
  BOOST_TEST(revealed.count("glucometer") == 1u);  // four organisations wrote it
  BOOST_TEST(revealed.count("ward") == 1u);

  // Every word of every description that was not revealed is absent from
  // the bytes sent (compared lower-cased; words of 4 letters or more, as
  // shorter ones turn up by chance in binary and categorical fields).
  std::string bytes = batch.bytes;
  for (char& c : bytes) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::set<std::string> hidden;
  for (const auto& d : stream().descriptions) {
    std::string lowered;
    TextWords words;
    split_words(d, lowered, words);
    for (const auto w : words.words) {
      if (w.size() >= 4 && !revealed.contains(std::string(w))) hidden.emplace(w);
    }
    // No phrase of a description, in any case.
    for (size_t at = 0; at + 16 <= d.size(); ++at) {
      BOOST_TEST_REQUIRE(batch.bytes.find(d.substr(at, 16)) == std::string::npos, d.substr(at, 16));
    }
  }
  for (const std::string_view w : kLocalWords) BOOST_TEST(hidden.contains(std::string(w)), w);
  for (const auto& w : hidden) BOOST_TEST(bytes.find(w) == std::string::npos, "sent: " << w);
  check_no_local_words(bytes, "repartition records");
}

BOOST_AUTO_TEST_CASE(text_detectors_must_redact_alike) {
  auto c = config();
  auto second = parse_pipeline_config(std::string(kConfig) + R"(
  - name: text_clusters_local
    type: text_cluster
    record_number_patterns: ['\a{3}\d{7}']
)", "test");
  BOOST_REQUIRE_MESSAGE(second.is_ok(), (second.is_ok() ? std::string() : second.error().message));
  BOOST_TEST(!text_fingerprint_rules(second.value().detectors).is_ok());
  BOOST_TEST(text_fingerprint_rules(c.detectors).is_ok());
  BOOST_TEST(!text_fingerprint_rules({}).value().has_value());  // nothing to derive
  // Without patterns of its own a text detector takes the `redaction:` section's.
  auto inherits = parse_pipeline_config(std::string(R"(
redaction:
  record_number_patterns: ['\a{3}\d{7}']
)") + kConfig, "test");
  BOOST_REQUIRE_MESSAGE(inherits.is_ok(), (inherits.is_ok() ? std::string() : inherits.error().message));
  const auto rules = text_fingerprint_rules(inherits.value().detectors);
  BOOST_REQUIRE(rules.is_ok());
  BOOST_REQUIRE(rules.value().has_value());
  BOOST_TEST(rules.value()->record_number_patterns == (std::vector<std::string>{"\\a{3}\\d{7}"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
