#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/signal_episode.h"

namespace vigil {
namespace {

// What a step emitted, as text, so failures read well: "-" for nothing.
std::string step(Episode& e, bool alarm, int64_t observed, int32_t period, const LifecyclePolicy& p) {
  const auto t = e.step(alarm, observed, period, p);
  return t ? std::string(to_string(*t)) : std::string("-");
}

void check_same(const Episode& a, const Episode& b) {
  BOOST_TEST(a.open == b.open);
  BOOST_TEST(a.sequence == b.sequence);
  BOOST_TEST(a.start_period == b.start_period);
  BOOST_TEST(a.last_reported == b.last_reported);
  BOOST_TEST(a.quiet == b.quiet);
}

BOOST_AUTO_TEST_SUITE(signal_episode_test)

BOOST_AUTO_TEST_CASE(quiet_evaluations_on_a_closed_episode_emit_nothing) {
  Episode e;
  const LifecyclePolicy p;
  for (int32_t period = 0; period < 10; ++period) BOOST_TEST(step(e, false, 100, period, p) == "-");
  BOOST_TEST(!e.open);
  BOOST_TEST(e.sequence == 0u);
}

BOOST_AUTO_TEST_CASE(raised_then_updated_only_on_material_growth_then_resolved) {
  Episode e;
  const LifecyclePolicy p{1.5, 2};
  BOOST_TEST(step(e, true, 10, 100, p) == "raised");
  BOOST_TEST(e.open);
  BOOST_TEST(e.sequence == 1u);
  BOOST_TEST(e.start_period == 100);
  BOOST_TEST(e.last_reported == 10);

  BOOST_TEST(step(e, true, 14, 101, p) == "-");   // 14 < 15: not material
  BOOST_TEST(step(e, true, 10, 102, p) == "-");   // shrinking, still alarming
  BOOST_TEST(step(e, true, 15, 103, p) == "updated");  // exactly 1.5x counts
  BOOST_TEST(e.sequence == 2u);
  BOOST_TEST(e.last_reported == 15);
  BOOST_TEST(step(e, true, 22, 104, p) == "-");   // 22 < 22.5
  BOOST_TEST(step(e, true, 23, 105, p) == "updated");
  BOOST_TEST(e.sequence == 3u);
  BOOST_TEST(e.start_period == 100);  // the episode keeps its name

  BOOST_TEST(step(e, false, 1, 106, p) == "-");   // one quiet evaluation
  BOOST_TEST(e.quiet == 1u);
  BOOST_TEST(step(e, false, 1, 107, p) == "resolved");
  BOOST_TEST(!e.open);
  BOOST_TEST(e.sequence == 4u);
  BOOST_TEST(e.start_period == 100);
  BOOST_TEST(e.quiet == 0u);
}

BOOST_AUTO_TEST_CASE(an_alarm_resets_the_quiet_count) {
  Episode e;
  const LifecyclePolicy p{1.5, 3};
  BOOST_TEST(step(e, true, 8, 0, p) == "raised");
  BOOST_TEST(step(e, false, 0, 1, p) == "-");
  BOOST_TEST(step(e, false, 0, 2, p) == "-");
  BOOST_TEST(step(e, true, 8, 3, p) == "-");  // alarm again, no growth: quiet starts over
  BOOST_TEST(e.quiet == 0u);
  BOOST_TEST(step(e, false, 0, 4, p) == "-");
  BOOST_TEST(step(e, false, 0, 5, p) == "-");
  BOOST_TEST(step(e, false, 0, 6, p) == "resolved");
}

BOOST_AUTO_TEST_CASE(resolve_after_one_quiet_evaluation) {
  Episode e;
  const LifecyclePolicy p{2.0, 1};
  BOOST_TEST(step(e, true, 1, 5, p) == "raised");
  BOOST_TEST(step(e, false, 1, 5, p) == "resolved");
}

BOOST_AUTO_TEST_CASE(reopening_after_resolve_starts_a_new_episode) {
  Episode e;
  const LifecyclePolicy p{1.5, 2};
  BOOST_TEST(step(e, true, 20, 10, p) == "raised");
  BOOST_TEST(step(e, true, 40, 11, p) == "updated");
  BOOST_TEST(step(e, false, 0, 12, p) == "-");
  BOOST_TEST(step(e, false, 0, 13, p) == "resolved");
  BOOST_TEST(step(e, false, 0, 14, p) == "-");

  // A small alarm after the resolution is a new raised, not an update of the
  // old one (40 last reported), named by its own start period.
  BOOST_TEST(step(e, true, 6, 15, p) == "raised");
  BOOST_TEST(e.open);
  BOOST_TEST(e.sequence == 1u);
  BOOST_TEST(e.start_period == 15);
  BOOST_TEST(e.last_reported == 6);
  BOOST_TEST(e.quiet == 0u);
  BOOST_TEST(step(e, true, 9, 16, p) == "updated");
  BOOST_TEST(e.sequence == 2u);
}

BOOST_AUTO_TEST_CASE(encode_decode_round_trip) {
  std::vector<Episode> cases;
  cases.push_back(Episode{});
  cases.push_back(Episode{true, 1, 2800, 12, 0});
  cases.push_back(Episode{true, 7, -3, 1, 1});
  cases.push_back(Episode{false, 4, std::numeric_limits<int32_t>::min(), 0, 0});
  cases.push_back(Episode{true, std::numeric_limits<uint32_t>::max(), std::numeric_limits<int32_t>::max(),
                          std::numeric_limits<int64_t>::max(), std::numeric_limits<uint32_t>::max()});
  for (const Episode& original : cases) {
    std::string bytes;
    original.encode(bytes);
    std::string_view in = bytes;
    Episode decoded{true, 99, 99, 99, 99};
    BOOST_TEST_REQUIRE(decoded.decode(in));
    BOOST_TEST(in.empty());
    check_same(original, decoded);
  }
}

BOOST_AUTO_TEST_CASE(decode_consumes_only_its_own_bytes) {
  const Episode a{true, 3, 2801, 40, 1};
  const Episode b{false, 9, 2700, 5, 0};
  std::string bytes = "";
  a.encode(bytes);
  b.encode(bytes);
  bytes += "tail";
  std::string_view in = bytes;
  Episode da, db;
  BOOST_TEST_REQUIRE(da.decode(in));
  BOOST_TEST_REQUIRE(db.decode(in));
  check_same(a, da);
  check_same(b, db);
  BOOST_TEST(in == "tail");
}

BOOST_AUTO_TEST_CASE(a_decoded_episode_continues_identically) {
  // Step two copies through the same evaluations, one of them re-encoded
  // and decoded after every step: they must emit the same transitions.
  std::mt19937 rng(42);
  const LifecyclePolicy p{1.5, 2};
  Episode straight, restored;
  for (int32_t period = 0; period < 2000; ++period) {
    const bool alarm = rng() % 3 == 0;
    const int64_t observed = static_cast<int64_t>(rng() % 60);
    const std::string a = step(straight, alarm, observed, period, p);
    std::string bytes;
    restored.encode(bytes);
    std::string_view in = bytes;
    Episode next;
    BOOST_TEST_REQUIRE(next.decode(in));
    restored = next;
    const std::string b = step(restored, alarm, observed, period, p);
    BOOST_TEST_REQUIRE(a == b, "period " << period);
  }
  check_same(straight, restored);
}

BOOST_AUTO_TEST_CASE(truncated_input_is_rejected) {
  const Episode original{true, 300, 2800, 100000, 2};
  std::string bytes;
  original.encode(bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::string_view in = std::string_view(bytes).substr(0, n);
    Episode e;
    BOOST_TEST(!e.decode(in), "prefix of " << n << " bytes accepted");
  }
}

BOOST_AUTO_TEST_CASE(random_bytes_never_crash) {
  // Run under AddressSanitizer, this shows decode() never reads outside its
  // input. Whatever it accepts must be a whole episode taken from the front
  // (a flag and four varints: at least 5 bytes), leaving the rest in place,
  // and must survive its own encoding unchanged.
  std::mt19937 rng(3);
  int accepted = 0, refused = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string bytes(rng() % 24, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    std::string_view in = bytes;
    Episode e;
    if (!e.decode(in)) {
      ++refused;
      continue;
    }
    ++accepted;
    const size_t consumed = bytes.size() - in.size();
    BOOST_TEST(consumed >= 5u);
    BOOST_TEST((in.data() == bytes.data() + consumed), "round " << round << ": not a suffix");
    std::string again;
    e.encode(again);
    std::string_view reread = again;
    Episode back;
    BOOST_TEST_REQUIRE(back.decode(reread));
    BOOST_TEST(reread.empty());
    BOOST_TEST(back.open == e.open);
    BOOST_TEST(back.sequence == e.sequence);
    BOOST_TEST(back.start_period == e.start_period);
    BOOST_TEST(back.last_reported == e.last_reported);
    BOOST_TEST(back.quiet == e.quiet);
  }
  // The seed gives both kinds of input, so both paths above ran.
  BOOST_TEST(accepted > 100);
  BOOST_TEST(refused > 100);
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace
}  // namespace vigil
