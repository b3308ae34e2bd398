// Byte classes for the redaction scanners. ASCII only: a byte of a UTF-8
// multi-byte character is neither a letter nor a digit here, so an identifier
// next to one (a curly quote, "№") still starts or ends at a boundary.
#pragma once

#include <cstddef>
#include <string_view>

namespace vigil::text_detail {

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
inline bool is_letter(char c) { return is_upper(c) || is_lower(c); }
inline bool is_alnum(char c) { return is_letter(c) || is_digit(c); }
inline bool is_non_ascii(char c) { return static_cast<unsigned char>(c) >= 0x80; }
inline char to_lower(char c) { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

// The byte at `i`, or NUL past the end (so scanners need no bounds checks
// beyond reading through this).
inline char at(std::string_view t, size_t i) { return i < t.size() ? t[i] : '\0'; }

// True when `t` at `pos` starts with `word` (lower case), ignoring case.
inline bool starts_with_ci(std::string_view t, size_t pos, std::string_view word) {
  if (pos + word.size() > t.size()) return false;
  for (size_t k = 0; k < word.size(); ++k)
    if (to_lower(t[pos + k]) != word[k]) return false;
  return true;
}

// True when no ASCII letter or digit touches position `pos` from the left.
inline bool boundary_before(std::string_view t, size_t pos) {
  return pos == 0 || !is_alnum(t[pos - 1]);
}
inline bool boundary_after(std::string_view t, size_t pos) { return !is_alnum(at(t, pos)); }

// The end of the run of ASCII letters from `pos`.
inline size_t letters_end(std::string_view t, size_t pos) {
  while (pos < t.size() && is_letter(t[pos])) ++pos;
  return pos;
}
inline size_t digits_end(std::string_view t, size_t pos) {
  while (pos < t.size() && is_digit(t[pos])) ++pos;
  return pos;
}

}  // namespace vigil::text_detail
