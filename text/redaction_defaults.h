// The record-number patterns Vigil uses when the configuration names none
// (the `redaction:` section, config/redaction_config.h): common shapes of
// hospital numbers and MRNs written after their cue words, and the bare
// "letters then digits" form many trusts use.
#pragma once

#include <string>
#include <vector>

#include "text/redaction.h"

namespace vigil {

std::vector<std::string> default_record_number_patterns();

// RedactionRules with default_record_number_patterns().
RedactionRules default_redaction_rules();

}  // namespace vigil
