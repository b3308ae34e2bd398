// The JSON of the review API (contract §3, web/openapi.yaml): the queue,
// one signal with everything its page shows, a decision, an error. Written
// with core/json_writer.h, so every string is escaped as JSON and the
// output is byte-stable.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/signal.h"
#include "review/decision.h"
#include "review/reference_names.h"
#include "review/review_options.h"
#include "review/review_store.h"

namespace vigil {

// GET /api/v1/signals: {"total", "offset", "limit", "as_of", "items": [...],
// "next"?, "prev"?} with paging links that keep the filters.
std::string signal_page_json(const SignalPage& page, const SignalQuery& query,
                             std::optional<Date> as_of, const ReferenceNames& names);

// GET /api/v1/signals/{id}: the row's members, then the latest
// transition's evidence, statistics, 2x2 table, strata, series and funnel
// (from `latest`, the decoded CloudEvent, when it could be decoded), the
// lifecycle and the decisions.
std::string signal_detail_json(const SignalDetail& detail, const std::optional<Signal>& latest,
                               const ReferenceNames& names, const ReviewOptions& options);

// A stored decision (the 201 answer of POST .../decisions, and each item of
// a signal's "decisions").
std::string decision_json(const Decision& d);

// {"error": message}
std::string error_json(std::string_view message);

}  // namespace vigil
