// UK postcodes in full: an outward code (A9, A99, AA9, AA99, A9A, AA9A), an
// optional space, and an inward code (9AA), using the Royal Mail letter
// rules that keep ordinary words and doses ("5mg") out.
#include "text/char_class.h"
#include "text/recognisers.h"

namespace vigil::text_detail {
namespace {

bool letter_in(char c, std::string_view set) {
  return set.find(to_lower(c)) != std::string_view::npos;
}

// The inward code at `p`, letters not C, I, K, M, O or V, ending at a
// boundary.
bool inward(std::string_view t, size_t p) {
  return is_digit(at(t, p)) && is_letter(at(t, p + 1)) && is_letter(at(t, p + 2)) &&
         !letter_in(t[p + 1], "cikmov") && !letter_in(t[p + 2], "cikmov") &&
         boundary_after(t, p + 3);
}

// Upper case throughout, or lower case throughout when written with its
// space (a lower-case run without one is too often something else).
bool casing_ok(std::string_view t, size_t begin, size_t end, bool spaced) {
  bool upper = false;
  bool lower = false;
  for (size_t i = begin; i < end; ++i) {
    upper |= is_upper(t[i]);
    lower |= is_lower(t[i]);
  }
  if (upper && lower) return false;
  if (lower) {
    if (!spaced) return false;
    // "b12 3rd": an ordinal, not an inward code.
    const std::string_view tail = t.substr(end - 2, 2);
    if (tail == "st" || tail == "nd" || tail == "rd" || tail == "th") return false;
  }
  return true;
}

}  // namespace

bool match_postcode(std::string_view t, size_t pos, size_t& end) {
  size_t letters = 0;
  if (is_digit(at(t, pos + 1))) {
    letters = 1;
  } else if (is_letter(at(t, pos + 1)) && is_digit(at(t, pos + 2))) {
    letters = 2;
  } else {
    return false;
  }
  if (letter_in(t[pos], "qvx")) return false;
  if (letters == 2 && letter_in(t[pos + 1], "ijz")) return false;
  size_t p = pos + letters;
  if (!is_digit(at(t, p))) return false;
  ++p;
  // The outward code's optional last character: none, a digit or a letter.
  for (int tail = 0; tail < 3; ++tail) {
    size_t q = p;
    if (tail == 1) {
      if (!is_digit(at(t, q))) continue;
      ++q;
    } else if (tail == 2) {
      if (!is_letter(at(t, q))) continue;
      ++q;
    }
    const bool spaced = at(t, q) == ' ';
    const size_t in = spaced ? q + 1 : q;
    if (inward(t, in) && casing_ok(t, pos, in + 3, spaced)) {
      end = in + 3;
      return true;
    }
  }
  return false;
}

}  // namespace vigil::text_detail
