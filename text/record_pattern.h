// The pattern language for local hospital / MRN-style numbers
// (RedactionRules::record_number_patterns): a small, bounded subset of
// regular expressions, compiled here and matched only at word starts, so a
// trust's pattern can neither run away (no unbounded repetition, no nested
// groups) nor slow the scan of text that has no digits in reach.
//
//   \d  a digit            \a  an ASCII letter        \w  a letter or digit
//   \s  a space or tab     \.  \( \) \[ \{ \? \\ ...   that character
//   [A-Z0-9]  a class of characters and ranges, matched exactly as written
//   x   any other printable ASCII character; letters match either case
//   ?  {n}  {m,n}  repeat the previous item (at most 20 times)
//   ( ... )   at most one group: the part that is redacted (default: all),
//             so a cue word ("MRN") can stay readable
//
// A match must begin and end at a word boundary (no letter or digit just
// outside it), must contain at least one digit-only item (\d or a class of
// digits) with a minimum count of at least one, and spans at most 48 bytes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigil {

class RecordPattern {
 public:
  // Fails (kInvalidArgument) with a message naming the problem.
  static Result<RecordPattern> compile(std::string_view pattern);

  // When the pattern matches `text` from `pos` (a word start): sets
  // [begin, end) to the part to redact and returns true.
  bool match(std::string_view text, size_t pos, size_t& begin, size_t& end) const;

  // Cheap pre-checks the scanner uses before match(): can a match start
  // with byte `c`, and how far can a match reach (so a word start with no
  // digit within that distance is skipped).
  bool may_start_with(char c) const {
    const auto b = static_cast<unsigned char>(c);
    return (first_bytes_[b >> 6] >> (b & 63)) & 1;
  }
  size_t max_length() const { return max_length_; }

 private:
  struct Item {
    std::array<uint64_t, 2> bytes{};  // the ASCII bytes it accepts
    uint8_t min = 1;
    uint8_t max = 1;
  };
  bool match_from(size_t item, std::string_view text, size_t pos, size_t& end,
                  size_t& group_begin, size_t& group_end) const;

  std::vector<Item> items_;
  size_t group_first_ = 0;  // items [group_first_, group_last_) are redacted
  size_t group_last_ = 0;
  size_t max_length_ = 0;
  std::array<uint64_t, 4> first_bytes_{};
};

}  // namespace vigil
