// Test helpers shared by the detector and state tests: incident events that
// own their strings, a temporary directory, and a small state store on it.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/civil_date.h"
#include "core/incident_event.h"
#include "core/signal.h"
#include "state/state_store.h"

namespace vigil {

// Printers so BOOST_TEST can show these values when a comparison fails.
inline std::ostream& operator<<(std::ostream& os, SignalType t) { return os << to_string(t); }
inline std::ostream& operator<<(std::ostream& os, Severity s) { return os << to_string(s); }
inline std::ostream& operator<<(std::ostream& os, Date d) { return os << format_date(d); }

}  // namespace vigil

namespace vigil::testing {

// `YYYY-MM-DD` → Date; throws on a malformed literal so a typo fails loudly.
inline Date date(std::string_view text) {
  const auto d = parse_date(text);
  if (!d) throw std::invalid_argument("bad date literal: " + std::string(text));
  return *d;
}

// An IncidentEvent together with the strings its views point into. Every
// string lives in its own heap allocation, so moving a TestEvent (e.g. into a
// vector) keeps the views valid. Not copyable: a copy would share the views.
class TestEvent {
 public:
  explicit TestEvent(std::string_view id, Date on = Date{19723} /* 2024-01-01 */) {
    event_.id = keep(id);
    event_.reported_on = on;
    event_.occurred_on = on;
    event_.has_occurred_on = true;
    event_.reported_at_unix_seconds = static_cast<int64_t>(on.days) * 86400 + 12 * 3600;
    event_.org = keep("RXX");
    event_.record_type = RecordType::kIncident;
    event_.category = keep("medication");
  }
  TestEvent(TestEvent&&) = default;
  TestEvent& operator=(TestEvent&&) = default;
  TestEvent(const TestEvent&) = delete;
  TestEvent& operator=(const TestEvent&) = delete;

  // Occurred (event time) on `d`; reported that day too.
  TestEvent& on(Date d) {
    event_.occurred_on = d;
    event_.reported_on = d;
    event_.has_occurred_on = true;
    event_.reported_at_unix_seconds = static_cast<int64_t>(d.days) * 86400 + 12 * 3600;
    return *this;
  }
  TestEvent& on(std::string_view d) { return on(date(d)); }
  // Reported on `d` (a later day than it occurred, for late reports).
  TestEvent& reported(Date d) {
    event_.reported_on = d;
    event_.reported_at_unix_seconds = static_cast<int64_t>(d.days) * 86400 + 9 * 3600;
    return *this;
  }
  TestEvent& revision(int64_t r) { return set(event_.revision, r); }
  TestEvent& org(std::string_view v) { return text(event_.org, v); }
  TestEvent& icb(std::string_view v) { return text(event_.icb, v); }
  TestEvent& region(std::string_view v) { return text(event_.region, v); }
  TestEvent& service_area(std::string_view v) { return text(event_.service_area, v); }
  TestEvent& specialty(std::string_view v) { return text(event_.specialty, v); }
  TestEvent& category(std::string_view v) { return text(event_.category, v); }
  TestEvent& description(std::string_view v) { return text(event_.description, v); }
  TestEvent& record_type(RecordType t) { return set(event_.record_type, t); }
  TestEvent& harm(PhysicalHarm h) { return set(event_.physical_harm, h); }
  TestEvent& psychological(PsychologicalHarm h) { return set(event_.psychological_harm, h); }
  TestEvent& never_event(bool v = true) { return set(event_.never_event, v); }
  TestEvent& agent(std::string_view a) {
    event_.agents.push_back(keep(a));
    return *this;
  }
  TestEvent& medication(std::string_view code, std::string_view name = "drug") {
    event_.medications.push_back(Medication{keep(code), keep(name)});
    return *this;
  }
  TestEvent& device(std::string_view code, std::string_view name, std::string_view manufacturer,
                    std::string_view model) {
    event_.devices.push_back(Device{keep(code), keep(name), keep(manufacturer), keep(model)});
    return *this;
  }
  TestEvent& patient(std::string_view age_band, std::string_view sex, char ethnicity,
                     uint8_t imd_decile) {
    event_.has_patient = true;
    event_.patient.age_band = keep(age_band);
    event_.patient.sex = keep(sex);
    event_.patient.ethnicity = ethnicity;
    event_.patient.imd_decile = imd_decile;
    return *this;
  }

  const IncidentEvent& event() const { return event_; }
  // Direct access for fields the builder has no setter for; string fields set
  // here must point at storage that outlives the event.
  IncidentEvent& raw() { return event_; }
  operator const IncidentEvent&() const { return event_; }  // NOLINT: implicit by design

 private:
  std::string_view keep(std::string_view s) {
    strings_.push_back(std::make_unique<std::string>(s));
    return *strings_.back();
  }
  TestEvent& text(std::string_view& field, std::string_view v) {
    field = keep(v);
    return *this;
  }
  template <typename T, typename U>
  TestEvent& set(T& field, U v) {
    field = v;
    return *this;
  }

  std::vector<std::unique_ptr<std::string>> strings_;
  IncidentEvent event_;
};

// A fresh directory under the temp directory, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "vigil-det-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string sub(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

// A small RocksDB store on `path` (8 MiB cache); throws if it cannot be opened.
inline std::unique_ptr<StateStore> open_test_store(const std::string& path) {
  StateStoreOptions options;
  options.path = path;
  options.block_cache_bytes = 8 << 20;
  options.write_buffer_bytes = 2 << 20;
  auto opened = StateStore::open(options);
  if (!opened) throw std::runtime_error("open state store: " + opened.error().message);
  return std::move(opened).value();
}

// One line per signal for test failure messages.
inline std::string describe(const Signal& s) {
  std::string out(to_string(s.type));
  out += " id=" + s.signal_id + " seq=" + std::to_string(s.sequence) + " key=" + render_key(s.key) +
         " period=" + format_date(s.period_start) + ".." + format_date(s.period_end) +
         " fired=" + format_date(s.fired_at) + " observed=" + std::to_string(s.observed) +
         " threshold=" + std::to_string(s.threshold);
  return out;
}

inline std::string describe(const std::vector<Signal>& signals) {
  std::string out = std::to_string(signals.size()) + " signal(s)";
  for (const auto& s : signals) out += "\n  " + describe(s);
  return out;
}

}  // namespace vigil::testing
