#include "core/progress_meter.h"

#include <boost/test/unit_test.hpp>
#include <sstream>
#include <string>

namespace {

using vigil::ProgressMeter;
using vigil::ProgressPosition;

const vigil::Date kMarch4{vigil::parse_date("2021-03-04").value()};

}  // namespace

BOOST_AUTO_TEST_SUITE(progress_meter_test)

BOOST_AUTO_TEST_CASE(a_line_tells_events_rate_date_share_and_eta) {
  BOOST_TEST(ProgressMeter::format_line("replay", 1234567, 4.0, {kMarch4, 0.25}) ==
             "vigil replay: 1,234,567 events, 308,641 events/s, stream at 2021-03-04, 25.0%, "
             "ETA 0:12");
  // An hour and more is h:mm:ss.
  BOOST_TEST(ProgressMeter::format_line("evaluate", 999, 3600.0, {kMarch4, 0.5}) ==
             "vigil evaluate: 999 events, 0 events/s, stream at 2021-03-04, 50.0%, ETA 1:00:00");
}

BOOST_AUTO_TEST_CASE(an_unknown_size_or_date_is_left_out) {
  BOOST_TEST(ProgressMeter::format_line("replay", 100, 1.0, {}) ==
             "vigil replay: 100 events, 100 events/s");
  // Done: no ETA.
  BOOST_TEST(ProgressMeter::format_line("generate", 1000, 0.5, {std::nullopt, 1.0}) ==
             "vigil generate: 1,000 events, 2,000 events/s, 100.0%");
}

BOOST_AUTO_TEST_CASE(a_disabled_meter_draws_nothing_and_asks_nothing) {
  std::ostringstream out;
  ProgressMeter meter("replay", out, false);
  int asked = 0;
  for (uint64_t n = 1; n <= 3 * ProgressMeter::kClockEvery; ++n) {
    meter.update(n, [&] {
      ++asked;
      return ProgressPosition{};
    });
  }
  meter.finish(3 * ProgressMeter::kClockEvery, {});
  BOOST_TEST(out.str().empty());
  BOOST_TEST(asked == 0);
}

BOOST_AUTO_TEST_CASE(an_enabled_meter_draws_at_its_first_check_and_at_the_end) {
  std::ostringstream out;
  ProgressMeter meter("replay", out, true);
  int asked = 0;
  const auto position = [&] {
    ++asked;
    return ProgressPosition{kMarch4, 0.5};
  };
  for (uint64_t n = 1; n < ProgressMeter::kClockEvery; ++n) meter.update(n, position);
  BOOST_TEST(out.str().empty());  // the clock is not even read before kClockEvery events
  meter.update(ProgressMeter::kClockEvery, position);
  const std::string first = out.str();
  BOOST_TEST(first.rfind("\rvigil replay: 4,096 events, ", 0) == 0);
  BOOST_TEST(first.find("stream at 2021-03-04, 50.0%") != std::string::npos);
  BOOST_TEST(first.substr(first.size() - 3) == "\x1b[K");
  BOOST_TEST(asked == 1);
  meter.finish(5000, {kMarch4, 1.0});
  const std::string all = out.str();
  BOOST_TEST(all.find("\rvigil replay: 5,000 events, ", first.size()) == first.size());
  BOOST_TEST(all.substr(all.size() - 4) == "\x1b[K\n");
}

BOOST_AUTO_TEST_SUITE_END()
