// The text_cluster detector on bounded streams: a cluster of similar
// descriptions across organisations fires exactly one signal with the
// expected ids, counts and top terms; steady background text never fires;
// a revision takes its report out; state round-trips through RocksDB; and
// no description text (nor any identifier in it) is ever stored.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "detectors/text_cluster.h"
#include "detectors/text_fingerprint.h"
#include "tests/detector_harness.h"
#include "tests/text_cluster_fixtures.h"

namespace vigil::testing {
namespace {

using Harness = DetectorHarness<TextClusterDetector, TextClusterConfig>;

// Plays the stream; the step that only holds a revision's old contents is
// skipped (the revision takes it back). `restart_every` > 0 commits and
// restores a new detector every that many steps.
std::vector<Signal> play(Harness& h, const TextStream& s, size_t restart_every = 0,
                         int32_t tail_days = 30) {
  for (size_t i = 0; i < s.steps.size(); ++i) {
    if (i + 1 < s.steps.size() && s.steps[i + 1].previous == static_cast<int>(i)) continue;
    h.play(s.steps, i);
    if (restart_every > 0 && (i + 1) % restart_every == 0) h.reload();
  }
  h.move_clock(Date{h.stream_time->days + tail_days});
  return h.signals;
}

std::vector<const Signal*> raised(const std::vector<Signal>& signals) {
  std::vector<const Signal*> out;
  for (const auto& s : signals) {
    if (s.type == SignalType::kRaised) out.push_back(&s);
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(text_cluster_test)

BOOST_AUTO_TEST_CASE(words_drop_numbers_stop_words_and_placeholders) {
  std::string lowered;
  TextWords words;
  split_words("The VP-300 pump at 14:05 [nhs_number] alarmed; a Q", lowered, words);
  std::vector<std::string> got(words.words.begin(), words.words.end());
  BOOST_TEST(got == (std::vector<std::string>{"vp", "pump", "alarmed"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(cluster_across_organisations_fires_once) {
  Harness h(small_text_cluster_config("text"));
  const TextStream s = make_text_stream(false);
  const auto signals = play(h, s);
  BOOST_TEST(h.det->warmed_up());
  const auto up = raised(signals);
  BOOST_TEST_REQUIRE(up.size() == 1u, describe(signals));
  const Signal& sig = *up[0];
  BOOST_TEST(sig.method == "text_cluster");
  BOOST_TEST(sig.evidence_count == 8);
  BOOST_TEST(sig.observed == 8);
  BOOST_TEST(sig.evidence_orgs == 4);
  std::vector<std::string> ids = sig.event_ids;
  std::sort(ids.begin(), ids.end());
  BOOST_TEST(ids == s.cluster_ids, boost::test_tools::per_element());
  // Day 41 is judged once stream time reaches day 42.
  BOOST_TEST(sig.period_end == date("2024-04-11"));
  // The structured fields every report shares, after the cluster id.
  BOOST_TEST_REQUIRE(sig.key.size() == 3u);
  BOOST_TEST(sig.key[0].first == "cluster");
  BOOST_TEST(render_key(sig.key).substr(25) == "category=device,service_area=acute_inpatient");
  // Top terms: leader words every report contains, in the leader's order.
  BOOST_TEST_REQUIRE(sig.strata.size() == 1u);
  BOOST_TEST(sig.strata[0].dimension == "term");
  std::vector<std::string> terms;
  for (const auto& [t, n] : sig.strata[0].counts) {
    terms.push_back(t);
    BOOST_TEST(n == 8);
  }
  BOOST_TEST(terms == (std::vector<std::string>{"new", "glucometer", "brand", "shows", "falsely"}),
             boost::test_tools::per_element());
  BOOST_TEST(statistic(sig, "organisations") == 4);
  BOOST_TEST(statistic(sig, "baseline_reports") == 0);
  BOOST_TEST(sig.summary.find("top terms: new, glucometer, brand, shows, falsely") != std::string::npos,
             sig.summary);
}

BOOST_AUTO_TEST_CASE(a_cluster_confined_to_one_trust_and_one_group_names_both) {
  TextClusterConfig c = small_text_cluster_config("text");
  c.min_orgs = 1;
  Harness h(c);
  const auto signals = play(h, make_text_stream(false, true));
  const auto up = raised(signals);
  BOOST_TEST_REQUIRE(up.size() == 1u);
  BOOST_TEST(up[0]->evidence_orgs == 1);
  BOOST_TEST(render_key(up[0]->key).substr(25) ==
             "category=device,service_area=acute_inpatient,org=RA1,ethnicity=N");
}

// Eight reports that all record the group nearly every report records are
// no finding: the key does not name it. Eight of a group no other report
// records are.
BOOST_AUTO_TEST_CASE(a_group_shared_by_chance_is_not_named) {
  TextClusterConfig c = small_text_cluster_config("text");
  c.min_orgs = 1;
  // Also with restarts: the counts per group are state.
  for (const auto& [group, restart_every] : std::vector<std::pair<char, size_t>>{{'A', 0}, {'N', 0}, {'A', 97}}) {
    Harness h(c);
    const auto signals = play(h, make_text_stream(false, true, group, 'A'), restart_every);
    const auto up = raised(signals);
    BOOST_TEST_REQUIRE(up.size() == 1u);
    const std::string expected = group == 'A' ? "category=device,service_area=acute_inpatient,org=RA1"
                                              : "category=device,service_area=acute_inpatient,org=RA1,ethnicity=N";
    BOOST_TEST(render_key(up[0]->key).substr(25) == expected);
  }
}

BOOST_AUTO_TEST_CASE(background_text_alone_never_fires) {
  Harness h(small_text_cluster_config("text"));
  TextStream s = make_text_stream(false);
  std::vector<FeedStep> background;
  for (auto& step : s.steps) {
    if (step.event.event().id.front() == 'R') background.push_back(std::move(step));
  }
  s.steps = std::move(background);
  const auto signals = play(h, s, 0, 0);
  BOOST_TEST(signals.empty(), describe(signals));
  // One cluster per routine wording (a few more where a ward's name tips
  // the estimate below the similarity): the background is clustered, only
  // steady.
  BOOST_TEST(h.det->key_count() >= 6u);
  BOOST_TEST(h.det->key_count() <= 12u);
  h.move_clock(Date{h.stream_time->days + 30});
  BOOST_TEST(h.det->key_count() == 0u);  // a quiet horizon drops every cluster
}

BOOST_AUTO_TEST_CASE(revision_moves_a_report_out_of_its_cluster) {
  Harness h(small_text_cluster_config("text"));
  const TextStream s = make_text_stream(true);
  const auto signals = play(h, s);
  const auto up = raised(signals);
  BOOST_TEST_REQUIRE(up.size() == 1u, describe(signals));
  // C1 was revised on day 43, after the raise (day 41's judgement, with 8
  // reports): later transitions count 7 and never name C1.
  std::vector<std::string> ids = up[0]->event_ids;
  BOOST_TEST(ids.size() == 8u);
  for (const auto& sig : signals) {
    if (sig.type == SignalType::kRaised) continue;
    BOOST_TEST((std::find(sig.event_ids.begin(), sig.event_ids.end(), "C1") == sig.event_ids.end()));
    BOOST_TEST(sig.evidence_count <= 7);
  }
}

BOOST_AUTO_TEST_CASE(revision_before_the_judgement_leaves_seven) {
  // The same revision on the cluster's own day, before it is judged: 7.
  TextClusterConfig c = small_text_cluster_config("text");
  Harness h(c);
  TextStream s = make_text_stream(false);
  // Insert the revision right after the last cluster report (day 42).
  const Date day41 = date("2024-04-11");
  size_t after = 0;
  for (size_t i = 0; i < s.steps.size(); ++i) {
    if (s.steps[i].event.event().id == "C7") after = i;
  }
  TestEvent old("C1", day41);
  old.org(kOrgs[1]).category("device").service_area("acute_inpatient");
  TestEvent revised("C1", day41);
  revised.revision(1).org(kOrgs[1]).category("treatment").service_area("acute_inpatient").description(
      fill_ward(kRoutineWordings[0], "Oak"));
  std::vector<FeedStep> steps;
  for (size_t i = 0; i < s.steps.size(); ++i) {
    steps.push_back(std::move(s.steps[i]));
    if (i == after) {
      steps.push_back(FeedStep{std::move(old), -1});
      steps.push_back(FeedStep{std::move(revised), static_cast<int>(steps.size()) - 1});
    }
  }
  s.steps = std::move(steps);
  const auto signals = play(h, s);
  const auto up = raised(signals);
  BOOST_TEST_REQUIRE(up.size() == 1u, describe(signals));
  BOOST_TEST(up[0]->evidence_count == 7);
  BOOST_TEST((std::find(up[0]->event_ids.begin(), up[0]->event_ids.end(), "C1") == up[0]->event_ids.end()));
}

BOOST_AUTO_TEST_CASE(restart_gives_the_same_signals) {
  const TextStream s = make_text_stream(true);
  Harness straight(small_text_cluster_config("text"));
  const auto once = fingerprints(play(straight, s));
  for (const size_t every : {7u, 50u, 333u}) {
    Harness restarted(small_text_cluster_config("text"));
    const auto again = fingerprints(play(restarted, s, every));
    BOOST_TEST(again == once, boost::test_tools::per_element());
  }
  BOOST_TEST(!once.empty());
}

BOOST_AUTO_TEST_CASE(state_holds_no_description_text) {
  Harness h(small_text_cluster_config("text"));
  const TextStream s = make_text_stream(true);
  play(h, s);
  h.save();
  std::string stored;
  auto cf = h.store->column_family("det.text");
  BOOST_TEST_REQUIRE(cf.is_ok());
  const Status scanned = h.store->scan_prefix(cf.value(), {}, [&](std::string_view k, std::string_view v) {
    stored.append(k);
    stored.push_back('\0');
    stored.append(v);
    stored.push_back('\0');
    return true;
  });
  BOOST_TEST_REQUIRE(scanned.is_ok());
  std::string lower = stored;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  // No run of 16 characters of any description (single revealed words may
  // be stored, as top terms; phrases never).
  for (const auto& d : s.descriptions) {
    for (size_t at = 0; at + 16 <= d.size(); ++at) {
      const std::string piece = d.substr(at, 16);
      BOOST_TEST_REQUIRE(stored.find(piece) == std::string::npos, "stored: " << piece);
    }
  }
  // Identifiers: the NHS number's digits never appear (numbers are never words).
  BOOST_TEST(stored.find("9434765919") == std::string::npos);
  BOOST_TEST(stored.find("943 476") == std::string::npos);
  BOOST_TEST(stored.find("14/03/1950") == std::string::npos);
  // The name goes only once the redactor knows names after titles.
  auto redactor = Redactor::make({});
  BOOST_TEST_REQUIRE(redactor.is_ok());
  if (redactor.value().find("Mrs Smith was seen").empty()) {
    BOOST_TEST_MESSAGE("redaction is still the placeholder: the name check is skipped");
  } else {
    BOOST_TEST(lower.find("smith") == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(only_words_of_two_organisations_are_kept) {
  // The single-task path applies the term reveal gate itself: a word that
  // one organisation wrote, however often, is never kept nor named; it is
  // once a second organisation writes it. Warm-up or not, filter or not.
  Harness h(small_text_cluster_config("text"));
  const Date on = date("2024-03-01");
  for (int i = 0; i < 3; ++i) {
    TestEvent e("Z" + std::to_string(i), on);
    e.org("RA1").category("device").description("Zarkov hoist jammed at Fernleigh");
    h.feed(e.event());
  }
  BOOST_TEST(h.det->revealed_words() == 0u);
  TestEvent other("Z9", on);
  other.org("RB2").category("device").description("hoist jammed");
  h.feed(other.event());
  BOOST_TEST(h.det->revealed_words() == 2u);
  BOOST_TEST(h.det->knows_word("hoist"));
  BOOST_TEST(h.det->knows_word("jammed"));
  BOOST_TEST(!h.det->knows_word("zarkov"));
  BOOST_TEST(!h.det->knows_word("fernleigh"));
  // Kept across a restart; the gate's counts too.
  h.reload();
  BOOST_TEST(h.det->knows_word("hoist"));
  TestEvent third("Z10", on);
  third.org("RC3").category("device").description("fernleigh");
  h.feed(third.event());
  BOOST_TEST(h.det->knows_word("fernleigh"));
  BOOST_TEST(!h.det->knows_word("zarkov"));
}

BOOST_AUTO_TEST_CASE(bad_settings_are_refused) {
  TextClusterConfig c = small_text_cluster_config("text");
  c.bands = 20;
  c.rows = 20;
  BOOST_TEST(!TextClusterDetector::create(c, 0, 0).is_ok());
  c = small_text_cluster_config("text");
  c.min_reports = 1;
  BOOST_TEST(!TextClusterDetector::create(c, 0, 0).is_ok());
  c = small_text_cluster_config("text");
  c.similarity = 0;
  BOOST_TEST(!TextClusterDetector::create(c, 0, 0).is_ok());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace vigil::testing
