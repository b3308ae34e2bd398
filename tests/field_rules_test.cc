#include "ingest/field_rules.h"

#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <limits>
#include <string>

#include "ingest/invalid_reason.h"

namespace vigil {
namespace {

BOOST_AUTO_TEST_SUITE(field_rules_test)

BOOST_AUTO_TEST_CASE(reason_codes_are_the_contracts) {
  BOOST_TEST(reason_code(InvalidReason::kNotJson) == "not_json");
  BOOST_TEST(reason_code(InvalidReason::kTooLarge) == "too_large");
  BOOST_TEST(reason_code(InvalidReason::kMissingField) == "missing_field");
  BOOST_TEST(reason_code(InvalidReason::kWrongType) == "wrong_type");
  BOOST_TEST(reason_code(InvalidReason::kBadValue) == "bad_value");
  BOOST_TEST(reason_code(InvalidReason::kBadTimestamp) == "bad_timestamp");
  BOOST_TEST(reason_code(InvalidReason::kUndeliverable) == "undeliverable");
  BOOST_TEST(kAllInvalidReasons.size() == 7u);
  for (size_t i = 0; i < kAllInvalidReasons.size(); ++i) {
    BOOST_TEST(static_cast<size_t>(kAllInvalidReasons[i]) == i);
  }
}

BOOST_AUTO_TEST_CASE(event_id) {
  BOOST_TEST(is_valid_event_id("a"));
  BOOST_TEST(is_valid_event_id("LFPSE-2025.03:0001_x"));
  BOOST_TEST(is_valid_event_id(std::string(64, 'Z')));
  BOOST_TEST(!is_valid_event_id(""));
  BOOST_TEST(!is_valid_event_id(std::string(65, 'Z')));
  BOOST_TEST(!is_valid_event_id("has space"));
  BOOST_TEST(!is_valid_event_id("slash/no"));
  BOOST_TEST(!is_valid_event_id("caf\xc3\xa9"));
}

BOOST_AUTO_TEST_CASE(ods_code) {
  BOOST_TEST(is_ods_code("RJ1"));
  BOOST_TEST(is_ods_code("Y56"));
  BOOST_TEST(is_ods_code("A81001"));
  BOOST_TEST(!is_ods_code("RJ"));
  BOOST_TEST(!is_ods_code("A810012"));
  BOOST_TEST(!is_ods_code("rj1"));
  BOOST_TEST(!is_ods_code("RJ-1"));
}

BOOST_AUTO_TEST_CASE(slug) {
  BOOST_TEST(is_slug("acute_inpatient"));
  BOOST_TEST(is_slug("a"));
  BOOST_TEST(is_slug("blood_products2"));
  BOOST_TEST(is_slug(std::string(64, 'x')));
  BOOST_TEST(!is_slug(std::string(65, 'x')));
  BOOST_TEST(!is_slug(""));
  BOOST_TEST(!is_slug("Medication"));
  BOOST_TEST(!is_slug("it-system"));
}

BOOST_AUTO_TEST_CASE(snomed_id) {
  BOOST_TEST(is_snomed_id("322236009"));
  BOOST_TEST(is_snomed_id("123456"));
  BOOST_TEST(is_snomed_id("123456789012345678"));
  BOOST_TEST(!is_snomed_id("12345"));
  BOOST_TEST(!is_snomed_id("1234567890123456789"));
  BOOST_TEST(!is_snomed_id("32223600x"));
}

BOOST_AUTO_TEST_CASE(enumerations) {
  BOOST_TEST((parse_record_type("good_care") == RecordType::kGoodCare));
  BOOST_TEST((parse_record_type("incident") == RecordType::kIncident));
  BOOST_TEST(!parse_record_type("Incident").has_value());
  BOOST_TEST((parse_physical_harm("fatal") == PhysicalHarm::kFatal));
  BOOST_TEST(!parse_physical_harm("unknown").has_value());
  BOOST_TEST((parse_psychological_harm("severe") == PsychologicalHarm::kSevere));
  BOOST_TEST(!parse_psychological_harm("fatal").has_value());
  for (const char* band : {"0-14d", "15-28d", "1-11m", "1-4", "5-9", "10-15", "16-17", "18-25",
                           "26-45", "46-65", "66-75", "76+"}) {
    BOOST_TEST(canonical_age_band(band) == band);
  }
  BOOST_TEST(canonical_age_band("76").empty());
  BOOST_TEST(canonical_age_band("").empty());
  BOOST_TEST(canonical_patient_sex("withheld") == "withheld");
  BOOST_TEST(canonical_patient_sex("Female").empty());
  BOOST_TEST(parse_ethnic_category("A") == 'A');
  BOOST_TEST(parse_ethnic_category("S") == 'S');
  BOOST_TEST(parse_ethnic_category("Z") == 'Z');
  BOOST_TEST(parse_ethnic_category("T") == 0);
  BOOST_TEST(parse_ethnic_category("a") == 0);
  BOOST_TEST(parse_ethnic_category("AB") == 0);
  BOOST_TEST(parse_ethnic_category("") == 0);
}

BOOST_AUTO_TEST_CASE(json_number_forms) {
  using F = JsonNumberForm;
  for (const char* integer :
       {"0", "-0", "7", "-12", "9223372036854775808", "100000000000000000000"}) {
    BOOST_TEST((classify_json_number(integer) == F::kInteger), integer);
  }
  for (const char* real : {"1.5", "1.0", "1e3", "1E+3", "-0.0e-0", "1e400"}) {
    BOOST_TEST((classify_json_number(real) == F::kNonInteger), real);
  }
  for (const char* bad :
       {"", "-", "01", "+1", "1.", ".5", "1e", "1e+", "0x1", "1 ", "NaN", "--1"}) {
    BOOST_TEST((classify_json_number(bad) == F::kInvalid), bad);
  }
}

BOOST_AUTO_TEST_CASE(json_integers) {
  BOOST_TEST(parse_json_integer("0").value() == 0);
  BOOST_TEST(parse_json_integer("-0").value() == 0);
  BOOST_TEST(parse_json_integer("42").value() == 42);
  BOOST_TEST(parse_json_integer("9223372036854775807").value() ==
             std::numeric_limits<int64_t>::max());
  BOOST_TEST(parse_json_integer("-9223372036854775808").value() ==
             std::numeric_limits<int64_t>::min());
  BOOST_TEST(!parse_json_integer("9223372036854775808").has_value());
  BOOST_TEST(!parse_json_integer("-9223372036854775809").has_value());
  BOOST_TEST(!parse_json_integer("18446744073709551616").has_value());
  BOOST_TEST(!parse_json_integer("99999999999999999999999").has_value());
}


BOOST_AUTO_TEST_CASE(control_characters) {
  BOOST_TEST(!has_control_character(""));
  BOOST_TEST(!has_control_character("Acme IP-3 \xC3\xA9t\xC3\xA9 \xE2\x80\x93 \xF0\x9F\x98\x80"));
  for (int c = 0; c < 0x20; ++c) {
    BOOST_TEST(has_control_character(std::string("a") + static_cast<char>(c) + "b"), c);
  }
  BOOST_TEST(has_control_character("a\x7f"));
  BOOST_TEST(has_control_character("a\xC2\x80"));  // U+0080
  BOOST_TEST(has_control_character("\xC2\x9F"));   // U+009F
  BOOST_TEST(!has_control_character("\xC2\xA0"));  // U+00A0, a space
  BOOST_TEST(!has_control_character("\xC3\x85"));  // Å
}

BOOST_AUTO_TEST_CASE(identity_text_normalisation) {
  const auto lower = [](std::string_view text) {
    std::string out;
    normalise_identity_text(text, LetterCase::kLower, out);
    BOOST_TEST(out.size() <= text.size());
    return out;
  };
  BOOST_TEST(lower("  Acme   Medical  ") == "acme medical");
  BOOST_TEST(lower("Acme\xC2\xA0Medical") == "acme medical");                // no-break space
  BOOST_TEST(lower("\xE3\x80\x80IP\xE2\x80\x93" "3000\xE2\x80\x8B") == "ip-3000");  // ideographic space, en dash, zero width
  BOOST_TEST(lower("\xE2\x80\x98Q\xE2\x80\x99 \xE2\x80\x9CR\xE2\x80\x9D") == "'q' \"r\"");
  BOOST_TEST(lower("\xC3\x89T\xC3\xA9") == "\xC3\x89t\xC3\xA9");  // non-ASCII letters are kept
  BOOST_TEST(lower("   ").empty());
  BOOST_TEST(lower("\xE2\x80\x8B").empty());
  std::string upper;
  normalise_identity_text(" gmdn-35113 a ", LetterCase::kUpper, upper);
  BOOST_TEST(upper == "GMDN-35113 A");
  // Appends to what is there.
  normalise_identity_text("x", LetterCase::kLower, upper);
  BOOST_TEST(upper == "GMDN-35113 Ax");
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace
}  // namespace vigil
