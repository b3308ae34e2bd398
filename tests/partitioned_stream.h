// Inputs shared by the merge-stage tests: a synthetic stream's lines split
// onto partitions as a producer keying events by report id splits them, and
// detectors whose output depends on the order events are applied in.
#pragma once

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/pipeline_config.h"
#include "synthetic/stream.h"

namespace vigil::testing {

// FNV-1a 64 of the report id (the Kafka key), so a report's revisions and
// re-sends share a partition; lines without a string id are hashed whole.
inline int32_t report_partition(std::string_view line, int32_t partitions) {
  std::string_view key = line;
  if (const size_t at = line.find("\"id\":\""); at != std::string_view::npos) {
    const size_t begin = at + 6;
    key = line.substr(begin, line.find('"', begin) - begin);
  }
  uint64_t h = 14695981039346656037ull;
  for (const char c : key) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return static_cast<int32_t>(h % static_cast<uint64_t>(partitions));
}

// Every line of the synthetic stream `options` describes, in stream order.
inline std::vector<std::string> synthetic_lines(const SyntheticStreamOptions& options) {
  SyntheticStream stream(options);
  std::vector<std::string> lines;
  std::string line;
  while (stream.next(line)) {  // next() appends: clear for each line
    lines.push_back(line);
    line.clear();
  }
  return lines;
}

// `lines` split onto `partitions` by report_partition, each in stream order.
inline std::vector<std::vector<std::string>> split_by_report(const std::vector<std::string>& lines,
                                                             int32_t partitions) {
  std::vector<std::vector<std::string>> out(static_cast<size_t>(partitions));
  for (const auto& l : lines) out[static_cast<size_t>(report_partition(l, partitions))].push_back(l);
  return out;
}

// The national default's detectors fire only a dozen times on a test-sized
// stream, too few for a comparison of outputs to mean much. These two fire
// thousands of times, with evidence lists and update and resolve times that
// depend on the order events are applied in.
// Their names differ from every default detector's: a detector's name names
// its stored state, and make_detectors refuses two of one name.
inline constexpr const char* kOrderSensitiveDetectors = R"(
detectors:
  - name: sensitive_moderate_harm_rule
    type: severity_rule
    min_physical_harm: moderate
    never_events: false
    group_by: [org, category]
    group_days: 7
    resolve_after_days: 3
    severity: medium
  - name: sensitive_category_region_daily
    type: count
    dimensions: [category, region]
    period: day
    grace_days: 2
    method: earsC1
    params: {baseline: 7, alpha: 0.01, minSigma: 0.5}
    min_observed: 3
)";

// The national default's configuration with the order-sensitive detectors
// appended.
inline PipelineConfig order_sensitive_config() {
  auto national = load_pipeline_config("");
  BOOST_REQUIRE_MESSAGE(national.is_ok(), (national.is_ok() ? std::string() : national.error().message));
  auto sensitive = parse_pipeline_config(kOrderSensitiveDetectors, "test");
  BOOST_REQUIRE_MESSAGE(sensitive.is_ok(), (sensitive.is_ok() ? std::string() : sensitive.error().message));
  PipelineConfig config = national.value();
  config.detectors.insert(config.detectors.end(), sensitive.value().detectors.begin(),
                          sensitive.value().detectors.end());
  return config;
}

}  // namespace vigil::testing
