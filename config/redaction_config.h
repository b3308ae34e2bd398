// The `redaction:` section of the configuration: the record-number patterns
// every reader of a description uses (text/redaction.h). Without the section
// the default patterns apply (text/redaction_defaults.h).
//
//   redaction:
//     record_number_patterns:
//       - 'MRN[:#\.]?\s{0,2}([A-Z]{0,3}\d{4,10})'
//       - '[A-Z]{1,3}\d{6,8}'
//
// An empty list turns record-number redaction off; the other kinds are
// always redacted.
#pragma once

#include <yaml-cpp/yaml.h>

#include "text/redaction.h"

namespace vigil::config {

// Reads the section, failing (config/yaml_reader.h) with the key path on an
// unknown key or a pattern the redactor cannot use (the message names the
// pattern's index and the problem).
RedactionRules parse_redaction(const YAML::Node& node);

}  // namespace vigil::config
