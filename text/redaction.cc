// The driver of redaction: one left-to-right pass over the text that stops
// only at the start of each token (a run of ASCII letters and digits) and
// hands it to the recognisers its first byte can begin (text/recognisers.h).
// A token no recogniser claims is skipped whole, so text with no
// identifiers costs little more than reading it.
#include "text/redaction.h"

#include "text/char_class.h"
#include "text/recognisers.h"

namespace vigil {
namespace {

using namespace text_detail;

size_t alnum_end(std::string_view t, size_t pos) {
  while (pos < t.size() && is_alnum(t[pos])) ++pos;
  return pos;
}

// The word that ends just before `end` (skipping up to three spaces or
// punctuation), as [begin, end) in `word`; empty when there is none.
std::string_view word_before(std::string_view t, size_t end) {
  size_t e = end;
  for (int k = 0; k < 3 && e > 0 && !is_alnum(t[e - 1]); ++k) --e;
  if (e == end && end > 0) return {};
  size_t b = e;
  while (b > 0 && is_letter(t[b - 1])) --b;
  return t.substr(b, e - b);
}

bool equals_ci(std::string_view word, std::string_view lower) {
  return word.size() == lower.size() && starts_with_ci(word, 0, lower);
}

// After "lot", "batch", "serial (no)", "SN", "model", "catalogue" or "part"
// a number is a product's, not a patient's. ("ref" is not among them: a
// patient's record is referred to that way too.)
bool after_product_code_word(std::string_view t, size_t pos) {
  std::string_view w = word_before(t, pos);
  using namespace std::string_view_literals;
  if (equals_ci(w, "no"sv) || equals_ci(w, "number"sv) || equals_ci(w, "num"sv)) {
    w = word_before(t, static_cast<size_t>(w.data() - t.data()));
  }
  static constexpr std::string_view kProductWords[] = {
      "lot", "batch", "serial", "sn", "model", "catalogue", "cat", "part", "version"};
  for (std::string_view cue : kProductWords) {
    if (equals_ci(w, cue)) return true;
  }
  // "S/N 12345": the word before is "N", after "S/".
  const size_t w_at = static_cast<size_t>(w.data() - t.data());
  return equals_ci(w, "n"sv) && w_at >= 2 && t[w_at - 1] == '/' && to_lower(t[w_at - 2]) == 's';
}

// A date written just after a person's name ("Mrs Smith (12/03/2016)").
bool follows_name(const Spans& out, std::string_view t, size_t pos) {
  if (out.empty() || out.back().kind != IdentifierKind::kPersonName) return false;
  const size_t gap = pos - out.back().end;
  if (gap > 3) return false;
  for (size_t i = out.back().end; i < pos; ++i)
    if (t[i] != ' ' && t[i] != ',' && t[i] != '(') return false;
  return true;
}

}  // namespace

std::string_view placeholder(IdentifierKind kind) {
  switch (kind) {
    case IdentifierKind::kNhsNumber: return "[nhs_number]";
    case IdentifierKind::kDateOfBirth: return "[date_of_birth]";
    case IdentifierKind::kPostcode: return "[postcode]";
    case IdentifierKind::kPhoneNumber: return "[phone_number]";
    case IdentifierKind::kEmailAddress: return "[email_address]";
    case IdentifierKind::kRecordNumber: return "[record_number]";
    case IdentifierKind::kPersonName: return "[person_name]";
  }
  return "[identifier]";
}

Result<Redactor> Redactor::make(const RedactionRules& rules) {
  Redactor redactor;
  for (const std::string& pattern : rules.record_number_patterns) {
    auto compiled = RecordPattern::compile(pattern);
    if (!compiled) return compiled.error();
    redactor.record_patterns_.push_back(std::move(compiled).value());
  }
  return redactor;
}

bool Redactor::match_record_number(std::string_view t, size_t pos, size_t next_digit,
                                   IdentifierSpan& span) const {
  for (const RecordPattern& pattern : record_patterns_) {
    if (!pattern.may_start_with(t[pos]) || next_digit - pos >= pattern.max_length()) continue;
    size_t begin = 0;
    size_t end = 0;
    if (pattern.match(t, pos, begin, end)) {
      span = IdentifierSpan{begin, end, IdentifierKind::kRecordNumber};
      return true;
    }
  }
  return false;
}

std::vector<IdentifierSpan> Redactor::find(std::string_view text) const {
  Spans out;
  Spans emails;
  find_into(text, out, emails);
  return out;
}

void Redactor::find_into(std::string_view text, Spans& out, Spans& emails) const {
  out.clear();
  emails.clear();
  find_email_addresses(text, emails);
  size_t next_email = 0;
  size_t next_digit = 0;  // the first digit at or after the scan (lazily)
  bool next_digit_known = false;
  size_t i = 0;
  while (i < text.size()) {
    // The recognisers see the text only up to the next e-mail address, so
    // none of them can claim part of one.
    const size_t limit = next_email < emails.size() ? emails[next_email].begin : text.size();
    if (i >= limit) {
      out.push_back(emails[next_email]);
      i = emails[next_email++].end;
      continue;
    }
    const std::string_view t = text.substr(0, limit);
    const char c = t[i];
    if (!is_alnum(c)) {
      if (c == '+' && is_digit(at(t, i + 1)) && boundary_before(t, i)) {
        const size_t before = out.size();
        const size_t resume = recognise_digit_groups(t, i + 1, true, out);
        if (out.size() > before) {
          i = resume;
          continue;
        }
      }
      ++i;
      continue;
    }
    // `i` starts a token: the scan always moves to the end of one.
    const size_t token_end = alnum_end(t, i);
    size_t resume = i;
    if (is_letter(c)) resume = recognise_cue_word(t, i, letters_end(t, i), out);
    const size_t cue_spans = out.size();
    if (resume == i) {
      if (is_digit(c)) {
        DateMatch date;
        if (match_date(t, i, false, date)) {
          if (birth_year_like(date) || follows_name(out, t, i))
            out.push_back(IdentifierSpan{i, date.end, IdentifierKind::kDateOfBirth});
          resume = date.end;
        } else {
          const size_t before = out.size();
          const size_t r = recognise_digit_groups(t, i, false, out);
          if (out.size() > before) resume = r;
        }
      } else {
        size_t end = 0;
        if (match_postcode(t, i, end)) {
          out.push_back(IdentifierSpan{i, end, IdentifierKind::kPostcode});
          resume = end;
        }
      }
      if (resume == i && !record_patterns_.empty()) {
        if (!next_digit_known || next_digit < i) {
          next_digit = i;
          while (next_digit < text.size() && !is_digit(text[next_digit])) ++next_digit;
          next_digit_known = true;
        }
        IdentifierSpan span;
        if (match_record_number(t, i, next_digit, span)) {
          out.push_back(span);
          resume = span.end;
        }
      }
    }
    // After "lot", "serial no" and the like, a number is a product's: what
    // the shape recognisers found here is dropped (checked only now, since
    // almost no token is a candidate).
    if (out.size() > cue_spans && after_product_code_word(t, i)) {
      out.resize(cue_spans);
      resume = i;
    }
    if (resume == i) {
      i = token_end;
      continue;
    }
    // Resume at a token start: never inside a run of letters and digits.
    i = resume;
    if (i > 0 && i < t.size() && is_alnum(t[i]) && is_alnum(t[i - 1])) i = alnum_end(t, i);
  }
}

std::string Redactor::redact(std::string_view text) const {
  Scratch scratch;
  std::string out;
  redact_into(text, scratch, out);
  return out;
}

void Redactor::redact_into(std::string_view text, Scratch& scratch, std::string& out,
                           bool lower_case) const {
  find_into(text, scratch.spans, scratch.emails);
  out.clear();
  out.reserve(text.size());
  size_t from = 0;
  for (const IdentifierSpan& span : scratch.spans) {
    out.append(text.substr(from, span.begin - from));
    out.append(placeholder(span.kind));
    from = span.end;
  }
  out.append(text.substr(from));
  if (lower_case) {
    for (char& c : out) c = to_lower(c);
  }
}

}  // namespace vigil
