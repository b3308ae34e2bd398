// Disproportionality screening (detectors/disproportionality_detector.h):
// medicines whose share of harm reports newly stands out against the other
// medicines over a rolling window. Scenarios are lists of reports with the
// medicines they name; an oracle here builds each medicine's 2x2 table from
// those lists, week by week, and the statistics of disproportionality.h and
// ebgm.h decide which weeks meet a criterion. The known-at-baseline and
// "newly meets" rules are then worked out by hand from those weeks.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "detectors/disproportionality.h"
#include "detectors/disproportionality_detector.h"
#include "detectors/ebgm_prior_fit.h"
#include "tests/detector_feeds.h"
#include "tests/detector_harness.h"

namespace vigil {
namespace {

using testing::day_in_week;
using testing::describe;
using testing::fingerprints;
using testing::monday;
using testing::near;
using testing::open_test_store;
using testing::statistic;
using testing::sunday;
using testing::TempDir;
using testing::TestEvent;

using Harness = testing::DetectorHarness<DisproportionalityDetector, DisproportionalityConfig>;

using testing::disproportionality_feed::kDuMouchel;

using testing::disproportionality_feed::screen_config;

// --- Scenarios and the oracle --------------------------------------------------------

using testing::disproportionality_feed::add;
using testing::disproportionality_feed::events_of;
using testing::disproportionality_feed::known_pair;
using testing::disproportionality_feed::Report;

bool names(const Report& r, const std::string& item) {
  return std::find(r.medicines.begin(), r.medicines.end(), item) != r.medicines.end();
}

// The 2x2 table of `item` over weeks [week - 3, week], counted from the list:
// only reports naming some medicine, each once.
TwoByTwo table_of(const std::vector<Report>& reports, const std::string& item, int week) {
  int64_t n = 0, outcomes = 0, a = 0, item_reports = 0;
  for (const auto& r : reports) {
    if (r.week < week - 3 || r.week > week || r.medicines.empty()) continue;
    ++n;
    outcomes += r.harmful;
    if (names(r, item)) {
      ++item_reports;
      a += r.harmful;
    }
  }
  return TwoByTwo{a, item_reports - a, outcomes - a, n - item_reports - (outcomes - a)};
}

std::set<std::string> items_of(const std::vector<Report>& reports) {
  std::set<std::string> out;
  for (const auto& r : reports) out.insert(r.medicines.begin(), r.medicines.end());
  return out;
}

// The prior the detector estimates in `week`: fitted to every item with a >= 1.
Result<GammaMixturePrior> estimated_prior(const std::vector<Report>& reports, int week,
                                          const GammaMixturePrior& start) {
  std::vector<EbgmCell> cells;
  for (const auto& item : items_of(reports)) {  // std::set: the detector's key order
    const TwoByTwo t = table_of(reports, item, week);
    const double n = static_cast<double>(t.n());
    if (t.a >= 1) cells.push_back({t.a, static_cast<double>(t.a + t.b) * static_cast<double>(t.a + t.c) / n});
  }
  return fit_gamma_mixture_prior(cells, start);
}

struct Judgement {
  bool meets = false;
  double score = NAN;
  EbgmResult eb{NAN, NAN, NAN, NAN};
};

Judgement judge(const TwoByTwo& t, const DisproportionalityConfig& c, const GammaMixturePrior& prior) {
  const DisproportionalityStats st = disproportionality(t);
  Judgement j;
  const bool enough = t.a >= c.min_count;
  switch (c.method) {
    case DisproportionalityMethod::kPrr:
      j.score = st.prr;
      j.meets = enough && st.prr >= c.prr && st.chi2_yates >= c.chi2;
      break;
    case DisproportionalityMethod::kRor:
      j.score = st.ror_lo95;
      j.meets = enough && st.ror_lo95 > c.ror_lower;
      break;
    case DisproportionalityMethod::kIc:
      j.score = st.ic025;
      j.meets = enough && st.ic025 > c.ic025;
      break;
    case DisproportionalityMethod::kEbgm:
      j.eb = ebgm(t.a, st.expected, prior);
      j.score = j.eb.eb05;
      j.meets = enough && j.eb.eb05 >= c.eb05 && j.eb.ebgm >= c.ebgm;
      break;
  }
  return j;
}

std::vector<Signal> of_item(const std::vector<Signal>& signals, const std::string& item) {
  std::vector<Signal> out;
  for (const auto& s : signals) {
    if (s.key.at(0).second == item) out.push_back(s);
  }
  return out;
}

// The signals of `reports` once every week up to `close_through` is judged.
std::vector<Signal> run(const DisproportionalityConfig& config, const std::vector<Report>& reports,
                        int close_through) {
  Harness h(config);
  for (const auto& e : events_of(reports)) h.feed(e);
  h.move_clock(monday(close_through + 1));
  return h.signals;
}

// Weeks 0..7. X: 10 reports a week, 1 with harm until week 3 and 8 from
// week 4; Y and Z: 20 a week, 2 with harm; one report a week names X and Y
// (no harm); 5 harm reports a week name no medicine at all.
std::vector<Report> x_jumps(int weeks = 8) {
  std::vector<Report> r;
  for (int w = 0; w < weeks; ++w) {
    add(r, w, {"X"}, 10, w < 4 ? 1 : 8);
    add(r, w, {"Y"}, 20, 2);
    add(r, w, {"Z"}, 20, 2);
    add(r, w, {"X", "Y"}, 1, 0);
    add(r, w, {}, 5, 5);
  }
  return r;
}

// --- Newly meeting the criterion -------------------------------------------------------

BOOST_AUTO_TEST_SUITE(disproportionality_detector_test)

BOOST_AUTO_TEST_CASE(a_medicine_whose_harm_share_jumps_raises_with_its_table) {
  const auto reports = x_jumps();
  const DisproportionalityConfig config = screen_config(DisproportionalityMethod::kPrr);
  const auto signals = run(config, reports, 7);

  // By hand, the window of weeks 1..4: 51 reports a week name a medicine
  // (10 X + 20 Y + 20 Z + 1 naming both X and Y, counted once), 204 in all;
  // 27 of them with harm (5 a week, 12 in week 4). X is named by 44, with
  // harm in 1 + 1 + 1 + 8 = 11. So a = 11, b = 33, c = 27 - 11 = 16,
  // d = 204 - 44 - 16 = 144. PRR = (11/44) / (16/160) = 2.5 and Yates'
  // chi2 = 204 (|11 x 144 - 33 x 16| - 102)^2 / (44 x 160 x 27 x 177) = 5.52.
  // Week 3 (weeks 0..3: a = 4, PRR 0.91) was the baseline.
  BOOST_TEST_REQUIRE(!judge(table_of(reports, "X", 3), config, kDuMouchel).meets);
  const TwoByTwo t = table_of(reports, "X", 4);
  BOOST_TEST_REQUIRE((t.a == 11 && t.b == 33 && t.c == 16 && t.d == 144));
  const DisproportionalityStats st = disproportionality(t);
  BOOST_TEST_REQUIRE(st.prr == 2.5);
  BOOST_TEST_REQUIRE(std::fabs(st.chi2_yates - 204.0 * 954 * 954 / (44.0 * 160 * 27 * 177)) < 1e-9);

  BOOST_TEST(of_item(signals, "Y").empty(), describe(signals));
  BOOST_TEST(of_item(signals, "Z").empty(), describe(signals));
  const auto x = of_item(signals, "X");
  BOOST_TEST_REQUIRE(!x.empty(), describe(signals));
  const Signal& s = x[0];
  BOOST_TEST(s.type == SignalType::kRaised);
  BOOST_TEST(s.sequence == 1u);
  BOOST_TEST(s.detector == "medicine_screen");
  BOOST_TEST(s.method == "prr");
  const std::vector<KeyPart> key = {{"medication", "X"}};
  BOOST_TEST((s.key == key));
  BOOST_TEST(s.signal_id == make_signal_id("medicine_screen", key, format_date(monday(4))));
  BOOST_TEST(s.period_start == monday(1));
  BOOST_TEST(s.period_end == sunday(4));
  BOOST_TEST(s.fired_at == monday(5));
  BOOST_TEST_REQUIRE(s.table.has_value());
  BOOST_TEST(s.table->a == 11);
  BOOST_TEST(s.table->b == 33);
  BOOST_TEST(s.table->c == 16);
  BOOST_TEST(s.table->d == 144);
  BOOST_TEST(s.observed == 11);
  BOOST_TEST(s.evidence_count == 11);
  BOOST_TEST(near(s.expected, 44.0 * 27 / 204));
  BOOST_TEST(s.score == 2.5);
  BOOST_TEST(s.threshold == 2.0);
  BOOST_TEST(near(statistic(s, "chi2_yates"), st.chi2_yates));
  BOOST_TEST(near(statistic(s, "ror"), 3.0));  // 11 x 144 / (33 x 16)
  BOOST_TEST(near(statistic(s, "ic025"), st.ic025));
  BOOST_TEST(std::isnan(statistic(s, "ebgm")));  // only the EBGM method carries it
  // Evidence: X's 11 harm reports of weeks 1..4 (none of them names Y too),
  // not the report of week 5 whose arrival closed week 4.
  std::vector<std::string> ids;
  for (size_t i = 0; i < reports.size(); ++i) {
    const Report& r = reports[i];
    if (r.week >= 1 && r.week <= 4 && r.harmful && names(r, "X")) ids.push_back("r" + std::to_string(i));
  }
  std::sort(ids.begin(), ids.end());
  BOOST_TEST_REQUIRE(ids.size() == 11u);
  BOOST_TEST(s.event_ids == ids);
  BOOST_TEST(s.evidence_orgs == 2);
  BOOST_TEST(s.summary.find("11 of its 44 reports") != std::string::npos, s.summary);

  // X keeps meeting the criterion: the rest of its episode is updates as
  // a grows by half (week 5: 18 >= 1.5 x 11; week 7: 32 >= 1.5 x 18).
  BOOST_TEST_REQUIRE(x.size() == 3u, describe(x));
  BOOST_TEST(x[1].type == SignalType::kUpdated);
  BOOST_TEST(x[1].period_end == sunday(5));
  BOOST_TEST(x[1].table->a == 18);
  BOOST_TEST(x[2].type == SignalType::kUpdated);
  BOOST_TEST(x[2].period_end == sunday(7));
  BOOST_TEST(x[2].table->a == 32);
  BOOST_TEST(x[2].signal_id == s.signal_id);
}

BOOST_AUTO_TEST_CASE(every_method_raises_the_first_week_it_newly_meets) {
  const auto reports = x_jumps();
  for (auto method : {DisproportionalityMethod::kPrr, DisproportionalityMethod::kRor,
                      DisproportionalityMethod::kIc, DisproportionalityMethod::kEbgm}) {
    BOOST_TEST_CONTEXT("method " << to_string(method)) {
      const DisproportionalityConfig config = screen_config(method);
      // The oracle: the first week after the baseline week 3 that X meets.
      BOOST_TEST_REQUIRE(!judge(table_of(reports, "X", 3), config, kDuMouchel).meets);
      int first = -1;
      for (int w = 4; w <= 7 && first < 0; ++w) {
        if (judge(table_of(reports, "X", w), config, kDuMouchel).meets) first = w;
      }
      BOOST_TEST_REQUIRE(first >= 4);
      const TwoByTwo t = table_of(reports, "X", first);
      const Judgement j = judge(t, config, kDuMouchel);

      const auto signals = run(config, reports, 7);
      BOOST_TEST(of_item(signals, "Y").empty(), describe(signals));
      BOOST_TEST(of_item(signals, "Z").empty(), describe(signals));
      const auto x = of_item(signals, "X");
      BOOST_TEST_REQUIRE(!x.empty(), describe(signals));
      const Signal& s = x[0];
      BOOST_TEST(s.type == SignalType::kRaised);
      BOOST_TEST(s.method == std::string(to_string(method)));
      BOOST_TEST(s.period_end == sunday(first));
      BOOST_TEST((s.table->a == t.a && s.table->b == t.b && s.table->c == t.c && s.table->d == t.d));
      BOOST_TEST(near(s.score, j.score));
      switch (method) {
        case DisproportionalityMethod::kPrr: BOOST_TEST(s.threshold == config.prr); break;
        case DisproportionalityMethod::kRor: BOOST_TEST(s.threshold == config.ror_lower); break;
        case DisproportionalityMethod::kIc: BOOST_TEST(s.threshold == config.ic025); break;
        case DisproportionalityMethod::kEbgm:
          BOOST_TEST(s.threshold == config.eb05);
          BOOST_TEST(near(statistic(s, "ebgm"), j.eb.ebgm));
          BOOST_TEST(near(statistic(s, "eb05"), j.eb.eb05));
          BOOST_TEST(near(statistic(s, "eb95"), j.eb.eb95));
          break;
      }
      for (const auto& later : x) BOOST_TEST(later.type != SignalType::kResolved);
    }
  }
}

BOOST_AUTO_TEST_CASE(min_count_holds_back_a_pair_with_too_few_reports) {
  // Two reports naming W, both with harm, in week 5: PRR 6 and chi2 4.6
  // (a = 2, b = 0, c = 34, d = 170), but two reports are below min_count 3.
  auto reports = x_jumps(6);
  add(reports, 5, {"W"}, 2, 2);
  DisproportionalityConfig config = screen_config(DisproportionalityMethod::kPrr);
  const TwoByTwo t = table_of(reports, "W", 5);
  BOOST_TEST_REQUIRE((t.a == 2 && t.b == 0 && t.c == 34 && t.d == 170));
  config.min_count = 2;
  BOOST_TEST_REQUIRE(judge(t, config, kDuMouchel).meets);
  const auto allowed = of_item(run(config, reports, 5), "W");
  BOOST_TEST_REQUIRE(allowed.size() == 1u);
  BOOST_TEST(allowed[0].observed == 2);
  config.min_count = 3;
  BOOST_TEST(of_item(run(config, reports, 5), "W").empty());
  // ROR needs every cell: b = 0 gives an infinite ROR and a NaN lower
  // limit, never a signal.
  config.method = DisproportionalityMethod::kRor;
  config.min_count = 1;
  BOOST_TEST(of_item(run(config, reports, 5), "W").empty());
}

// --- Known at baseline ----------------------------------------------------------------------

// known_pair(k_harm): K sends 10 reports a week, k_harm[week] with harm;
// Y, Z, W 20 a week, 2 with harm. Every window holds 280 reports; c = 24
// whatever K does.
BOOST_AUTO_TEST_CASE(a_pair_meeting_the_criterion_at_baseline_is_known_until_it_stops) {
  std::vector<int> k_harm(8, 6);
  k_harm.resize(14, 0);
  k_harm.resize(18, 6);
  const auto reports = known_pair(k_harm);
  const DisproportionalityConfig config = screen_config(DisproportionalityMethod::kPrr);

  // K's a per window: weeks 3..7: 24; 8: 18; 9: 12; 10: 6; 11..13: 0;
  // 14: 6; 15: 12; 16: 18; 17: 24. PRR = a/4 (c/(c+d) = 24/240); a = 6
  // gives PRR 1.5, a >= 12 meets. So: known at week 3 (the first complete
  // window), still meeting to week 9, quiet at 10 and 11 (resolve_after_quiet
  // = 2: no longer known), not meeting 12..14, newly meeting at 15.
  std::vector<int> meets;
  for (int w = 3; w <= 17; ++w) {
    if (judge(table_of(reports, "K", w), config, kDuMouchel).meets) meets.push_back(w);
  }
  BOOST_TEST_REQUIRE((meets == std::vector<int>{3, 4, 5, 6, 7, 8, 9, 15, 16, 17}));

  const auto signals = run(config, reports, 17);
  BOOST_TEST_REQUIRE(signals.size() == 2u, describe(signals));
  const Signal& raised = signals[0];
  BOOST_TEST(raised.type == SignalType::kRaised);
  BOOST_TEST(raised.key.at(0).second == "K");
  BOOST_TEST(raised.period_end == sunday(15));
  BOOST_TEST(raised.signal_id == make_signal_id("medicine_screen", raised.key, format_date(monday(15))));
  BOOST_TEST((raised.table->a == 12 && raised.table->b == 28 && raised.table->c == 24 && raised.table->d == 216));
  BOOST_TEST(near(raised.score, 3.0));  // (12/40) / (24/240)
  // Week 16: a = 18 = 1.5 x 12.
  BOOST_TEST(signals[1].type == SignalType::kUpdated);
  BOOST_TEST(signals[1].period_end == sunday(16));
}

BOOST_AUTO_TEST_CASE(a_known_pair_stays_known_through_a_shorter_dip) {
  // K stops for weeks 8..10 and is back from 11: a per window is 18 (week
  // 8), 12, 6, 6, 12 (week 12), ...: two quiet weeks (10, 11), then meeting
  // again at 12.
  std::vector<int> k_harm(8, 6);
  k_harm.resize(11, 0);
  k_harm.resize(16, 6);
  const auto reports = known_pair(k_harm);
  DisproportionalityConfig config = screen_config(DisproportionalityMethod::kPrr);
  std::vector<int> quiet;
  for (int w = 3; w <= 15; ++w) {
    if (!judge(table_of(reports, "K", w), config, kDuMouchel).meets) quiet.push_back(w);
  }
  BOOST_TEST_REQUIRE((quiet == std::vector<int>{10, 11}));

  // Two quiet weeks are enough to forget it with resolve_after_quiet = 2:
  // meeting again at week 12 is new.
  const auto forgets = run(config, reports, 15);
  BOOST_TEST_REQUIRE(!forgets.empty());
  BOOST_TEST(forgets[0].type == SignalType::kRaised);
  BOOST_TEST(forgets[0].period_end == sunday(12));
  // With resolve_after_quiet = 3 they are not: K is still the known pair.
  config.window.lifecycle.resolve_after_quiet = 3;
  const auto remembers = run(config, reports, 15);
  BOOST_TEST(remembers.empty(), describe(remembers));
}

// --- The estimated EBGM prior --------------------------------------------------------------

BOOST_AUTO_TEST_CASE(the_estimated_prior_is_fitted_to_every_pair_each_week) {
  // 24 medicines with harm rates from 0% to 30% and X, which jumps to 90%
  // in week 4.
  std::vector<Report> reports;
  for (int w = 0; w < 8; ++w) {
    for (int i = 0; i < 24; ++i) {
      char code[8];
      std::snprintf(code, sizeof code, "M%02d", i);
      add(reports, w, {code}, 10, i % 4);
    }
    add(reports, w, {"X"}, 10, w < 4 ? 1 : 9);
  }
  DisproportionalityConfig config = screen_config(DisproportionalityMethod::kEbgm);
  config.prior.reset();  // estimate it, starting from prior_start

  int first = -1;
  GammaMixturePrior prior{};
  for (int w = 3; w <= 7 && first < 0; ++w) {
    auto fitted = estimated_prior(reports, w, config.prior_start);
    BOOST_TEST_REQUIRE(fitted.is_ok(), (fitted ? "" : fitted.error().message));
    if (judge(table_of(reports, "X", w), config, fitted.value()).meets) {
      first = w;
      prior = fitted.value();
    }
  }
  BOOST_TEST_REQUIRE(first >= 4);  // not at the baseline

  const auto signals = run(config, reports, 7);
  const auto x = of_item(signals, "X");
  BOOST_TEST_REQUIRE(!x.empty(), describe(signals));
  for (const auto& s : signals) BOOST_TEST(s.key.at(0).second == "X", describe(s));
  const Signal& s = x[0];
  BOOST_TEST(s.type == SignalType::kRaised);
  BOOST_TEST(s.method == "ebgm");
  BOOST_TEST(s.period_end == sunday(first));
  const TwoByTwo t = table_of(reports, "X", first);
  const EbgmResult eb = ebgm(t.a, disproportionality(t).expected, prior);
  // The optimiser sees the same cells in the same order: the same prior.
  BOOST_TEST(near(statistic(s, "ebgm"), eb.ebgm, 1e-6));
  BOOST_TEST(near(statistic(s, "eb05"), eb.eb05, 1e-6));
  BOOST_TEST(near(s.score, eb.eb05, 1e-6));
  // A fixed DuMouchel prior gives other numbers: the estimate was used.
  const EbgmResult fixed = ebgm(t.a, disproportionality(t).expected, kDuMouchel);
  BOOST_TEST(std::fabs(fixed.ebgm - eb.ebgm) > 1e-3);
}

// --- Counting rules and state --------------------------------------------------------------

BOOST_AUTO_TEST_CASE(revisions_move_reports_between_medicines) {
  // Weeks 0..5 of x_jumps, but 6 of X's harm reports of week 4 first named
  // Z, and 4 reports first named X and Y where X alone was meant: their
  // revisions correct them. The signals must equal those of the corrected
  // reports arriving first time.
  const auto correct = x_jumps(6);
  std::vector<Report> wrong = correct;
  std::vector<size_t> changed;
  int moved_harm = 0;
  int doubled = 0;
  for (size_t i = 0; i < wrong.size(); ++i) {
    Report& r = wrong[i];
    if (r.week == 4 && r.harmful && r.medicines == std::vector<std::string>{"X"} && moved_harm < 6) {
      r.medicines = {"Z"};
      ++moved_harm;
      changed.push_back(i);
    } else if (r.week == 2 && !r.harmful && r.medicines == std::vector<std::string>{"X"} && doubled < 4) {
      r.medicines = {"X", "Y"};
      ++doubled;
      changed.push_back(i);
    }
  }
  BOOST_TEST_REQUIRE(changed.size() == 10u);
  const DisproportionalityConfig config = screen_config(DisproportionalityMethod::kPrr);
  const auto first = events_of(wrong);
  const auto fixed = events_of(correct);
  std::map<std::string, const TestEvent*> fixed_by_id;
  for (const auto& e : fixed) fixed_by_id[std::string(e.event().id)] = &e;
  std::set<std::string> changed_ids;
  for (size_t i : changed) changed_ids.insert("r" + std::to_string(i));

  Harness revised(config);
  for (const auto& e : first) {
    revised.feed(e);
    const std::string id(e.event().id);
    if (changed_ids.count(id)) revised.revise(e, *fixed_by_id.at(id));
  }
  revised.move_clock(monday(6));
  const auto direct = run(config, correct, 5);
  BOOST_TEST_REQUIRE(!direct.empty());
  BOOST_TEST(fingerprints(revised.signals) == fingerprints(direct), describe(revised.signals));
}

BOOST_AUTO_TEST_CASE(a_hand_made_state_row_decodes) {
  // The row tests/detector_contract_test.cc breaks by giving it a 3-byte
  // reference: with the 8 bytes of a double it is a valid row, so the
  // contract test's corruption is the reference and nothing else.
  TempDir dir;
  auto store = open_test_store(dir.sub("db"));
  const DisproportionalityConfig config = screen_config(DisproportionalityMethod::kPrr);
  auto cf = store->ensure_column_family(detector_column_family(DetectorConfig{config}));
  BOOST_TEST_REQUIRE(cf.is_ok());
  StateBatch batch = store->new_batch();
  const auto [key, value] = testing::disproportionality_feed::state_row(3, 8);
  batch.put(cf.value(), key, value);
  BOOST_TEST_REQUIRE(store->write(batch).is_ok());
  auto det = DisproportionalityDetector::create(config, 3, cf.value());
  BOOST_TEST_REQUIRE(det.is_ok());
  BOOST_TEST_REQUIRE(det.value()->restore(*store).is_ok());
  BOOST_TEST(det.value()->key_count() == 1u);
}

BOOST_AUTO_TEST_CASE(a_signal_carries_the_decisive_statistic_of_every_judged_week) {
  // K is known in the first window (week 3), forgotten after quiet weeks,
  // then raised in week 17 by IC025: the series holds IC025 of weeks 3-17
  // from the oracle's tables, none flagged but the raising week, and the
  // same series after a restart in the middle (it is kept in the state).
  std::vector<int> k_harm(8, 6);
  k_harm.resize(14, 0);
  k_harm.resize(18, 6);
  k_harm.resize(24, 0);
  const auto reports = known_pair(k_harm);
  const auto events = events_of(reports);
  const DisproportionalityConfig config = screen_config(DisproportionalityMethod::kIc);
  Harness straight(config);
  Harness restarted(config);
  for (size_t i = 0; i < events.size(); ++i) {
    straight.feed(events[i]);
    restarted.feed(events[i]);
    if (i == events.size() / 2) restarted.reload();
  }
  straight.move_clock(monday(24));
  restarted.move_clock(monday(24));
  BOOST_TEST_REQUIRE(!straight.signals.empty());
  BOOST_TEST(fingerprints(restarted.signals) == fingerprints(straight.signals));
  const Signal& s = straight.signals.front();
  BOOST_TEST_REQUIRE(s.type == SignalType::kRaised);
  BOOST_TEST_REQUIRE(s.series.has_value());
  BOOST_TEST(s.series->measure == "ic025");
  const auto& points = s.series->points;
  const int raised_week = static_cast<int>(points.size()) + 2;
  BOOST_TEST(s.period_end == sunday(raised_week));
  for (size_t i = 0; i < points.size(); ++i) {
    const int week = static_cast<int>(i) + 3;
    const PeriodPoint& p = points[i];
    BOOST_TEST(p.start == monday(week - 3));
    BOOST_TEST(p.end == sunday(week));
    BOOST_TEST(p.value == disproportionality(table_of(reports, "K", week)).ic025, "week " << week);
    BOOST_TEST(std::isnan(p.expected));
    BOOST_TEST(p.threshold == 0.0);
    BOOST_TEST(p.flagged == (week == raised_week), "week " << week);
  }
  BOOST_TEST(points.back().value == s.score);
}

BOOST_AUTO_TEST_CASE(methods_are_named_as_in_the_configuration) {
  for (auto m : {DisproportionalityMethod::kPrr, DisproportionalityMethod::kRor,
                 DisproportionalityMethod::kIc, DisproportionalityMethod::kEbgm}) {
    BOOST_TEST((parse_disproportionality_method(to_string(m)) == m));
    BOOST_TEST(detector_method(DetectorConfig{screen_config(m)}) == std::string(to_string(m)));
  }
  BOOST_TEST(!parse_disproportionality_method("PRR").has_value());
  BOOST_TEST(!parse_disproportionality_method("bcpnn").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace
}  // namespace vigil
