#include "text/record_pattern.h"

#include "text/char_class.h"

namespace vigil {
namespace {

using text_detail::boundary_after;
using text_detail::boundary_before;

constexpr size_t kMaxMatchLength = 48;
constexpr uint8_t kMaxRepeat = 20;
constexpr size_t kMaxItems = 24;
// Bounds the backtracking of one match attempt; a pattern within the limits
// above never needs nearly this many steps on real text.
constexpr int kMaxSteps = 4096;

Error invalid(std::string_view pattern, const std::string& why) {
  return make_error(ErrorKind::kInvalidArgument,
                    "record number pattern \"" + std::string(pattern) + "\": " + why);
}

void add(std::array<uint64_t, 2>& set, char c) {
  const auto b = static_cast<unsigned char>(c);
  set[b >> 6] |= uint64_t{1} << (b & 63);
}
void add_range(std::array<uint64_t, 2>& set, char lo, char hi) {
  for (char c = lo; c <= hi; ++c) add(set, c);
}
bool has(const std::array<uint64_t, 2>& set, char c) {
  const auto b = static_cast<unsigned char>(c);
  return b < 128 && ((set[b >> 6] >> (b & 63)) & 1);
}

// The set a backslash escape names; false when the escape is unknown.
bool escape_set(char c, std::array<uint64_t, 2>& set) {
  switch (c) {
    case 'd':
      add_range(set, '0', '9');
      return true;
    case 'a':
      add_range(set, 'a', 'z');
      add_range(set, 'A', 'Z');
      return true;
    case 'w':
      add_range(set, 'a', 'z');
      add_range(set, 'A', 'Z');
      add_range(set, '0', '9');
      return true;
    case 's':
      add(set, ' ');
      add(set, '\t');
      return true;
    default:
      if (c > ' ' && c < 127 && !text_detail::is_alnum(c)) {
        add(set, c);
        return true;
      }
      return false;
  }
}

bool only_digits(const std::array<uint64_t, 2>& set) {
  std::array<uint64_t, 2> digits{};
  add_range(digits, '0', '9');
  return set[0] != 0 && (set[0] & ~digits[0]) == 0 && set[1] == 0;
}

}  // namespace

Result<RecordPattern> RecordPattern::compile(std::string_view p) {
  RecordPattern out;
  if (p.empty()) return invalid(p, "is empty");
  bool group_open = false;
  bool had_group = false;
  bool last_quantified = true;  // nothing to quantify yet
  size_t i = 0;
  while (i < p.size()) {
    const char c = p[i];
    if (c < ' ' || c >= 127) return invalid(p, "only printable ASCII characters are allowed");
    if (c == '(') {
      if (had_group || group_open) return invalid(p, "at most one group ( ) is allowed");
      group_open = true;
      out.group_first_ = out.items_.size();
      last_quantified = true;
      ++i;
      continue;
    }
    if (c == ')') {
      if (!group_open) return invalid(p, "')' without '('");
      if (out.items_.size() == out.group_first_) return invalid(p, "the group is empty");
      group_open = false;
      had_group = true;
      out.group_last_ = out.items_.size();
      last_quantified = true;  // a group cannot be repeated
      ++i;
      continue;
    }
    if (c == '?' || c == '{') {
      if (last_quantified) return invalid(p, std::string("'") + c + "' repeats nothing");
      Item& item = out.items_.back();
      if (c == '?') {
        item.min = 0;
        ++i;
      } else {
        const size_t close = p.find('}', i);
        if (close == std::string_view::npos) return invalid(p, "'{' without '}'");
        const std::string_view body = p.substr(i + 1, close - i - 1);
        const size_t comma = body.find(',');
        auto number = [](std::string_view s, int& v) {
          if (s.empty() || s.size() > 2) return false;
          v = 0;
          for (char d : s) {
            if (!text_detail::is_digit(d)) return false;
            v = v * 10 + (d - '0');
          }
          return true;
        };
        int lo = 0;
        int hi = 0;
        if (comma == std::string_view::npos) {
          if (!number(body, lo)) return invalid(p, "bad repeat {" + std::string(body) + "}");
          hi = lo;
        } else if (!number(body.substr(0, comma), lo) || !number(body.substr(comma + 1), hi)) {
          return invalid(p, "bad repeat {" + std::string(body) + "} (write {m,n}, both bounded)");
        }
        if (hi < lo || hi == 0 || hi > kMaxRepeat)
          return invalid(p, "repeat {" + std::string(body) + "} must have 0 <= m <= n <= 20, n > 0");
        item.min = static_cast<uint8_t>(lo);
        item.max = static_cast<uint8_t>(hi);
        i = close + 1;
      }
      last_quantified = true;
      continue;
    }
    if (c == '*' || c == '+')
      return invalid(p, "unbounded repetition is not allowed; write {m,n}");
    if (c == '|') return invalid(p, "alternation is not supported; list separate patterns");
    if (c == '.' || c == '^' || c == '$' || c == '}' || c == ']')
      return invalid(p, std::string("write \\") + c + " for a literal '" + c + "'");
    Item item;
    if (c == '[') {
      size_t k = i + 1;
      while (k < p.size() && p[k] != ']') {
        char lo = p[k];
        if (lo < ' ' || lo >= 127) return invalid(p, "only printable ASCII characters are allowed");
        if (lo == '\\') {
          if (k + 1 >= p.size() || !escape_set(p[k + 1], item.bytes))
            return invalid(p, "unknown escape in a class");
          k += 2;
          continue;
        }
        if (k + 2 < p.size() && p[k + 1] == '-' && p[k + 2] != ']') {
          const char hi = p[k + 2];
          if (hi < lo) return invalid(p, "reversed range in a class");
          add_range(item.bytes, lo, hi);
          k += 3;
        } else {
          add(item.bytes, lo);
          ++k;
        }
      }
      if (k >= p.size()) return invalid(p, "'[' without ']'");
      if (item.bytes[0] == 0 && item.bytes[1] == 0) return invalid(p, "empty class");
      i = k + 1;
    } else if (c == '\\') {
      if (i + 1 >= p.size() || !escape_set(p[i + 1], item.bytes))
        return invalid(p, "unknown escape");
      i += 2;
    } else {
      add(item.bytes, c);
      if (text_detail::is_letter(c)) {
        add(item.bytes, static_cast<char>(c ^ 0x20));  // the other case
      }
      ++i;
    }
    out.items_.push_back(item);
    if (out.items_.size() > kMaxItems) return invalid(p, "is too long");
    last_quantified = false;
  }
  if (group_open) return invalid(p, "'(' without ')'");
  if (!had_group) {
    out.group_first_ = 0;
    out.group_last_ = out.items_.size();
  }
  if (out.items_.empty()) return invalid(p, "matches nothing");
  bool needs_digit = false;
  for (const Item& item : out.items_) {
    out.max_length_ += item.max;
    if (item.min > 0 && only_digits(item.bytes)) needs_digit = true;
  }
  if (!needs_digit)
    return invalid(p, "must require at least one digit (\\d or a class of digits), "
                      "or it would match ordinary words");
  if (out.max_length_ > kMaxMatchLength)
    return invalid(p, "can match more than 48 characters");
  for (const Item& item : out.items_) {
    out.first_bytes_[0] |= item.bytes[0];
    out.first_bytes_[1] |= item.bytes[1];
    if (item.min > 0) break;
  }
  return out;
}

bool RecordPattern::match(std::string_view text, size_t pos, size_t& begin, size_t& end) const {
  if (!boundary_before(text, pos)) return false;
  int steps = 0;
  size_t match_end = 0;
  struct Walk {
    const RecordPattern& p;
    std::string_view text;
    int& steps;
    size_t group_begin = 0;
    size_t group_end = 0;
    bool run(size_t k, size_t at, size_t& out_end) {
      if (++steps > kMaxSteps) return false;
      if (k == p.group_first_) group_begin = at;
      if (k == p.group_last_) group_end = at;
      if (k == p.items_.size()) {
        if (!boundary_after(text, at)) return false;
        out_end = at;
        return true;
      }
      const Item& item = p.items_[k];
      size_t n = 0;
      while (n < item.max && at + n < text.size() && has(item.bytes, text[at + n])) ++n;
      if (n < item.min) return false;
      for (size_t take = n + 1; take-- > item.min;) {
        // The successful path is the last to enter each level, so the
        // group bounds it set are the ones left.
        if (run(k + 1, at + take, out_end)) return true;
      }
      return false;
    }
  } walk{*this, text, steps};
  if (!walk.run(0, pos, match_end)) return false;
  begin = walk.group_begin;
  end = walk.group_end;
  return end > begin;
}

}  // namespace vigil
