// The text_cluster detector's LSH index (detectors/band_index.h) against a
// std::map model, with keys that share home slots so probe runs form and
// removals have to shift entries back.
#include <boost/test/unit_test.hpp>

#include <map>
#include <vector>

#include "detectors/band_index.h"

namespace vigil::testing {
namespace {

std::vector<uint64_t> ids_of(const BandIndex& index, uint64_t key) {
  std::vector<uint64_t> ids;
  if (const auto* leaders = index.find(key)) {
    for (const auto& l : *leaders) ids.push_back(l.id);
  }
  return ids;
}

BOOST_AUTO_TEST_SUITE(band_index_test)

BOOST_AUTO_TEST_CASE(band_index_matches_a_map_through_adds_and_removals) {
  BandIndex index;
  std::map<uint64_t, std::vector<uint64_t>> model;
  const std::vector<uint32_t> signature{1, 2};
  // Keys 0..2999 times 1024 plus a few low bits: many share a home slot.
  const auto key_of = [](uint64_t n) { return (n % 7) + 1024 * (n % 3000); };
  uint64_t id = 1;
  for (uint64_t n = 0; n < 6000; ++n, ++id) {
    index.add(key_of(n), BandIndex::Leader{id, &signature});
    model[key_of(n)].push_back(id);
  }
  // Remove every third leader, emptying some keys entirely.
  for (uint64_t n = 0; n < 6000; n += 3) {
    const uint64_t leader = n + 1;
    index.remove(key_of(n), leader);
    auto& ids = model[key_of(n)];
    std::erase(ids, leader);
    if (ids.empty()) model.erase(key_of(n));
  }
  for (uint64_t n = 0; n < 6000; ++n) {
    const auto it = model.find(key_of(n));
    const std::vector<uint64_t> expected = it == model.end() ? std::vector<uint64_t>{} : it->second;
    BOOST_TEST(ids_of(index, key_of(n)) == expected, "key " << key_of(n));
  }
  BOOST_TEST(index.find(5 + 1024 * 5000) == nullptr);
  // Removing everything leaves no key behind.
  for (const auto& [key, ids] : model) {
    for (const uint64_t leader : ids) index.remove(key, leader);
  }
  for (uint64_t n = 0; n < 6000; ++n) BOOST_TEST(index.find(key_of(n)) == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace vigil::testing
