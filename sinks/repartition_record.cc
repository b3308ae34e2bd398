#include "sinks/repartition_record.h"

#include <limits>
#include <optional>

#include "state/key_encoding.h"

namespace vigil {
namespace {

constexpr char kVersionWithoutClock = 1;
constexpr char kMessageVersion = 2;  // a message of records, not a record
constexpr char kVersion = 3;
constexpr char kVersionWithIndex = 4;
constexpr char kVersionWithText = 5;
constexpr char kVersionProgressMark = 6;

bool is_record_version(char c) {
  return c == kVersion || c == kVersionWithIndex || c == kVersionWithText ||
         c == kVersionWithoutClock || c == kVersionProgressMark;
}

// Version 6: upstream, offset, stream time, clock, index; nothing else.
bool decode_progress_mark(std::string_view data, RepartitionRecord& out) {
  const auto upstream = read_varint(data);
  const auto offset = upstream ? read_varint(data) : std::nullopt;
  const auto time = offset ? read_varint(data) : std::nullopt;
  const auto clock = time ? read_varint(data) : std::nullopt;
  const auto index = clock ? read_varint(data) : std::nullopt;
  if (!index || !data.empty() || *upstream > static_cast<uint64_t>(std::numeric_limits<int32_t>::max()) ||
      *index > std::numeric_limits<uint32_t>::max() ||
      *offset > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return false;
  }
  const auto day = read_day(*time);
  if (!day) return false;
  out.upstream = static_cast<int32_t>(*upstream);
  out.offset = static_cast<int64_t>(*offset);
  out.stream_time = *day;
  out.clock = zigzag_decode(*clock);
  out.index = static_cast<uint32_t>(*index);
  out.progress_mark = true;
  out.has_text = false;
  out.text.clear();
  out.previous = {};
  out.current = {};
  return true;
}

void encode_text(const TextFingerprint& text, std::string& out) {
  append_varint(out, text.word_hashes.size());
  for (const uint64_t h : text.word_hashes) append_u64_be(out, h);
  append_varint(out, text.revealed.size());
  for (const RevealedWord& w : text.revealed) {
    append_u64_be(out, w.hash);
    append_bytes(out, w.word);
  }
}

bool decode_text(std::string_view& in, TextFingerprint& text) {
  text.clear();
  const auto words = read_varint(in);
  if (!words || *words > kMaxFingerprintWords || *words * 8 > in.size()) return false;
  for (uint64_t i = 0; i < *words; ++i) text.word_hashes.push_back(*read_u64_be(in, i * 8));
  in.remove_prefix(*words * 8);
  const auto revealed = read_varint(in);
  if (!revealed || *revealed > kMaxRevealsPerReport) return false;
  for (uint64_t i = 0; i < *revealed; ++i) {
    const auto h = read_u64_be(in);
    if (!h) return false;
    in.remove_prefix(8);
    const auto word = read_bytes(in);
    if (!word || word->empty() || word->size() > kMaxRevealedWordBytes) return false;
    text.revealed.push_back(RevealedWord{*h, *word});
  }
  return true;
}


}  // namespace

void encode_repartition_record(const RepartitionRecord& record, std::string& out) {
  if (record.progress_mark) {
    out.push_back(kVersionProgressMark);
    append_varint(out, static_cast<uint64_t>(record.upstream));
    append_varint(out, static_cast<uint64_t>(record.offset));
    append_varint(out, zigzag_encode(record.stream_time.days));
    append_varint(out, zigzag_encode(record.clock.value_or(0)));
    append_varint(out, record.index);
    return;
  }
  const bool with_text = record.clock && record.has_text;
  const bool indexed = record.clock && (record.index > 0 || with_text);
  out.push_back(with_text ? kVersionWithText
                : indexed ? kVersionWithIndex
                : record.clock ? kVersion
                               : kVersionWithoutClock);
  append_varint(out, static_cast<uint64_t>(record.upstream));
  append_varint(out, static_cast<uint64_t>(record.offset));
  append_varint(out, zigzag_encode(record.stream_time.days));
  if (record.clock) append_varint(out, zigzag_encode(*record.clock));
  if (indexed) append_varint(out, record.index);
  if (with_text) encode_text(record.text, out);
  append_varint(out, record.previous.size());
  out.append(record.previous);
  out.append(record.current);
}

bool decode_repartition_record(std::string_view data, RepartitionRecord& out) {
  if (data.empty() || !is_record_version(data.front())) return false;
  if (data.front() == kVersionProgressMark) return decode_progress_mark(data.substr(1), out);
  out.progress_mark = false;
  const bool has_text = data.front() == kVersionWithText;
  const bool has_index = data.front() == kVersionWithIndex || has_text;
  const bool has_clock = data.front() == kVersion || has_index;
  data.remove_prefix(1);
  const auto upstream = read_varint(data);
  const auto offset = upstream ? read_varint(data) : std::nullopt;
  const auto time = offset ? read_varint(data) : std::nullopt;
  const auto clock = time && has_clock ? read_varint(data) : std::nullopt;
  const auto index = clock && has_index ? read_varint(data) : std::optional<uint64_t>(0);
  out.has_text = has_text;
  const bool text_ok = !has_text || (clock && index && decode_text(data, out.text));
  if (!has_text) out.text.clear();
  const auto previous_size =
      time && (clock || !has_clock) && index && text_ok ? read_varint(data) : std::nullopt;
  if (!previous_size || *upstream > static_cast<uint64_t>(std::numeric_limits<int32_t>::max()) ||
      *index > std::numeric_limits<uint32_t>::max() ||
      *offset > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
      *previous_size > data.size()) {
    return false;
  }
  // The encoder writes the index only when it is not 0 (or with text): a
  // version 4 record of index 0 has another encoding, so it is not ours.
  if (has_index && !has_text && *index == 0) return false;
  const auto day = read_day(*time);
  if (!day) return false;
  out.upstream = static_cast<int32_t>(*upstream);
  out.offset = static_cast<int64_t>(*offset);
  out.stream_time = *day;
  out.clock = has_clock ? std::optional<int64_t>(zigzag_decode(*clock)) : std::nullopt;
  out.index = static_cast<uint32_t>(*index);
  out.previous = data.substr(0, *previous_size);
  out.current = data.substr(*previous_size);
  return !out.current.empty();
}

void begin_repartition_message(std::string& buffer) {
  buffer.clear();
  buffer.push_back(kMessageVersion);
}

void append_to_repartition_message(std::string_view record, std::string& buffer) {
  append_bytes(buffer, record);
}

bool split_repartition_message(std::string_view message, std::vector<std::string_view>& out) {
  out.clear();
  if (message.empty()) return false;
  if (is_record_version(message.front())) {
    out.push_back(message);
    return true;
  }
  if (message.front() != kMessageVersion) return false;
  message.remove_prefix(1);
  while (!message.empty()) {
    const auto record = read_bytes(message);
    if (!record || record->empty()) return false;
    out.push_back(*record);
  }
  return !out.empty();
}

}  // namespace vigil
