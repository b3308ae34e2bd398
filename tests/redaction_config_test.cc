// The `redaction:` section of the configuration (config/redaction_config.h):
// the default patterns, a trust's own, and the patterns it refuses.
#include <boost/test/unit_test.hpp>
#include <string>

#include "config/pipeline_config.h"
#include "config_section.h"
#include "text/redaction_defaults.h"

namespace vigil {
namespace {

constexpr auto parse = testing::parse_section;
constexpr auto expect_error = testing::expect_section_error;

}  // namespace

BOOST_AUTO_TEST_SUITE(redaction_config_test)

BOOST_AUTO_TEST_CASE(default_patterns_without_the_section) {
  auto parsed = parse("");
  BOOST_REQUIRE(parsed.is_ok());
  BOOST_TEST(parsed.value().redaction.record_number_patterns == default_record_number_patterns());
  auto national = load_pipeline_config("");
  BOOST_REQUIRE(national.is_ok());
  BOOST_TEST(Redactor::make(national.value().redaction).is_ok());
  // A section without the key keeps the defaults too.
  auto empty_section = parse("redaction: {}\n");
  BOOST_REQUIRE(empty_section.is_ok());
  BOOST_TEST(empty_section.value().redaction.record_number_patterns ==
             default_record_number_patterns());
}

BOOST_AUTO_TEST_CASE(a_trusts_own_patterns) {
  auto parsed = parse(R"(
redaction:
  record_number_patterns:
    - 'K\d{3}-\d{4}'
    - 'RXX\d{6}'
)");
  BOOST_REQUIRE_MESSAGE(parsed.is_ok(), (parsed.is_ok() ? std::string() : parsed.error().message));
  const auto& patterns = parsed.value().redaction.record_number_patterns;
  BOOST_TEST(patterns.size() == 2u);
  BOOST_TEST(patterns[0] == R"(K\d{3}-\d{4})");
  auto redactor = Redactor::make(parsed.value().redaction);
  BOOST_REQUIRE(redactor.is_ok());
  BOOST_TEST(redactor.value().redact("K123-4567 and RXX123456") ==
             "[record_number] and [record_number]");
  // An empty list: no record-number redaction (the other kinds stay on).
  auto off = parse("redaction:\n  record_number_patterns: []\n");
  BOOST_REQUIRE(off.is_ok());
  BOOST_TEST(off.value().redaction.record_number_patterns.empty());
}

BOOST_AUTO_TEST_CASE(mistakes_are_named) {
  expect_error("redaction:\n  patterns: ['\\d{6}']\n", "redaction");
  expect_error("redaction:\n  record_number_patterns: '\\d{6}'\n",
               "redaction.record_number_patterns");
  expect_error("redaction:\n  record_number_patterns: ['[A-Z]\\d{6}', '\\d+']\n",
               "redaction.record_number_patterns[1]");
  expect_error("redaction:\n  record_number_patterns: ['[A-Z]{2}']\n", "digit");
  expect_error("redaction:\n  record_number_patterns: [{a: 1}]\n",
               "redaction.record_number_patterns[0]");
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace vigil
