// Byte encodings for RocksDB keys and stored values.
//
// Keys are compared bytewise (RocksDB's default comparator), so the fixed-width
// encodings here are big-endian: comparing the encoded bytes gives the same
// order as comparing the numbers. Every key that belongs to one task starts
// with its 4-byte prefix (an input partition's number, or a merge partition's
// negative slot), so a task's state is one contiguous key range that can be
// scanned, erased or handed over on its own.
//
// Appends never fail. Reads never throw and never read out of bounds: they
// return std::nullopt when the input is too short or malformed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/civil_date.h"

namespace vigil {

inline constexpr size_t kPartitionPrefixSize = 4;
inline constexpr size_t kMaxVarintSize = 10;  // ceil(64 / 7) bytes for a uint64_t

// Appends `partition` as 4 bytes big-endian (two's complement). Kafka partition
// ids are non-negative, and for those the prefixes sort by partition number and
// no partition's prefix is a prefix of another's, so partitions 1, 256 and
// 65536 never share keys. A negative id (not a real partition) would sort after
// every non-negative one.
void append_partition_prefix(std::string& key, int32_t partition);

// The 4-byte prefix alone, for scan_prefix/erase_prefix over one partition.
std::string partition_prefix(int32_t partition);

// Reads a partition prefix written by append_partition_prefix at `offset`.
std::optional<int32_t> read_partition_prefix(std::string_view in, size_t offset = 0);

// Fixed-width big-endian integers. Unsigned values sort numerically as bytes.
void append_u32_be(std::string& out, uint32_t value);
void append_u64_be(std::string& out, uint64_t value);

// Signed 64-bit with the sign bit flipped before the big-endian write, so that
// bytewise order equals numeric order across negatives: INT64_MIN encodes as
// 00..00, -1 as 7F FF..FF, 0 as 80 00..00, INT64_MAX as FF..FF.
void append_i64_be(std::string& out, int64_t value);

// Counterparts of the appends: read the value that starts at `offset` in `in`.
// std::nullopt when fewer than 4 (or 8) bytes remain from `offset`.
std::optional<uint32_t> read_u32_be(std::string_view in, size_t offset = 0);
std::optional<uint64_t> read_u64_be(std::string_view in, size_t offset = 0);
std::optional<int64_t> read_i64_be(std::string_view in, size_t offset = 0);

// Unsigned LEB128: 7 bits a byte, least significant group first, high bit set
// on every byte but the last. 1 byte for values below 128, at most 10 bytes.
// Compact for counts and deltas in stored values; it does not preserve order,
// so do not use it where keys must sort numerically.
void append_varint(std::string& out, uint64_t value);

// Decodes one varint from the front of `in` and advances `in` past it.
// Returns std::nullopt, leaving `in` unchanged, when the input ends inside the
// varint, when the value would exceed 64 bits, or when the encoding is longer
// than needed (a last byte of 0x00 after a continuation byte). Rejecting the
// over-long forms gives every value exactly one encoding, so two encoded
// records are equal bytes exactly when their values are equal.
std::optional<uint64_t> read_varint(std::string_view& in);

// Bytes written as their varint length, then the bytes themselves.
void append_bytes(std::string& out, std::string_view bytes);
// Reads what append_bytes wrote and advances `in` past it: a view into `in`.
// std::nullopt when the length is malformed or longer than what remains.
std::optional<std::string_view> read_bytes(std::string_view& in);

// A list: its length as a varint, then each item. Reads the length, resizes
// `out` to it and reads each item with `read_item(std::string_view& in,
// T& item)`, advancing `in`; false when the length or an item is malformed.
// Every item takes at least a byte, so a length beyond what remains is
// refused before it can size `out`.
template <typename T, typename ReadItem>
bool read_list(std::string_view& in, std::vector<T>& out, ReadItem&& read_item);

// Small unsigned counters: a list of varints.
void append_varints(std::string& out, const std::vector<uint32_t>& values);
bool read_varints(std::string_view& in, std::vector<uint32_t>& out);

// Zigzag maps signed to unsigned so that small magnitudes of either sign make
// short varints: 0 -> 0, -1 -> 1, 1 -> 2, -2 -> 3, ...
inline uint64_t zigzag_encode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t zigzag_decode(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

// The smallest key greater than every key that starts with `prefix`: the
// prefix with trailing 0xFF bytes removed and its last byte incremented. It is
// the exclusive upper bound of the prefix's key range. std::nullopt when no
// such key exists (an empty prefix, or one made only of 0xFF bytes), i.e. the
// range runs to the end of the key space.
std::optional<std::string> prefix_successor(std::string_view prefix);

// A day stored as a zigzag varint; std::nullopt outside Date's range.
std::optional<Date> read_day(uint64_t zigzagged);

// Detector keys: the values of a key's dimensions ("parts") joined by
// kKeyPartSeparator, e.g. "medication\x1fY56". The bytes 0x1D-0x1F are the
// separators of detector keys (0x1E also ends groups and leaves in the scan
// detectors' keys), so a part that contains one is escaped: each of those
// bytes is written as kKeyPartEscape (0x1D) followed by its caret letter,
// 0x1D -> 1D ']', 0x1E -> 1D '^', 0x1F -> 1D '_'. An encoded part therefore
// never contains 0x1E or 0x1F, splitting at 0x1F is exact, and two different
// lists of parts never encode to the same key, whatever their bytes.
//
// Compatibility with stored keys: a part without those three bytes is
// written unchanged, so every key written before the escaping existed (and
// every key of a validated event, whose values hold no control characters)
// reads back the same. A stored key whose part held a bare 0x1D from before
// the escaping decodes leniently (the byte is kept as it is).
inline constexpr char kKeyPartSeparator = '\x1f';
inline constexpr char kKeyPartEscape = '\x1d';

// Appends one part, escaped, without any separator.
void append_key_part(std::string& key, std::string_view part);
// Appends the parts joined by kKeyPartSeparator. No parts give the empty key
// (and so does one empty part: callers fix the number of parts per key).
std::string encode_key_parts(const std::vector<std::string_view>& parts);
// The parts of a key made by encode_key_parts, unescaped: exactly
// 1 + (number of kKeyPartSeparator bytes) of them.
std::vector<std::string> decode_key_parts(std::string_view key);
// One encoded part (no separator in it) unescaped.
std::string decode_key_part(std::string_view encoded);

template <typename T, typename ReadItem>
bool read_list(std::string_view& in, std::vector<T>& out, ReadItem&& read_item) {
  const auto n = read_varint(in);
  if (!n || *n > in.size()) return false;
  out.resize(*n);
  for (T& item : out) {
    if (!read_item(in, item)) return false;
  }
  return true;
}

}  // namespace vigil
