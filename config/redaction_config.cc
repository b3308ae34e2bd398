#include "config/redaction_config.h"

#include "config/yaml_reader.h"
#include "text/redaction_defaults.h"

namespace vigil::config {

RedactionRules parse_redaction(const YAML::Node& node) {
  const std::string path = "redaction";
  check_keys(node, path, {"record_number_patterns"});
  RedactionRules rules;
  if (const auto patterns = node["record_number_patterns"]) {
    const std::string list_path = path + ".record_number_patterns";
    if (!patterns.IsSequence() && !patterns.IsNull()) fail(list_path, "must be a list of patterns");
    if (patterns.IsSequence()) rules.record_number_patterns = string_list(patterns, list_path);
    // Each pattern on its own, so the message can say which one is wrong.
    for (size_t i = 0; i < rules.record_number_patterns.size(); ++i) {
      auto made = Redactor::make(RedactionRules{{rules.record_number_patterns[i]}});
      if (!made) fail(list_path + "[" + std::to_string(i) + "]", made.error().message);
    }
  } else {
    rules = default_redaction_rules();
  }
  return rules;
}

}  // namespace vigil::config
