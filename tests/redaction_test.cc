#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "text/nhs_number.h"
#include "text/record_pattern.h"
#include "text/redaction.h"
#include "text/redaction_defaults.h"

using namespace vigil;

namespace {

const Redactor& redactor() {
  static const Redactor r = Redactor::make(default_redaction_rules()).value();
  return r;
}

std::string redact(std::string_view text) { return redactor().redact(text); }

}  // namespace

BOOST_AUTO_TEST_SUITE(redaction_test)

// The NHS Data Dictionary's worked example (943 476 5919) and the rules of
// the check: 11 means 0, 10 means no valid number.
BOOST_AUTO_TEST_CASE(modulus_11_check_digit) {
  BOOST_TEST(valid_nhs_number("9434765919"));
  BOOST_TEST(!valid_nhs_number("9434765918"));
  BOOST_TEST(!valid_nhs_number("9434765910"));
  // 4*10 + 0*9 + 1*8 + 0*7 + 2*6 + 3*5 + 2*4 + 1*3 + 3*2 = 92; 92 mod 11 = 4; 11 - 4 = 7.
  BOOST_TEST(valid_nhs_number("4010232137"));
  // 9*10 + 9*9 + 9*8 + 1*2 = 245; 245 mod 11 = 3; check 8.
  BOOST_TEST(valid_nhs_number("9990000018"));
  // A sum divisible by 11 gives 11, written 0: 1*10 + 6*2 = 22.
  BOOST_TEST(valid_nhs_number("1000000060"));
  BOOST_TEST(!valid_nhs_number("1000000061"));
  BOOST_TEST(valid_nhs_number("0000000000"));
  // 9*10 + 9*9 + 9*8 + 1*7 + 2*6 + 3*5 + 4*4 + 5*3 + 6*2 = 320; 320 mod 11 = 1; 11 - 1 = 10:
  // these nine digits begin no valid number, whatever the tenth.
  for (char last = '0'; last <= '9'; ++last)
    BOOST_TEST(!valid_nhs_number(std::string("999123456") + last));
  BOOST_TEST(!valid_nhs_number("943476591"));
  BOOST_TEST(!valid_nhs_number("94347659190"));
  BOOST_TEST(!valid_nhs_number("943476591x"));
}

BOOST_AUTO_TEST_CASE(nhs_numbers_in_their_forms) {
  BOOST_TEST(redact("NHS 943 476 5919.") == "NHS [nhs_number].");
  BOOST_TEST(redact("943-476-5919") == "[nhs_number]");
  BOOST_TEST(redact("(9434765919)") == "([nhs_number])");
  BOOST_TEST(redact("NHS:9434765919") == "NHS:[nhs_number]");
  BOOST_TEST(redact("NHS9434765919") == "NHS[nhs_number]");
  BOOST_TEST(redact("bed 12 943 476 5919") == "bed 12 [nhs_number]");
  // A wrong check digit is not an NHS number.
  BOOST_TEST(redact("NHS 943 476 5910") == "NHS 943 476 5910");
  // Part of a longer number, or glued to letters: not one.
  BOOST_TEST(redact("94347659190") == "94347659190");
  BOOST_TEST(redact("AB9434765919") == "AB9434765919");
  // A product's number, though its check digit happens to be valid.
  BOOST_TEST(redact("serial no 9434765919") == "serial no 9434765919");
}

BOOST_AUTO_TEST_CASE(dates_of_birth_but_not_incident_dates) {
  BOOST_TEST(redact("DOB 01/02/1950.") == "DOB [date_of_birth].");
  BOOST_TEST(redact("D.O.B. 12.03.48") == "D.O.B. [date_of_birth]");
  BOOST_TEST(redact("date of birth: 3 March 1948") == "date of birth: [date_of_birth]");
  BOOST_TEST(redact("born on 12/03/2026") == "born on [date_of_birth]");
  BOOST_TEST(redact("aged 80, 14/07/1933") == "aged 80, [date_of_birth]");
  BOOST_TEST(redact("on 12/03/2026 at 14:00") == "on 12/03/2026 at 14:00");
  BOOST_TEST(redact("reviewed 3 March 2026") == "reviewed 3 March 2026");
  BOOST_TEST(redact("born at 32 weeks") == "born at 32 weeks");
}

BOOST_AUTO_TEST_CASE(postcodes_phones_and_emails) {
  BOOST_TEST(redact("London SW1A 1AA.") == "London [postcode].");
  BOOST_TEST(redact("M1 1AE") == "[postcode]");
  BOOST_TEST(redact("5 mg 2 ml") == "5 mg 2 ml");
  BOOST_TEST(redact("ward 5B 2nd floor") == "ward 5B 2nd floor");
  BOOST_TEST(redact("call 07700 900123 now") == "call [phone_number] now");
  BOOST_TEST(redact("+44 (0)20 7946 0000") == "[phone_number]");
  BOOST_TEST(redact("(0161) 496 0000") == "[phone_number]");
  BOOST_TEST(redact("to j.bloggs@example.nhs.uk.") == "to [email_address].");
  BOOST_TEST(redact("at @ 14:00 a@b") == "at @ 14:00 a@b");
}

BOOST_AUTO_TEST_CASE(names_after_titles_and_patient) {
  BOOST_TEST(redact("Mrs Smith fell") == "Mrs [person_name] fell");
  BOOST_TEST(redact("Mr A Patel and Dr Jones.") == "Mr [person_name] and Dr [person_name].");
  BOOST_TEST(redact("patient J. Bloggs found") == "patient [person_name] found");
  BOOST_TEST(redact("mr smith said") == "mr [person_name] said");
  BOOST_TEST(redact("Patient Safety Team") == "Patient Safety Team");
  BOOST_TEST(redact("patient fell") == "patient fell");
  BOOST_TEST(redact("Known MS Smith") == "Known MS Smith");
  BOOST_TEST(redact("may miss a dose") == "may miss a dose");
}

BOOST_AUTO_TEST_CASE(record_numbers_from_patterns) {
  BOOST_TEST(redact("MRN: RX1234567") == "MRN: [record_number]");
  BOOST_TEST(redact("hospital number 12345678") == "hospital number [record_number]");
  BOOST_TEST(redact("lot AB123456") == "lot AB123456");
  auto custom = Redactor::make(RedactionRules{{R"(K\d{3}-\d{4})"}});
  BOOST_REQUIRE(custom.is_ok());
  BOOST_TEST(custom.value().redact("ref K123-4567 and K1234567") == "ref [record_number] and K1234567");
  // No patterns: no record numbers.
  auto none = Redactor::make(RedactionRules{});
  BOOST_REQUIRE(none.is_ok());
  BOOST_TEST(none.value().redact("MRN: RX1234567") == "MRN: RX1234567");
}

BOOST_AUTO_TEST_CASE(bad_patterns_are_refused) {
  for (const char* bad : {"", "\\d+", "[A-Z]*\\d{6}", "(\\d{6}", "\\d{6})", "(a)(\\d{6})",
                          "[A-Z]{1,3}", "\\d{30}\\d{30}", "a|\\d{6}", "\\d{6,2}", "\\q\\d{6}",
                          "[]\\d{6}", "?\\d{6}", "h.\\d{6}", "\xc3\xa9\\d{6}", "\\d{21}"}) {
    auto made = Redactor::make(RedactionRules{{"[A-Z]\\d{6}", bad}});
    BOOST_TEST_INFO("pattern: " << bad);
    BOOST_TEST(!made.is_ok());
    if (!made.is_ok()) BOOST_TEST((made.error().kind == ErrorKind::kInvalidArgument));
  }
  for (const std::string& good : default_record_number_patterns())
    BOOST_TEST(RecordPattern::compile(good).is_ok(), good);
}

BOOST_AUTO_TEST_CASE(empty_text_and_text_without_identifiers) {
  BOOST_TEST(redactor().find("").empty());
  BOOST_TEST(redact("") == "");
  const std::string plain = "Patient given 10 units of insulin at 14:00 in bay 3 bed 12.";
  BOOST_TEST(redact(plain) == plain);
}

// Spans come in order, never overlap, and lie inside the text, whatever the
// input: crowded identifiers, every byte value, truncated UTF-8.
BOOST_AUTO_TEST_CASE(spans_ordered_and_disjoint_on_any_bytes) {
  static constexpr char kWithNul[] = "NHS 943\0 476 5919 Mrs\0Smith";
  std::vector<std::string> texts = {
      "Mr 943 476 5919 07700 900123 SW1A 1AA x@y.com DOB 01/02/1950 MRN 1234567",
      "Dr J.Bloggs@example.com",
      "mr a@b.co 9434765919@x.org",
      "\xff\xfe\xc3 Mr \xc3 NHS 943\xc2\xa0" "476\xc2\xa0" "5919 \xe2\x80",
      std::string(kWithNul, sizeof kWithNul - 1),
      "+44", "+", "0", "Mr", "Mr ", "DOB", "DOB ", "patient", "@", "a@", "@b.c", "12/", "12/03/",
      "SW1A", "SW1A 1", "MRN", "MRN 1", "0044", "999 123", "M1 1A"};
  std::string all_bytes;
  for (int b = 0; b < 256; ++b) all_bytes += static_cast<char>(b);
  texts.push_back(all_bytes);
  texts.push_back(all_bytes + "943 476 5919" + all_bytes);
  for (const std::string& text : texts) {
    const auto spans = redactor().find(text);
    size_t last_end = 0;
    for (const auto& span : spans) {
      BOOST_TEST(span.begin >= last_end);
      BOOST_TEST(span.end > span.begin);
      BOOST_TEST(span.end <= text.size());
      last_end = span.end;
    }
    (void)redactor().redact(text);
  }
  BOOST_TEST(redact("Dr J.Bloggs@example.com") == "Dr [email_address]");
  BOOST_TEST(redact("\xff NHS 943\xc2\xa0" "476\xc2\xa0" "5919") == "\xff NHS [nhs_number]");
}

BOOST_AUTO_TEST_CASE(placeholders_name_their_kind) {
  BOOST_TEST(placeholder(IdentifierKind::kNhsNumber) == "[nhs_number]");
  BOOST_TEST(placeholder(IdentifierKind::kPersonName) == "[person_name]");
  BOOST_TEST(placeholder(IdentifierKind::kRecordNumber) == "[record_number]");
}

BOOST_AUTO_TEST_SUITE_END()
