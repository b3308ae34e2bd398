#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "detectors/multiplicity.h"

namespace vigil {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

BOOST_AUTO_TEST_SUITE(multiplicity_test)

BOOST_AUTO_TEST_CASE(benjamini_hochberg_steps_up_to_the_largest_qualifying_p) {
  // m = 5 finite p-values (the NaN is a test that could not be made), q = 0.05:
  // sorted 0.005 0.01 0.03 0.04 0.5 against k q / m = 0.01 0.02 0.03 0.04 0.05;
  // the largest k with p_(k) <= k q / m is 4, so the cutoff is 0.04.
  BOOST_TEST(benjamini_hochberg_cutoff({0.01, 0.04, 0.03, 0.005, kNaN, 0.5}, 0.05) == 0.04);
  // Step-up: 0.03 > 0.05/3 and 0.04 > 0.10/3, yet 0.05 <= 0.05 rejects all three.
  BOOST_TEST(benjamini_hochberg_cutoff({0.05, 0.03, 0.04}, 0.05) == 0.05);
  // Nothing qualifies: 0.03 > 0.05/2 and 0.06 > 0.05.
  BOOST_TEST(benjamini_hochberg_cutoff({0.06, 0.03}, 0.05) == 0.0);
  BOOST_TEST(benjamini_hochberg_cutoff({}, 0.05) == 0.0);
  BOOST_TEST(benjamini_hochberg_cutoff({kNaN}, 0.05) == 0.0);
  // One test: BH is the test at level q itself.
  BOOST_TEST(benjamini_hochberg_cutoff({0.05}, 0.05) == 0.05);
  BOOST_TEST(benjamini_hochberg_cutoff({0.0500001}, 0.05) == 0.0);
}

BOOST_AUTO_TEST_CASE(benjamini_hochberg_controls_false_alarms_under_the_null) {
  // 2000 families of 100 uniform p-values (a fixed linear congruential
  // sequence, so the count is exact): under the global null BH at q rejects
  // anything in a family with probability q. 2000 * 0.1 = 200 expected; the
  // binomial sd is 13.4, and the sequence gives a fixed count within 3 sd.
  uint64_t state = 12345;
  const auto uniform = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(state >> 11) / static_cast<double>(1ull << 53);
  };
  int families_with_a_rejection = 0;
  for (int f = 0; f < 2000; ++f) {
    std::vector<double> p(100);
    for (double& x : p) x = uniform();
    if (benjamini_hochberg_cutoff(p, 0.1) > 0) ++families_with_a_rejection;
  }
  BOOST_TEST(std::abs(families_with_a_rejection - 200) <= 40, families_with_a_rejection);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace vigil
