// A detector on a real RocksDB store, driven the way the partition task
// drives it, for the tests of every detector kind: apply(+1) per event,
// apply(-1) with the old contents first for a revision, advance() whenever
// the event time is the largest seen, save() at commits; plus a fingerprint
// of a signal so that two runs can be compared field by field.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "detectors/detector_factory.h"
#include "tests/test_events.h"

namespace vigil::testing {

const Date kMonday0 = date("2024-01-01");
const int32_t kWeek0 = week_of(kMonday0);

// Day `dow` (0 = Monday) of week `week` counted from kMonday0's week.
inline Date day_in_week(int week, int dow) { return Date{week_start(kWeek0 + week).days + dow}; }
inline Date monday(int week) { return day_in_week(week, 0); }
inline Date sunday(int week) { return day_in_week(week, 6); }

// One step of a scenario: an event, and for a newer revision the index of
// the step holding the contents it replaces (-1: a report seen first).
struct FeedStep {
  TestEvent event;
  int previous = -1;
};

// Steps of events that are all first revisions.
inline std::vector<FeedStep> as_steps(std::vector<TestEvent> events) {
  std::vector<FeedStep> steps;
  steps.reserve(events.size());
  for (auto& e : events) steps.push_back(FeedStep{std::move(e), -1});
  return steps;
}

// One detector of class `D` (configuration struct `Config`) for one
// partition of a store it does not own, driven as the partition task drives
// it. Several drivers on one store are several partitions of one column
// family.
template <typename D, typename Config>
struct DetectorDriver {
  Config config;
  int32_t partition;
  std::unique_ptr<D> det;
  std::optional<Date> stream_time;
  std::vector<Signal> signals;
  size_t late = 0;

  DetectorDriver(Config c, int32_t p) : config(std::move(c)), partition(p) {}

  // A new detector restored from `store`, as a restarted task has; stream
  // time, signals and the late count carry on (the task keeps those).
  void open(StateStore& store) {
    auto id = store.ensure_column_family(detector_column_family(DetectorConfig{config}));
    BOOST_TEST_REQUIRE(id.is_ok());
    auto made = D::create(config, partition, id.value());
    BOOST_TEST_REQUIRE(made.is_ok(), (made ? "" : made.error().message));
    det = std::move(made).value();
    const Status restored = det->restore(store);
    BOOST_TEST_REQUIRE(restored.is_ok(), restored.message());
  }

  // Applies one event; true when the detector found it late.
  bool feed(const IncidentEvent& e) {
    const bool was_late = det->apply(e, +1, signals).late;
    late += was_late ? 1 : 0;
    move_clock(event_time(e));
    return was_late;
  }
  // A newer revision: take back the old contents, then count the new.
  bool revise(const IncidentEvent& old_contents, const IncidentEvent& new_contents) {
    det->apply(old_contents, -1, signals);
    return feed(new_contents);
  }
  // Step `i` of `steps`: a report seen first, or a revision of an earlier step.
  void play(const std::vector<FeedStep>& steps, size_t i) {
    const FeedStep& s = steps[i];
    if (s.previous >= 0) {
      revise(steps[static_cast<size_t>(s.previous)].event, s.event);
    } else {
      feed(s.event);
    }
  }
  void move_clock(Date t) {
    if (!stream_time || t > *stream_time) {
      stream_time = t;
      det->advance(t, signals);
    }
  }
};

// A detector on a store of its own in a temporary directory, which it can
// commit to, restart from and reopen.
template <typename D, typename Config>
struct DetectorHarness : DetectorDriver<D, Config> {
  TempDir dir;
  std::unique_ptr<StateStore> store;

  explicit DetectorHarness(Config c, int32_t p = 3) : DetectorDriver<D, Config>(std::move(c), p) {
    store = open_test_store(dir.sub("db"));
    this->open(*store);
  }

  void save() {
    StateBatch batch = store->new_batch();
    this->det->save(batch);
    const Status written = store->write(batch);
    BOOST_TEST_REQUIRE(written.is_ok(), written.message());
  }
  // Commit, then carry on with a brand-new detector restored from the store.
  void reload() {
    save();
    this->det.reset();
    this->open(*store);
  }
  // Commit, close the database, open it again and restore a new detector.
  void reopen_store() {
    save();
    this->det.reset();
    store.reset();
    store = open_test_store(dir.sub("db"));
    this->open(*store);
  }
};

// `bytes` with every byte outside printable ASCII as \xNN, for messages
// about stored keys and values.
inline std::string printable(std::string_view bytes) {
  std::string out;
  for (const char c : bytes) {
    if (c >= 0x20 && c < 0x7f) {
      out += c;
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
      out += buf;
    }
  }
  return out;
}

inline std::string exact(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// Every field of a signal, numbers to the last bit: two runs that agree on
// fingerprints emitted the same signals.
inline std::string fingerprint(const Signal& s) {
  std::string out = describe(s);
  out += " detector=" + s.detector + " method=" + s.method + " expected=" + exact(s.expected) +
         " threshold=" + exact(s.threshold) + " score=" + exact(s.score) +
         " severity=" + std::string(to_string(s.severity)) +
         " evidence=" + std::to_string(s.evidence_count) + "/" + std::to_string(s.evidence_orgs) +
         " ids=";
  for (const auto& id : s.event_ids) out += id + ",";
  for (const auto& [k, v] : s.statistics) out += " " + k + "=" + exact(v);
  if (s.table) {
    out += " table=" + std::to_string(s.table->a) + "," + std::to_string(s.table->b) + "," +
           std::to_string(s.table->c) + "," + std::to_string(s.table->d);
  }
  for (const auto& st : s.strata) {
    out += " " + st.dimension + ":";
    for (const auto& [v, n] : st.counts) out += v + "=" + std::to_string(n) + ",";
  }
  if (s.series) {
    out += " series=" + s.series->measure + ":";
    for (const PeriodPoint& p : s.series->points) {
      out += format_date(p.start) + "/" + format_date(p.end) + "=" + exact(p.value) + "|" +
             exact(p.expected) + "|" + exact(p.threshold) + (p.flagged ? "!" : "") + ",";
    }
  }
  if (s.funnel) {
    out += " funnel=" + exact(s.funnel->coverage) + ":";
    for (const FunnelPoint& p : s.funnel->points) {
      out += p.unit + "=" + std::to_string(p.observed) + "|" + exact(p.expected) + "|" +
             exact(p.lower) + "|" + exact(p.upper) + ",";
    }
  }
  out += " summary=" + s.summary;
  return out;
}

inline std::vector<std::string> fingerprints(const std::vector<Signal>& signals) {
  std::vector<std::string> out;
  for (const auto& s : signals) out.push_back(fingerprint(s));
  return out;
}

// Value of a named statistic; NaN when the signal does not carry it.
inline double statistic(const Signal& s, std::string_view name) {
  for (const auto& [k, v] : s.statistics) {
    if (k == name) return v;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

// Closeness for computed doubles (the detector and the test may sum in a
// different order): relative, or absolute below 1.
inline bool near(double a, double b, double rel = 1e-9) {
  return std::fabs(a - b) <= rel * std::max(1.0, std::fabs(b));
}
// Purely relative closeness, for probabilities far below 1.
inline bool near_relative(double a, double b, double rel) {
  return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b));
}

}  // namespace vigil::testing
