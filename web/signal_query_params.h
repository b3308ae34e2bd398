// The queue's filters as URL query parameters, shared by the queue page
// (`/?detector=...`) and the API (`/api/v1/signals?detector=...`):
//   status     open (default) | resolved | all
//   state      new | under_review | validated | dismissed | known_issue | closed
//   severity   low | medium | high | critical (at least this severity)
//   detector, method, region, org, medication, device, category   exact match
//   from, to   YYYY-MM-DD: the judged period overlaps [from, to]
//   fired_from, fired_to   YYYY-MM-DD: last fired within
//   text       case-insensitive substring of the key's codes and names
//   offset, limit   paging (limit 1..500, default 50)
// Empty values do not filter, so an unfilled form field changes nothing.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "review/review_store.h"

namespace vigil {

// Errors: kInvalidArgument naming the parameter (unknown name, bad value).
Result<SignalQuery> parse_signal_query(std::string_view query_string);

// The query string that gives `q` back (parameters at their defaults left
// out), e.g. for the queue's paging links.
std::string signal_query_string(const SignalQuery& q);

}  // namespace vigil
