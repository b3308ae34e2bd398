// Person names after a cue: capitalised words and initials. Words that
// follow titles and "patient" in clinical text without being names
// ("Patient Safety Team", "Nurse Practitioner", "Dr on call") stop a name.
#include <algorithm>
#include <array>

#include "text/char_class.h"
#include "text/recognisers.h"

namespace vigil::text_detail {
namespace {

// Lower case, sorted (binary search).
constexpr std::array<std::string_view, 96> kNotNames = {
    "a", "access", "advice", "advocate", "agency", "all", "also", "an", "analgesia", "and", "are",
    "area", "as", "associate", "at", "bank", "bay", "bed", "but", "by", "called", "came", "care",
    "charge", "consultant", "controlled", "could", "day", "details", "did", "direction", "dob",
    "experience", "fell", "for", "found", "from", "given", "group", "had", "has", "have", "he",
    "held", "her", "his", "i", "id", "identifier", "in", "information", "is", "it", "label",
    "leaflet", "led", "liaison", "list", "name", "nhs", "no", "not", "notes", "number", "of",
    "on", "or", "own", "panel", "portal", "practitioner", "record", "records", "registrar",
    "reported", "safety", "said", "she", "so", "specialist", "stated", "states", "status",
    "summary", "team", "that", "the", "then", "they", "this", "to", "transport", "unit", "was",
    "who", "with"};

static_assert(std::is_sorted(kNotNames.begin(), kNotNames.end()));

bool not_a_name(std::string_view t, size_t begin, size_t end) {
  const size_t len = end - begin;
  if (len > 16) return false;
  char buf[16];
  for (size_t i = 0; i < len; ++i) buf[i] = to_lower(t[begin + i]);
  return std::binary_search(kNotNames.begin(), kNotNames.end(), std::string_view(buf, len));
}

bool name_byte(std::string_view t, size_t i) {
  const char c = at(t, i);
  if (is_letter(c) || is_non_ascii(c)) return true;
  // O'Neil, Smith-Jones: an apostrophe or hyphen between letters.
  return (c == '\'' || c == '-') && is_letter(at(t, i + 1)) && i > 0 && is_letter(t[i - 1]);
}

bool starts_capitalised(std::string_view t, size_t i) {
  const char c = at(t, i);
  // A non-ASCII first letter (Émile, Łukasz) counts: case is not decoded.
  return is_upper(c) || (is_non_ascii(c) && static_cast<unsigned char>(c) >= 0xC3);
}

}  // namespace

bool match_name(std::string_view t, size_t pos, bool lowercase_ok, size_t& end) {
  size_t p = pos;
  size_t name_end = pos;
  int tokens = 0;
  bool last_was_initial = false;
  while (tokens < 4) {
    if (starts_capitalised(t, p)) {
      size_t q = p + 1;
      while (q < t.size() && name_byte(t, q)) ++q;
      if (q - p == 1 || (q - p == 2 && is_non_ascii(t[p]))) {
        // An initial, with or without its dot.
        if (is_letter(at(t, q)) || is_digit(at(t, q))) break;
        if (at(t, q) == '.') ++q;
        last_was_initial = true;
      } else {
        if (is_digit(at(t, q)) || not_a_name(t, p, q)) break;
        last_was_initial = false;
      }
      name_end = q;
    } else if (lowercase_ok && is_lower(at(t, p)) && (tokens == 0 || last_was_initial)) {
      const size_t q = letters_end(t, p);
      if (q - p < 2 || !boundary_after(t, q) || not_a_name(t, p, q)) break;
      name_end = q;
      ++tokens;
      break;  // one lower-case word only: the next is usually not a name
    } else {
      break;
    }
    ++tokens;
    // Next token: after one space, or straight after an initial's dot
    // ("J.Bloggs").
    if (at(t, name_end) == ' ') {
      p = name_end + 1;
    } else if (last_was_initial && t[name_end - 1] == '.' && is_upper(at(t, name_end))) {
      p = name_end;
    } else {
      break;
    }
  }
  if (tokens == 0) return false;
  end = name_end;
  return true;
}

}  // namespace vigil::text_detail
