#include "synthetic/stream.h"

#include <simdjson.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cctype>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/civil_date.h"
#include "synthetic/planted_risk_match.h"

namespace vigil {
namespace {

// ---------------------------------------------------------------------------
// A minimal structural check of contract section 1, independent of the
// project's decoder: required fields, types, enum values, patterns, lengths.

struct Event {
  std::string id;
  int64_t revision = 0;
  int64_t reported_s = 0;
  Date reported_on;
  Date occurred;
  bool has_occurred_on = false;
  std::string org, region, service_area, record_type, category, harm, ethnicity;
  std::vector<std::string> medication_codes, device_models;
  bool never_event = false;
};

bool in(std::string_view v, std::initializer_list<std::string_view> allowed) {
  return std::find(allowed.begin(), allowed.end(), v) != allowed.end();
}

bool id_ok(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == ':' ||
           c == '-';
  });
}

bool ods_ok(std::string_view s) {
  return s.size() >= 3 && s.size() <= 6 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
         });
}

// Returns "" for a valid event (filling `out`), else a section 4 reason code.
std::string check(simdjson::dom::parser& parser, const std::string& line, Event& out) {
  simdjson::dom::element doc;
  if (parser.parse(line).get(doc) != simdjson::SUCCESS) return "not_json";
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return "wrong_type";
  out = Event{};
  const auto required_string = [&](const char* key, std::string& value) -> std::string {
    simdjson::dom::element e;
    if (obj[key].get(e) != simdjson::SUCCESS) return "missing_field";
    std::string_view v;
    if (e.get_string().get(v) != simdjson::SUCCESS) return "wrong_type";
    value = std::string(v);
    return "";
  };
  const auto optional_string = [&](const char* key, std::string& value) -> std::string {
    simdjson::dom::element e;
    if (obj[key].get(e) != simdjson::SUCCESS) return "";
    std::string_view v;
    if (e.get_string().get(v) != simdjson::SUCCESS) return "wrong_type";
    value = std::string(v);
    return "";
  };
  std::string reported_at, occurred_on, icb, specialty, psychological, description;
  for (const auto& [key, target] : {std::pair<const char*, std::string*>{"id", &out.id},
                                    {"reported_at", &reported_at},
                                    {"org", &out.org},
                                    {"record_type", &out.record_type},
                                    {"category", &out.category}}) {
    if (std::string r = required_string(key, *target); !r.empty()) return r;
  }
  for (const auto& [key, target] :
       {std::pair<const char*, std::string*>{"occurred_on", &occurred_on},
        {"icb", &icb},
        {"region", &out.region},
        {"service_area", &out.service_area},
        {"specialty", &specialty},
        {"physical_harm", &out.harm},
        {"psychological_harm", &psychological},
        {"description", &description}}) {
    if (std::string r = optional_string(key, *target); !r.empty()) return r;
  }
  if (!id_ok(out.id) || !ods_ok(out.org)) return "bad_value";
  if (!in(out.record_type, {"incident", "outcome", "risk", "good_care"})) return "bad_value";
  const auto ts = parse_rfc3339(reported_at);
  if (!ts) return "bad_timestamp";
  out.reported_s = ts->unix_seconds;
  out.reported_on = ts->local_date;
  out.occurred = ts->local_date;
  if (!occurred_on.empty()) {
    const auto d = parse_date(occurred_on);
    if (!d) return "bad_value";
    out.occurred = *d;
    out.has_occurred_on = true;
  }
  if (!out.harm.empty() && !in(out.harm, {"none", "low", "moderate", "severe", "fatal"}))
    return "bad_value";
  if (!psychological.empty() && !in(psychological, {"none", "low", "moderate", "severe"}))
    return "bad_value";
  if (description.size() > 32 * 1024) return "bad_value";
  if ((!icb.empty() && !ods_ok(icb)) || (!out.region.empty() && !ods_ok(out.region)))
    return "bad_value";
  simdjson::dom::element e;
  if (obj["revision"].get(e) == simdjson::SUCCESS) {
    if (e.get_int64().get(out.revision) != simdjson::SUCCESS) return "wrong_type";
    if (out.revision < 0) return "bad_value";
  }
  if (obj["never_event"].get(e) == simdjson::SUCCESS &&
      e.get_bool().get(out.never_event) != simdjson::SUCCESS) {
    return "wrong_type";
  }
  if (obj["agents"].get(e) == simdjson::SUCCESS) {
    simdjson::dom::array agents;
    if (e.get_array().get(agents) != simdjson::SUCCESS) return "wrong_type";
    for (simdjson::dom::element a : agents) {
      std::string_view v;
      if (a.get_string().get(v) != simdjson::SUCCESS) return "wrong_type";
      if (!in(v, {"medication", "device", "it_system", "buildings", "estates", "blood",
                  "blood_products", "tissue_organs"})) {
        return "bad_value";
      }
    }
  }
  if (obj["medications"].get(e) == simdjson::SUCCESS) {
    simdjson::dom::array meds;
    if (e.get_array().get(meds) != simdjson::SUCCESS) return "wrong_type";
    for (simdjson::dom::element m : meds) {
      std::string_view code, name;
      if (m["code"].get_string().get(code) != simdjson::SUCCESS ||
          m["name"].get_string().get(name) != simdjson::SUCCESS) {
        return "wrong_type";
      }
      out.medication_codes.emplace_back(code);
    }
  }
  if (obj["devices"].get(e) == simdjson::SUCCESS) {
    simdjson::dom::array devices;
    if (e.get_array().get(devices) != simdjson::SUCCESS) return "wrong_type";
    for (simdjson::dom::element d : devices) {
      std::string_view name, manufacturer, model, code;
      if (d["name"].get_string().get(name) != simdjson::SUCCESS ||
          d["manufacturer"].get_string().get(manufacturer) != simdjson::SUCCESS ||
          d["model"].get_string().get(model) != simdjson::SUCCESS) {
        return "wrong_type";
      }
      simdjson::dom::element c;
      if (d["code"].get(c) == simdjson::SUCCESS && c.get_string().get(code) != simdjson::SUCCESS)
        return "wrong_type";
      out.device_models.emplace_back(model);
    }
  }
  if (obj["patient"].get(e) == simdjson::SUCCESS) {
    simdjson::dom::object patient;
    if (e.get_object().get(patient) != simdjson::SUCCESS) return "wrong_type";
    std::string_view age, sex, ethnicity;
    if (patient["age_band"].get_string().get(age) == simdjson::SUCCESS &&
        !in(age, {"0-14d", "15-28d", "1-11m", "1-4", "5-9", "10-15", "16-17", "18-25", "26-45",
                  "46-65", "66-75", "76+"})) {
      return "bad_value";
    }
    if (patient["sex"].get_string().get(sex) == simdjson::SUCCESS &&
        !in(sex, {"female", "male", "unknown", "withheld"})) {
      return "bad_value";
    }
    if (patient["ethnicity"].get_string().get(ethnicity) == simdjson::SUCCESS) {
      if (ethnicity.size() != 1 ||
          std::string_view("ABCDEFGHJKLMNPRSZ").find(ethnicity[0]) == std::string_view::npos) {
        return "bad_value";
      }
      out.ethnicity = std::string(ethnicity);
    }
    int64_t imd = 0;
    if (patient["imd_decile"].get(e) == simdjson::SUCCESS) {
      if (e.get_int64().get(imd) != simdjson::SUCCESS) return "wrong_type";
      if (imd < 1 || imd > 10) return "bad_value";
    }
  }
  return "";
}

// ---------------------------------------------------------------------------
// Whole-stream facts gathered in one pass.

struct Facts {
  SyntheticStreamOptions options;
  std::vector<PlantedRisk> risks;
  SyntheticStreamStats stats;
  uint64_t lines = 0;
  uint64_t repeats = 0;    // lines byte-identical to an earlier line
  uint64_t revisions = 0;  // valid lines with revision > 0
  uint64_t revisions_with_new_harm = 0;
  uint64_t order_violations = 0;
  uint64_t occurred_after_reported = 0;
  std::map<std::string, uint64_t> invalid_by_reason;
  std::vector<std::string> invalid_examples;
  size_t max_pending_seen = 0;
  std::vector<Event> first_reports;  // valid revision-0 lines, first appearance of each id
};

uint64_t fnv1a(uint64_t h, std::string_view bytes) {
  for (const char c : bytes) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

Facts gather(const SyntheticStreamOptions& options) {
  Facts f;
  f.options = options;
  SyntheticStream stream(options);
  f.risks = stream.planted_risks();
  simdjson::dom::parser parser;
  std::unordered_set<uint64_t> line_hashes;
  std::unordered_map<std::string, std::string> first_harm;  // id -> harm at revision 0
  int64_t last_reported = INT64_MIN;
  std::string line;
  Event event;
  while (true) {
    line.clear();
    if (!stream.next(line)) break;
    ++f.lines;
    f.max_pending_seen = std::max(f.max_pending_seen, stream.pending());
    // Two different lines colliding in 64 bits is vanishingly unlikely.
    const bool repeat = !line_hashes.insert(fnv1a(0xcbf29ce484222325ULL, line)).second;
    if (repeat) {
      ++f.repeats;
      continue;
    }
    const std::string reason = check(parser, line, event);
    if (!reason.empty()) {
      ++f.invalid_by_reason[reason];
      if (f.invalid_examples.size() < 12) f.invalid_examples.push_back(line.substr(0, 300));
      continue;
    }
    if (event.reported_s < last_reported) ++f.order_violations;
    last_reported = event.reported_s;
    if (event.occurred > event.reported_on) ++f.occurred_after_reported;
    if (event.revision > 0) {
      ++f.revisions;
      const auto it = first_harm.find(event.id);
      if (it != first_harm.end() && it->second != event.harm) ++f.revisions_with_new_harm;
      continue;
    }
    first_harm.emplace(event.id, event.harm);
    f.first_reports.push_back(std::move(event));
  }
  f.stats = stream.stats();
  BOOST_REQUIRE_EQUAL(stream.emitted(), f.lines);
  return f;
}

// A national-shaped stream at a tenth of England's volume, two years, with
// every risk planted.
const Facts& national() {
  static const Facts facts = [] {
    SyntheticStreamOptions o;
    o.events_per_year = 3.3e5;
    return gather(o);
  }();
  return facts;
}

const PlantedRisk& risk(const Facts& f, std::string_view name) {
  const auto it = std::find_if(f.risks.begin(), f.risks.end(),
                               [&](const PlantedRisk& r) { return r.name == name; });
  BOOST_REQUIRE_MESSAGE(it != f.risks.end(), "planted risk " << name << " is listed");
  return *it;
}

int rank(std::string_view harm) {
  if (harm == "none") return 1;
  if (harm == "low") return 2;
  if (harm == "moderate") return 3;
  if (harm == "severe") return 4;
  if (harm == "fatal") return 5;
  return 0;
}

// Mean weekly count of matching incidents (by occurred week) before the
// onset week, and over weeks [onset week + from, onset week + to].
struct BeforeAfter {
  double before = 0;
  double after = 0;
};
template <typename Pred>
BeforeAfter weekly(const Facts& f, Date onset, int from, int to, Pred pred) {
  std::map<int32_t, double> counts;
  for (const Event& e : f.first_reports) {
    if (e.record_type == "incident" && pred(e)) counts[week_of(e.occurred)] += 1;
  }
  const int32_t first = week_of(f.options.start) + 1;  // skip the partial first week
  const int32_t onset_week = week_of(onset);
  BeforeAfter r;
  for (int32_t w = first; w < onset_week; ++w) r.before += counts[w];
  r.before /= onset_week - first;
  for (int32_t w = onset_week + from; w <= onset_week + to; ++w) r.after += counts[w];
  r.after /= to - from + 1;
  BOOST_TEST_MESSAGE("before " << r.before << "/week, after " << r.after << "/week");
  return r;
}

bool has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// ---------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(synthetic_stream_test)

BOOST_AUTO_TEST_CASE(same_seed_same_bytes_other_seed_other_bytes) {
  const auto digest = [](uint64_t seed) {
    SyntheticStreamOptions o;
    o.seed = seed;
    o.events_per_year = 1e5;
    o.days = 120;
    o.invalid_fraction = 0.01;
    SyntheticStream s(o);
    uint64_t h = 0xcbf29ce484222325ULL;
    std::string line;
    while (true) {
      line.clear();
      if (!s.next(line)) break;
      h = fnv1a(h, line);
      h = fnv1a(h, "\n");
    }
    return std::pair{h, s.emitted()};
  };
  const auto a = digest(42);
  const auto b = digest(42);
  const auto c = digest(43);
  BOOST_TEST(a.second > 30000u);
  BOOST_TEST(a.first == b.first);
  BOOST_TEST(a.second == b.second);
  BOOST_TEST(a.first != c.first);
}

BOOST_AUTO_TEST_CASE(next_appends_one_line_without_newline) {
  SyntheticStreamOptions o;
  o.events_per_year = 1e5;
  o.days = 10;
  SyntheticStream s(o);
  std::string line = "prefix:";
  BOOST_REQUIRE(s.next(line));
  BOOST_TEST(line.rfind("prefix:{\"id\":", 0) == 0u);
  BOOST_TEST(line.find('\n') == std::string::npos);
  BOOST_TEST(line.back() == '}');
  BOOST_TEST(s.emitted() == 1u);
}

BOOST_AUTO_TEST_CASE(volume_within_five_percent_of_target) {
  SyntheticStreamOptions o;
  o.events_per_year = 2e5;
  o.days = 365;
  o.plant_risks = false;
  o.duplicate_fraction = 0;
  o.revision_fraction = 0;
  SyntheticStream s(o);
  std::string line;
  while (true) {
    line.clear();
    if (!s.next(line)) break;
  }
  const double expected = o.events_per_year * o.days / 365.25;
  BOOST_TEST_MESSAGE("first reports " << s.stats().first_reports << ", expected " << expected);
  BOOST_TEST(s.stats().first_reports == s.emitted());
  BOOST_TEST(static_cast<double>(s.emitted()) > expected * 0.95);
  BOOST_TEST(static_cast<double>(s.emitted()) < expected * 1.05);
  BOOST_TEST(s.planted_risks().empty());
  BOOST_TEST(s.stats().planted == 0u);
}

BOOST_AUTO_TEST_CASE(every_line_valid_except_deliberately_broken_ones) {
  SyntheticStreamOptions o;
  o.events_per_year = 1e5;
  o.days = 200;
  o.invalid_fraction = 0.02;
  o.duplicate_fraction = 0;  // so every broken line is counted once
  const Facts f = gather(o);
  std::map<std::string, uint64_t> expected;
  for (size_t k = 0; k < kInvalidKindCount; ++k) {
    const auto kind = static_cast<InvalidKind>(k);
    BOOST_TEST(f.stats.invalid[k] > 20u, "kind " << k << " planted");
    expected[std::string(reason_code(kind))] += f.stats.invalid[k];
  }
  uint64_t planted = 0;
  for (const uint64_t n : f.stats.invalid) planted += n;
  BOOST_TEST(f.repeats == 0u);
  BOOST_TEST((f.invalid_by_reason == expected),
             "each broken line fails with the reason of its kind");
  for (const auto& [reason, n] : expected) {
    const auto it = f.invalid_by_reason.find(reason);
    BOOST_TEST_MESSAGE(reason << ": planted " << n << ", found "
                              << (it == f.invalid_by_reason.end() ? 0 : it->second));
  }
  const double fraction = static_cast<double>(planted) / static_cast<double>(f.lines);
  BOOST_TEST(fraction > 0.015);
  BOOST_TEST(fraction < 0.025);
}

BOOST_AUTO_TEST_CASE(valid_and_ordered_by_reported_at) {
  const Facts& f = national();
  for (const std::string& example : f.invalid_examples) BOOST_TEST_MESSAGE("invalid: " << example);
  BOOST_TEST(f.invalid_by_reason.empty());
  BOOST_TEST(f.order_violations == 0u);
  BOOST_TEST(f.occurred_after_reported == 0u);
  BOOST_TEST(f.lines > 600000u);
}

BOOST_AUTO_TEST_CASE(duplicates_and_revisions_in_configured_fractions) {
  const Facts& f = national();
  const auto first = static_cast<double>(f.first_reports.size());
  BOOST_TEST(f.repeats == f.stats.duplicates);
  BOOST_TEST(f.revisions == f.stats.revisions);
  const double duplicates = static_cast<double>(f.repeats) / first;
  const double revisions = static_cast<double>(f.revisions) / first;
  BOOST_TEST_MESSAGE("duplicates " << duplicates << ", revisions " << revisions);
  BOOST_TEST(duplicates > 0.0015);
  BOOST_TEST(duplicates < 0.0025);
  BOOST_TEST(revisions > 0.018);
  BOOST_TEST(revisions < 0.022);
  // A revision changes the harm grading (where the first report had one).
  BOOST_TEST(static_cast<double>(f.revisions_with_new_harm) >
             0.9 * static_cast<double>(f.revisions));
}

BOOST_AUTO_TEST_CASE(memory_is_bounded) {
  const Facts& f = national();
  BOOST_TEST(f.stats.max_pending >= f.max_pending_seen);
  BOOST_TEST(static_cast<double>(f.stats.max_pending) < 0.02 * static_cast<double>(f.lines));
}

BOOST_AUTO_TEST_CASE(six_risks_listed_with_onsets_after_half_a_year) {
  const Facts& f = national();
  BOOST_REQUIRE_EQUAL(f.risks.size(), 6u);
  for (const PlantedRisk& r : f.risks) {
    BOOST_TEST_MESSAGE(r.name << " " << format_date(r.onset) << ": " << r.description);
    BOOST_TEST(r.onset.days - f.options.start.days >= 182);
    BOOST_TEST(r.end.days >= r.onset.days);
    BOOST_TEST(!r.description.empty());
    BOOST_TEST(!r.detection.empty());
  }
}

BOOST_AUTO_TEST_CASE(medication_signal_rises_at_least_threefold) {
  const Facts& f = national();
  const PlantedRisk& r = risk(f, "insulin_pen_overdose");
  const auto counts = weekly(f, r.onset, 6, 17, [&](const Event& e) {
    return rank(e.harm) >= 3 && has(e.medication_codes, r.medication_code);
  });
  BOOST_TEST(counts.before > 0.1);
  BOOST_TEST(counts.after >= 3 * counts.before);
  std::set<std::string> regions;
  for (const Event& e : f.first_reports) {
    if (e.occurred >= r.onset && has(e.medication_codes, r.medication_code) && !e.region.empty())
      regions.insert(e.region);
  }
  BOOST_TEST(regions.size() == 7u);
}

BOOST_AUTO_TEST_CASE(device_fault_rises_in_its_regions_only) {
  const Facts& f = national();
  const PlantedRisk& r = risk(f, "infusion_pump_over_infusion");
  const auto affected = weekly(f, r.onset, 3, 12, [&](const Event& e) {
    return has(e.device_models, r.device_model) && has(r.regions, e.region);
  });
  BOOST_TEST(affected.after >= 2 * affected.before);
  const auto elsewhere = weekly(f, r.onset, 3, 12, [&](const Event& e) {
    return has(e.device_models, r.device_model) && !e.region.empty() && !has(r.regions, e.region);
  });
  BOOST_TEST(elsewhere.after < 1.6 * elsewhere.before + 1.0);
}

BOOST_AUTO_TEST_CASE(falls_with_harm_rise_at_one_trust) {
  const Facts& f = national();
  const PlantedRisk& r = risk(f, "falls_with_harm_trust");
  const auto counts = weekly(f, r.onset, 0, 13, [&](const Event& e) {
    return e.org == r.org && e.category == "fall" && rank(e.harm) >= 2;
  });
  BOOST_TEST(counts.after >= 1.6 * counts.before);
}

BOOST_AUTO_TEST_CASE(fatal_never_events_burst_at_one_trust) {
  const Facts& f = national();
  const PlantedRisk& r = risk(f, "never_event_cluster");
  int burst = 0;
  for (const Event& e : f.first_reports) {
    if (e.org == r.org && e.never_event && e.harm == "fatal" && e.occurred >= r.onset &&
        e.occurred.days <= r.onset.days + 3) {
      ++burst;
    }
  }
  BOOST_TEST(burst == 3);
}

BOOST_AUTO_TEST_CASE(stopped_trust_reports_nothing_after_its_stop) {
  const Facts& f = national();
  const PlantedRisk& r = risk(f, "trust_stops_reporting");
  uint64_t before = 0, after = 0;
  for (const Event& e : f.first_reports) {
    if (e.org != r.org) continue;
    (e.reported_on >= r.onset ? after : before) += 1;
  }
  BOOST_TEST(before > 1000u);
  BOOST_TEST(after == 0u);
  BOOST_TEST(f.stats.dropped_after_stop > 0u);
}

BOOST_AUTO_TEST_CASE(maternity_harm_rises_for_one_ethnic_group) {
  const Facts& f = national();
  const PlantedRisk& r = risk(f, "maternity_ethnic_inequality");
  const auto group = weekly(f, r.onset, 8, 30, [&](const Event& e) {
    return e.service_area == "maternity" && e.ethnicity == r.ethnicity && rank(e.harm) >= 3;
  });
  BOOST_TEST(group.after >= 2 * group.before);
  const auto others = weekly(f, r.onset, 8, 30, [&](const Event& e) {
    return e.service_area == "maternity" && !e.ethnicity.empty() && e.ethnicity != r.ethnicity &&
           rank(e.harm) >= 3;
  });
  BOOST_TEST(others.after < 1.25 * others.before);
}

BOOST_AUTO_TEST_CASE(no_risks_when_not_planted) {
  SyntheticStreamOptions o;
  o.plant_risks = false;
  o.events_per_year = 1e5;
  o.days = 5;
  SyntheticStream s(o);
  BOOST_TEST(s.planted_risks().empty());
}


// Device text is normalised by the decoder (lower case), so a signal keyed by
// a report's manufacturer and model names the planted model in lower case;
// a report that gives the code is keyed by it.
BOOST_AUTO_TEST_CASE(planted_device_matches_its_normalised_key_or_code) {
  PlantedRisk risk;
  risk.name = "pump";
  risk.onset = Date{20000};
  risk.end = Date{20100};
  risk.category = "device";
  risk.device_model = "VP-300";
  risk.device_code = "05063580100015";
  Signal s;
  s.method = "farringtonFlexible";
  s.fired_at = Date{20050};
  s.key = {{"category", "device"}, {"device", "meridian medical vp-300"}};
  BOOST_TEST(signal_finds(s, risk));
  s.key[1].second = "05063580100015";
  BOOST_TEST(signal_finds(s, risk));
  s.key[1].second = "meridian medical sd-20";
  BOOST_TEST(!signal_finds(s, risk));
}

// A text cluster's key names what its reports share: a shared field the
// risk does not define (an ethnic group shared by chance) does not stop it
// matching; one the risk defines must agree.
BOOST_AUTO_TEST_CASE(text_cluster_shared_fields_count_only_where_the_risk_defines_them) {
  PlantedRisk risk;
  risk.name = "insulin";
  risk.onset = Date{20000};
  risk.end = Date{20100};
  risk.category = "medication";
  risk.medication_code = "3400";
  Signal s;
  s.method = "text_cluster";
  s.fired_at = Date{20050};
  s.key = {{"cluster", "00000000000000a1"}, {"category", "medication"}, {"medication", "3400"},
           {"ethnicity", "A"}};
  BOOST_TEST(signal_finds(s, risk));
  s.key[2].second = "3401";
  BOOST_TEST(!signal_finds(s, risk));  // a defined field that disagrees
  s.key.erase(s.key.begin() + 2);
  BOOST_TEST(!signal_finds(s, risk));  // nothing the risk defines is named
  // The same key from a detector that judges that series does not match.
  s.method = "inequality";
  s.key = {{"category", "medication"}, {"medication", "3400"}, {"ethnicity", "A"}};
  BOOST_TEST(!signal_finds(s, risk));
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace
}  // namespace vigil
