#include "ingest/field_rules.h"

#include <array>
#include <limits>

#include "core/named_values.h"

namespace vigil {
namespace {

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool is_lower(char c) { return c >= 'a' && c <= 'z'; }

template <typename Predicate>
bool all_of_length(std::string_view text, size_t min_length, size_t max_length, Predicate allowed) {
  if (text.size() < min_length || text.size() > max_length) return false;
  for (const char c : text) {
    if (!allowed(c)) return false;
  }
  return true;
}

constexpr std::array<std::string_view, 12> kAgeBands = {"0-14d", "15-28d", "1-11m", "1-4",
                                                        "5-9",   "10-15",  "16-17", "18-25",
                                                        "26-45", "46-65",  "66-75", "76+"};
constexpr std::array<std::string_view, 4> kPatientSexes = {"female", "male", "unknown", "withheld"};

std::string_view find_in(std::string_view text, const auto& table) {
  for (const std::string_view entry : table) {
    if (entry == text) return entry;
  }
  return {};
}

}  // namespace

bool is_valid_event_id(std::string_view text) {
  return all_of_length(text, 1, 64, [](char c) {
    return is_digit(c) || is_upper(c) || is_lower(c) || c == '.' || c == '_' || c == ':' ||
           c == '-';
  });
}

bool is_ods_code(std::string_view text) {
  return all_of_length(text, 3, 6, [](char c) { return is_digit(c) || is_upper(c); });
}

bool is_slug(std::string_view text) {
  return all_of_length(text, 1, 64, [](char c) { return is_digit(c) || is_lower(c) || c == '_'; });
}

bool is_snomed_id(std::string_view text) { return all_of_length(text, 6, 18, is_digit); }

// The harm parsers leave out the kUnknown placeholder, which is not a value
// a producer may send.
std::optional<RecordType> parse_record_type(std::string_view text) {
  return parse_enum(text, {RecordType::kIncident, RecordType::kOutcome, RecordType::kRisk,
                           RecordType::kGoodCare});
}

std::optional<PhysicalHarm> parse_physical_harm(std::string_view text) {
  return parse_enum(text, {PhysicalHarm::kNone, PhysicalHarm::kLow, PhysicalHarm::kModerate,
                           PhysicalHarm::kSevere, PhysicalHarm::kFatal});
}

std::optional<PsychologicalHarm> parse_psychological_harm(std::string_view text) {
  return parse_enum(text, {PsychologicalHarm::kNone, PsychologicalHarm::kLow,
                           PsychologicalHarm::kModerate, PsychologicalHarm::kSevere});
}

std::string_view canonical_age_band(std::string_view text) { return find_in(text, kAgeBands); }

std::string_view canonical_patient_sex(std::string_view text) {
  return find_in(text, kPatientSexes);
}

char parse_ethnic_category(std::string_view text) {
  if (text.size() != 1) return 0;
  const char c = text[0];
  return (c >= 'A' && c <= 'S') || c == 'Z' ? c : 0;
}

bool has_control_character(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return true;
    }
  }
  return false;
}

namespace {

// What one code point becomes under normalise_identity_text.
enum class Mapped : uint8_t { kKeep, kSpace, kDrop, kHyphen, kQuote, kDoubleQuote };

Mapped map_code_point(uint32_t cp) {
  if (cp == 0x20 || cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
      cp == 0x205F || cp == 0x3000) {
    return Mapped::kSpace;
  }
  if ((cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF) return Mapped::kDrop;
  if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0xFE58 || cp == 0xFE63 ||
      cp == 0xFF0D) {
    return Mapped::kHyphen;
  }
  if ((cp >= 0x2018 && cp <= 0x201B) || cp == 0x2032) return Mapped::kQuote;
  if ((cp >= 0x201C && cp <= 0x201F) || cp == 0x2033) return Mapped::kDoubleQuote;
  return Mapped::kKeep;
}

// The length of the UTF-8 sequence that starts with `lead` (1 for a stray
// continuation byte, which valid input never has) and its code point.
size_t decode_utf8(std::string_view text, size_t at, uint32_t& cp) {
  const auto lead = static_cast<unsigned char>(text[at]);
  size_t n = 1;
  cp = lead;
  if (lead >= 0xF0) {
    n = 4;
    cp = lead & 0x07;
  } else if (lead >= 0xE0) {
    n = 3;
    cp = lead & 0x0F;
  } else if (lead >= 0xC0) {
    n = 2;
    cp = lead & 0x1F;
  }
  if (at + n > text.size()) {
    cp = lead;
    return 1;
  }
  for (size_t i = 1; i < n; ++i) cp = (cp << 6) | (static_cast<unsigned char>(text[at + i]) & 0x3F);
  return n;
}

}  // namespace

void normalise_identity_text(std::string_view text, LetterCase letter_case, std::string& out) {
  bool space_pending = false;
  bool any = false;  // anything written yet: leading spaces are dropped
  for (size_t at = 0; at < text.size();) {
    uint32_t cp = 0;
    const size_t n = decode_utf8(text, at, cp);
    const Mapped mapped = map_code_point(cp);
    if (mapped == Mapped::kSpace) {
      space_pending = any;
    } else if (mapped != Mapped::kDrop) {
      if (space_pending) out.push_back(' ');
      space_pending = false;
      any = true;
      switch (mapped) {
        case Mapped::kHyphen: out.push_back('-'); break;
        case Mapped::kQuote: out.push_back('\''); break;
        case Mapped::kDoubleQuote: out.push_back('"'); break;
        case Mapped::kKeep:
          if (n == 1) {
            char c = text[at];
            if (letter_case == LetterCase::kLower && is_upper(c)) c = static_cast<char>(c + 32);
            if (letter_case == LetterCase::kUpper && is_lower(c)) c = static_cast<char>(c - 32);
            out.push_back(c);
          } else {
            out.append(text.substr(at, n));
          }
          break;
        case Mapped::kSpace:
        case Mapped::kDrop: break;
      }
    }
    at += n;
  }
}

JsonNumberForm classify_json_number(std::string_view token) {
  size_t i = 0;
  const size_t n = token.size();
  if (i < n && token[i] == '-') ++i;
  if (i == n || !is_digit(token[i])) return JsonNumberForm::kInvalid;
  if (token[i] == '0') {
    ++i;
  } else {
    while (i < n && is_digit(token[i])) ++i;
  }
  bool integer = true;
  if (i < n && token[i] == '.') {
    integer = false;
    ++i;
    const size_t first = i;
    while (i < n && is_digit(token[i])) ++i;
    if (i == first) return JsonNumberForm::kInvalid;
  }
  if (i < n && (token[i] == 'e' || token[i] == 'E')) {
    integer = false;
    ++i;
    if (i < n && (token[i] == '+' || token[i] == '-')) ++i;
    const size_t first = i;
    while (i < n && is_digit(token[i])) ++i;
    if (i == first) return JsonNumberForm::kInvalid;
  }
  if (i != n) return JsonNumberForm::kInvalid;
  return integer ? JsonNumberForm::kInteger : JsonNumberForm::kNonInteger;
}

std::optional<int64_t> parse_json_integer(std::string_view token) {
  const bool negative = !token.empty() && token[0] == '-';
  if (negative) token.remove_prefix(1);
  // Accumulate the magnitude as unsigned so INT64_MIN, whose magnitude does
  // not fit in int64, is still representable.
  constexpr uint64_t kMaxPositive = std::numeric_limits<int64_t>::max();
  const uint64_t limit = negative ? kMaxPositive + 1 : kMaxPositive;
  uint64_t magnitude = 0;
  for (const char c : token) {
    if (!is_digit(c)) return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (magnitude > (limit - digit) / 10) return std::nullopt;
    magnitude = magnitude * 10 + digit;
  }
  if (token.empty()) return std::nullopt;
  if (!negative) return static_cast<int64_t>(magnitude);
  return magnitude == kMaxPositive + 1 ? std::numeric_limits<int64_t>::min()
                                       : -static_cast<int64_t>(magnitude);
}

}  // namespace vigil
