#include "config/detector_parsers.h"

#include <fstream>
#include <map>

#include "config/detector_fields.h"
#include "config/yaml_reader.h"
#include "core/named_values.h"

namespace vigil::config {
namespace {

std::map<std::string, double, std::less<>> read_denominator_file(const std::string& file,
                                                                  const std::string& path) {
  std::ifstream in(file);
  if (!in) fail(path, "cannot read '" + file + "'");
  std::map<std::string, double, std::less<>> out;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    const size_t comma = line.find(',');
    const std::string where = file + " line " + std::to_string(line_no);
    if (comma == std::string::npos) fail(path, where + ": expected unit,denominator");
    const std::string unit = line.substr(0, comma);
    if (line_no == 1 && unit == "unit") continue;  // a header
    const std::string number = line.substr(comma + 1);
    double d = 0;
    size_t used = 0;
    try {
      d = std::stod(number, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    // The number must be all there is, blanks and a CR aside: "1,500" is not 1.
    if (used == 0 || number.find_first_not_of(" \t\r", used) != std::string::npos) {
      fail(path, where + ": the denominator is not a number");
    }
    out[unit] = d;
  }
  return out;
}

}  // namespace

void parse_detector(const YAML::Node& node, const std::string& path, FunnelConfig& c) {
  check_keys(node, path,
             {"name", "type", "unit", "population", "outcome", "adjust_by", "denominators",
              "denominators_file", "coverage", "overdispersion", "min_expected", "sides",
              "window_weeks", "grace_days", "severity", "lifecycle"});
  c.name = scalar<std::string>(node["name"], path + ".name");
  if (node["unit"]) c.unit = parse_dimensions(node["unit"], path + ".unit");
  if (node["population"]) c.population = parse_filter(node["population"], path + ".population");
  if (!node["outcome"]) fail(path + ".outcome", "is required");
  c.outcome = parse_filter(node["outcome"], path + ".outcome");
  if (node["adjust_by"]) c.adjust_by = parse_one_dimension(node["adjust_by"], path + ".adjust_by");
  if (const auto d = node["denominators"]) {
    if (!d.IsMap()) fail(path + ".denominators", "must be a mapping of unit to denominator");
    for (const auto& kv : d) {
      const auto unit = kv.first.as<std::string>();
      c.denominators[unit] = scalar<double>(kv.second, path + ".denominators." + unit);
    }
  }
  if (node["denominators_file"]) {
    const auto file = scalar<std::string>(node["denominators_file"], path + ".denominators_file");
    for (auto& [unit, d] : read_denominator_file(file, path + ".denominators_file")) {
      c.denominators[unit] = d;
    }
  }
  read(node, path, "coverage", c.coverage);
  check_open_unit(c.coverage, path + ".coverage");
  read(node, path, "overdispersion", c.overdispersion);
  read(node, path, "min_expected", c.min_expected);
  if (node["sides"]) {
    static constexpr Named<FunnelSides> kSides[] = {
        {"high", FunnelSides::kHigh}, {"low", FunnelSides::kLow}, {"both", FunnelSides::kBoth}};
    c.sides = required(lookup(scalar<std::string>(node["sides"], path + ".sides"), kSides),
                       path + ".sides", "must be high, low or both");
  }
  c.window = parse_window(node, path);
}

}  // namespace vigil::config
