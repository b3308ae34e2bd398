// Helpers for the tests of one section of the configuration: the section is
// parsed with a minimal detector list (a configuration needs one), and a
// mistake must be refused with a message naming what is wrong.
#pragma once

#include <boost/test/unit_test.hpp>

#include <string>

#include "config/pipeline_config.h"

namespace vigil::testing {

inline Result<PipelineConfig> parse_section(const std::string& section) {
  static const std::string kDetectors = R"(
detectors:
  - name: fatal
    type: severity_rule
)";
  return parse_pipeline_config(section + kDetectors, "test");
}

// `section` is refused, with `fragment` in the message.
inline void expect_section_error(const std::string& section, const std::string& fragment) {
  auto parsed = parse_section(section);
  BOOST_REQUIRE_MESSAGE(!parsed.is_ok(), "accepted: " + section);
  BOOST_TEST(parsed.error().message.find(fragment) != std::string::npos,
             parsed.error().message + " lacks " + fragment);
}

}  // namespace vigil::testing
