#include <boost/test/unit_test.hpp>

#include <set>
#include <string>
#include <vector>

#include "config/pipeline_config.h"
#include "pipeline/detector_placement.h"

using namespace vigil;

namespace {

// The national default's detectors plus enough renamed copies that every
// partition count below has several detectors to place.
std::vector<DetectorConfig> detectors() {
  auto config = load_pipeline_config("");
  BOOST_REQUIRE_MESSAGE(config.is_ok(), (config.is_ok() ? std::string() : config.error().message));
  std::vector<DetectorConfig> out = config.value().detectors;
  BOOST_REQUIRE(out.size() >= 5u);
  for (int i = 0; i < 20; ++i) {
    SeverityRuleConfig rule;
    rule.name = "rule_" + std::to_string(i);
    out.push_back(rule);
  }
  return out;
}

std::vector<std::string> names(const std::vector<DetectorConfig>& configs) {
  std::vector<std::string> out;
  for (const auto& c : configs) out.push_back(detector_name(c));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(detector_placement_test)

BOOST_AUTO_TEST_CASE(placement_is_a_fixed_function_of_the_name) {
  // Every instance must agree without talking, across machines and builds,
  // so the expected partitions are FNV-1a 64 computed by hand (Python):
  //   fnv1a64("a")           = 0xaf63dc4c8601ec8c
  //   fnv1a64("")            = 0xcbf29ce484222325 (the offset basis)
  //   fnv1a64("never_event") = 0xa29f692dc77deede
  BOOST_TEST(merge_partition_of("a", 3) == 1);
  BOOST_TEST(merge_partition_of("a", 2) == 0);
  BOOST_TEST(merge_partition_of("a", 7) == 5);
  BOOST_TEST(merge_partition_of("b", 5) == 4);  // 0xaf63df4c8601f1a5
  BOOST_TEST(merge_partition_of("", 3) == 2);
  BOOST_TEST(merge_partition_of("never_event", 4) == 2);
  BOOST_TEST(merge_partition_of("never_event", 7) == 6);
  //   fnv1a64("fatal_cluster") = 0xbc13a466c06ee714
  BOOST_TEST(merge_partition_of("fatal_cluster", 5) == 1);
  BOOST_TEST(merge_partition_of("fatal_cluster", 3) == 0);
}

BOOST_AUTO_TEST_CASE(one_partition_holds_everything) {
  const auto all = detectors();
  for (const auto& d : all) BOOST_TEST(merge_partition_of(detector_name(d), 1) == 0);
  BOOST_TEST(names(detectors_on(all, 0, 1)) == names(all), boost::test_tools::per_element());
  BOOST_TEST(partitions_with_detectors(all, 1) == std::vector<int32_t>{0},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(every_detector_lands_on_exactly_one_partition) {
  const auto all = detectors();
  for (const int32_t p : {1, 2, 3, 4, 7, 16}) {
    for (const auto& d : all) {
      const int32_t at = merge_partition_of(detector_name(d), p);
      BOOST_TEST((at >= 0 && at < p), detector_name(d) << " on " << at << " of " << p);
      int found = 0;
      for (int32_t q = 0; q < p; ++q) {
        for (const auto& name : names(detectors_on(all, q, p))) found += name == detector_name(d);
      }
      BOOST_TEST(found == 1, detector_name(d) << " found " << found << " times with " << p);
    }
  }
}

BOOST_AUTO_TEST_CASE(detectors_on_partitions_the_list_in_config_order) {
  // Each partition's share keeps configuration order (the merge runs them in
  // that order), and the shares together are the whole list.
  const auto all = detectors();
  const auto all_names = names(all);
  for (const int32_t p : {2, 3, 5, 8}) {
    size_t total = 0;
    for (int32_t q = 0; q < p; ++q) {
      const auto on = names(detectors_on(all, q, p));
      total += on.size();
      std::vector<std::string> expected;  // `all` filtered by placement
      for (const auto& d : all) {
        if (merge_partition_of(detector_name(d), p) == q) expected.push_back(detector_name(d));
      }
      BOOST_TEST(on == expected, boost::test_tools::per_element());
    }
    BOOST_TEST(total == all.size());
  }
}

BOOST_AUTO_TEST_CASE(partitions_with_detectors_are_ascending_unique_and_exact) {
  const auto all = detectors();
  for (const int32_t p : {1, 2, 3, 5, 8, 64}) {
    const auto with = partitions_with_detectors(all, p);
    for (size_t i = 1; i < with.size(); ++i) BOOST_TEST(with[i - 1] < with[i]);
    // Exactly the partitions whose share is non-empty: an input task sends
    // every event to each of them and to no other.
    std::set<int32_t> expected;
    for (int32_t q = 0; q < p; ++q) {
      if (!detectors_on(all, q, p).empty()) expected.insert(q);
    }
    BOOST_TEST(std::vector<int32_t>(expected.begin(), expected.end()) == with,
               boost::test_tools::per_element());
  }
  // With more partitions than detectors some partitions run nothing.
  BOOST_TEST(partitions_with_detectors(all, 64).size() < 64u);
  BOOST_TEST(partitions_with_detectors({}, 3).empty());
}

BOOST_AUTO_TEST_SUITE_END()
