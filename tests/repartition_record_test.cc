#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/pipeline_task.h"
#include "sinks/repartition_record.h"
#include "state/key_encoding.h"

using namespace vigil;

namespace {

std::string encode(const RepartitionRecord& r) {
  std::string out;
  encode_repartition_record(r, out);
  return out;
}

// Encodes, decodes and checks every field came back; the views must point
// into the encoded bytes, since the merge keeps records as those bytes.
void check_round_trip(const RepartitionRecord& r) {
  const std::string bytes = encode(r);
  RepartitionRecord back;
  BOOST_REQUIRE(decode_repartition_record(bytes, back));
  BOOST_TEST(back.upstream == r.upstream);
  BOOST_TEST(back.offset == r.offset);
  BOOST_TEST(back.stream_time.days == r.stream_time.days);
  BOOST_TEST((back.clock == r.clock));
  BOOST_TEST(back.index == r.index);
  BOOST_TEST(back.previous == r.previous);
  BOOST_TEST(back.current == r.current);
  BOOST_TEST((back.current.data() >= bytes.data() &&
              back.current.data() + back.current.size() == bytes.data() + bytes.size()));
}

// The header a record starts with, written by hand so the malformed cases
// below are built byte by byte rather than by the encoder under test.
std::string header(uint64_t upstream, uint64_t offset, int64_t days, uint64_t previous_size) {
  std::string out(1, '\x01');
  append_varint(out, upstream);
  append_varint(out, offset);
  append_varint(out, zigzag_encode(days));
  append_varint(out, previous_size);
  return out;
}

bool decodes(std::string_view bytes) {
  RepartitionRecord r;
  return decode_repartition_record(bytes, r);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(repartition_record_test)

BOOST_AUTO_TEST_CASE(round_trip_without_previous) {
  check_round_trip(RepartitionRecord{0, 0, Date{19723}, {}, "x", std::nullopt});
  check_round_trip(RepartitionRecord{3, 41, Date{20000}, {}, "a per-id record", std::nullopt});
}

BOOST_AUTO_TEST_CASE(round_trip_with_previous) {
  // Binary bytes, including NUL, must survive: per-id records are binary.
  const std::string previous("prev\0ious\xff", 10);
  const std::string current("cur\0rent", 8);
  check_round_trip(RepartitionRecord{7, 12345, Date{19800}, previous, current, std::nullopt});
}

BOOST_AUTO_TEST_CASE(round_trip_with_clock) {
  // Version 3: the event's reported_at, to the second, for the merge order.
  check_round_trip(RepartitionRecord{0, 0, Date{19723}, {}, "x", int64_t{1704103200}});
  check_round_trip(RepartitionRecord{3, 41, Date{20000}, "p", "c", int64_t{-1}});
  check_round_trip(RepartitionRecord{3, 41, Date{20000}, {}, "c", std::numeric_limits<int64_t>::max()});
  check_round_trip(RepartitionRecord{3, 41, Date{20000}, {}, "c", std::numeric_limits<int64_t>::min()});
  // With and without a clock the version byte says which.
  BOOST_TEST(encode(RepartitionRecord{0, 0, Date{0}, {}, "x", int64_t{5}})[0] == '\x03');
  BOOST_TEST(encode(RepartitionRecord{0, 0, Date{0}, {}, "x", std::nullopt})[0] == '\x01');
}

BOOST_AUTO_TEST_CASE(hand_built_version_3_decodes) {
  // The header with the clock after the stream time, built by hand.
  std::string bytes(1, '\x03');
  append_varint(bytes, 2);
  append_varint(bytes, 300);
  append_varint(bytes, zigzag_encode(-5));
  append_varint(bytes, zigzag_encode(1704103200));
  append_varint(bytes, 3);
  const size_t header_size = bytes.size();
  bytes += "prvcur";
  RepartitionRecord r;
  BOOST_REQUIRE(decode_repartition_record(bytes, r));
  BOOST_TEST(r.upstream == 2);
  BOOST_TEST(r.offset == 300);
  BOOST_TEST(r.stream_time.days == -5);
  BOOST_TEST((r.clock == std::optional<int64_t>(1704103200)));
  BOOST_TEST(r.previous == "prv");
  BOOST_TEST(r.current == "cur");
  BOOST_TEST(bytes == encode(RepartitionRecord{2, 300, Date{-5}, "prv", "cur", int64_t{1704103200}}));
  for (size_t cut = 1; cut < header_size; ++cut) {
    BOOST_TEST(!decodes(std::string_view(bytes).substr(0, cut)), "cut at " << cut);
  }
}

BOOST_AUTO_TEST_CASE(index_in_message_round_trips_as_version_4) {
  // The events of one FHIR Bundle share its offset; their index tells them
  // apart. Index 0 (every message of one event) is still version 3.
  RepartitionRecord r{1, 77, Date{19723}, "p", "c", int64_t{1704103200}};
  BOOST_TEST(encode(r)[0] == '\x03');
  for (const uint32_t index : {1u, 2u, 127u, 128u, std::numeric_limits<uint32_t>::max()}) {
    r.index = index;
    BOOST_TEST(encode(r)[0] == '\x04');
    check_round_trip(r);
  }
  // Built by hand: the index follows the clock.
  std::string bytes(1, '\x04');
  append_varint(bytes, 1);
  append_varint(bytes, 77);
  append_varint(bytes, zigzag_encode(19723));
  append_varint(bytes, zigzag_encode(1704103200));
  append_varint(bytes, 5);
  append_varint(bytes, 1);
  const size_t header_size = bytes.size();
  bytes += "pc";
  RepartitionRecord back;
  BOOST_REQUIRE(decode_repartition_record(bytes, back));
  BOOST_TEST(back.index == 5u);
  BOOST_TEST(back.previous == "p");
  BOOST_TEST(back.current == "c");
  for (size_t cut = 1; cut < header_size; ++cut) {
    BOOST_TEST(!decodes(std::string_view(bytes).substr(0, cut)), "cut at " << cut);
  }
  // An index beyond 32 bits is not Vigil's.
  std::string too_big(1, '\x04');
  append_varint(too_big, 1);
  append_varint(too_big, 77);
  append_varint(too_big, zigzag_encode(19723));
  append_varint(too_big, zigzag_encode(1704103200));
  append_varint(too_big, uint64_t{1} << 32);
  append_varint(too_big, 0);
  too_big += "c";
  BOOST_TEST(!decodes(too_big));
  // Index 0 is written as version 3: a version 4 record of index 0 is a
  // second encoding of that record, so it is refused (the round-trip fuzz
  // target would otherwise find bytes that re-encode differently).
  std::string index_zero(1, '\x04');
  append_varint(index_zero, 1);
  append_varint(index_zero, 77);
  append_varint(index_zero, zigzag_encode(19723));
  append_varint(index_zero, zigzag_encode(1704103200));
  append_varint(index_zero, 0);
  append_varint(index_zero, 0);
  index_zero += "c";
  BOOST_TEST(!decodes(index_zero));
}

BOOST_AUTO_TEST_CASE(text_fingerprint_round_trips_as_version_5) {
  // A record from an input task that fingerprints descriptions (a text
  // detector is configured): word hashes and revealed words, no text.
  const std::string words("pumpalarm", 9);
  RepartitionRecord r{1, 77, Date{19723}, "p", "c", int64_t{1704103200}};
  r.index = 3;
  r.has_text = true;
  r.text.word_hashes = {0, 1, 0xffffffffffffffffull, 0x8000000000000000ull, 1};  // repeats kept
  r.text.revealed = {{7, std::string_view(words).substr(0, 4)}, {9, std::string_view(words).substr(4)}};
  const std::string bytes = encode(r);
  BOOST_TEST(bytes[0] == '\x05');
  check_round_trip(r);
  RepartitionRecord back;
  BOOST_REQUIRE(decode_repartition_record(bytes, back));
  BOOST_TEST(back.has_text);
  BOOST_TEST(back.text.word_hashes == r.text.word_hashes, boost::test_tools::per_element());
  BOOST_REQUIRE(back.text.revealed.size() == 2u);
  BOOST_TEST(back.text.revealed[0].hash == 7u);
  BOOST_TEST(back.text.revealed[0].word == "pump");
  BOOST_TEST(back.text.revealed[1].hash == 9u);
  BOOST_TEST(back.text.revealed[1].word == "alarm");
  // The revealed words are views into the record's bytes.
  BOOST_TEST((back.text.revealed[1].word.data() > bytes.data() &&
              back.text.revealed[1].word.data() < bytes.data() + bytes.size()));
  // Every cut of the header and fingerprint is refused.
  const size_t fingerprint_end = bytes.size() - 2;  // "pc" follow
  for (size_t cut = 1; cut < fingerprint_end; ++cut) {
    BOOST_TEST(!decodes(std::string_view(bytes).substr(0, cut)), "cut at " << cut);
  }
  // An empty fingerprint (a report without a description) is version 5 too,
  // with index 0 written.
  RepartitionRecord empty{1, 77, Date{19723}, {}, "c", int64_t{1704103200}};
  empty.has_text = true;
  BOOST_TEST(encode(empty)[0] == '\x05');
  check_round_trip(empty);
  // Decoding an older version into a record that held a fingerprint clears it.
  BOOST_REQUIRE(decode_repartition_record(encode(RepartitionRecord{1, 77, Date{19723}, {}, "c", int64_t{5}}), back));
  BOOST_TEST(!back.has_text);
  BOOST_TEST(back.text.word_hashes.empty());
  BOOST_TEST(back.text.revealed.empty());
  // Without a clock (version 1) there is no room for a fingerprint: none is written.
  RepartitionRecord old{1, 77, Date{19723}, {}, "c", std::nullopt};
  old.has_text = true;
  old.text.word_hashes = {1};
  BOOST_TEST(encode(old)[0] == '\x01');
}

BOOST_AUTO_TEST_CASE(hand_built_version_5_decodes_and_bounds_are_kept) {
  const auto build = [](uint64_t words, uint64_t reveals, std::string_view word) {
    std::string bytes(1, '\x05');
    append_varint(bytes, 1);
    append_varint(bytes, 77);
    append_varint(bytes, zigzag_encode(19723));
    append_varint(bytes, zigzag_encode(1704103200));
    append_varint(bytes, 0);  // index
    append_varint(bytes, words);
    for (uint64_t i = 0; i < words; ++i) append_u64_be(bytes, i);
    append_varint(bytes, reveals);
    for (uint64_t i = 0; i < reveals; ++i) {
      append_u64_be(bytes, i);
      append_bytes(bytes, word);
    }
    append_varint(bytes, 0);  // previous
    bytes += "c";
    return bytes;
  };
  RepartitionRecord r;
  BOOST_REQUIRE(decode_repartition_record(build(2, 1, "ward"), r));
  BOOST_TEST(r.has_text);
  BOOST_TEST(r.text.word_hashes == (std::vector<uint64_t>{0, 1}), boost::test_tools::per_element());
  BOOST_TEST(r.text.revealed.at(0).word == "ward");
  BOOST_TEST(r.current == "c");
  BOOST_TEST(decodes(build(kMaxFingerprintWords, kMaxRevealsPerReport, "w")));
  BOOST_TEST(!decodes(build(kMaxFingerprintWords + 1, 0, "w")));
  BOOST_TEST(!decodes(build(0, kMaxRevealsPerReport + 1, "w")));
  BOOST_TEST(!decodes(build(0, 1, "")));  // a revealed word is never empty
  BOOST_TEST(!decodes(build(0, 1, std::string(kMaxRevealedWordBytes + 1, 'a'))));
}

// A progress mark (version 6): the upstream, offset, stream time, clock
// and index, nothing else; built by hand so the layout is pinned.
BOOST_AUTO_TEST_CASE(progress_mark_round_trips_as_version_6) {
  RepartitionRecord mark;
  mark.upstream = 2;
  mark.offset = 41;
  mark.stream_time = Date{20000};
  mark.clock = int64_t{20000} * 86400 + 3600;
  mark.progress_mark = true;
  const std::string bytes = encode(mark);
  std::string by_hand(1, '\x06');
  append_varint(by_hand, 2);
  append_varint(by_hand, 41);
  append_varint(by_hand, zigzag_encode(20000));
  append_varint(by_hand, zigzag_encode(*mark.clock));
  append_varint(by_hand, 0);
  BOOST_TEST(bytes == by_hand);
  RepartitionRecord back;
  back.current = "left over";
  BOOST_REQUIRE(decode_repartition_record(bytes, back));
  BOOST_TEST(back.progress_mark);
  BOOST_TEST(back.upstream == 2);
  BOOST_TEST(back.offset == 41);
  BOOST_TEST(back.stream_time.days == 20000);
  BOOST_TEST((back.clock == mark.clock));
  BOOST_TEST(back.current.empty());
  BOOST_TEST(back.previous.empty());
  // Every shorter prefix, and a trailing byte, is refused.
  for (size_t n = 1; n < bytes.size(); ++n) BOOST_TEST(!decodes(bytes.substr(0, n)), "prefix " << n);
  BOOST_TEST(!decodes(bytes + "x"));
  // An event record decoded into the same object is no longer a mark.
  BOOST_REQUIRE(decode_repartition_record(encode(RepartitionRecord{0, 1, Date{19723}, {}, "c", 5}), back));
  BOOST_TEST(!back.progress_mark);
}

BOOST_AUTO_TEST_CASE(round_trip_extremes) {
  // Stream times before 1970 are negative day numbers (zigzag encoded).
  check_round_trip(RepartitionRecord{1, 5, Date{-1}, {}, "c", std::nullopt});
  check_round_trip(RepartitionRecord{1, 5, Date{-719468}, "p", "c", std::nullopt});  // 0000-03-01
  check_round_trip(RepartitionRecord{1, 5, Date{std::numeric_limits<int32_t>::min()}, {}, "c", std::nullopt});
  check_round_trip(RepartitionRecord{1, 5, Date{std::numeric_limits<int32_t>::max()}, {}, "c", std::nullopt});
  // Offsets past 32 bits and the largest partition number.
  check_round_trip(RepartitionRecord{std::numeric_limits<int32_t>::max(), int64_t{1} << 40,
                                     Date{19723}, {}, "c", std::nullopt});
  check_round_trip(RepartitionRecord{0, std::numeric_limits<int64_t>::max(), Date{19723}, "p", "c", std::nullopt});
}

BOOST_AUTO_TEST_CASE(encode_appends) {
  // Records are concatenated into one batch buffer: encode must not clear.
  std::string out = "head";
  encode_repartition_record(RepartitionRecord{0, 1, Date{0}, {}, "c", std::nullopt}, out);
  BOOST_TEST(out.substr(0, 4) == "head");
  BOOST_TEST(decodes(std::string_view(out).substr(4)));
}

BOOST_AUTO_TEST_CASE(hand_built_header_decodes) {
  // Guards the malformed cases below: the hand-built header is the format.
  RepartitionRecord r;
  const std::string bytes = header(2, 300, -5, 3) + "prvcur";
  BOOST_REQUIRE(decode_repartition_record(bytes, r));
  BOOST_TEST(r.upstream == 2);
  BOOST_TEST(r.offset == 300);
  BOOST_TEST(r.stream_time.days == -5);
  BOOST_TEST(r.previous == "prv");
  BOOST_TEST(r.current == "cur");
  BOOST_TEST(!r.clock.has_value());  // version 1, written before the merge clock
  BOOST_TEST(bytes == encode(RepartitionRecord{2, 300, Date{-5}, "prv", "cur", std::nullopt}));
}

BOOST_AUTO_TEST_CASE(rejects_empty_input) { BOOST_TEST(!decodes("")); }

BOOST_AUTO_TEST_CASE(rejects_wrong_version) {
  std::string bytes = encode(RepartitionRecord{0, 1, Date{19723}, {}, "c", std::nullopt});
  for (const char version : {'\x00', '\x02', '\x07', '\x7f', '{'}) {
    bytes[0] = version;
    BOOST_TEST(!decodes(bytes), "version byte " << static_cast<int>(version));
  }
}

BOOST_AUTO_TEST_CASE(rejects_truncated_varints) {
  // Cut inside each varint of the header in turn: a continuation byte with
  // nothing after it. Large values so every varint spans several bytes.
  const std::string bytes = header(uint64_t{1} << 20, uint64_t{1} << 40, 1 << 20, 200) +
                            std::string(200, 'p') + "c";
  const size_t header_size = header(uint64_t{1} << 20, uint64_t{1} << 40, 1 << 20, 200).size();
  for (size_t cut = 1; cut < header_size; ++cut) {
    BOOST_TEST(!decodes(std::string_view(bytes).substr(0, cut)), "cut at " << cut);
  }
  BOOST_TEST(decodes(bytes));
  // A varint that never ends (continuation bit on every byte).
  BOOST_TEST(!decodes(std::string(1, '\x01') + std::string(12, '\x80')));
}

BOOST_AUTO_TEST_CASE(rejects_out_of_range_fields) {
  // An upstream past int32 (what a negative partition would encode as).
  BOOST_TEST(!decodes(header(uint64_t{1} << 31, 0, 0, 0) + "c"));
  BOOST_TEST(!decodes(header(~uint64_t{0}, 0, 0, 0) + "c"));
  // An offset past int64.
  BOOST_TEST(!decodes(header(0, uint64_t{1} << 63, 0, 0) + "c"));
  // A stream time past int32 days.
  BOOST_TEST(!decodes(header(0, 0, int64_t{1} << 31, 0) + "c"));
  BOOST_TEST(!decodes(header(0, 0, -(int64_t{1} << 31) - 1, 0) + "c"));
}

BOOST_AUTO_TEST_CASE(rejects_previous_beyond_data) {
  BOOST_TEST(!decodes(header(0, 0, 0, 10) + "short"));
  BOOST_TEST(!decodes(header(0, 0, 0, 1) + ""));
  BOOST_TEST(!decodes(header(0, 0, 0, uint64_t{1} << 62) + "c"));
}

BOOST_AUTO_TEST_CASE(rejects_empty_current) {
  // No per-id record of the event itself: either nothing after the header,
  // or `previous` taking every remaining byte.
  BOOST_TEST(!decodes(header(0, 0, 0, 0)));
  BOOST_TEST(!decodes(header(0, 0, 0, 4) + "prev"));
  BOOST_TEST(decodes(header(0, 0, 0, 4) + "prevc"));
}

namespace {

// A RepartitionBatch of `n` records of `size` bytes each (distinct bytes,
// so a record put in the wrong place shows).
RepartitionBatch batch_of(size_t n, size_t size) {
  RepartitionBatch batch;
  for (size_t i = 0; i < n; ++i) {
    const std::string current(size, static_cast<char>('a' + i % 26));
    encode_repartition_record(RepartitionRecord{1, static_cast<int64_t>(i), Date{20000}, {}, current, std::nullopt},
                              batch.bytes);
    batch.ends.push_back(batch.bytes.size());
  }
  return batch;
}

// Splits every message of `batch` back into records and checks they are the
// batch's records in order; returns the number of messages.
size_t check_messages(const RepartitionBatch& batch) {
  std::string buffer;
  std::vector<std::string_view> records;
  size_t messages = 0, next = 0;
  for_each_repartition_message(batch, buffer, [&](std::string_view message) {
    ++messages;
    BOOST_TEST(message.size() <= kMaxRepartitionMessageBytes + batch.record(next).size() + 10);
    BOOST_REQUIRE(split_repartition_message(message, records));
    BOOST_TEST(records.size() <= kMaxRecordsPerMessage);
    for (const auto r : records) BOOST_TEST(r == batch.record(next++));
  });
  BOOST_TEST(next == batch.size());
  return messages;
}

}  // namespace

BOOST_AUTO_TEST_CASE(messages_carry_every_record_in_order) {
  BOOST_TEST(check_messages(batch_of(0, 10)) == 0u);
  BOOST_TEST(check_messages(batch_of(1, 10)) == 1u);
  BOOST_TEST(check_messages(batch_of(kMaxRecordsPerMessage, 10)) == 1u);
  // One record over the count limit starts a second message.
  BOOST_TEST(check_messages(batch_of(kMaxRecordsPerMessage + 1, 10)) == 2u);
  // Large records: the byte limit, not the count, splits them.
  BOOST_TEST(check_messages(batch_of(10, kMaxRepartitionMessageBytes / 4)) >= 3u);
}

BOOST_AUTO_TEST_CASE(a_bare_record_is_a_message_of_one) {
  for (const auto clock : {std::optional<int64_t>(), std::optional<int64_t>(1704103200)}) {
    const std::string bytes = encode(RepartitionRecord{2, 5, Date{1}, {}, "x", clock});
    std::vector<std::string_view> records;
    BOOST_REQUIRE(split_repartition_message(bytes, records));
    BOOST_REQUIRE(records.size() == 1u);
    BOOST_TEST(records[0] == bytes);
  }
}

BOOST_AUTO_TEST_CASE(malformed_messages_are_rejected) {
  std::vector<std::string_view> records;
  BOOST_TEST(!split_repartition_message("", records));
  BOOST_TEST(!split_repartition_message(std::string(1, '\x07'), records));  // unknown version
  BOOST_TEST(!split_repartition_message(std::string(1, '\x02'), records));  // no records
  std::string truncated(1, '\x02');
  append_varint(truncated, 10);
  truncated += "abc";  // says 10 bytes, holds 3
  BOOST_TEST(!split_repartition_message(truncated, records));
  std::string empty_record(1, '\x02');
  append_varint(empty_record, 0);
  BOOST_TEST(!split_repartition_message(empty_record, records));
}

BOOST_AUTO_TEST_SUITE_END()
