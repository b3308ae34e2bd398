// Scenarios shared by a detector kind's own tests and the contract every
// kind keeps (tests/detector_contract_test.cc): the kind's tests work out
// by hand what these streams must give; the contract test runs the same
// streams through restarts, shared stores and corrupted state. One
// namespace per kind, since each kind's scenarios have their own shape.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "detectors/detector_kinds.h"
#include "detectors/signal_episode.h"
#include "state/key_encoding.h"
#include "tests/detector_harness.h"
#include "tests/test_events.h"

namespace vigil::testing {

// Events in event-time order (stable: same-day events keep their order).
inline void sort_by_time(std::vector<TestEvent>& events) {
  std::stable_sort(events.begin(), events.end(), [](const TestEvent& a, const TestEvent& b) {
    return a.event().occurred_on < b.event().occurred_on;
  });
}

// --- count ----------------------------------------------------------------------------

namespace count_feed {

// Weekly counts per category × region, judged by `method`.
inline CountDetectorConfig weekly_config(std::string method = "earsC1") {
  CountDetectorConfig c;
  c.name = "med_weekly";
  c.dimensions = {Dimension::kCategory, Dimension::kRegion};
  c.period = PeriodUnit::kWeek;
  c.grace_days = 14;
  c.method = std::move(method);
  c.min_observed = 5;
  c.severity = Severity::kMedium;
  // Judged only when each week closes; early alarms have tests of their own
  // (count_detector_early_test.cc).
  c.early_alarms = false;
  return c;
}

// One report of moderate harm keyed by category and region.
inline TestEvent ev(const std::string& id, Date on, std::string_view category = "medication",
                    std::string_view region = "Y56", std::string_view org = "RX1") {
  TestEvent e(id, on);
  e.category(category).region(region).org(org).harm(PhysicalHarm::kModerate);
  return e;
}

// `n` events of one key in week `week`, spread over its days, from `orgs`
// organisations, ids "<prefix>-<week>-<i>".
inline void add_week(std::vector<TestEvent>& out, int week, int n, std::string_view category,
                     std::string_view region, const std::string& prefix, int orgs = 3) {
  for (int i = 0; i < n; ++i) {
    out.push_back(ev(prefix + "-" + std::to_string(week) + "-" + std::to_string(i),
                     day_in_week(week, i % 7), category, region, "ORG" + std::to_string(i % orgs)));
  }
}

}  // namespace count_feed

// --- volume_drop ----------------------------------------------------------------------

namespace volume_feed {

// Weekly report counts of one organisation, week 0 first.
struct OrgSeries {
  std::string org;
  std::vector<int> weekly;
};

// The reports of every series, spread over the days of their weeks, in
// event-time order.
inline std::vector<TestEvent> reports(const std::vector<OrgSeries>& series) {
  std::vector<TestEvent> out;
  for (const auto& s : series) {
    for (size_t w = 0; w < s.weekly.size(); ++w) {
      for (int i = 0; i < s.weekly[w]; ++i) {
        TestEvent e(s.org + "-" + std::to_string(w) + "-" + std::to_string(i));
        e.on(day_in_week(static_cast<int>(w), i % 7)).org(s.org);
        out.push_back(std::move(e));
      }
    }
  }
  sort_by_time(out);
  return out;
}

inline std::vector<int> steady(int n, int weeks) { return std::vector<int>(static_cast<size_t>(weeks), n); }

// 50 a week for 30 weeks, silent for 10, then back at 50; and a steady
// organisation whose reports keep the stream time moving to week 47.
inline std::vector<OrgSeries> stop_and_recover() {
  std::vector<int> a = steady(50, 30);
  a.resize(40, 0);
  a.resize(46, 50);
  return {{"RA1", a}, {"RB1", steady(50, 48)}};
}

}  // namespace volume_feed

// --- reporting_silence ------------------------------------------------------------------

namespace silence_feed {

// Reports an organisation submits each day, day 0 (monday(0)) first.
struct OrgDays {
  std::string org;
  std::vector<int> daily;
};

// The reports of every series, each occurring and submitted on its day, in
// event-time order.
inline std::vector<TestEvent> reports(const std::vector<OrgDays>& series) {
  std::vector<TestEvent> out;
  for (const auto& s : series) {
    for (size_t d = 0; d < s.daily.size(); ++d) {
      for (int i = 0; i < s.daily[d]; ++i) {
        TestEvent e(s.org + "-" + std::to_string(d) + "-" + std::to_string(i));
        e.on(Date{monday(0).days + static_cast<int32_t>(d)}).org(s.org);
        out.push_back(std::move(e));
      }
    }
  }
  sort_by_time(out);
  return out;
}

// 12 a day for 70 days, silent for 10, back at 12 a day for 10; and a
// steady organisation whose reports keep the stream time moving to day 90.
inline std::vector<OrgDays> stop_and_recover() {
  std::vector<int> a(70, 12);
  a.resize(80, 0);
  a.resize(90, 12);
  return {{"RA1", a}, {"RB1", std::vector<int>(91, 12)}};
}

}  // namespace silence_feed

// --- funnel ---------------------------------------------------------------------------

namespace funnel_feed {

inline FunnelConfig funnel_config() {
  FunnelConfig c;
  c.name = "harm_funnel";
  c.outcome.min_physical_harm = PhysicalHarm::kModerate;
  c.window.window_weeks = 4;
  c.window.grace_days = 0;
  return c;  // coverage 0.998, overdispersion on, min_expected 10, high side, unit org
}

// Ten weeks: every unit sends 25 reports a week; the ordinary ones 3 harm
// reports a week, RHI 10 a week until week 5 and 3 a week from week 6.
inline std::vector<TestEvent> ten_weeks() {
  std::vector<TestEvent> out;
  for (int w = 0; w < 10; ++w) {
    // RHI first: its harm report is the first of each week.
    for (int u = 0; u < 11; ++u) {
      const std::string org = u > 0 ? "RN" + std::to_string(u - 1) : "RHI";
      const int harmful = u > 0 || w >= 6 ? 3 : 10;
      for (int i = 0; i < 25; ++i) {
        TestEvent e(org + "-" + std::to_string(w) + "-" + std::to_string(i));
        e.on(day_in_week(w, i % 7)).org(org).harm(i < harmful ? PhysicalHarm::kSevere : PhysicalHarm::kLow);
        out.push_back(std::move(e));
      }
    }
  }
  sort_by_time(out);
  return out;
}

}  // namespace funnel_feed

// --- inequality -----------------------------------------------------------------------

namespace inequality_feed {

inline InequalityConfig inequality_config() {
  InequalityConfig c;
  c.name = "ethnic_inequality";
  c.outcome.min_physical_harm = PhysicalHarm::kModerate;
  c.window.window_weeks = 4;
  c.window.grace_days = 0;
  return c;  // group by service area, stratum ethnicity, 99.8%, overdispersion, min 5 / 2
}

// Reports of one (service area, ethnicity) cell: `stratum` is a letter, or
// "none" for reports without patient details, or "blank" for reports whose
// patient has no ethnicity recorded. Both of the last two are "unknown".
struct CellSpec {
  std::string area;
  std::string stratum;
  int n;
  int harmful;
};

inline std::string key_stratum(const std::string& s) { return s == "none" || s == "blank" ? "unknown" : s; }

// The reports of `cells`, spread over the `weeks` weeks from `first_week`,
// from three organisations per cell.
inline void add_reports(std::vector<TestEvent>& out, const std::vector<CellSpec>& cells, int first_week,
                        int weeks = 4) {
  for (const auto& c : cells) {
    for (int i = 0; i < c.n; ++i) {
      TestEvent e(c.area + "-" + c.stratum + "-" + std::to_string(first_week) + "-" + std::to_string(i));
      e.on(day_in_week(first_week + i % weeks, (i / weeks) % 7))
          .service_area(c.area)
          .org("R" + std::to_string(i % 3))
          .harm(i < c.harmful ? PhysicalHarm::kSevere : PhysicalHarm::kNone);
      if (c.stratum == "blank") {
        e.patient("26-45", "female", 0, 3);
      } else if (c.stratum != "none") {
        e.patient("26-45", "female", c.stratum[0], 3);
      }
      out.push_back(std::move(e));
    }
  }
}

// Six service areas where every stratum has the same 10% harm rate: they
// give the between-cell variance its many z = 0 cells, as a national
// picture does.
inline std::vector<CellSpec> fair_areas() {
  std::vector<CellSpec> cells;
  for (const char* area : {"surgery", "medicine", "mental_health", "community", "emergency", "paediatrics"}) {
    for (const char* s : {"A", "C", "M", "none"}) cells.push_back({area, s, 100, 10});
  }
  return cells;
}

// Maternity with one stratum's harm rate `elevated` of 100 reports; 10% elsewhere.
inline std::vector<CellSpec> maternity(const std::string& elevated, int harmful) {
  std::vector<CellSpec> cells = fair_areas();
  cells.push_back({"maternity", "A", 200, 20});
  for (const char* s : {"C", "M", "none"}) {
    cells.push_back({"maternity", s, 100, key_stratum(s) == elevated ? harmful : 10});
  }
  return cells;
}

// Ten weeks of the maternity scenario, a quarter of it each week:
// maternity M has 10 harm reports a week until week 5 and 3 a week after;
// every other cell has 10% harm over any 4 weeks.
inline std::vector<TestEvent> ten_weeks() {
  std::vector<TestEvent> out;
  for (int w = 0; w < 10; ++w) {
    // Maternity M first: its harm report is the first of each week.
    std::vector<CellSpec> week = {{"maternity", "M", 25, w <= 5 ? 10 : 3}};
    const int tenth = w % 2 == 0 ? 2 : 3;  // 2, 3, 2, 3: 10 in any 4 weeks
    for (const auto& c : maternity("", 0)) {
      if (c.area == "maternity" && c.stratum == "M") continue;
      const int n = c.n / 4;
      week.push_back({c.area, c.stratum, n, n == 50 ? 5 : tenth});
    }
    add_reports(out, week, w, 1);
  }
  sort_by_time(out);
  return out;
}

}  // namespace inequality_feed

// --- disproportionality ---------------------------------------------------------------

namespace disproportionality_feed {

inline constexpr GammaMixturePrior kDuMouchel{0.2, 0.1, 2.0, 4.0, 1.0 / 3.0};

inline DisproportionalityConfig screen_config(DisproportionalityMethod method) {
  DisproportionalityConfig c;
  c.name = "medicine_screen";
  c.item = Dimension::kMedication;
  c.outcome.min_physical_harm = PhysicalHarm::kModerate;
  c.method = method;
  c.window.window_weeks = 4;
  c.window.grace_days = 0;
  if (method == DisproportionalityMethod::kEbgm) c.prior = kDuMouchel;
  return c;  // criteria: min_count 3, PRR 2 / chi2 4, ROR lo95 > 1, IC025 > 0, EB05 1.8 / EBGM 2.5
}

struct Report {
  int week;
  std::vector<std::string> medicines;
  bool harmful;
};

// `n` reports naming `medicines` in week `week`, the first `harmful` with harm.
inline void add(std::vector<Report>& out, int week, std::vector<std::string> medicines, int n, int harmful) {
  for (int i = 0; i < n; ++i) out.push_back({week, medicines, i < harmful});
}

// The reports as events (ids r0, r1, ... in list order), in event-time order.
inline std::vector<TestEvent> events_of(const std::vector<Report>& reports) {
  std::vector<TestEvent> out;
  for (size_t i = 0; i < reports.size(); ++i) {
    const Report& r = reports[i];
    TestEvent e("r" + std::to_string(i));
    e.on(day_in_week(r.week, static_cast<int>(i % 7)))
        .org("ORG" + std::to_string(i % 2))
        .harm(r.harmful ? PhysicalHarm::kModerate : PhysicalHarm::kLow);
    for (const auto& m : r.medicines) e.medication(m);
    out.push_back(std::move(e));
  }
  sort_by_time(out);
  return out;
}

// K: 10 reports a week, k_harm[week] of them with harm. Y, Z, W: 20 a week,
// 2 with harm. Every window holds 280 reports; c = 24 whatever K does; K's
// a = the sum of k_harm over the window's weeks.
inline std::vector<Report> known_pair(const std::vector<int>& k_harm) {
  std::vector<Report> r;
  for (size_t w = 0; w < k_harm.size(); ++w) {
    const int week = static_cast<int>(w);
    add(r, week, {"K"}, 10, k_harm[w]);
    for (const char* other : {"Y", "Z", "W"}) add(r, week, {other}, 20, 2);
  }
  return r;
}

// A stored row of item "X" for `partition`, written by hand: counts a = 5,
// c = 1, no evidence, a closed episode, known, never quiet, and a reference
// of `reference_bytes` zero bytes (a double's 8 make it valid). Key and value.
inline std::pair<std::string, std::string> state_row(int32_t partition, size_t reference_bytes) {
  std::string key = partition_prefix(partition);
  key.push_back('\1');
  key += "X";
  std::string value;
  value += '\x01';  // born
  value += '\x01';  // first period
  value += '\x02';  // two counters
  value += "\x05\x01";
  value += '\x00';  // no ids
  value += '\x00';  // no organisations
  Episode().encode(value);
  value += '\x01';  // known
  value += '\x00';  // quiet
  value.append(reference_bytes, '\0');
  return {key, value};
}

}  // namespace disproportionality_feed

}  // namespace vigil::testing
