// Signal v1 as CloudEvents JSON (contract section 2), the JSON writer under
// it, and the console line of `vigil demo`.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "core/civil_date.h"
#include "core/signal.h"
#include "core/json_writer.h"
#include "sinks/cloudevent_decoder.h"
#include "sinks/cloudevent_encoder.h"

namespace vigil {
namespace {

Date date(const char* text) {
  const auto parsed = parse_date(text);
  BOOST_REQUIRE(parsed.has_value());
  return *parsed;
}

Signal full_signal() {
  Signal s;
  s.type = SignalType::kUpdated;
  s.signal_id = "3f2a9c01d4e5b677";
  s.sequence = 2;
  s.detector = "medication_farrington";
  s.method = "farringtonFlexible";
  s.key = {{"category", "medication"}, {"region", "Y56"}};
  s.period_start = date("2025-03-03");
  s.period_end = date("2025-03-09");
  s.fired_at = date("2025-03-10");
  s.observed = 17;
  s.expected = 6.25;
  s.threshold = 11.5;
  s.score = 2.125;
  s.severity = Severity::kHigh;
  s.evidence_count = 17;
  s.evidence_orgs = 4;
  s.event_ids = {"LFPSE-001", "LFPSE-002"};
  s.strata = {{"ethnicity", {{"A", 10}, {"Z", 7}}}};
  s.summary = "Medication incidents in Y56 rose to 17 against 6.25 expected";
  return s;
}

bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cloudevent_encoder_test)

BOOST_AUTO_TEST_CASE(full_signal_matches_contract_layout_exactly) {
  // Written by hand from the contract example: field order, names, nesting.
  const std::string expected =
      R"({"specversion":"1.0",)"
      R"("id":"3f2a9c01d4e5b677-2",)"
      R"("source":"/vigil/national",)"
      R"("type":"vigil.signal.updated",)"
      R"("subject":"medication_farrington/category=medication,region=Y56",)"
      R"("time":"2025-03-10T00:00:00Z",)"
      R"("datacontenttype":"application/json",)"
      R"("dataschema":"urn:vigil:schema:signal:v1",)"
      R"("data":{"signal_id":"3f2a9c01d4e5b677",)"
      R"("detector":"medication_farrington",)"
      R"("method":"farringtonFlexible",)"
      R"("key":{"category":"medication","region":"Y56"},)"
      R"("period":{"start":"2025-03-03","end":"2025-03-09"},)"
      R"("observed":17,"expected":6.25,"threshold":11.5,"score":2.125,)"
      R"("severity":"high",)"
      R"("evidence":{"count":17,"orgs":4,"event_ids":["LFPSE-001","LFPSE-002"]},)"
      R"("summary":"Medication incidents in Y56 rose to 17 against 6.25 expected",)"
      R"("strata":[{"dimension":"ethnicity","counts":{"A":10,"Z":7}}]}})";
  BOOST_TEST(encode_cloudevent(full_signal(), "national") == expected);
}

BOOST_AUTO_TEST_CASE(types_and_sequence_shape_the_id_and_type) {
  Signal s = full_signal();
  s.type = SignalType::kRaised;
  s.sequence = 1;
  std::string json = encode_cloudevent(s, "national");
  BOOST_TEST(contains(json, R"("id":"3f2a9c01d4e5b677-1")"));
  BOOST_TEST(contains(json, R"("type":"vigil.signal.raised")"));
  s.type = SignalType::kResolved;
  s.sequence = 12;
  json = encode_cloudevent(s, "national");
  BOOST_TEST(contains(json, R"("id":"3f2a9c01d4e5b677-12")"));
  BOOST_TEST(contains(json, R"("type":"vigil.signal.resolved")"));
}

BOOST_AUTO_TEST_CASE(non_finite_numbers_are_null) {
  Signal s = full_signal();
  s.expected = std::numeric_limits<double>::quiet_NaN();
  s.threshold = std::numeric_limits<double>::infinity();
  s.score = -std::numeric_limits<double>::infinity();
  const std::string json = encode_cloudevent(s, "national");
  BOOST_TEST(contains(json, R"("observed":17,"expected":null,"threshold":null,"score":null,)"));
  // A default Signal has no numbers at all.
  BOOST_TEST(contains(encode_cloudevent(Signal{}, "p"),
                      R"("observed":0,"expected":null,"threshold":null,"score":null,)"));
}

BOOST_AUTO_TEST_CASE(doubles_print_shortest_round_trip_form) {
  const auto render = [](double v) {
    std::string out;
    append_json_double(out, v);
    return out;
  };
  BOOST_TEST(render(0.1) == "0.1");
  BOOST_TEST(render(3.0) == "3");
  BOOST_TEST(render(1.0 / 3.0) == "0.3333333333333333");
  BOOST_TEST(render(1e-7) == "1e-07");
  BOOST_TEST(render(1e21) == "1e+21");
  BOOST_TEST(render(-2.5) == "-2.5");
  BOOST_TEST(render(std::nan("")) == "null");
  // Round trip: the printed text reads back to the same double.
  const double awkward = 0.1 + 0.2;
  BOOST_TEST(std::stod(render(awkward)) == awkward);
}

BOOST_AUTO_TEST_CASE(strings_are_escaped) {
  Signal s = full_signal();
  // Quotes, backslash, control characters, an em dash, é and an emoji.
  s.summary = std::string(
      "say \"hi\" \\ back\n\t\x01\x1f end \xE2\x80\x94 caf\xC3\xA9 \xF0\x9F\x9A\x91");
  s.key = {{"org", "R\"X"}};
  const std::string json = encode_cloudevent(s, "national");
  BOOST_TEST(contains(
      json, std::string(R"("summary":"say \"hi\" \\ back\u000a\u0009\u0001\u001f end )") +
                "\xE2\x80\x94 caf\xC3\xA9 \xF0\x9F\x9A\x91\""));
  BOOST_TEST(contains(json, R"("key":{"org":"R\"X"})"));
  BOOST_TEST(contains(json, R"("subject":"medication_farrington/org=R\"X")"));
  BOOST_TEST(json.find('\n') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(invalid_utf8_becomes_replacement_characters) {
  const std::string fffd = "\xEF\xBF\xBD";
  std::string out;
  // Stray byte; overlong "/"; UTF-16 surrogate; truncated 3-byte sequence.
  append_json_string(out, std::string("a\xFF" "b\xC0\xAF" "c\xED\xA0\x80" "d\xE2\x82"));
  BOOST_TEST(out == "\"a" + fffd + "b" + fffd + fffd + "c" + fffd + fffd + fffd + "d" + fffd +
                        fffd + "\"");
  out.clear();
  append_json_string(out, "\xF4\x8F\xBF\xBF");  // U+10FFFF, the last code point: kept
  BOOST_TEST(out == "\"\xF4\x8F\xBF\xBF\"");
}

BOOST_AUTO_TEST_CASE(output_is_byte_identical_across_calls) {
  const Signal s = full_signal();
  const Signal copy = s;
  const std::string first = encode_cloudevent(s, "national");
  BOOST_TEST(encode_cloudevent(s, "national") == first);
  BOOST_TEST(encode_cloudevent(copy, "national") == first);
}

BOOST_AUTO_TEST_CASE(strata_omitted_when_empty) {
  Signal s = full_signal();
  s.strata.clear();
  const std::string json = encode_cloudevent(s, "national");
  BOOST_TEST(!contains(json, "strata"));
  BOOST_TEST(json.substr(json.size() - 4) == R"(d"}})");  // summary closes data
}

BOOST_AUTO_TEST_CASE(no_stratum_cell_of_one_to_four_is_written) {
  // Whatever built the signal (here by hand, as a decoder reading an older
  // version's event would), the event carries no cell of 1..4: a small
  // "other" takes in the smallest named cell, a dimension of 1..4 reports
  // is left out, and the strata are omitted when none is left.
  Signal s = full_signal();
  s.strata = {{"ethnicity", {{"A", 10}, {"M", 5}, {"other", 2}}},
              {"sex", {{"female", 3}}},
              {"age_band", {{"18-25", 12}, {"76+", 2}, {"1-4", 3}}}};
  const std::string json = encode_cloudevent(s, "national");
  BOOST_TEST(contains(json, R"("strata":[{"dimension":"ethnicity","counts":{"A":10,"other":7}},)"
                            R"({"dimension":"age_band","counts":{"18-25":12,"other":5}}])"),
             json);
  auto decoded = decode_cloudevent(json);
  BOOST_TEST_REQUIRE(decoded.is_ok());
  for (const StratumCounts& stratum : decoded.value().strata) {
    for (const auto& [value, n] : stratum.counts) BOOST_TEST(n >= 5, stratum.dimension << " " << value);
  }
  s.strata = {{"sex", {{"female", 3}, {"male", 1}}}};
  BOOST_TEST(!contains(encode_cloudevent(s, "national"), "strata"));
}

BOOST_AUTO_TEST_CASE(evidence_ids_are_capped_and_empty_collections_stay_valid) {
  Signal s = full_signal();
  s.key.clear();
  s.event_ids.clear();
  for (int i = 0; i < 70; ++i) s.event_ids.push_back("e" + std::to_string(i));
  const std::string json = encode_cloudevent(s, "national");
  BOOST_TEST(contains(json, R"("key":{},)"));
  BOOST_TEST(contains(json, R"("subject":"medication_farrington/")"));
  BOOST_TEST(contains(json, R"("e49"]})"));
  BOOST_TEST(!contains(json, R"("e50")"));
  s.event_ids.clear();
  BOOST_TEST(contains(encode_cloudevent(s, "national"), R"("event_ids":[]})"));
}

BOOST_AUTO_TEST_CASE(source_is_a_uri_reference) {
  const std::string json = encode_cloudevent(full_signal(), "north east/v2");
  BOOST_TEST(contains(json, R"("source":"/vigil/north%20east%2Fv2")"));
}

BOOST_AUTO_TEST_CASE(json_writer_nests_and_separates) {
  JsonWriter w;
  w.begin_object();
  w.key("a").begin_array().int_value(-1).bool_value(true).null_value().begin_array().end_array();
  w.end_array();
  w.key("b").begin_object().end_object();
  w.key("c").double_value(0.5);
  w.end_object();
  BOOST_TEST(w.str() == R"({"a":[-1,true,null,[]],"b":{},"c":0.5})");
}

BOOST_AUTO_TEST_CASE(series_and_funnel_follow_strata_with_nulls_for_non_finite_numbers) {
  Signal s = full_signal();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  s.series = SignalSeries{"count",
                          {{date("2025-02-24"), date("2025-03-02"), 5, nan, nan, false},
                           {date("2025-03-03"), date("2025-03-09"), 17, 6.25, 11.5, true}}};
  s.funnel = FunnelPlot{0.998, {{"RXX", 30, 12.5, 0.25, 1.75}, {"RYY", 2, 1.5, 0, inf}}};
  const std::string json = encode_cloudevent(s, "national");
  BOOST_TEST(contains(
      json,
      R"("strata":[{"dimension":"ethnicity","counts":{"A":10,"Z":7}}],)"
      R"("series":{"measure":"count","points":[)"
      R"({"start":"2025-02-24","end":"2025-03-02","value":5,"expected":null,"threshold":null,"flagged":false},)"
      R"({"start":"2025-03-03","end":"2025-03-09","value":17,"expected":6.25,"threshold":11.5,"flagged":true}]},)"
      R"("funnel":{"coverage":0.998,"points":[)"
      R"({"unit":"RXX","observed":30,"expected":12.5,"lower":0.25,"upper":1.75},)"
      R"({"unit":"RYY","observed":2,"expected":1.5,"lower":0,"upper":null}]}}})"));
  BOOST_TEST(encode_cloudevent(s, "national") == json);  // byte-stable
  // Absent extensions are absent members, never empty ones.
  BOOST_TEST(!contains(encode_cloudevent(full_signal(), "national"), "series"));
  BOOST_TEST(!contains(encode_cloudevent(full_signal(), "national"), "funnel"));
}

BOOST_AUTO_TEST_CASE(every_extension_reads_back) {
  Signal s = full_signal();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  s.statistics = {{"prr", 2.5}, {"chi2_yates", nan}, {"ic025", -0.125}};
  s.table = ContingencyTable{5, 20, 30, 945};
  s.series = SignalSeries{"ic025",
                          {{date("2025-01-06"), date("2025-03-09"), -0.5, nan, 0, false},
                           {date("2025-01-13"), date("2025-03-16"), 0.0625, nan, 0, true}}};
  s.funnel = FunnelPlot{0.95, {{"RXX", 30, 12.5, 0.25, 1.75}, {"RYY", 2, 1.5, 0, inf}}};
  const std::string json = encode_cloudevent(s, "national");
  const auto decoded = decode_cloudevent(json);
  BOOST_TEST_REQUIRE(decoded.is_ok(), (decoded ? "" : decoded.error().message));
  const Signal& d = decoded.value();
  BOOST_TEST(encode_cloudevent(d, "national") == json);
  BOOST_TEST(d.signal_id == s.signal_id);
  BOOST_TEST(d.strata.size() == 1u);
  BOOST_TEST_REQUIRE(d.statistics.size() == 3u);
  BOOST_TEST(d.statistics[0].first == "prr");
  BOOST_TEST(std::isnan(d.statistics[1].second));
  BOOST_TEST_REQUIRE(d.table.has_value());
  BOOST_TEST(d.table->d == 945);
  BOOST_TEST_REQUIRE(d.series.has_value());
  BOOST_TEST(d.series->measure == "ic025");
  BOOST_TEST_REQUIRE(d.series->points.size() == 2u);
  BOOST_TEST(d.series->points[1].value == 0.0625);
  BOOST_TEST(std::isnan(d.series->points[1].expected));
  BOOST_TEST(d.series->points[1].flagged);
  BOOST_TEST(format_date(d.series->points[0].start) == "2025-01-06");
  BOOST_TEST_REQUIRE(d.funnel.has_value());
  BOOST_TEST(d.funnel->coverage == 0.95);
  BOOST_TEST_REQUIRE(d.funnel->points.size() == 2u);
  BOOST_TEST(d.funnel->points[0].unit == "RXX");
  BOOST_TEST(d.funnel->points[0].observed == 30);
  BOOST_TEST(d.funnel->points[1].upper == inf);
}

BOOST_AUTO_TEST_CASE(every_event_names_its_schema) {
  BOOST_TEST(signal_data_schema() == "urn:vigil:schema:signal:v1");
  BOOST_TEST(contains(encode_cloudevent(Signal{}, "p"),
                      R"("datacontenttype":"application/json","dataschema":"urn:vigil:schema:signal:v1","data":)"));
}

BOOST_AUTO_TEST_CASE(readable_line_shows_date_type_severity_key_and_summary) {
  Signal s = full_signal();
  s.type = SignalType::kRaised;
  s.severity = Severity::kCritical;
  s.summary = "first line\nsecond";
  const std::string line = render_signal_line(s);
  BOOST_TEST_MESSAGE(line);
  BOOST_TEST(line.rfind("2025-03-10 RAISED   critical ", 0) == 0);
  BOOST_TEST(contains(line, "medication_farrington"));
  BOOST_TEST(contains(line, "category=medication,region=Y56"));
  BOOST_TEST(contains(line, "observed 17 (expected 6.25, threshold 11.50)"));
  BOOST_TEST(contains(line, "| first line second"));
  BOOST_TEST(line.find('\n') == std::string::npos);

  s.expected = std::nan("");
  s.threshold = std::nan("");
  BOOST_TEST(contains(render_signal_line(s), "(expected \xE2\x80\x93, threshold \xE2\x80\x93)"));

  // Columns line up across types, severities and short detector names.
  Signal other = full_signal();
  other.type = SignalType::kResolved;
  other.severity = Severity::kLow;
  other.detector = "fall_cusum";
  const std::string other_line = render_signal_line(other);
  BOOST_TEST_MESSAGE(other_line);
  BOOST_TEST(line.find("category=") == other_line.find("category="));
  BOOST_TEST(line.find("observed") == other_line.find("observed"));
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace vigil
