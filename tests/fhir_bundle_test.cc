// FHIR Bundles through the pipeline (docs/fhir-selection.md, "Bundles"):
// a PartitionTask applies a Bundle's entries one by one in document order,
// accepts or refuses the message whole, never splits it across a commit,
// and a partitioned replay of Bundle files gives the signals of the same
// events sent one per line. The Bundles are real FHIR: each entry is the
// LFPSE AdverseEvent synthetic::FhirLineWriter renders from an event v1
// line, so they go through the FHIR decoder like a producer's would.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "config/pipeline_config.h"
#include "core/version.h"
#include "partitioned_stream.h"
#include "pipeline_fixtures.h"
#include "pipeline/partition_task.h"
#include "pipeline/partitioned_replay.h"
#include "pipeline/replay_runner.h"
#include "sinks/cloudevent_encoder.h"
#include "sinks/signal_sink.h"
#include "synthetic/fhir_writer.h"
#include "telemetry/metrics.h"
#include "test_events.h"

using namespace vigil;
using namespace vigil::testing;

namespace {

// The LFPSE AdverseEvent of an event v1 line.
std::string adverse_event(const std::string& v1) {
  synthetic::FhirLineWriter writer;
  std::string out;
  writer.convert(v1, out);
  BOOST_REQUIRE_MESSAGE(writer.converted() == 1u, "not convertible: " << v1);
  return out;
}

// A collection Bundle of the given AdverseEvent resources (already FHIR).
std::string bundle_of_resources(const std::vector<std::string>& resources) {
  std::string out = R"({"resourceType":"Bundle","type":"collection","entry":[)";
  for (size_t i = 0; i < resources.size(); ++i) {
    if (i > 0) out += ',';
    out += R"({"fullUrl":"urn:uuid:vigil-test-)" + std::to_string(i) + R"(","resource":)";
    out += resources[i];
    out += '}';
  }
  out += "]}";
  return out;
}

// A Bundle of the FHIR renditions of event v1 lines, in that order.
std::string bundle(const std::vector<std::string>& v1_lines) {
  std::vector<std::string> resources;
  for (const auto& l : v1_lines) resources.push_back(adverse_event(l));
  return bundle_of_resources(resources);
}

std::vector<std::string> encode_all(const std::vector<Signal>& signals) {
  std::vector<std::string> out;
  for (const auto& s : signals) out.push_back(encode_cloudevent(s, "test"));
  return out;
}

// Tolerates the sparse test streams' gaps (as partition_task_test does).
std::unique_ptr<PartitionTask> open_task(StateStore& store, Metrics* metrics = nullptr) {
  auto t = PartitionTask::open(0, store, fatal_rule_and_weekly_count_config().detectors, metrics, InputRole::kDetect,
                               EventTimeLimits{60, {}});
  BOOST_REQUIRE_MESSAGE(t.is_ok(), (t.is_ok() ? std::string() : t.error().message));
  return std::move(t).value();
}

size_t raised(const std::vector<Signal>& signals) {
  size_t n = 0;
  for (const auto& s : signals) n += s.type == SignalType::kRaised ? 1 : 0;
  return n;
}

// A steady weekly stream of falls at RXA with a spike week, fatal reports
// and revisions, as event v1 lines (partition_task_test's stream, with
// revisions and a report first sent low and revised to fatal).
std::vector<std::string> stream_lines() {
  std::vector<std::string> lines;
  int n = 0;
  for (int week = 0; week < 8; ++week) {
    for (int i = 0; i < 2; ++i) {
      const int day = 1 + week * 7 + i;
      char date[32];
      std::snprintf(date, sizeof date, "2024-%02d-%02d", day <= 31 ? 1 : 2, day <= 31 ? day : day - 31);
      lines.push_back(harm_event("E" + std::to_string(n++), date, "low"));
    }
  }
  lines.push_back(harm_event("E3", "2024-01-09", "fatal", 1));  // a revision of an earlier week's report
  for (int i = 0; i < 12; ++i) lines.push_back(harm_event("S" + std::to_string(i), "2024-02-26", "low"));
  lines.push_back(harm_event("F01", "2024-03-01", "low"));
  lines.push_back(harm_event("F01", "2024-03-01", "fatal", 1));
  lines.push_back(harm_event("F02", "2024-03-02", "fatal"));
  lines.push_back(harm_event("F03", "2024-03-03", "fatal"));
  lines.push_back(harm_event("F02", "2024-03-02", "fatal"));  // a re-send
  lines.push_back(harm_event("T1", "2024-03-20", "none", 0, "RXB", "medication"));
  return lines;
}

// stream_lines() as Bundles of 1, 2, 3, 4, 1, 2, ... entries.
std::vector<std::string> stream_bundles() {
  const auto lines = stream_lines();
  std::vector<std::string> out;
  size_t size = 1;
  for (size_t at = 0; at < lines.size(); at += size, size = size % 4 + 1) {
    const size_t end = std::min(lines.size(), at + size);
    out.push_back(bundle({lines.begin() + static_cast<std::ptrdiff_t>(at),
                          lines.begin() + static_cast<std::ptrdiff_t>(end)}));
  }
  return out;
}

// Every message through one task as `format`, committing after each
// `every` messages; the signals delivered, as CloudEvents.
std::vector<std::string> run_straight(const std::vector<std::string>& messages, MessageFormat format,
                                      size_t every) {
  TempDir dir;
  auto store = open_test_store(dir.path());
  auto task = open_task(*store);
  std::vector<std::string> out;
  for (size_t i = 0; i < messages.size(); ++i) {
    task->process(messages[i], static_cast<int64_t>(i), {}, format);
    BOOST_TEST(task->dead_letters().empty());
    if ((i + 1) % every == 0 || i + 1 == messages.size()) {
      for (auto& s : encode_all(task->signals())) out.push_back(s);
      BOOST_REQUIRE(task->commit().is_ok());
    }
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fhir_bundle_test)

BOOST_AUTO_TEST_CASE(a_bundle_of_three_is_three_events_with_three_records) {
  TempDir dir;
  auto store = open_test_store(dir.path());
  Metrics metrics(kVersion);
  auto task = open_task(*store, &metrics);
  const std::string message = bundle({harm_event("B1", "2024-01-01", "fatal", 0, "RXA"),
                                      harm_event("B2", "2024-01-01", "fatal", 0, "RXB"),
                                      harm_event("B3", "2024-01-02", "fatal", 0, "RXC")});
  const MessageOutcome outcome = task->process(message, 0, "key", MessageFormat::kFhir);
  BOOST_TEST(outcome.processed == 3u);
  BOOST_TEST(outcome.duplicates == 0u);
  BOOST_TEST(outcome.invalid == 0u);
  BOOST_TEST(task->dead_letters().empty());
  // The rule saw each fatal report: one signal per organisation.
  BOOST_REQUIRE(task->signals().size() == 3u);
  BOOST_TEST(raised(task->signals()) == 3u);
  BOOST_TEST(metrics.events_consumed.Value() == 3.0);
  BOOST_TEST(metrics.events_processed.Value() == 3.0);
  BOOST_REQUIRE(task->commit().is_ok());
  BOOST_TEST(*task->resume_offset() == 1);  // one message, one offset

  // Each entry has its own per-id record: the same reports as event v1
  // lines are duplicates; a newer revision of one is not.
  BOOST_TEST((task->process(harm_event("B1", "2024-01-01", "fatal", 0, "RXA"), 1) == Disposition::kDuplicate));
  BOOST_TEST((task->process(harm_event("B2", "2024-01-01", "fatal", 0, "RXB"), 2) == Disposition::kDuplicate));
  BOOST_TEST((task->process(harm_event("B3", "2024-01-02", "fatal", 0, "RXC"), 3) == Disposition::kDuplicate));
  BOOST_TEST((task->process(harm_event("B4", "2024-01-02", "none", 0, "RXC"), 4) == Disposition::kProcessed));
  BOOST_TEST(task->signals().empty());
}

BOOST_AUTO_TEST_CASE(a_bundle_gives_the_signals_of_its_entries_sent_one_by_one) {
  const std::vector<std::string> lines = {harm_event("B1", "2024-01-01", "fatal", 0, "RXA"),
                                          harm_event("B2", "2024-01-01", "fatal", 0, "RXB"),
                                          harm_event("B1", "2024-01-01", "none", 1, "RXA"),
                                          harm_event("B3", "2024-01-02", "fatal", 0, "RXC")};
  const auto one_by_one = run_straight(lines, MessageFormat::kEventV1, 100);
  const auto bundled = run_straight({bundle(lines)}, MessageFormat::kFhir, 100);
  BOOST_TEST(one_by_one.size() == 4u);  // 3 raised, 1 resolved by the revision
  BOOST_TEST(bundled == one_by_one, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_revision_inside_the_bundle_replaces_the_earlier_entry) {
  TempDir dir;
  auto store = open_test_store(dir.path());
  auto task = open_task(*store);
  // versionId 1 fatal, then versionId 2 of the same report with no harm.
  const std::string message = bundle({harm_event("R1", "2024-01-01", "fatal", 1, "RXA"),
                                      harm_event("R2", "2024-01-01", "none", 0, "RXB"),
                                      harm_event("R1", "2024-01-01", "none", 2, "RXA")});
  BOOST_REQUIRE(message.find(R"("versionId":"2")") != std::string::npos);
  const MessageOutcome outcome = task->process(message, 0, {}, MessageFormat::kFhir);
  BOOST_TEST(outcome.processed == 3u);
  BOOST_TEST(outcome.duplicates == 0u);
  // The fatal version raised; the revision took it back.
  BOOST_REQUIRE(task->signals().size() == 2u);
  BOOST_TEST((task->signals()[0].type == SignalType::kRaised));
  BOOST_TEST((task->signals()[1].type == SignalType::kResolved));
  BOOST_TEST(task->signals()[0].detector == "fatal_rule");
  BOOST_TEST(task->signals()[1].signal_id == task->signals()[0].signal_id);
  BOOST_REQUIRE(task->commit().is_ok());
  // The record is revision 2: 2 is a duplicate, 3 is new and raises again.
  BOOST_TEST((task->process(harm_event("R1", "2024-01-01", "fatal", 2), 1) == Disposition::kDuplicate));
  BOOST_TEST((task->process(harm_event("R1", "2024-01-01", "fatal", 3), 2) == Disposition::kProcessed));
  BOOST_TEST(raised(task->signals()) == 1u);

  // The later version first: the earlier one in the same Bundle is a
  // duplicate and leaves the later in force.
  const MessageOutcome reversed = task->process(bundle({harm_event("R5", "2024-01-02", "none", 2, "RXC"),
                                                        harm_event("R5", "2024-01-02", "fatal", 1, "RXC")}),
                                                3, {}, MessageFormat::kFhir);
  BOOST_TEST(reversed.processed == 1u);
  BOOST_TEST(reversed.duplicates == 1u);
  BOOST_TEST(raised(task->signals()) == 1u);  // still only R1's
}

BOOST_AUTO_TEST_CASE(a_bundle_sent_again_changes_nothing) {
  TempDir dir;
  auto store = open_test_store(dir.path());
  Metrics metrics(kVersion);
  auto task = open_task(*store, &metrics);
  const std::string message = bundle({harm_event("D1", "2024-01-01", "fatal", 0, "RXA"),
                                      harm_event("D2", "2024-01-01", "fatal", 1, "RXB"),
                                      harm_event("D1", "2024-01-01", "low", 1, "RXA")});
  BOOST_TEST(task->process(message, 0, {}, MessageFormat::kFhir).processed == 3u);
  const size_t first_signals = task->signals().size();
  BOOST_TEST(first_signals == 3u);  // D1 raised and resolved, D2 raised
  // Once within the open batch (the overlay), once after a commit (RocksDB).
  for (const int64_t offset : {1, 2}) {
    const MessageOutcome again = task->process(message, offset, {}, MessageFormat::kFhir);
    BOOST_TEST(again.processed == 0u);
    BOOST_TEST(again.duplicates == 3u);
    BOOST_TEST(again.invalid == 0u);
    BOOST_TEST(task->dead_letters().empty());
    BOOST_TEST(task->signals().size() == (offset == 1 ? first_signals : 0u));
    BOOST_REQUIRE(task->commit().is_ok());
  }
  BOOST_TEST(metrics.events_consumed.Value() == 9.0);
  BOOST_TEST(metrics.events_duplicate.Value() == 6.0);
}

BOOST_AUTO_TEST_CASE(a_bundle_with_an_undecodable_entry_is_one_dead_letter_and_applies_nothing) {
  TempDir dir;
  auto store = open_test_store(dir.path());
  Metrics metrics(kVersion);
  auto task = open_task(*store, &metrics);
  // The second entry lacks recordedDate, which LFPSE requires.
  std::string broken = adverse_event(harm_event("U2", "2024-01-01", "fatal", 0, "RXB"));
  const size_t at = broken.find(R"(,"recordedDate":")");
  BOOST_REQUIRE(at != std::string::npos);
  const size_t end = broken.find('"', at + 17);
  BOOST_REQUIRE(end != std::string::npos);
  broken.erase(at, end + 1 - at);
  const std::string message = bundle_of_resources({adverse_event(harm_event("U1", "2024-01-01", "fatal", 0, "RXA")),
                                                   broken,
                                                   adverse_event(harm_event("U3", "2024-01-01", "fatal", 0, "RXC"))});
  const MessageOutcome outcome = task->process(message, 0, "key-1", MessageFormat::kFhir);
  BOOST_TEST(outcome.processed == 0u);
  BOOST_TEST(outcome.duplicates == 0u);
  BOOST_TEST(outcome.invalid == 1u);
  BOOST_TEST(task->signals().empty());
  BOOST_REQUIRE(task->dead_letters().size() == 1u);
  const DeadLetter& dead = task->dead_letters()[0];
  BOOST_TEST(reason_code(dead.reason) == "missing_field");
  BOOST_TEST(dead.detail == "entry[1].resource.recordedDate: missing or null");
  BOOST_TEST(dead.value == message);  // as it arrived, to reprocess once fixed
  BOOST_TEST(dead.key == "key-1");
  BOOST_TEST(dead.offset == 0);
  BOOST_TEST(metrics.events_consumed.Value() == 1.0);  // a message that does not decode is one
  BOOST_TEST(metrics.events_processed.Value() == 0.0);
  BOOST_TEST(metrics.dead_lettered("missing_field").Value() == 1.0);
  BOOST_REQUIRE(task->commit().is_ok());
  // No entry left a record: the valid siblings are new when they come again.
  BOOST_TEST((task->process(harm_event("U1", "2024-01-01", "fatal", 0, "RXA"), 1) == Disposition::kProcessed));
  BOOST_TEST((task->process(harm_event("U3", "2024-01-01", "fatal", 0, "RXC"), 2) == Disposition::kProcessed));
  BOOST_TEST(raised(task->signals()) == 2u);
}

BOOST_AUTO_TEST_CASE(an_entry_refused_by_the_event_time_gate_leaves_its_siblings_applied) {
  TempDir dir;
  auto store = open_test_store(dir.path());
  Metrics metrics(kVersion);
  auto task = open_task(*store, &metrics);  // 60 days' tolerance
  // The middle entry is five months ahead of the first.
  const std::string message = bundle({harm_event("G1", "2024-01-01", "fatal", 0, "RXA"),
                                      harm_event("G2", "2024-06-01", "fatal", 0, "RXB"),
                                      harm_event("G3", "2024-01-02", "fatal", 0, "RXC")});
  const MessageOutcome outcome = task->process(message, 0, "k", MessageFormat::kFhir);
  BOOST_TEST(outcome.processed == 2u);
  BOOST_TEST(outcome.invalid == 1u);
  BOOST_TEST(raised(task->signals()) == 2u);  // G1 and G3
  BOOST_REQUIRE(task->dead_letters().size() == 1u);
  const DeadLetter& dead = task->dead_letters()[0];
  BOOST_TEST(reason_code(dead.reason) == "bad_timestamp");
  BOOST_CHECK_MESSAGE(dead.detail.rfind("entry[1]: ", 0) == 0u, dead.detail);
  BOOST_TEST(dead.detail.find("more entries") == std::string::npos);
  BOOST_TEST(dead.value == message);
  BOOST_TEST(metrics.events_consumed.Value() == 3.0);
  BOOST_TEST(metrics.events_processed.Value() == 2.0);
  BOOST_TEST(metrics.dead_lettered("bad_timestamp").Value() == 1.0);
  BOOST_REQUIRE(task->commit().is_ok());

  // Two refused: one dead letter naming the first, and how many more.
  const MessageOutcome two = task->process(bundle({harm_event("G4", "2024-07-01", "none", 0, "RXD"),
                                                   harm_event("G5", "2024-01-03", "none", 0, "RXD"),
                                                   harm_event("G6", "2024-08-01", "none", 0, "RXD")}),
                                           1, {}, MessageFormat::kFhir);
  BOOST_TEST(two.processed == 1u);
  BOOST_TEST(two.invalid == 2u);
  BOOST_REQUIRE(task->dead_letters().size() == 1u);
  BOOST_CHECK_MESSAGE(task->dead_letters()[0].detail.rfind("entry[0]: ", 0) == 0u,
                      task->dead_letters()[0].detail);
  BOOST_TEST(task->dead_letters()[0].detail.find("(and 1 more entries)") != std::string::npos);
  BOOST_REQUIRE(task->commit().is_ok());

  // Once the stream has moved on, the first dead letter reprocessed applies
  // only the refused entry: its siblings are duplicates by then.
  BOOST_TEST((task->process(harm_event("M1", "2024-02-20", "none", 0, "RXE"), 2) == Disposition::kProcessed));
  BOOST_TEST((task->process(harm_event("M2", "2024-04-15", "none", 0, "RXE"), 3) == Disposition::kProcessed));
  const MessageOutcome fixed = task->process(message, 4, "k", MessageFormat::kFhir);
  BOOST_TEST(fixed.processed == 1u);
  BOOST_TEST(fixed.duplicates == 2u);
  BOOST_TEST(fixed.invalid == 0u);
  BOOST_TEST(task->dead_letters().empty());
  BOOST_TEST(raised(task->signals()) == 1u);  // G2 at RXB
}

BOOST_AUTO_TEST_CASE(bundles_give_the_signals_of_one_event_per_message) {
  const auto one_by_one = run_straight(stream_lines(), MessageFormat::kEventV1, 5);
  const auto bundled = run_straight(stream_bundles(), MessageFormat::kFhir, 2);
  BOOST_TEST(one_by_one.size() >= 5u);  // a comparison of nothing proves nothing
  BOOST_TEST(bundled == one_by_one, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_crash_before_commit_resumes_at_a_bundle_without_double_counting) {
  const auto messages = stream_bundles();
  const auto expected = run_straight(messages, MessageFormat::kFhir, 3);
  BOOST_REQUIRE(messages.size() > 10u);

  TempDir dir;
  std::vector<std::string> delivered;
  const size_t crash_after = 8;  // messages 6 and 7 processed, never committed
  {
    auto store = open_test_store(dir.path());
    auto task = open_task(*store);
    for (size_t i = 0; i < crash_after; ++i) {
      task->process(messages[i], static_cast<int64_t>(i), {}, MessageFormat::kFhir);
      if ((i + 1) % 3 == 0) {
        for (auto& s : encode_all(task->signals())) delivered.push_back(s);
        BOOST_REQUIRE(task->commit().is_ok());
      }
    }
  }
  Metrics metrics(kVersion);
  auto store = open_test_store(dir.path());
  auto task = open_task(*store, &metrics);
  BOOST_REQUIRE(task->resume_offset().has_value());
  BOOST_TEST(*task->resume_offset() == 6);  // the first Bundle not committed, whole
  uint64_t processed = 0, duplicates = 0;
  for (size_t i = static_cast<size_t>(*task->resume_offset()); i < messages.size(); ++i) {
    const MessageOutcome o = task->process(messages[i], static_cast<int64_t>(i), {}, MessageFormat::kFhir);
    processed += o.processed;
    duplicates += o.duplicates;
    BOOST_TEST(o.invalid == 0u);
    if ((i + 1) % 3 == 0 || i + 1 == messages.size()) {
      for (auto& s : encode_all(task->signals())) delivered.push_back(s);
      BOOST_REQUIRE(task->commit().is_ok());
    }
  }
  BOOST_TEST(delivered == expected, boost::test_tools::per_element());
  // The lost messages were applied once: after the first 13 events (6
  // Bundles of 1, 2, 3, 4, 1 and 2) each is processed but the stream's one
  // re-send (F02), none a duplicate of its own uncommitted first pass.
  BOOST_TEST(processed + duplicates == stream_lines().size() - 13);
  BOOST_TEST(duplicates == 1u);

  // Every Bundle again after the resumed run: nothing new.
  for (size_t i = 0; i < messages.size(); ++i) {
    const MessageOutcome o =
        task->process(messages[i], static_cast<int64_t>(messages.size() + i), {}, MessageFormat::kFhir);
    BOOST_TEST(o.processed == 0u);
    BOOST_TEST(o.invalid == 0u);
  }
  BOOST_TEST(task->signals().empty());
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

constexpr int32_t kPartitions = 3;

// A synthetic stream (re-sends, revisions, invalid lines) split by report
// onto kPartitions partitions, event v1.
const std::vector<std::vector<std::string>>& v1_partitions() {
  static const std::vector<std::vector<std::string>> lines = [] {
    SyntheticStreamOptions o;
    o.seed = 11;
    o.events_per_year = 18000;
    o.days = 100;
    o.invalid_fraction = 0.01;
    return split_by_report(synthetic_lines(o), kPartitions);
  }();
  return lines;
}

struct Files {
  std::vector<std::string> v1;
  std::vector<std::string> fhir;
  size_t bundles = 0;  // Bundles of more than one entry
};

// Each partition's lines as event v1 lines, and as FHIR Bundles of 1 to 5
// consecutive events; a line the FHIR writer cannot render (an invalid
// one) stays a line of its own between Bundles, where it dead-letters
// alone as it does among the v1 lines.
Files write_files(const std::string& dir) {
  Files files;
  for (size_t p = 0; p < v1_partitions().size(); ++p) {
    files.v1.push_back(dir + "/v1-p" + std::to_string(p) + ".jsonl");
    files.fhir.push_back(dir + "/fhir-p" + std::to_string(p) + ".jsonl");
    std::ofstream v1(files.v1.back());
    std::ofstream fhir(files.fhir.back());
    synthetic::FhirLineWriter writer;
    std::vector<std::string> pending;
    size_t size = 1;
    const auto flush = [&] {
      if (pending.empty()) return;
      fhir << bundle_of_resources(pending) << "\n";
      files.bundles += pending.size() > 1 ? 1 : 0;
      pending.clear();
      size = size % 5 + 1;
    };
    for (const auto& line : v1_partitions()[p]) {
      v1 << line << "\n";
      std::string rendered;
      const uint64_t before = writer.converted();
      writer.convert(line, rendered);
      if (writer.converted() == before) {
        flush();
        fhir << line << "\n";
        continue;
      }
      pending.push_back(std::move(rendered));
      if (pending.size() == size) flush();
    }
    flush();
  }
  return files;
}

PipelineConfig replay_config() {
  PipelineConfig config = order_sensitive_config();
  config.commit.max_events = 100;
  return config;
}

Result<ReplaySummary> replay(const std::vector<std::string>& inputs, const std::string& state,
                             CollectingSink& sink, CountingDeadLetters* dead_letters,
                             Metrics& metrics) {
  auto store = open_test_store(state);
  return run_partitioned_replay(replay_config(), inputs, *store, sink, dead_letters, metrics);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fhir_bundle_test)

BOOST_AUTO_TEST_CASE(partitioned_replay_of_bundles_equals_one_event_per_line) {
  TempDir dir;
  const Files files = write_files(dir.path());
  BOOST_TEST(files.bundles > 100u);

  CollectingSink v1_sink, fhir_sink;
  CountingDeadLetters v1_dead, fhir_dead;
  Metrics v1_metrics(kVersion), fhir_metrics(kVersion);
  auto v1 = replay(files.v1, dir.sub("state-v1"), v1_sink, &v1_dead, v1_metrics);
  auto fhir = replay(files.fhir, dir.sub("state-fhir"), fhir_sink, &fhir_dead, fhir_metrics);
  BOOST_REQUIRE_MESSAGE(v1.is_ok(), (v1.is_ok() ? std::string() : v1.error().message));
  BOOST_REQUIRE_MESSAGE(fhir.is_ok(), (fhir.is_ok() ? std::string() : fhir.error().message));
  BOOST_TEST_MESSAGE("v1: read " << v1.value().read << ", processed " << v1.value().processed
                                 << ", signals " << v1.value().signals << "; FHIR: read "
                                 << fhir.value().read << " lines");

  // Fewer lines, the same events and the same signals, byte for byte: the
  // merge kept every entry of every Bundle (their repartition records share
  // an offset and differ by index) in the order of the events.
  BOOST_TEST(fhir.value().read < v1.value().read);
  BOOST_TEST(fhir.value().processed == v1.value().processed);
  BOOST_TEST(fhir.value().duplicates == v1.value().duplicates);
  BOOST_TEST(fhir.value().duplicates > 0u);
  BOOST_TEST(fhir.value().invalid == v1.value().invalid);
  BOOST_TEST(fhir_metrics.events_consumed.Value() == v1_metrics.events_consumed.Value());
  BOOST_TEST(fhir_metrics.repartition_repeated.Value() == 0.0);
  BOOST_TEST(v1_sink.events.size() >= 500u);  // a comparison of nothing proves nothing
  BOOST_TEST(fhir_sink.events == v1_sink.events, boost::test_tools::per_element());

  // A crash after the merge committed a round and before inputs 1 and 2
  // did: they read their Bundles again, and the merge recognises each
  // entry's record, by offset and index, as a repeat.
  CollectingSink crashed_sink;
  CountingDeadLetters crashed_dead;
  crashed_dead.fail_at = 3 * 3 + 2;  // the 4th round, input 1
  Metrics first(kVersion), second(kVersion);
  BOOST_TEST(!replay(files.fhir, dir.sub("state-crash"), crashed_sink, &crashed_dead, first).is_ok());
  BOOST_REQUIRE(!crashed_sink.events.empty());
  crashed_dead.fail_at = 0;
  auto rest = replay(files.fhir, dir.sub("state-crash"), crashed_sink, &crashed_dead, second);
  BOOST_REQUIRE_MESSAGE(rest.is_ok(), (rest.is_ok() ? std::string() : rest.error().message));
  BOOST_TEST(second.repartition_repeated.Value() > 0.0);
  BOOST_TEST(crashed_sink.events == v1_sink.events, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(plain_replay_of_bundles_equals_one_event_per_line) {
  // `vigil replay` of one file commits by batch size, between lines, so
  // never inside a Bundle; stopped after some commits and run again into
  // the same state, it still gives the signals of the v1 lines.
  TempDir dir;
  const Files files = write_files(dir.path());
  PipelineConfig small = replay_config();
  small.state.write_buffer_bytes = 256 << 10;
  Metrics metrics(kVersion);
  CollectingSink v1_sink, fhir_sink;
  uint64_t v1_processed = 0;
  {
    auto store = open_test_store(dir.sub("state-v1"));
    auto v1 = run_replay(small, files.v1[0], *store, v1_sink, nullptr, metrics);
    BOOST_REQUIRE(v1.is_ok());
    v1_processed = v1.value().processed;
  }
  {
    auto store = open_test_store(dir.sub("state-fhir"));
    fhir_sink.fail_at = 3;
    BOOST_TEST(!run_replay(small, files.fhir[0], *store, fhir_sink, nullptr, metrics).is_ok());
  }
  BOOST_REQUIRE(!fhir_sink.events.empty());
  fhir_sink.fail_at = 0;
  {
    auto store = open_test_store(dir.sub("state-fhir"));
    auto rest = run_replay(small, files.fhir[0], *store, fhir_sink, nullptr, metrics);
    BOOST_REQUIRE(rest.is_ok());
    BOOST_TEST(rest.value().processed < v1_processed);
    BOOST_TEST(rest.value().read > 0u);
  }
  BOOST_TEST(v1_sink.events.size() >= 100u);
  BOOST_TEST(fhir_sink.events == v1_sink.events, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
