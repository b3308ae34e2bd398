#include "review/priority.h"

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <string>

namespace vigil {
namespace {

// A raised count signal at one organisation: 20 observed against a
// threshold of 10 (one doubling), medium severity.
Signal count_signal() {
  Signal s;
  s.signal_id = "00000000000000aa";
  s.detector = "falls";
  s.method = "farrington_flexible";
  s.key = {{"org", "RXX"}, {"category", "falls"}};
  s.period_start = Date{20000};
  s.period_end = Date{20006};
  s.fired_at = Date{20007};
  s.observed = 20;
  s.expected = 5;
  s.threshold = 10;
  s.severity = Severity::kMedium;
  s.evidence_orgs = 1;
  return s;
}

Signal disproportionality_signal(std::string method) {
  Signal s = count_signal();
  s.method = std::move(method);
  s.key = {{"medication", "39720311000001101"}};
  s.evidence_orgs = 0;
  s.statistics = {{"prr", 3.0}, {"prr_lo95", 2.0}, {"ror_lo95", 2.0}, {"ic025", 1.5}};
  return s;
}

constexpr double kTolerance = 1e-9;

BOOST_AUTO_TEST_SUITE(priority_test)

BOOST_AUTO_TEST_CASE(parts_of_a_count_signal) {
  const PriorityParts p = priority_of(count_signal(), Date{20007});
  BOOST_TEST(p.strength == 10.0, boost::test_tools::tolerance(kTolerance));  // one doubling
  BOOST_TEST(p.severity == 10.0);
  BOOST_TEST(p.spread == 4.0,
             boost::test_tools::tolerance(kTolerance));  // log2(1 + 1) * 4, org key
  BOOST_TEST(p.trend == 0.0);
  BOOST_TEST(p.recency == 0.0);
  BOOST_TEST(p.total == 24.0, boost::test_tools::tolerance(kTolerance));
}

BOOST_AUTO_TEST_CASE(stronger_ranks_higher_and_strength_is_capped) {
  Signal weak = count_signal();
  Signal strong = count_signal();
  strong.observed = 40;
  BOOST_TEST(rank_key(strong) > rank_key(weak));
  Signal huge = count_signal();
  huge.observed = 10000;
  BOOST_TEST(priority_of(huge, huge.fired_at).strength == 40.0);
  Signal below = count_signal();
  below.observed = 8;  // under its threshold (an updated or resolved transition)
  BOOST_TEST(priority_of(below, below.fired_at).strength == 0.0);
}

BOOST_AUTO_TEST_CASE(a_drop_below_a_lower_limit_counts_as_strength) {
  Signal drop = count_signal();
  drop.method = "volume_drop";
  drop.expected = 40;
  drop.threshold = 20;  // a lower limit: below expected
  drop.observed = 5;    // two doublings under it
  BOOST_TEST(priority_of(drop, drop.fired_at).strength == 20.0,
             boost::test_tools::tolerance(kTolerance));
}

BOOST_AUTO_TEST_CASE(disproportionality_uses_eb05_for_ebgm_and_ic025_otherwise) {
  Signal ic = disproportionality_signal("prr");
  BOOST_TEST(priority_of(ic, ic.fired_at).strength == 15.0,
             boost::test_tools::tolerance(kTolerance));
  Signal eb = disproportionality_signal("ebgm");
  eb.statistics.emplace_back("eb05", 8.0);  // three doublings
  BOOST_TEST(priority_of(eb, eb.fired_at).strength == 30.0,
             boost::test_tools::tolerance(kTolerance));
  Signal no_ic = disproportionality_signal("ror");
  no_ic.statistics = {{"ror_lo95", 4.0}};
  BOOST_TEST(priority_of(no_ic, no_ic.fired_at).strength == 20.0,
             boost::test_tools::tolerance(kTolerance));
  Signal weaker = disproportionality_signal("ic");
  weaker.statistics = {{"ic025", 0.5}};
  BOOST_TEST(rank_key(ic) > rank_key(weaker));
}

BOOST_AUTO_TEST_CASE(more_severe_ranks_higher) {
  Signal low = count_signal();
  low.severity = Severity::kLow;
  Signal critical = count_signal();
  critical.severity = Severity::kCritical;
  BOOST_TEST(priority_of(critical, critical.fired_at).severity == 30.0);
  BOOST_TEST(rank_key(critical) - rank_key(low) == 30.0, boost::test_tools::tolerance(kTolerance));
}

BOOST_AUTO_TEST_CASE(wider_ranks_higher) {
  Signal one = count_signal();
  Signal many = count_signal();
  many.evidence_orgs = 7;  // log2(8) * 4 = 12
  BOOST_TEST(priority_of(many, many.fired_at).spread == 12.0,
             boost::test_tools::tolerance(kTolerance));
  BOOST_TEST(rank_key(many) > rank_key(one));
  Signal everywhere = count_signal();
  everywhere.evidence_orgs = 1000;  // capped at 20
  BOOST_TEST(priority_of(everywhere, everywhere.fired_at).spread == 20.0);

  Signal regional = many;
  regional.key = {{"region", "Y56"}, {"category", "falls"}};
  Signal national = many;
  national.key = {{"category", "falls"}};
  BOOST_TEST(priority_of(regional, regional.fired_at).spread == 16.0,
             boost::test_tools::tolerance(kTolerance));
  BOOST_TEST(priority_of(national, national.fired_at).spread == 20.0,
             boost::test_tools::tolerance(kTolerance));
}

BOOST_AUTO_TEST_CASE(updates_and_a_rising_series_add_trend) {
  Signal updated = count_signal();
  updated.type = SignalType::kUpdated;
  updated.sequence = 3;
  BOOST_TEST(priority_of(updated, updated.fired_at).trend == 6.0);
  updated.sequence = 10;  // capped at three updates
  BOOST_TEST(priority_of(updated, updated.fired_at).trend == 9.0);

  Signal rising = count_signal();
  rising.series = SignalSeries{"count", {}};
  for (double v : {2.0, 2.0, 2.0, 2.0, 4.0, 4.0}) {
    rising.series->points.push_back(PeriodPoint{Date{0}, Date{6}, v});
  }
  BOOST_TEST(priority_of(rising, rising.fired_at).trend == 3.0,
             boost::test_tools::tolerance(kTolerance));  // one doubling
  Signal flat = rising;
  for (auto& p : flat.series->points) p.value = 3;
  BOOST_TEST(priority_of(flat, flat.fired_at).trend == 0.0);
  BOOST_TEST(rank_key(rising) > rank_key(flat));

  Signal resolved = updated;
  resolved.type = SignalType::kResolved;
  BOOST_TEST(priority_of(resolved, resolved.fired_at).trend == 0.0);
}

BOOST_AUTO_TEST_CASE(ic_series_rise_is_a_difference) {
  Signal s = disproportionality_signal("ic");
  s.series = SignalSeries{"ic025", {}};
  for (double v : {-1.0, -1.0, -1.0, -1.0, 0.0, 0.0}) {
    s.series->points.push_back(PeriodPoint{Date{0}, Date{6}, v});
  }
  BOOST_TEST(priority_of(s, s.fired_at).trend == 3.0, boost::test_tools::tolerance(kTolerance));
}

BOOST_AUTO_TEST_CASE(more_recent_ranks_higher) {
  Signal old_one = count_signal();
  Signal recent = count_signal();
  recent.fired_at = Date{old_one.fired_at.days + 14};
  BOOST_TEST(rank_key(recent) - rank_key(old_one) == 7.0, boost::test_tools::tolerance(kTolerance));
  const PriorityParts p = priority_of(old_one, recent.fired_at);
  BOOST_TEST(p.recency == -7.0);
  // A week of recency is worth less than one step of severity: a critical
  // signal two weeks old still outranks a medium one of today.
  Signal critical_old = old_one;
  critical_old.severity = Severity::kCritical;
  BOOST_TEST(rank_key(critical_old) > rank_key(recent));
}

BOOST_AUTO_TEST_CASE(rank_key_does_not_depend_on_as_of) {
  const Signal s = count_signal();
  for (int32_t day : {0, 20007, 20100, 30000}) {
    const double key = priority_of(s, Date{day}).total + kRecencyPointsPerDay * day;
    BOOST_TEST(key == rank_key(s), boost::test_tools::tolerance(kTolerance));
  }
}

BOOST_AUTO_TEST_CASE(missing_numbers_give_no_points_not_nan) {
  Signal s = count_signal();
  s.threshold = std::nan("");
  s.expected = std::nan("");
  const PriorityParts p = priority_of(s, s.fired_at);
  BOOST_TEST(p.strength == 0.0);
  BOOST_TEST(std::isfinite(p.total));
  Signal d = disproportionality_signal("ebgm");
  d.statistics = {{"eb05", std::nan("")}};
  BOOST_TEST(priority_of(d, d.fired_at).strength == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace vigil
