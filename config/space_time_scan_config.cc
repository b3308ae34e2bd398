#include <fstream>
#include <set>

#include "config/detector_fields.h"
#include "config/detector_parsers.h"
#include "config/yaml_reader.h"

namespace vigil::config {
namespace {

double read_number(const std::string& text, const std::string& path, const std::string& where) {
  double v = 0;
  size_t used = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  // The number must be all there is, blanks and a CR aside.
  if (used == 0 || text.find_first_not_of(" \t\r", used) != std::string::npos) {
    fail(path, where + ": '" + text + "' is not a number");
  }
  return v;
}

// org,latitude,longitude per line; an optional header line; '#' comments.
std::vector<OrgLocation> read_coordinates(const std::string& file, const std::string& path) {
  std::ifstream in(file);
  if (!in) fail(path, "cannot read '" + file + "'");
  std::vector<OrgLocation> out;
  std::set<std::string> seen;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    const std::string where = file + " line " + std::to_string(line_no);
    const size_t a = line.find(',');
    const size_t b = a == std::string::npos ? a : line.find(',', a + 1);
    if (b == std::string::npos || line.find(',', b + 1) != std::string::npos) {
      fail(path, where + ": expected org,latitude,longitude");
    }
    OrgLocation l;
    l.org = line.substr(0, a);
    if (line_no == 1 && l.org == "org") continue;  // a header
    if (l.org.empty()) fail(path, where + ": the org code is empty");
    l.latitude = read_number(line.substr(a + 1, b - a - 1), path, where);
    l.longitude = read_number(line.substr(b + 1), path, where);
    if (!(std::abs(l.latitude) <= 90) || !(std::abs(l.longitude) <= 180)) {
      fail(path, where + ": latitude must be within ±90 and longitude within ±180");
    }
    if (!seen.insert(l.org).second) fail(path, where + ": " + l.org + " is listed twice");
    out.push_back(std::move(l));
  }
  if (out.empty()) fail(path, "'" + file + "' lists no organisation");
  return out;
}

}  // namespace

void parse_detector(const YAML::Node& node, const std::string& path, SpaceTimeScanConfig& c) {
  check_keys(node, path,
             {"name", "type", "filter", "group_by", "study_days", "max_window_days", "lag_days",
              "neighbourhoods", "max_cluster_fraction", "replicates", "early_stop_hits", "seed",
              "min_recurrence_days", "min_cases", "severity", "lifecycle"});
  c.name = scalar<std::string>(node["name"], path + ".name");
  if (node["filter"]) c.filter = parse_filter(node["filter"], path + ".filter");
  if (node["group_by"]) c.group_by = parse_dimensions(node["group_by"], path + ".group_by");
  read(node, path, "study_days", c.study_days);
  read(node, path, "max_window_days", c.max_window_days);
  read(node, path, "lag_days", c.lag_days);
  if (const auto n = node["neighbourhoods"]) {
    const std::string npath = path + ".neighbourhoods";
    if (n.IsScalar()) {
      if (n.as<std::string>() != "hierarchy") {
        fail(npath, "must be hierarchy or {coordinates: <file>}");
      }
    } else if (n.IsMap()) {
      check_keys(n, npath, {"coordinates"});
      if (!n["coordinates"]) fail(npath + ".coordinates", "is required");
      c.coordinates = read_coordinates(scalar<std::string>(n["coordinates"], npath + ".coordinates"),
                                       npath + ".coordinates");
    } else {
      fail(npath, "must be hierarchy or {coordinates: <file>}");
    }
  }
  read(node, path, "max_cluster_fraction", c.max_cluster_fraction);
  read(node, path, "replicates", c.replicates);
  read(node, path, "early_stop_hits", c.early_stop_hits);
  read(node, path, "seed", c.seed);
  read(node, path, "min_recurrence_days", c.min_recurrence_days);
  read(node, path, "min_cases", c.min_cases);
  c.severity = read_severity(node, path, c.severity);
  if (node["lifecycle"]) c.lifecycle = parse_lifecycle(node["lifecycle"], path + ".lifecycle");
}

}  // namespace vigil::config
