// The hand-written recognisers behind Redactor::find (text/redaction.cc),
// one per shape of identifier. Each looks at one position of the text (a
// word start, found by the driver's single left-to-right pass) and reads
// only as far as its shape reaches, so the whole scan stays linear.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "text/redaction.h"

namespace vigil::text_detail {

using Spans = std::vector<IdentifierSpan>;

// E-mail addresses, found in a pre-pass from each '@' (memchr), in order.
void find_email_addresses(std::string_view t, Spans& out);

struct DateMatch {
  size_t end = 0;
  int year = -1;          // as written: 1950, or 50 for a two-digit year
  bool two_digit_year = false;
  bool full = false;      // day, month and year
};
// A date starting at `pos`: 12/03/1950, 12-03-50, 12.3.1950, 1950-03-12,
// 12 March 1950, 12th Mar 1950, March 12, 1950. With `partial_ok` (after a
// date-of-birth cue) also 03/1950, March 1950 and a bare year 1950.
bool match_date(std::string_view t, size_t pos, bool partial_ok, DateMatch& m);
// A full date with a year no incident report of the national system (2003
// on) is dated: 1880-1999, or a two-digit year 30-99.
bool birth_year_like(const DateMatch& m);

// The digit groups from `pos` (a digit at a word start; with `plus`, the
// digit after a '+'), joined by spaces, dashes or brackets: NHS numbers and
// UK phone numbers among them are appended to `out`. Returns where the scan
// resumes (after the last identifier, else after the first group).
size_t recognise_digit_groups(std::string_view t, size_t pos, bool plus, Spans& out);

// A UK postcode from `pos` (a letter at a word start); sets `end`.
bool match_postcode(std::string_view t, size_t pos, size_t& end);

// A person's name from `pos` (just after a cue and its spaces): capitalised
// words and initials ("J. Bloggs", "Anne-Marie O'Neil", "SMITH"); with
// `lowercase_ok` also a single lower-case surname ("mr smith"). Sets `end`.
bool match_name(std::string_view t, size_t pos, bool lowercase_ok, size_t& end);

// Cue words at a letter word start [pos, word_end): titles and "patient X"
// (names), "DOB"/"born"/"date of birth" (dates of birth), month-first dates,
// "NHS1234567890". Appends what it finds and returns where the scan
// resumes, or `pos` when the word is no cue.
size_t recognise_cue_word(std::string_view t, size_t pos, size_t word_end, Spans& out);

// Month number (1-12) of an English month name or abbreviation in
// t[pos, end), or 0.
int month_number(std::string_view t, size_t pos, size_t end);

}  // namespace vigil::text_detail
