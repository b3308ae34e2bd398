// Disclosure control of counts by stratum (core/disclosure_control.h): the
// rule every output applies, on hand-made cells and on many random ones,
// including cells from signals written by an older version (an "other"
// already pooled, possibly under 5).
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/disclosure_control.h"

namespace vigil {
namespace {

using Cells = std::vector<std::pair<std::string, int64_t>>;

StratumCounts stratum(Cells cells) { return StratumCounts{"ethnicity", std::move(cells)}; }

std::string render(const Cells& cells) {
  std::string out;
  for (const auto& [v, n] : cells) out += " " + v + "=" + std::to_string(n);
  return out;
}

BOOST_AUTO_TEST_SUITE(disclosure_control_test)

BOOST_AUTO_TEST_CASE(an_other_of_one_to_four_is_not_published) {
  // As an older version published it: "other" 4.
  StratumCounts s = stratum({{"A", 30}, {"M", 20}, {"unknown", 6}, {"other", 4}});
  BOOST_TEST(apply_disclosure_control(s));
  BOOST_TEST((s.counts == Cells{{"A", 30}, {"M", 20}, {"other", 10}}), render(s.counts));

  // Small cells and an old "other" pool together; zeros vanish.
  s = stratum({{"A", 9}, {"B", 0}, {"C", 2}, {"other", 1}});
  BOOST_TEST(apply_disclosure_control(s));
  BOOST_TEST((s.counts == Cells{{"other", 12}}), render(s.counts));

  // A pool of 5 or more stands alone.
  s = stratum({{"A", 9}, {"C", 2}, {"D", 3}});
  BOOST_TEST(apply_disclosure_control(s));
  BOOST_TEST((s.counts == Cells{{"A", 9}, {"other", 5}}), render(s.counts));

  // Of equal smallest cells the last in order joins the pool.
  s = stratum({{"A", 6}, {"B", 6}, {"C", 8}, {"D", 1}});
  BOOST_TEST(apply_disclosure_control(s));
  BOOST_TEST((s.counts == Cells{{"A", 6}, {"C", 8}, {"other", 7}}), render(s.counts));
}

BOOST_AUTO_TEST_CASE(a_dimension_of_one_to_four_in_all_is_withheld) {
  StratumCounts s = stratum({{"A", 1}, {"other", 3}});
  BOOST_TEST(!apply_disclosure_control(s));
  BOOST_TEST(s.counts.empty());
  const std::vector<StratumCounts> strata = {
      stratum({{"A", 2}}), StratumCounts{"sex", {{"female", 5}, {"male", 1}}}, stratum({})};
  const auto shown = disclosed_strata(strata);
  BOOST_TEST_REQUIRE(shown.size() == 2u);
  BOOST_TEST(shown[0].dimension == "sex");
  BOOST_TEST((shown[0].counts == Cells{{"other", 6}}));
  BOOST_TEST(shown[1].counts.empty());  // nothing to show is not a small cell
}

BOOST_AUTO_TEST_CASE(no_random_stratum_publishes_a_cell_of_one_to_four) {
  std::mt19937 random(15);
  int withheld = 0;
  int secondary = 0;
  for (int round = 0; round < 20000; ++round) {
    const int size = std::uniform_int_distribution<int>(0, 8)(random);
    const int64_t top = round % 2 == 0 ? 6 : 30;
    Cells cells;
    for (int i = 0; i < size; ++i) {
      cells.emplace_back(std::string(1, static_cast<char>('A' + i)),
                         std::uniform_int_distribution<int64_t>(0, top)(random));
    }
    if (random() % 4 == 0) cells.emplace_back("other", std::uniform_int_distribution<int64_t>(1, 7)(random));
    int64_t total = 0;
    int64_t primary = 0;
    std::map<std::string, int64_t> raw;
    for (const auto& [v, n] : cells) {
      total += n;
      if (n < kMinDisclosedCount || v == "other") primary += n;
      raw[v] = n;
    }
    BOOST_TEST_INFO("round " << round << ":" << render(cells));

    StratumCounts s = stratum(cells);
    const bool shown = apply_disclosure_control(s);
    BOOST_TEST_INFO("published:" << render(s.counts));
    BOOST_TEST(shown == !(total >= 1 && total < kMinDisclosedCount));
    if (!shown) {
      ++withheld;
      BOOST_TEST(s.counts.empty());
      continue;
    }
    int64_t sum = 0;
    int64_t other = 0;
    int hidden_named = 0;  // named cells of 5 or more not shown
    for (const auto& [v, n] : s.counts) {
      BOOST_TEST(n >= kMinDisclosedCount);  // the property itself
      sum += n;
      if (v == "other") {
        other = n;
      } else {
        BOOST_TEST(raw[v] == n);  // a named cell is shown as it is
      }
    }
    BOOST_TEST(sum == total);  // nothing dropped: the total backs out nothing
    BOOST_TEST((other == 0 || s.counts.back().first == "other"));
    for (const auto& [v, n] : raw) {
      if (v == "other" || n < kMinDisclosedCount) continue;
      bool listed = false;
      for (const auto& cell : s.counts) listed = listed || cell.first == v;
      if (!listed) ++hidden_named;
    }
    // At most one named cell joins the pool, and only when the pool alone
    // would have been 1..4.
    BOOST_TEST(hidden_named == (primary >= 1 && primary < kMinDisclosedCount ? 1 : 0));
    secondary += hidden_named;
    // Applying the rule again changes nothing, so outputs that apply it once
    // more (the encoder, the review pages) show the same cells.
    StratumCounts again = s;
    BOOST_TEST(apply_disclosure_control(again));
    BOOST_TEST((again.counts == s.counts));
  }
  BOOST_TEST_MESSAGE(withheld << " withheld, " << secondary << " secondary suppressions in 20000");
  BOOST_TEST(withheld > 500);
  BOOST_TEST(secondary > 500);
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace
}  // namespace vigil
