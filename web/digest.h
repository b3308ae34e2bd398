// The weekly digest (`vigil digest --week YYYY-Www`): the signals that fired
// in one ISO week, highest priority first, each linked to its page, as
// Markdown or as HTML for an email.
#pragma once

#include <string>
#include <string_view>

#include "core/civil_date.h"
#include "core/result.h"
#include "review/reference_names.h"
#include "review/review_store.h"

namespace vigil {

enum class DigestFormat : uint8_t { kMarkdown, kHtml };

struct IsoWeek {
  std::string label;  // "2024-W05"
  Date monday, sunday;
};

// "YYYY-Www" (weeks 01..52, or 53 in a year that has one). Errors:
// kInvalidArgument naming the text.
Result<IsoWeek> parse_iso_week(std::string_view text);

// Every signal whose latest transition fired in `week` (open, resolved and
// decided alike), in priority order; links are `base_url` + "/signals/<id>"
// (relative when `base_url` is empty). Every text from a signal is escaped
// for the format.
Result<std::string> render_digest(const ReviewStore& store, const IsoWeek& week,
                                  DigestFormat format, std::string_view base_url,
                                  const ReferenceNames& names);

}  // namespace vigil
