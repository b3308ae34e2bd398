// Exponential backoff with jitter: the bounds of every delay, the cap, reset.
#include <boost/test/unit_test.hpp>

#include <set>

#include "sinks/retry_backoff.h"

namespace vigil {

using std::chrono::milliseconds;

BOOST_AUTO_TEST_SUITE(retry_backoff_test)

BOOST_AUTO_TEST_CASE(delays_double_within_the_upper_half_up_to_the_cap) {
  RetryBackoff backoff(milliseconds(100), milliseconds(1000), 7);
  const int64_t expected_cap[] = {100, 200, 400, 800, 1000, 1000, 1000};
  for (const int64_t cap : expected_cap) {
    const int64_t d = backoff.next_delay().count();
    BOOST_TEST(d >= cap / 2);
    BOOST_TEST(d <= cap);
  }
  BOOST_TEST(backoff.failures() == 7u);
}

BOOST_AUTO_TEST_CASE(reset_starts_again_from_the_initial_delay) {
  RetryBackoff backoff(milliseconds(100), milliseconds(60000), 1);
  for (int i = 0; i < 20; ++i) (void)backoff.next_delay();
  BOOST_TEST(backoff.next_delay().count() >= 30000);
  backoff.reset();
  BOOST_TEST(backoff.failures() == 0u);
  BOOST_TEST(backoff.next_delay().count() <= 100);
}

BOOST_AUTO_TEST_CASE(jitter_spreads_clients_and_is_reproducible_by_seed) {
  std::set<int64_t> firsts;
  for (uint64_t seed = 0; seed < 50; ++seed) {
    RetryBackoff backoff(milliseconds(1000), milliseconds(1000), seed);
    firsts.insert(backoff.next_delay().count());
  }
  BOOST_TEST(firsts.size() > 10u);  // not all in lockstep
  RetryBackoff a(milliseconds(1000), milliseconds(8000), 42), b(milliseconds(1000), milliseconds(8000), 42);
  for (int i = 0; i < 5; ++i) BOOST_TEST(a.next_delay().count() == b.next_delay().count());
}

BOOST_AUTO_TEST_CASE(many_failures_never_overflow) {
  RetryBackoff backoff(milliseconds(1), milliseconds(3600000), 3);
  int64_t last = 0;
  for (int i = 0; i < 1000; ++i) last = backoff.next_delay().count();
  BOOST_TEST(last >= 1800000);
  BOOST_TEST(last <= 3600000);
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace vigil
