// The review application's HTML pages, rendered from the mustache templates
// in web/templates/ (compiled into the binary). Every value that came from
// a signal goes through mustache's escaping ({{...}}); the only unescaped
// insertion is the chart's SVG, built by web/svg_chart.h with its own
// escaping of every text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/signal.h"
#include "review/reference_names.h"
#include "review/review_options.h"
#include "review/review_store.h"
#include "web/identity.h"

namespace vigil {

// `/`: the queue with its filter form, one row (tr.signal-row) per signal
// in priority order, and paging links.
std::string render_queue_page(const SignalPage& page, const SignalQuery& query,
                              std::optional<Date> as_of, const Identity& who,
                              const ReferenceNames& names);

// `/signals/{id}`: summary, key with names, chart, 2x2 table, statistics,
// strata, report ids, lifecycle, decisions and (for reviewers) the form.
// `latest`: the decoded latest transition, when it could be decoded.
std::string render_signal_page(const SignalDetail& detail, const std::optional<Signal>& latest,
                               const Identity& who, const ReferenceNames& names,
                               const ReviewOptions& options);

// A page for a failed request (unknown signal, bad filter).
std::string render_error_page(std::string_view heading, std::string_view message,
                              const Identity& who);

}  // namespace vigil
