// NHS numbers and UK telephone numbers: runs of digit groups. Both are read
// from the same groups so that a number is claimed once, by the kind whose
// shape it fits best.
#include <array>
#include <string>

#include "text/char_class.h"
#include "text/nhs_number.h"
#include "text/recognisers.h"

namespace vigil::text_detail {
namespace {

struct Group {
  size_t begin;
  size_t end;
};
constexpr size_t kMaxGroups = 6;
constexpr size_t kMaxDigits = 16;

bool is_nbsp(std::string_view t, size_t i) {
  return static_cast<unsigned char>(at(t, i)) == 0xC2 && static_cast<unsigned char>(at(t, i + 1)) == 0xA0;
}

// The separator between two groups from `pos`: up to three spaces, dashes,
// non-breaking spaces and brackets ("(0161) 496"), or one dot. Returns the
// next group's start, or `pos` when no digit follows a separator.
size_t skip_group_separator(std::string_view t, size_t pos) {
  size_t p = pos;
  if (at(t, p) == '.') {
    ++p;
  } else {
    int count = 0;
    int brackets = 0;
    while (count < 3) {
      const char c = at(t, p);
      if (c == ' ' || c == '-') {
        ++p;
      } else if ((c == '(' || c == ')') && brackets == 0) {
        ++p;
        ++brackets;
      } else if (is_nbsp(t, p)) {
        p += 2;
      } else {
        break;
      }
      ++count;
    }
  }
  return p > pos && is_digit(at(t, p)) ? p : pos;
}

// Digits of groups [first, last] concatenated.
std::string digits_of(std::string_view t, const std::array<Group, kMaxGroups>& g, size_t first,
                      size_t last) {
  std::string d;
  for (size_t k = first; k <= last; ++k) d.append(t.substr(g[k].begin, g[k].end - g[k].begin));
  return d;
}

// A UK number: 0 then 9 or 10 digits starting 1, 2, 3, 5, 7 or 8, or the
// same after 44 / 0044 (a "(0)" after the country code is allowed).
bool uk_phone_digits(std::string_view d, bool plus) {
  std::string_view national;
  if (plus) {
    if (d.substr(0, 2) != "44") return false;
    national = d.substr(2);
    if (!national.empty() && national[0] == '0') national.remove_prefix(1);
  } else if (d.substr(0, 4) == "0044") {
    national = d.substr(4);
    if (!national.empty() && national[0] == '0') national.remove_prefix(1);
  } else if (d.size() >= 2 && d[0] == '0' && d[1] != '0') {
    national = d.substr(1);
  } else {
    return false;
  }
  if (national.size() != 9 && national.size() != 10) return false;
  const char first = national[0];
  return first == '1' || first == '2' || first == '3' || first == '5' || first == '7' ||
         first == '8';
}

}  // namespace

size_t recognise_digit_groups(std::string_view t, size_t pos, bool plus, Spans& out) {
  std::array<Group, kMaxGroups> g{};
  size_t count = 0;
  size_t total = 0;
  size_t p = pos;
  while (count < kMaxGroups && total <= kMaxDigits) {
    const size_t e = digits_end(t, p);
    g[count++] = Group{p, e};
    total += e - p;
    // A group glued to a letter ("123AB") ends the run: it is a code, not
    // part of a number.
    if (is_letter(at(t, e))) break;
    const size_t next = skip_group_separator(t, e);
    if (next == e) break;
    p = next;
  }
  // The last group counts only when it ends at a boundary.
  const bool last_clean = boundary_after(t, g[count - 1].end);
  const size_t usable = last_clean ? count : count - 1;
  const size_t first_token_end = g[0].end;

  auto size_of = [&](size_t k) { return g[k].end - g[k].begin; };
  size_t resume = first_token_end;
  size_t k = 0;
  while (k < usable) {
    if (plus && k > 0) break;  // after '+', only a number from the country code
    bool claimed = false;
    if (!plus) {
      // NHS number: whole groups of at least two digits adding up to ten.
      size_t sum = 0;
      for (size_t j = k; j < usable && j < k + 4 && size_of(j) >= 2; ++j) {
        sum += size_of(j);
        if (sum > 10) break;
        if (sum < 10) continue;
        const std::string d = digits_of(t, g, k, j);
        if (!valid_nhs_number(d)) break;
        // A valid 10-digit number starting 0 in a telephone's grouping
        // ("01632 960001") is taken as the telephone number.
        const bool nhs_grouping =
            j == k || (j == k + 2 && size_of(k) == 3 && size_of(k + 1) == 3);
        const auto kind = d[0] == '0' && !nhs_grouping && uk_phone_digits(d, false)
                              ? IdentifierKind::kPhoneNumber
                              : IdentifierKind::kNhsNumber;
        out.push_back(IdentifierSpan{g[k].begin, g[j].end, kind});
        resume = g[j].end;
        k = j + 1;
        claimed = true;
        break;
      }
    }
    if (claimed) continue;
    if (plus || (t[g[k].begin] == '0' && size_of(k) >= 3)) {
      // Telephone: the longest run of whole groups that is a UK number.
      size_t best = usable;
      size_t sum = 0;
      for (size_t j = k; j < usable; ++j) {
        sum += size_of(j);
        if (sum > 14) break;
        if (sum >= 10 && uk_phone_digits(digits_of(t, g, k, j), plus)) best = j;
      }
      if (best != usable) {
        size_t begin = plus ? g[k].begin - 1 : g[k].begin;
        // "(0161) 496 0000": the bracket opened before the area code is part of it.
        if (!plus && begin > 0 && t[begin - 1] == '(' && best > k &&
            t.substr(g[k].end, g[k + 1].begin - g[k].end).find(')') != std::string_view::npos)
          --begin;
        out.push_back(IdentifierSpan{begin, g[best].end, IdentifierKind::kPhoneNumber});
        resume = g[best].end;
        k = best + 1;
        continue;
      }
    }
    ++k;
  }
  return resume;
}

}  // namespace vigil::text_detail
