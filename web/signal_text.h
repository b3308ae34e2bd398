// How the review application words a signal for people: names beside
// codes, numbers as a reader wants them, the plain-English summary, the
// report links. Shared by the pages, the API and the weekly digest so that
// all three say the same thing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/signal.h"
#include "review/reference_names.h"
#include "review/review_store.h"

namespace vigil {

// "Name (code)" or the code, as ReferenceNames::label.
struct KeyLabel {
  std::string dimension;
  std::string code;
  std::string name;   // empty when the reference tables have none
  std::string label;  // "Name (code)" or "code"
};
std::vector<KeyLabel> key_labels(const std::vector<KeyPart>& key, const ReferenceNames& names);

// "category Medication incidents (medication), region London (Y56)"; "(all)" for an empty key.
std::string key_title(const std::vector<KeyPart>& key, const ReferenceNames& names);

// Whole numbers without decimals, others with two; "n/a" for NaN.
std::string readable_number(double value);

// One paragraph: who flagged what, the counts against expected and
// threshold, severity and spread, and where it stands in its lifecycle.
std::string plain_summary(const SignalRow& row, const ReferenceNames& names);

// "YYYY-MM-DD HH:MM UTC" of Unix milliseconds.
std::string format_time_ms(int64_t unix_ms);
// RFC 3339 in UTC with milliseconds, e.g. "2024-03-01T09:30:00.000Z".
std::string rfc3339_ms(int64_t unix_ms);

// The report's link from `url_template` ("{id}" replaced by the URL-encoded
// id, every occurrence); empty when the template is empty.
std::string report_url(std::string_view url_template, std::string_view report_id);

// The signal's own unit on its funnel plot: the first point whose unit's
// values (joined by ',' for a unit of several dimensions) are all values of
// the signal's key; empty when none is. `dimension` is set to the key
// dimension of a one-value unit (for its name), else left empty.
std::string own_funnel_unit(const Signal& s, std::string* dimension);

// "2024-W05" for a date: its ISO week.
std::string iso_week_label(Date date);

}  // namespace vigil
