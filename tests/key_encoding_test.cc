#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "state/key_encoding.h"

namespace vigil {
namespace {

std::string bytes(std::initializer_list<unsigned> values) {
  std::string out;
  for (unsigned v : values) out.push_back(static_cast<char>(v));
  return out;
}

// Bytewise order, as RocksDB's comparator sees keys. Spelled out because
// BOOST_TEST(a < b) on strings compares plain (signed) chars.
bool sorts_before(std::string_view a, std::string_view b) { return a.compare(b) < 0; }

std::string varint(uint64_t value) {
  std::string out;
  append_varint(out, value);
  return out;
}

std::string i64_key(int64_t value) {
  std::string out;
  append_i64_be(out, value);
  return out;
}

BOOST_AUTO_TEST_SUITE(key_encoding_test)

BOOST_AUTO_TEST_CASE(partition_prefix_is_four_bytes_big_endian) {
  BOOST_TEST(partition_prefix(0) == bytes({0, 0, 0, 0}));
  BOOST_TEST(partition_prefix(1) == bytes({0, 0, 0, 1}));
  BOOST_TEST(partition_prefix(256) == bytes({0, 0, 1, 0}));
  BOOST_TEST(partition_prefix(65536) == bytes({0, 1, 0, 0}));
  BOOST_TEST(partition_prefix(std::numeric_limits<int32_t>::max()) ==
             bytes({0x7F, 0xFF, 0xFF, 0xFF}));

  std::string key = "x";
  append_partition_prefix(key, 258);
  BOOST_TEST(key == "x" + bytes({0, 0, 1, 2}));
  BOOST_TEST(read_partition_prefix(key, 1).value() == 258);
  BOOST_TEST(!read_partition_prefix(key, 2).has_value());
}

BOOST_AUTO_TEST_CASE(partition_prefixes_sort_by_partition_and_never_nest) {
  const std::vector<int32_t> partitions = {0, 1, 2, 255, 256, 257, 65535, 65536, 1 << 24,
                                           std::numeric_limits<int32_t>::max()};
  for (size_t i = 0; i < partitions.size(); ++i) {
    const std::string a = partition_prefix(partitions[i]);
    BOOST_TEST(read_partition_prefix(a).value() == partitions[i]);
    for (size_t j = i + 1; j < partitions.size(); ++j) {
      const std::string b = partition_prefix(partitions[j]);
      BOOST_TEST(sorts_before(a, b));
      // A key of partition j must never match partition i's prefix.
      BOOST_TEST(!(b + "suffix").starts_with(a));
      BOOST_TEST(!sorts_before(b, prefix_successor(a).value()));
    }
  }
}

BOOST_AUTO_TEST_CASE(u32_and_u64_round_trip_and_sort) {
  const std::vector<uint64_t> values = {0,           1,          0xFF,        0x100,
                                        0xFFFFFFFF,  0x100000000, 0x0123456789ABCDEF,
                                        UINT64_MAX - 1, UINT64_MAX};
  std::string previous;
  for (uint64_t v : values) {
    std::string encoded;
    append_u64_be(encoded, v);
    BOOST_TEST(encoded.size() == 8u);
    BOOST_TEST(read_u64_be(encoded).value() == v);
    BOOST_TEST(sorts_before(previous, encoded));
    previous = encoded;
  }
  std::string u64;
  append_u64_be(u64, 0x0102030405060708);
  BOOST_TEST(u64 == bytes({1, 2, 3, 4, 5, 6, 7, 8}));

  std::string u32 = "ab";
  append_u32_be(u32, 0xDEADBEEF);
  BOOST_TEST(u32 == "ab" + bytes({0xDE, 0xAD, 0xBE, 0xEF}));
  BOOST_TEST(read_u32_be(u32, 2).value() == 0xDEADBEEFu);
  BOOST_TEST(read_u32_be(bytes({0, 0, 0, 0})).value() == 0u);
  BOOST_TEST(read_u32_be(bytes({0xFF, 0xFF, 0xFF, 0xFF})).value() == UINT32_MAX);
}

BOOST_AUTO_TEST_CASE(fixed_width_reads_reject_short_input_and_bad_offsets) {
  const std::string seven(7, '\x01');
  BOOST_TEST(!read_u64_be(seven).has_value());
  BOOST_TEST(!read_i64_be(seven).has_value());
  BOOST_TEST(read_u32_be(seven, 3).has_value());
  BOOST_TEST(!read_u32_be(seven, 4).has_value());
  BOOST_TEST(!read_u32_be(seven, 7).has_value());
  BOOST_TEST(!read_u32_be(seven, 8).has_value());
  BOOST_TEST(!read_u32_be(seven, std::numeric_limits<size_t>::max()).has_value());
  BOOST_TEST(!read_u64_be("", 0).has_value());
  BOOST_TEST(!read_partition_prefix("abc").has_value());
}

BOOST_AUTO_TEST_CASE(i64_preserves_order_across_negatives) {
  const std::vector<int64_t> values = {std::numeric_limits<int64_t>::min(),
                                       std::numeric_limits<int64_t>::min() + 1,
                                       -4294967296,
                                       -65536,
                                       -256,
                                       -2,
                                       -1,
                                       0,
                                       1,
                                       255,
                                       256,
                                       4294967296,
                                       std::numeric_limits<int64_t>::max() - 1,
                                       std::numeric_limits<int64_t>::max()};
  for (size_t i = 0; i < values.size(); ++i) {
    const std::string a = i64_key(values[i]);
    BOOST_TEST(a.size() == 8u);
    BOOST_TEST(read_i64_be(a).value() == values[i]);
    for (size_t j = i + 1; j < values.size(); ++j) BOOST_TEST(sorts_before(a, i64_key(values[j])));
  }
  BOOST_TEST(i64_key(std::numeric_limits<int64_t>::min()) == std::string(8, '\0'));
  BOOST_TEST(i64_key(-1) == bytes({0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}));
  BOOST_TEST(i64_key(0) == bytes({0x80, 0, 0, 0, 0, 0, 0, 0}));
  BOOST_TEST(i64_key(std::numeric_limits<int64_t>::max()) == std::string(8, '\xFF'));
}

BOOST_AUTO_TEST_CASE(i64_order_matches_random_pairs) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 10000; ++i) {
    const auto a = static_cast<int64_t>(rng());
    const auto b = static_cast<int64_t>(rng() >> (rng() % 64));  // mix magnitudes
    BOOST_TEST_REQUIRE((a < b) == sorts_before(i64_key(a), i64_key(b)));
    BOOST_TEST_REQUIRE(read_i64_be(i64_key(a)).value() == a);
  }
}

BOOST_AUTO_TEST_CASE(varint_edge_values) {
  BOOST_TEST(varint(0) == bytes({0x00}));
  BOOST_TEST(varint(1) == bytes({0x01}));
  BOOST_TEST(varint(127) == bytes({0x7F}));
  BOOST_TEST(varint(128) == bytes({0x80, 0x01}));
  BOOST_TEST(varint(300) == bytes({0xAC, 0x02}));
  BOOST_TEST(varint(16383) == bytes({0xFF, 0x7F}));
  BOOST_TEST(varint(16384) == bytes({0x80, 0x80, 0x01}));
  BOOST_TEST(varint(UINT64_MAX) ==
             bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}));
  BOOST_TEST(varint(UINT64_MAX).size() == kMaxVarintSize);

  for (uint64_t v : {uint64_t{0}, uint64_t{127}, uint64_t{128}, uint64_t{16383},
                     uint64_t{16384}, uint64_t{1} << 63, UINT64_MAX - 1, UINT64_MAX}) {
    const std::string encoded = varint(v);
    std::string_view in = encoded;
    BOOST_TEST(read_varint(in).value() == v);
    BOOST_TEST(in.empty());
  }
}

BOOST_AUTO_TEST_CASE(varint_round_trips_every_length) {
  for (int bits = 0; bits <= 64; ++bits) {
    const uint64_t below = bits == 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1;
    for (uint64_t v : {below, below + 1}) {
      const std::string encoded = varint(v);
      const size_t expected_size = v == 0 ? 1 : (64 - __builtin_clzll(v) + 6) / 7;
      BOOST_TEST(encoded.size() == expected_size);
      std::string_view in = encoded;
      BOOST_TEST(read_varint(in).value() == v);
      BOOST_TEST(in.empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(varint_reads_consume_from_the_front) {
  std::string stream;
  const std::vector<uint64_t> values = {5, 0, 1000000, UINT64_MAX, 127, 128};
  for (uint64_t v : values) append_varint(stream, v);
  stream += "tail";
  std::string_view in = stream;
  for (uint64_t v : values) BOOST_TEST(read_varint(in).value() == v);
  BOOST_TEST(in == "tail");
}

BOOST_AUTO_TEST_CASE(varint_rejects_truncated_overflowing_and_overlong_input) {
  const auto rejects = [](const std::string& encoded) {
    std::string_view in = encoded;
    const bool rejected = !read_varint(in).has_value();
    return rejected && in.size() == encoded.size();  // input left unchanged
  };
  BOOST_TEST(rejects(""));
  BOOST_TEST(rejects(bytes({0x80})));
  BOOST_TEST(rejects(bytes({0xFF, 0xFF})));
  const std::string max = varint(UINT64_MAX);
  for (size_t n = 0; n < max.size(); ++n) BOOST_TEST(rejects(max.substr(0, n)));
  // Values needing more than 64 bits.
  BOOST_TEST(rejects(bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02})));
  BOOST_TEST(rejects(bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01})));
  BOOST_TEST(rejects(std::string(11, '\xFF')));
  // Over-long encodings of 0 and 1.
  BOOST_TEST(rejects(bytes({0x80, 0x00})));
  BOOST_TEST(rejects(bytes({0x81, 0x00})));
  BOOST_TEST(rejects(bytes({0x81, 0x80, 0x00})));
  // A zero group is fine when it is not the last byte.
  const std::string canonical = bytes({0x80, 0x01});
  std::string_view in = canonical;
  BOOST_TEST(read_varint(in).value() == 128u);
}

BOOST_AUTO_TEST_CASE(prefix_successor_bounds_the_prefix_range) {
  BOOST_TEST(prefix_successor("abc").value() == "abd");
  BOOST_TEST(prefix_successor(bytes({'a', 0xFF, 0xFF})).value() == "b");
  BOOST_TEST(prefix_successor(bytes({0x00})).value() == bytes({0x01}));
  BOOST_TEST(prefix_successor(bytes({0x01, 0xFE})).value() == bytes({0x01, 0xFF}));
  BOOST_TEST(!prefix_successor("").has_value());
  BOOST_TEST(!prefix_successor(bytes({0xFF, 0xFF})).has_value());

  // Every key with the prefix is below the successor; the successor itself
  // and keys after it do not have the prefix.
  const std::string prefix = bytes({0x00, 0x00, 0x01, 0xFF});
  const std::string end = prefix_successor(prefix).value();
  BOOST_TEST(end == bytes({0x00, 0x00, 0x02}));
  BOOST_TEST(sorts_before(prefix, end));
  BOOST_TEST(sorts_before(prefix + std::string(100, '\xFF'), end));
  BOOST_TEST(!end.starts_with(prefix));
}


// Every list of 1 to 3 parts, each of 0 to 2 bytes drawn from the separator
// and escape bytes, their caret letters and a plain letter: 81,399 lists.
// No two encode to the same key, and every key decodes to its list. Before
// key parts were escaped, ("a\x1fb") and ("a", "b") were one key.
BOOST_AUTO_TEST_CASE(key_parts_encode_injectively_and_round_trip) {
  const std::string alphabet = "a\x1d\x1e\x1f]^_";
  std::vector<std::string> strings = {""};
  for (char c : alphabet) strings.emplace_back(1, c);
  for (char c : alphabet) {
    for (char d : alphabet) strings.push_back({c, d});
  }
  std::set<std::string> keys;
  size_t lists = 0;
  auto check = [&](const std::vector<std::string_view>& parts) {
    ++lists;
    const std::string key = encode_key_parts(parts);
    BOOST_TEST_REQUIRE(keys.insert(key).second, "two lists share the key of list " << lists);
    // An encoded key never holds 0x1E (the scan detectors' own separator),
    // and holds exactly one 0x1F between each two parts.
    BOOST_TEST_REQUIRE(key.find('\x1e') == std::string::npos);
    BOOST_TEST_REQUIRE(static_cast<size_t>(std::count(key.begin(), key.end(), '\x1f')) ==
                       parts.size() - 1);
    const std::vector<std::string> back = decode_key_parts(key);
    BOOST_TEST_REQUIRE(back.size() == parts.size());
    for (size_t i = 0; i < parts.size(); ++i) BOOST_TEST_REQUIRE(back[i] == parts[i]);
  };
  for (const auto& a : strings) {
    check({a});
    for (const auto& b : strings) {
      check({a, b});
      for (const auto& c : strings) check({a, b, c});
    }
  }
  BOOST_TEST(lists == 57u + 57u * 57u + 57u * 57u * 57u);
  BOOST_TEST(encode_key_parts({"a\x1f" "b"}) != encode_key_parts({"a", "b"}));
  BOOST_TEST(encode_key_parts({"a\x1f" "b"}) == "a\x1d_b");
}

// Every byte value, in every position, survives the round trip.
BOOST_AUTO_TEST_CASE(key_parts_carry_any_byte) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  const std::vector<std::string> back = decode_key_parts(encode_key_parts({all, "", all}));
  BOOST_TEST_REQUIRE(back.size() == 3u);
  BOOST_TEST(back[0] == all);
  BOOST_TEST(back[1] == "");
  BOOST_TEST(back[2] == all);
}

// Keys stored before the escaping existed read back unchanged: a part
// without 0x1D-0x1F is written as it is, and a bare 0x1D (possible only in
// device text from before control characters were refused) is kept.
BOOST_AUTO_TEST_CASE(key_parts_without_control_bytes_are_written_unchanged) {
  BOOST_TEST(encode_key_parts({"medication", "Y56"}) == "medication\x1fY56");
  BOOST_TEST(encode_key_parts({"acme ip-3 \xC3\xA9t\xC3\xA9", "x"}) ==
             "acme ip-3 \xC3\xA9t\xC3\xA9\x1fx");
  BOOST_TEST((decode_key_parts("RX1\x1fmedication") == std::vector<std::string>{"RX1", "medication"}));
  BOOST_TEST((decode_key_parts("a\x1d" "b\x1f\x1d") == std::vector<std::string>{"a\x1d" "b", "\x1d"}));
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace
}  // namespace vigil
