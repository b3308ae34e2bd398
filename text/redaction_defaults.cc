#include "text/redaction_defaults.h"

namespace vigil {

std::vector<std::string> default_record_number_patterns() {
  return {
      // After a cue word: only the number (the group) is redacted, so the
      // text still says what kind of number was there.
      R"(MRN[:#\.]?\s{0,2}([A-Z]{0,3}\d{4,10}))",
      R"(hospital number[:#\.]?\s{0,2}([A-Z]{0,3}\d{4,10}))",
      R"(hospital no\.?[:#]?\s{0,2}([A-Z]{0,3}\d{4,10}))",
      R"(hosp\.? no\.?[:#]?\s{0,2}([A-Z]{0,3}\d{4,10}))",
      R"(unit number[:#\.]?\s{0,2}([A-Z]{0,3}\d{4,10}))",
      // The bare shape of most hospital numbers: 1-3 capital letters then
      // 6-8 digits ("RX1234567", "K123456").
      R"([A-Z]{1,3}\d{6,8})",
  };
}

RedactionRules default_redaction_rules() {
  return RedactionRules{default_record_number_patterns()};
}

}  // namespace vigil
