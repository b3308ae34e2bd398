// E-mail addresses: a local part, '@', and a domain of dotted labels whose
// last is at least two letters. Found from each '@' outwards, so text with
// no '@' costs one memchr.
#include <cstring>

#include "text/char_class.h"
#include "text/recognisers.h"

namespace vigil::text_detail {
namespace {

bool local_char(char c) {
  return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || c == '\'';
}

// The end of the domain from `p`, or `p` when there is no valid domain.
size_t domain_end(std::string_view t, size_t p) {
  size_t q = p;
  size_t last_label = p;
  int dots = 0;
  for (;;) {
    const size_t label = q;
    while (is_alnum(at(t, q)) || (at(t, q) == '-' && q > label)) ++q;
    if (q == label) return dots > 0 ? last_label - 1 : p;  // empty label: stop before the dot
    last_label = label;
    if (at(t, q) == '.' && is_alnum(at(t, q + 1))) {
      ++q;
      ++dots;
      continue;
    }
    break;
  }
  if (dots == 0) return p;
  // The top-level label: two or more letters.
  if (q - last_label < 2) return p;
  for (size_t i = last_label; i < q; ++i)
    if (!is_letter(t[i])) return p;
  return q;
}

}  // namespace

void find_email_addresses(std::string_view t, Spans& out) {
  size_t from = 0;
  while (from < t.size()) {
    const void* hit = std::memchr(t.data() + from, '@', t.size() - from);
    if (hit == nullptr) return;
    const size_t at_sign = static_cast<size_t>(static_cast<const char*>(hit) - t.data());
    size_t begin = at_sign;
    while (begin > from && local_char(t[begin - 1])) --begin;
    while (begin < at_sign && (t[begin] == '.' || t[begin] == '\'')) ++begin;
    const size_t end = domain_end(t, at_sign + 1);
    if (begin < at_sign && end > at_sign + 1) {
      out.push_back(IdentifierSpan{begin, end, IdentifierKind::kEmailAddress});
      from = end;
    } else {
      from = at_sign + 1;
    }
  }
}

}  // namespace vigil::text_detail
