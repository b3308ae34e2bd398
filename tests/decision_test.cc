// A reviewer's decision: the request a client sends (every rule names the
// member it concerns), and the stored form on the reviews topic, which is
// byte-stable and reads back to the same decision.
#include <boost/test/unit_test.hpp>

#include <string>

#include "core/civil_date.h"
#include "review/decision.h"

namespace vigil {
namespace {

Date date(const char* text) {
  const auto parsed = parse_date(text);
  BOOST_REQUIRE(parsed.has_value());
  return *parsed;
}

// The message of the error parse_decision_request gives `json`; "" if it
// accepted it.
std::string request_error(const std::string& json) {
  const auto parsed = parse_decision_request(json);
  if (parsed) return "";
  BOOST_TEST((parsed.error().kind == ErrorKind::kInvalidArgument));
  return parsed.error().message;
}

Decision full_decision() {
  Decision d;
  d.decision_id = "3f2a9c01d4e5b677-d2";
  d.signal_id = "3f2a9c01d4e5b677";
  d.state = ReviewState::kKnownIssue;
  d.reason = "Known \"pump\" fault,\nrecall under way";
  d.reviewer = "a.reviewer@nhs.example";
  d.time_ms = 1741615327250;
  d.until = date("2025-06-30");
  d.renotify_multiple = 2.5;
  d.observed_at_decision = 17;
  return d;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(decision_test)

BOOST_AUTO_TEST_CASE(a_request_with_every_member_is_read) {
  const auto r = parse_decision_request(
      R"({"state":"known_issue","reason":"Recall under way","until":"2025-06-30",)"
      R"("renotify_multiple":2,"reviewer":"ignored","extra":{"nested":[1,2]}})");
  BOOST_REQUIRE_MESSAGE(r.is_ok(), (r.is_ok() ? std::string() : r.error().message));
  BOOST_TEST((r.value().state == ReviewState::kKnownIssue));
  BOOST_TEST(r.value().reason == "Recall under way");
  BOOST_REQUIRE(r.value().until.has_value());
  BOOST_TEST(r.value().until->days == date("2025-06-30").days);
  BOOST_REQUIRE(r.value().renotify_multiple.has_value());
  BOOST_TEST(*r.value().renotify_multiple == 2.0);
}

BOOST_AUTO_TEST_CASE(a_request_needs_only_state_and_reason) {
  const auto r = parse_decision_request(R"({"reason":"looks real","state":"validated"})");
  BOOST_REQUIRE(r.is_ok());
  BOOST_TEST((r.value().state == ReviewState::kValidated));
  BOOST_TEST(!r.value().until.has_value());
  BOOST_TEST(!r.value().renotify_multiple.has_value());
  // null counts as absent for the optional members.
  const auto nulls = parse_decision_request(
      R"({"state":"dismissed","reason":"noise","until":null,"renotify_multiple":null})");
  BOOST_REQUIRE(nulls.is_ok());
  BOOST_TEST(!nulls.value().until.has_value());
  BOOST_TEST(!nulls.value().renotify_multiple.has_value());
}

BOOST_AUTO_TEST_CASE(each_state_the_contract_names_is_accepted) {
  for (const char* state : {"under_review", "validated", "dismissed", "known_issue", "closed"}) {
    BOOST_TEST(request_error(std::string(R"({"state":")") + state + R"(","reason":"r"})") == "",
               state);
  }
}

BOOST_AUTO_TEST_CASE(every_error_names_the_member) {
  const std::string states = "state: must be one of under_review, validated, dismissed, "
                             "known_issue, closed";
  BOOST_TEST(request_error(R"({"reason":"r"})") == states);
  BOOST_TEST(request_error(R"({"state":"new","reason":"r"})") == states);
  BOOST_TEST(request_error(R"({"state":"Validated","reason":"r"})") == states);
  BOOST_TEST(request_error(R"({"state":3,"reason":"r"})") == "state: must be a string");
  BOOST_TEST(request_error(R"({"state":"validated"})") == "reason: required");
  BOOST_TEST(request_error(R"({"state":"validated","reason":" \n\t"})") == "reason: required");
  BOOST_TEST(request_error(R"({"state":"validated","reason":["r"]})") == "reason: must be a string");
  BOOST_TEST(request_error(R"({"state":"validated","reason":")" + std::string(2001, 'x') + "\"}") ==
             "reason: at most 2000 bytes");
  BOOST_TEST(request_error(R"({"state":"validated","reason":")" + std::string(2000, 'x') + "\"}") ==
             "");
  BOOST_TEST(request_error(R"({"state":"dismissed","reason":"r","until":"2025-02-30"})") ==
             "until: must be a date YYYY-MM-DD");
  BOOST_TEST(request_error(R"({"state":"dismissed","reason":"r","until":20250630})") ==
             "until: must be a date YYYY-MM-DD");
  BOOST_TEST(request_error(R"({"state":"dismissed","reason":"r","renotify_multiple":1})") ==
             "renotify_multiple: must be a number greater than 1");
  BOOST_TEST(request_error(R"({"state":"dismissed","reason":"r","renotify_multiple":"2"})") ==
             "renotify_multiple: must be a number greater than 1");
  BOOST_TEST(request_error(R"({"state":"dismissed","reason":"r","renotify_multiple":1.01})") == "");
  BOOST_TEST(request_error(R"({"state":"validated","reason":"r","until":"2025-06-30"})") ==
             "until: only a known_issue or dismissed decision suppresses notification");
  BOOST_TEST(request_error(R"({"state":"closed","reason":"r","renotify_multiple":3})") ==
             "renotify_multiple: only a known_issue or dismissed decision suppresses notification");
  BOOST_TEST(request_error(R"({"state":"validated","state":"closed","reason":"r"})") ==
             "state: given more than once");
}

BOOST_AUTO_TEST_CASE(a_body_that_is_not_one_json_object_is_refused) {
  for (const char* body : {"", "[]", "\"validated\"", R"({"state":"validated","reason":"r"} {})",
                           R"({"state":"validated","reason":"r")", "not json"}) {
    const std::string message = request_error(body);
    BOOST_TEST(message.rfind("request body: not a JSON object", 0) == 0u, body << " -> " << message);
  }
}

BOOST_AUTO_TEST_CASE(the_stored_form_is_byte_stable) {
  const std::string expected =
      R"({"decision_id":"3f2a9c01d4e5b677-d2","signal_id":"3f2a9c01d4e5b677",)"
      R"("state":"known_issue","reason":"Known \"pump\" fault,\u000arecall under way",)"
      R"("reviewer":"a.reviewer@nhs.example","time_ms":1741615327250,"until":"2025-06-30",)"
      R"("renotify_multiple":2.5,"observed_at_decision":17})";
  BOOST_TEST(encode_decision(full_decision()) == expected);

  Decision plain = full_decision();
  plain.state = ReviewState::kValidated;
  plain.until.reset();
  plain.renotify_multiple.reset();
  BOOST_TEST(encode_decision(plain) ==
             R"({"decision_id":"3f2a9c01d4e5b677-d2","signal_id":"3f2a9c01d4e5b677",)"
             R"("state":"validated","reason":"Known \"pump\" fault,\u000arecall under way",)"
             R"("reviewer":"a.reviewer@nhs.example","time_ms":1741615327250,)"
             R"("observed_at_decision":17})");
}

BOOST_AUTO_TEST_CASE(the_stored_form_reads_back_to_the_same_decision) {
  Decision plain = full_decision();
  plain.until.reset();
  plain.renotify_multiple = 3.0;
  plain.reason = "UTF-8 names: Ysbyty Gwynedd — ok";
  for (const Decision& d : {full_decision(), plain}) {
    const std::string json = encode_decision(d);
    const auto back = decode_decision(json);
    BOOST_REQUIRE_MESSAGE(back.is_ok(), (back.is_ok() ? std::string() : back.error().message));
    const Decision& r = back.value();
    BOOST_TEST(r.decision_id == d.decision_id);
    BOOST_TEST(r.signal_id == d.signal_id);
    BOOST_TEST((r.state == d.state));
    BOOST_TEST(r.reason == d.reason);
    BOOST_TEST(r.reviewer == d.reviewer);
    BOOST_TEST(r.time_ms == d.time_ms);
    BOOST_TEST((r.until == d.until));
    BOOST_TEST((r.renotify_multiple == d.renotify_multiple));
    BOOST_TEST(r.observed_at_decision == d.observed_at_decision);
    BOOST_TEST(encode_decision(r) == json);  // and writes the same bytes again
  }
}

BOOST_AUTO_TEST_CASE(a_stored_decision_missing_a_member_is_refused_naming_it) {
  const std::string json = encode_decision(full_decision());
  for (const char* member : {"decision_id", "signal_id", "state", "reason", "reviewer", "time_ms",
                             "observed_at_decision"}) {
    // Renaming the member hides it (and makes it an unknown member, ignored).
    std::string broken = json;
    const std::string quoted = std::string("\"") + member + "\":";
    const size_t at = broken.find(quoted);
    BOOST_REQUIRE(at != std::string::npos);
    broken.replace(at, quoted.size(), std::string("\"x_") + member + "\":");
    const auto r = decode_decision(broken);
    BOOST_REQUIRE(!r.is_ok());
    BOOST_TEST(r.error().message == std::string("decision.") + member + ": missing");
  }
  const auto bad_state = decode_decision(
      R"({"decision_id":"a-d1","signal_id":"a","state":"maybe","reason":"r","reviewer":"x",)"
      R"("time_ms":1,"observed_at_decision":0})");
  BOOST_REQUIRE(!bad_state.is_ok());
  BOOST_TEST(bad_state.error().message == "decision.state: unknown state");
  const auto bad_time = decode_decision(
      R"({"decision_id":"a-d1","signal_id":"a","state":"closed","reason":"r","reviewer":"x",)"
      R"("time_ms":"yesterday","observed_at_decision":0})");
  BOOST_REQUIRE(!bad_time.is_ok());
  BOOST_TEST(bad_time.error().message == "decision.time_ms: must be an integer");
  BOOST_TEST(!decode_decision("{").is_ok());
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace vigil
