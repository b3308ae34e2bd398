// Words that announce an identifier: titles and "patient" before a name,
// "DOB" and its kin before a date of birth. Also the month-first date form
// and an NHS number glued to "NHS".
#include <array>
#include <cstdint>

#include "text/char_class.h"
#include "text/recognisers.h"

namespace vigil::text_detail {
namespace {

struct Title {
  std::string_view word;
  // A strong title is unambiguous in any case and may be followed by a
  // lower-case surname ("mr smith"); a weak one ("miss", "nurse", "sister")
  // is a title only when capitalised, before a capitalised name.
  bool strong;
};
constexpr std::array<Title, 11> kTitles = {{{"mr", true},
                                            {"mrs", true},
                                            {"mx", true},
                                            {"dr", true},
                                            {"prof", true},
                                            {"professor", true},
                                            {"ms", false},
                                            {"miss", false},
                                            {"master", false},
                                            {"nurse", false},
                                            {"sister", false}}};

const Title* title_of(std::string_view lower) {
  for (const Title& title : kTitles)
    if (title.word == lower) return &title;
  return nullptr;
}

// The word at `pos` lower-cased into `buf` (at most 12 letters), or empty.
std::string_view lower_word(std::string_view t, size_t pos, size_t end, char (&buf)[12]) {
  if (end - pos > sizeof buf) return {};
  for (size_t i = pos; i < end; ++i) buf[i - pos] = to_lower(t[i]);
  return std::string_view(buf, end - pos);
}

bool next_word_is_title(std::string_view t, size_t p) {
  char buf[12];
  const size_t e = letters_end(t, p);
  return e > p && is_upper(t[p]) && title_of(lower_word(t, p, e, buf)) != nullptr;
}

// One or two spaces before a name; returns `pos` when there are none.
size_t skip_spaces(std::string_view t, size_t pos) {
  size_t p = pos;
  while (p - pos < 2 && at(t, p) == ' ') ++p;
  return p;
}

// What may stand between a date-of-birth cue and its date: punctuation,
// spaces and the words "on", "is", "was", "of", "-".
size_t skip_to_date(std::string_view t, size_t pos) {
  size_t p = pos;
  while (p - pos < 24) {
    const char c = at(t, p);
    if (c == ' ' || c == ':' || c == ';' || c == ',' || c == '-' || c == '=' || c == '(' ||
        c == '.' || c == '#') {
      ++p;
      continue;
    }
    const size_t e = letters_end(t, p);
    char buf[12];
    const std::string_view w = lower_word(t, p, e, buf);
    if (w == "on" || w == "is" || w == "was" || w == "of") {
      p = e;
      continue;
    }
    break;
  }
  return p;
}

size_t date_of_birth_cue_end(std::string_view t, std::string_view w, size_t we) {
  if (w == "dob" || w == "born" || w == "birthdate") return we;
  if (w == "d" && starts_with_ci(t, we, ".o.b")) return we + 4;
  if (w == "date" && starts_with_ci(t, we, " of birth")) return we + 9;
  if (w == "birth" && starts_with_ci(t, we, " date")) return we + 5;
  return 0;
}

}  // namespace

size_t recognise_cue_word(std::string_view t, size_t pos, size_t we, Spans& out) {
  // Every cue word and month name starts with one of these letters and is
  // at most nine long: most words are turned away here.
  constexpr uint32_t kCueInitials = (1u << ('a' - 'a')) | (1u << ('b' - 'a')) |
                                    (1u << ('d' - 'a')) | (1u << ('f' - 'a')) |
                                    (1u << ('j' - 'a')) | (1u << ('m' - 'a')) |
                                    (1u << ('n' - 'a')) | (1u << ('o' - 'a')) |
                                    (1u << ('p' - 'a')) | (1u << ('s' - 'a'));
  if (we - pos > 9 || ((kCueInitials >> (to_lower(t[pos]) - 'a')) & 1) == 0) return pos;
  char buf[12];
  const std::string_view w = lower_word(t, pos, we, buf);
  if (w.empty()) return pos;
  const bool capitalised = is_upper(t[pos]);

  if (const Title* title = title_of(w)) {
    if (!title->strong && !capitalised) return pos;
    if (w == "ms" && is_upper(t[pos + 1])) return pos;  // MS: multiple sclerosis
    size_t p = at(t, we) == '.' ? we + 1 : we;
    p = skip_spaces(t, p);
    if (p == we) return pos;
    size_t end = 0;
    if (match_name(t, p, title->strong, end)) {
      out.push_back(IdentifierSpan{p, end, IdentifierKind::kPersonName});
      return end;
    }
    return we;
  }

  if (w == "patient" || w == "pt" || w == "name" || w == "named") {
    size_t p = we;
    if (w == "name") {
      p = skip_spaces(t, p);
      if (at(t, p) != ':') return pos;
      ++p;
    } else if (at(t, p) == ':' || (w == "pt" && at(t, p) == '.')) {
      // "Pt." is an abbreviation; "patient." ends a sentence.
      ++p;
    }
    const size_t name_at = skip_spaces(t, p);
    if (name_at == p || next_word_is_title(t, name_at)) return we;
    size_t end = 0;
    if (match_name(t, name_at, false, end)) {
      out.push_back(IdentifierSpan{name_at, end, IdentifierKind::kPersonName});
      return end;
    }
    return we;
  }

  if (const size_t cue_end = date_of_birth_cue_end(t, w, we)) {
    const size_t p = skip_to_date(t, cue_end);
    DateMatch m;
    if (match_date(t, p, true, m)) {
      out.push_back(IdentifierSpan{p, m.end, IdentifierKind::kDateOfBirth});
      return m.end;
    }
    return cue_end;
  }

  if (w == "nhs" && is_digit(at(t, we))) {
    const size_t before = out.size();
    const size_t resume = recognise_digit_groups(t, we, false, out);
    return out.size() > before ? resume : we;
  }

  if (month_number(t, pos, we) != 0) {
    DateMatch m;
    if (match_date(t, pos, false, m)) {
      if (birth_year_like(m)) out.push_back(IdentifierSpan{pos, m.end, IdentifierKind::kDateOfBirth});
      return m.end;
    }
  }
  return pos;
}

}  // namespace vigil::text_detail
