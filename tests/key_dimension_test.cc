#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/signal.h"
#include "detectors/key_dimension.h"
#include "tests/test_events.h"

namespace vigil {
namespace {

using testing::TestEvent;

constexpr char kSep = kKeySeparator;

std::vector<std::string> keys_of(const IncidentEvent& e, const std::vector<Dimension>& dims,
                                 KeyBuilderState& st) {
  std::vector<std::string> keys;
  for_each_key(e, dims, st, [&](std::string_view k) { keys.emplace_back(k); });
  return keys;
}

std::vector<std::string> keys_of(const IncidentEvent& e, const std::vector<Dimension>& dims) {
  KeyBuilderState st;
  return keys_of(e, dims, st);
}

std::string join(std::initializer_list<std::string_view> parts) {
  std::string out;
  bool first = true;
  for (auto p : parts) {
    if (!first) out.push_back(kSep);
    first = false;
    out.append(p);
  }
  return out;
}

// The order in which keys are visited is not part of the contract; compare as
// sorted lists (which also keeps duplicates visible).
std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// Values of a single dimension, through the public dimension_values.
std::vector<std::string> values_of(const IncidentEvent& e, Dimension d) {
  std::vector<std::string_view> values;
  std::string scratch;
  scratch.reserve(device_scratch_bytes(e));
  dimension_values(e, d, values, scratch);
  return {values.begin(), values.end()};
}

const std::vector<Dimension> kAll = {
    Dimension::kCategory,  Dimension::kRegion,   Dimension::kIcb,       Dimension::kOrg,
    Dimension::kServiceArea, Dimension::kSpecialty, Dimension::kRecordType, Dimension::kMedication,
    Dimension::kDevice,    Dimension::kAgent,    Dimension::kEthnicity, Dimension::kAgeBand,
    Dimension::kSex,       Dimension::kImdQuintile};

BOOST_AUTO_TEST_SUITE(key_dimension_test)

BOOST_AUTO_TEST_CASE(names_round_trip) {
  const std::map<Dimension, std::string_view> expected = {
      {Dimension::kCategory, "category"},       {Dimension::kRegion, "region"},
      {Dimension::kIcb, "icb"},                 {Dimension::kOrg, "org"},
      {Dimension::kServiceArea, "service_area"}, {Dimension::kSpecialty, "specialty"},
      {Dimension::kRecordType, "record_type"},  {Dimension::kMedication, "medication"},
      {Dimension::kDevice, "device"},           {Dimension::kAgent, "agent"},
      {Dimension::kEthnicity, "ethnicity"},     {Dimension::kAgeBand, "age_band"},
      {Dimension::kSex, "sex"},                 {Dimension::kImdQuintile, "imd_quintile"}};
  BOOST_TEST(expected.size() == kAll.size());
  for (Dimension d : kAll) {
    BOOST_TEST(to_string(d) == expected.at(d));
    const auto parsed = parse_dimension(to_string(d));
    BOOST_TEST_REQUIRE(parsed.has_value());
    BOOST_TEST(static_cast<int>(*parsed) == static_cast<int>(d));
  }
  BOOST_TEST(!parse_dimension("").has_value());
  BOOST_TEST(!parse_dimension("Category").has_value());
  BOOST_TEST(!parse_dimension("imd_decile").has_value());
  BOOST_TEST(!parse_dimension("?").has_value());
}

BOOST_AUTO_TEST_CASE(multi_valued_dimensions) {
  for (Dimension d : kAll) {
    const bool multi = d == Dimension::kMedication || d == Dimension::kDevice || d == Dimension::kAgent;
    BOOST_TEST(is_multi_valued(d) == multi, to_string(d));
  }
}

BOOST_AUTO_TEST_CASE(category_by_medication_with_zero_one_three_medications) {
  const std::vector<Dimension> dims = {Dimension::kCategory, Dimension::kMedication};
  KeyBuilderState st;  // reused across the three events, as the detectors do

  TestEvent none("a");
  BOOST_TEST(keys_of(none, dims, st).empty());  // names no medicine: not a medication incident

  TestEvent one("b");
  one.medication("322236009");
  BOOST_TEST(keys_of(one, dims, st) == std::vector<std::string>{"medication" + std::string(1, kSep) + "322236009"});

  TestEvent three("c");
  three.medication("111").medication("222").medication("333");
  const std::vector<std::string> expected = {join({"medication", "111"}), join({"medication", "222"}),
                                             join({"medication", "333"})};
  BOOST_TEST(sorted(keys_of(three, dims, st)) == expected);

  // And back to none: no stale values from the previous event.
  BOOST_TEST(keys_of(none, dims, st).empty());
}

BOOST_AUTO_TEST_CASE(cartesian_product_covers_every_combination_once) {
  TestEvent e("x");
  e.region("Y56")
      .medication("m1")
      .medication("m2")
      .medication("m3")
      .device("d1", "pump", "Acme", "P1")
      .device("", "monitor", "Beta", "M 2")
      .agent("medication")
      .agent("device");
  const std::vector<Dimension> dims = {Dimension::kMedication, Dimension::kRegion, Dimension::kDevice,
                                       Dimension::kAgent};
  const auto keys = keys_of(e, dims);
  BOOST_TEST(keys.size() == 3u * 1u * 2u * 2u);
  std::set<std::string> expected;
  for (auto m : {"m1", "m2", "m3"}) {
    for (auto d : {"d1", "Beta M 2"}) {
      for (auto a : {"medication", "device"}) expected.insert(join({m, "Y56", d, a}));
    }
  }
  const std::set<std::string> got(keys.begin(), keys.end());
  BOOST_TEST(got.size() == keys.size());  // no combination twice
  BOOST_TEST(got == expected);
}

BOOST_AUTO_TEST_CASE(a_multi_valued_dimension_without_values_gives_no_key_whatever_its_position) {
  TestEvent e("x");
  e.medication("m1").agent("medication");
  for (const std::vector<Dimension>& dims :
       {std::vector<Dimension>{Dimension::kDevice},
        std::vector<Dimension>{Dimension::kDevice, Dimension::kMedication},
        std::vector<Dimension>{Dimension::kMedication, Dimension::kDevice},
        std::vector<Dimension>{Dimension::kCategory, Dimension::kAgent, Dimension::kDevice}}) {
    BOOST_TEST(keys_of(e, dims).empty());
  }
}

BOOST_AUTO_TEST_CASE(missing_single_valued_fields_are_unknown) {
  IncidentEvent e;  // nothing set at all
  e.id = "bare";
  for (Dimension d : kAll) {
    const auto values = values_of(e, d);
    if (is_multi_valued(d)) {
      BOOST_TEST(values.empty(), to_string(d));
    } else if (d == Dimension::kRecordType) {
      BOOST_TEST(values == std::vector<std::string>{"incident"});
    } else {
      BOOST_TEST(values == std::vector<std::string>{"unknown"}, to_string(d));
    }
  }
  const std::vector<Dimension> dims = {Dimension::kCategory, Dimension::kRegion, Dimension::kEthnicity,
                                       Dimension::kImdQuintile};
  BOOST_TEST(keys_of(e, dims) == std::vector<std::string>{join({"unknown", "unknown", "unknown", "unknown"})});
}

BOOST_AUTO_TEST_CASE(present_single_valued_fields_are_read) {
  TestEvent e("x");
  e.org("RX1").icb("QWE").region("Y56").service_area("mental_health").specialty("psychiatry")
      .category("fall").record_type(RecordType::kGoodCare).patient("46-65", "male", 'C', 4);
  BOOST_TEST(values_of(e, Dimension::kOrg) == std::vector<std::string>{"RX1"});
  BOOST_TEST(values_of(e, Dimension::kIcb) == std::vector<std::string>{"QWE"});
  BOOST_TEST(values_of(e, Dimension::kRegion) == std::vector<std::string>{"Y56"});
  BOOST_TEST(values_of(e, Dimension::kServiceArea) == std::vector<std::string>{"mental_health"});
  BOOST_TEST(values_of(e, Dimension::kSpecialty) == std::vector<std::string>{"psychiatry"});
  BOOST_TEST(values_of(e, Dimension::kCategory) == std::vector<std::string>{"fall"});
  BOOST_TEST(values_of(e, Dimension::kRecordType) == std::vector<std::string>{"good_care"});
  BOOST_TEST(values_of(e, Dimension::kAgeBand) == std::vector<std::string>{"46-65"});
  BOOST_TEST(values_of(e, Dimension::kSex) == std::vector<std::string>{"male"});
  BOOST_TEST(values_of(e, Dimension::kEthnicity) == std::vector<std::string>{"C"});
  BOOST_TEST(values_of(e, Dimension::kImdQuintile) == std::vector<std::string>{"2"});
  for (auto [t, name] : {std::pair{RecordType::kIncident, "incident"}, std::pair{RecordType::kOutcome, "outcome"},
                         std::pair{RecordType::kRisk, "risk"}, std::pair{RecordType::kGoodCare, "good_care"}}) {
    TestEvent r("r");
    r.record_type(t);
    BOOST_TEST(values_of(r, Dimension::kRecordType) == std::vector<std::string>{name});
  }
}

BOOST_AUTO_TEST_CASE(imd_deciles_map_to_quintiles) {
  const std::map<int, std::string> expected = {{0, "unknown"}, {1, "1"},  {2, "1"}, {3, "2"},
                                               {4, "2"},       {5, "3"},  {6, "3"}, {7, "4"},
                                               {8, "4"},       {9, "5"},  {10, "5"}, {11, "unknown"},
                                               {255, "unknown"}};
  for (const auto& [decile, quintile] : expected) {
    TestEvent e("x");
    e.patient("18-25", "female", 'A', static_cast<uint8_t>(decile));
    BOOST_TEST(values_of(e, Dimension::kImdQuintile) == std::vector<std::string>{quintile},
               "decile " << decile);
  }
}

BOOST_AUTO_TEST_CASE(ethnicity_letters) {
  for (char c = 'A'; c <= 'Z'; ++c) {
    TestEvent e("x");
    e.patient("", "", c, 0);
    BOOST_TEST(values_of(e, Dimension::kEthnicity) == std::vector<std::string>{std::string(1, c)});
  }
  for (char c : {'\0', 'a', 'z', '0', '@', '[', static_cast<char>(0xC9)}) {
    TestEvent e("x");
    e.patient("", "", c, 0);
    BOOST_TEST(values_of(e, Dimension::kEthnicity) == std::vector<std::string>{"unknown"},
               "ethnicity byte " << static_cast<int>(c));
  }
}

BOOST_AUTO_TEST_CASE(devices_without_a_code_use_manufacturer_and_model) {
  TestEvent e("x");
  e.device("", "infusion pump", "Acme Medical", "IP-3000")
      .device("123456", "ventilator", "Breathe", "V2")
      .device("", "bed", "", "")             // contract section 1: only a name is required
      .device("", "hoist", "Lift Co", "");   // no model: the name stands in for it
  BOOST_TEST(device_scratch_bytes(e) == (12 + 1 + 7) + (0 + 1 + 3) + (7 + 1 + 5));
  BOOST_TEST(sorted(keys_of(e, {Dimension::kDevice})) ==
             sorted({"Acme Medical IP-3000", "123456", "bed", "Lift Co hoist"}));
}

// A device value holding the key separator once split into the wrong parts:
// ("pump\x1fY56", "Y57") read back as device "pump", region "Y56", the key
// parts (and so the signal id) of another series. Escaped, each key's parts
// are exactly its values.
BOOST_AUTO_TEST_CASE(a_separator_inside_a_value_cannot_merge_two_series) {
  TestEvent a("a");
  a.device("pump", "pump", "", "").region("Y56");
  TestEvent b("b");
  b.device("pump\x1fY56", "pump", "", "").region("Y57");
  const std::vector<Dimension> dims = {Dimension::kDevice, Dimension::kRegion};
  const std::vector<std::string> ka = keys_of(a, dims), kb = keys_of(b, dims);
  BOOST_TEST_REQUIRE(ka.size() == 1u);
  BOOST_TEST_REQUIRE(kb.size() == 1u);
  BOOST_TEST(ka[0] != kb[0]);
  const auto pa = key_parts(dims, ka[0]), pb = key_parts(dims, kb[0]);
  BOOST_TEST((pa != pb));
  BOOST_TEST(pb[0].second == "pump\x1fY56");
  BOOST_TEST(pb[1].second == "Y57");
  BOOST_TEST(pa[0].second == "pump");
  BOOST_TEST(pa[1].second == "Y56");
  BOOST_TEST(make_signal_id("device_by_region", pa, "2025-03-03") !=
             make_signal_id("device_by_region", pb, "2025-03-03"));
}

BOOST_AUTO_TEST_CASE(agents_are_keys) {
  TestEvent e("x");
  e.agent("medication").agent("it_system").agent("blood");
  BOOST_TEST(sorted(keys_of(e, {Dimension::kAgent})) == sorted({"medication", "it_system", "blood"}));
}

BOOST_AUTO_TEST_CASE(a_value_listed_twice_counts_once) {
  // Two identical pumps, or one medicine listed twice, are still one report
  // for that key: visiting it twice would count the incident twice.
  TestEvent e("x");
  e.medication("111").medication("222").medication("111")
      .device("", "pump", "Acme", "P1").device("", "pump", "Acme", "P1").device("D9", "x", "y", "z")
      .agent("device").agent("device");
  const auto meds = keys_of(e, {Dimension::kMedication});
  BOOST_TEST(std::set<std::string>(meds.begin(), meds.end()) == (std::set<std::string>{"111", "222"}));
  BOOST_TEST(meds.size() == 2u);
  const auto devices = keys_of(e, {Dimension::kDevice});
  BOOST_TEST(std::set<std::string>(devices.begin(), devices.end()) ==
             (std::set<std::string>{"Acme P1", "D9"}));
  BOOST_TEST(devices.size() == 2u);
  BOOST_TEST(keys_of(e, {Dimension::kAgent}).size() == 1u);
  const auto pairs = keys_of(e, {Dimension::kMedication, Dimension::kDevice});
  BOOST_TEST(pairs.size() == 4u);
  BOOST_TEST(std::set<std::string>(pairs.begin(), pairs.end()).size() == 4u);
}

BOOST_AUTO_TEST_CASE(key_parts_round_trip) {
  TestEvent e("x");
  e.category("medication").region("Y56").medication("m1").medication("m2")
      .device("", "pump", "Acme", "P 1").patient("0-14d", "", 'Z', 10);
  const std::vector<Dimension> dims = {Dimension::kCategory, Dimension::kMedication, Dimension::kRegion,
                                       Dimension::kDevice,   Dimension::kSex,        Dimension::kEthnicity,
                                       Dimension::kImdQuintile};
  const auto keys = sorted(keys_of(e, dims));
  BOOST_TEST_REQUIRE(keys.size() == 2u);
  for (size_t i = 0; i < keys.size(); ++i) {
    const auto parts = key_parts(dims, keys[i]);
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"category", "medication"}, {"medication", i == 0 ? "m1" : "m2"}, {"region", "Y56"},
        {"device", "Acme P 1"},     {"sex", "unknown"},                   {"ethnicity", "Z"},
        {"imd_quintile", "5"}};
    BOOST_TEST(parts == expected);
  }
}

BOOST_AUTO_TEST_CASE(key_parts_keeps_empty_values_in_place) {
  const std::vector<Dimension> dims = {Dimension::kOrg, Dimension::kMedication, Dimension::kSex};
  const std::string key = join({"RX1", "", "female"});
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"org", "RX1"}, {"medication", ""}, {"sex", "female"}};
  BOOST_TEST(key_parts(dims, key) == expected);
  // A key with fewer parts than dimensions yields empty values, never reads
  // past the end.
  const std::vector<std::pair<std::string, std::string>> short_expected = {
      {"org", "RX1"}, {"medication", ""}, {"sex", ""}};
  BOOST_TEST(key_parts(dims, "RX1") == short_expected);
  BOOST_TEST(key_parts({}, "anything").empty());
}

BOOST_AUTO_TEST_CASE(no_dimensions_visit_one_empty_key) {
  TestEvent e("x");
  BOOST_TEST(keys_of(e, {}) == std::vector<std::string>{""});
}

// Many devices without codes, in several device dimensions, with a builder
// state reused across events of growing and shrinking size: every view taken
// into the scratch buffer must still read the right bytes when the key is
// built (run under AddressSanitizer to catch a reallocation).
BOOST_AUTO_TEST_CASE(many_devices_without_codes_never_invalidate_views) {
  KeyBuilderState st;
  for (size_t n : {1u, 3u, 40u, 200u, 2u, 120u}) {
    TestEvent e("x");
    std::vector<std::string> names;
    for (size_t i = 0; i < n; ++i) {
      const std::string manufacturer = "Manufacturer-" + std::to_string(i) + std::string(i % 23, 'm');
      const std::string model = "Model/" + std::to_string(i * 7) + std::string(i % 11, 'x');
      e.device("", "device", manufacturer, model);
      names.push_back(manufacturer + " " + model);
      if (i % 5 == 0) {
        e.device("CODE" + std::to_string(i), "coded", "ignored", "ignored");
        names.push_back("CODE" + std::to_string(i));
      }
    }
    e.category("device");
    BOOST_TEST(sorted(keys_of(e, {Dimension::kDevice}, st)) == sorted(names));

    const std::vector<std::string> two =
        sorted(keys_of(e, {Dimension::kDevice, Dimension::kCategory, Dimension::kDevice}, st));
    std::vector<std::string> expected;
    for (const auto& a : names) {
      for (const auto& b : names) expected.push_back(join({a, "device", b}));
    }
    BOOST_TEST_REQUIRE(two.size() == expected.size());
    BOOST_TEST((two == sorted(std::move(expected))), "cross product of " << n << " devices");
  }
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace
}  // namespace vigil
