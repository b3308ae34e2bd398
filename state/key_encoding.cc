#include "state/key_encoding.h"

#include <limits>

namespace vigil {
namespace {

constexpr uint64_t kI64SignBit = uint64_t{1} << 63;

template <typename Unsigned>
void append_be(std::string& out, Unsigned value) {
  char bytes[sizeof(Unsigned)];
  for (size_t i = sizeof(Unsigned); i-- > 0;) {
    bytes[i] = static_cast<char>(static_cast<unsigned char>(value & 0xFF));
    value = static_cast<Unsigned>(value >> 8);
  }
  out.append(bytes, sizeof(Unsigned));
}

template <typename Unsigned>
std::optional<Unsigned> read_be(std::string_view in, size_t offset) {
  // Written so that a huge `offset` cannot overflow the bounds check.
  if (offset > in.size() || in.size() - offset < sizeof(Unsigned)) return std::nullopt;
  Unsigned value = 0;
  for (size_t i = 0; i < sizeof(Unsigned); ++i) {
    value = static_cast<Unsigned>((value << 8) | static_cast<unsigned char>(in[offset + i]));
  }
  return value;
}

}  // namespace

void append_partition_prefix(std::string& key, int32_t partition) {
  append_be<uint32_t>(key, static_cast<uint32_t>(partition));
}

std::string partition_prefix(int32_t partition) {
  std::string prefix;
  prefix.reserve(kPartitionPrefixSize);
  append_partition_prefix(prefix, partition);
  return prefix;
}

std::optional<int32_t> read_partition_prefix(std::string_view in, size_t offset) {
  const std::optional<uint32_t> raw = read_be<uint32_t>(in, offset);
  if (!raw) return std::nullopt;
  return static_cast<int32_t>(*raw);
}

void append_u32_be(std::string& out, uint32_t value) { append_be(out, value); }

void append_u64_be(std::string& out, uint64_t value) { append_be(out, value); }

void append_i64_be(std::string& out, int64_t value) {
  append_be(out, static_cast<uint64_t>(value) ^ kI64SignBit);
}

std::optional<uint32_t> read_u32_be(std::string_view in, size_t offset) {
  return read_be<uint32_t>(in, offset);
}

std::optional<uint64_t> read_u64_be(std::string_view in, size_t offset) {
  return read_be<uint64_t>(in, offset);
}

std::optional<int64_t> read_i64_be(std::string_view in, size_t offset) {
  const std::optional<uint64_t> raw = read_be<uint64_t>(in, offset);
  if (!raw) return std::nullopt;
  return static_cast<int64_t>(*raw ^ kI64SignBit);
}

void append_varint(std::string& out, uint64_t value) {
  char bytes[kMaxVarintSize];
  size_t size = 0;
  while (value >= 0x80) {
    bytes[size++] = static_cast<char>(static_cast<unsigned char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  bytes[size++] = static_cast<char>(static_cast<unsigned char>(value));
  out.append(bytes, size);
}

std::optional<uint64_t> read_varint(std::string_view& in) {
  uint64_t value = 0;
  const size_t limit = in.size() < kMaxVarintSize ? in.size() : kMaxVarintSize;
  for (size_t i = 0; i < limit; ++i) {
    const auto byte = static_cast<unsigned char>(in[i]);
    const uint64_t group = byte & 0x7F;
    // The 10th byte carries bit 63 only; anything more would not fit in 64 bits.
    if (i == kMaxVarintSize - 1 && byte > 0x01) return std::nullopt;
    value |= group << (7 * i);
    if ((byte & 0x80) == 0) {
      if (byte == 0 && i > 0) return std::nullopt;  // over-long: a redundant zero group
      in.remove_prefix(i + 1);
      return value;
    }
  }
  return std::nullopt;  // ran out of input (or of the 10 bytes) inside the varint
}

void append_bytes(std::string& out, std::string_view bytes) {
  append_varint(out, bytes.size());
  out.append(bytes);
}

std::optional<std::string_view> read_bytes(std::string_view& in) {
  const auto n = read_varint(in);
  if (!n || *n > in.size()) return std::nullopt;
  const std::string_view bytes = in.substr(0, *n);
  in.remove_prefix(*n);
  return bytes;
}

void append_varints(std::string& out, const std::vector<uint32_t>& values) {
  append_varint(out, values.size());
  for (const uint32_t v : values) append_varint(out, v);
}

bool read_varints(std::string_view& in, std::vector<uint32_t>& out) {
  return read_list(in, out, [](std::string_view& rest, uint32_t& value) {
    const auto v = read_varint(rest);
    if (!v) return false;
    value = static_cast<uint32_t>(*v);
    return true;
  });
}

std::optional<std::string> prefix_successor(std::string_view prefix) {
  size_t end = prefix.size();
  while (end > 0 && static_cast<unsigned char>(prefix[end - 1]) == 0xFF) --end;
  if (end == 0) return std::nullopt;
  std::string successor(prefix.substr(0, end));
  successor.back() = static_cast<char>(static_cast<unsigned char>(successor.back()) + 1);
  return successor;
}

namespace {
// The caret letter of an escaped byte is the byte + 0x40: ']' '^' '_'.
constexpr char kCaretOffset = 0x40;
constexpr bool needs_escape(char c) { return c >= '\x1d' && c <= '\x1f'; }
}  // namespace

void append_key_part(std::string& key, std::string_view part) {
  for (const char c : part) {
    if (needs_escape(c)) {
      key.push_back(kKeyPartEscape);
      key.push_back(static_cast<char>(c + kCaretOffset));
    } else {
      key.push_back(c);
    }
  }
}

std::string encode_key_parts(const std::vector<std::string_view>& parts) {
  std::string key;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) key.push_back(kKeyPartSeparator);
    append_key_part(key, parts[i]);
  }
  return key;
}

std::string decode_key_part(std::string_view encoded) {
  std::string part;
  part.reserve(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    const char c = encoded[i];
    if (c == kKeyPartEscape && i + 1 < encoded.size() &&
        needs_escape(static_cast<char>(encoded[i + 1] - kCaretOffset))) {
      part.push_back(static_cast<char>(encoded[++i] - kCaretOffset));
    } else {
      part.push_back(c);  // also a bare 0x1D of a key stored before escaping
    }
  }
  return part;
}

std::vector<std::string> decode_key_parts(std::string_view key) {
  std::vector<std::string> parts;
  while (true) {
    const size_t end = key.find(kKeyPartSeparator);
    parts.push_back(decode_key_part(key.substr(0, end)));
    if (end == std::string_view::npos) return parts;
    key.remove_prefix(end + 1);
  }
}

std::optional<Date> read_day(uint64_t zigzagged) {
  const int64_t days = zigzag_decode(zigzagged);
  if (days < std::numeric_limits<int32_t>::min() || days > std::numeric_limits<int32_t>::max()) {
    return std::nullopt;
  }
  return Date{static_cast<int32_t>(days)};
}

}  // namespace vigil
