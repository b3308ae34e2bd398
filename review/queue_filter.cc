#include "review/queue_filter.h"

#include <climits>
#include <string_view>
#include <utility>

#include "review/search_text.h"

namespace vigil {
namespace {

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// An FTS5 phrase matching `text` as it is: in double quotes, quotes doubled.
std::string fts_phrase(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

}  // namespace

Result<SqlFilter> queue_filter(const SignalQuery& q) {
  std::string where;
  std::vector<SqlValue> bindings;
  const auto condition = [&where](std::string_view sql) {
    where += where.empty() ? " WHERE " : " AND ";
    where += sql;
  };
  if (q.status == "open") {
    condition("is_open = 1");
  } else if (q.status == "resolved") {
    condition("is_open = 0");
  } else if (q.status != "all") {
    return make_error(ErrorKind::kInvalidArgument,
                      "status: expected open, resolved or all, not " + q.status);
  }
  if (q.state) {
    condition("review_state = ?");
    bindings.emplace_back(std::string(to_string(*q.state)));
  } else if (!q.include_suppressed) {
    condition("suppressed = 0");
  }
  if (!q.detector.empty()) {
    condition("detector = ?");
    bindings.emplace_back(q.detector);
  }
  if (!q.method.empty()) {
    condition("method = ?");
    bindings.emplace_back(q.method);
  }
  if (q.severity) {
    condition("severity >= ?");
    bindings.emplace_back(static_cast<int64_t>(*q.severity));
  }
  const std::pair<std::string_view, const std::string*> key_filters[] = {
      {"region", &q.region}, {"org", &q.org},           {"medication", &q.medication},
      {"device", &q.device}, {"category", &q.category},
  };
  for (const auto& [dimension, value] : key_filters) {
    if (value->empty()) continue;
    condition("signal_id IN (SELECT signal_id FROM key_parts WHERE dimension = ? AND value = ?)");
    bindings.emplace_back(std::string(dimension));
    bindings.emplace_back(*value);
  }
  if (q.from) {
    condition("period_end >= ?");
    bindings.emplace_back(static_cast<int64_t>(q.from->days));
  }
  if (q.to) {
    condition("period_start <= ?");
    bindings.emplace_back(static_cast<int64_t>(q.to->days));
  }
  if (q.fired_from || q.fired_to) {
    // Any transition in the range, not only the latest: a week's signals
    // stay that week's when they are updated later.
    condition("signal_id IN (SELECT signal_id FROM lifecycle WHERE fired_at BETWEEN ? AND ?)");
    bindings.emplace_back(static_cast<int64_t>(q.fired_from ? q.fired_from->days : INT32_MIN));
    bindings.emplace_back(static_cast<int64_t>(q.fired_to ? q.fired_to->days : INT32_MAX));
  }
  if (!q.text.empty()) {
    const std::string needle = lowercase_ascii(q.text);
    if (needle.find('\n') != std::string::npos) {
      condition("0");  // the search text's line breaks separate key parts
    } else if (utf8_length(needle) >= 3) {
      condition("id IN (SELECT rowid FROM signal_search WHERE signal_search MATCH ?)");
      bindings.emplace_back(fts_phrase(needle));
    } else {
      // Too short for a trigram: every row's text is read.
      condition("id IN (SELECT rowid FROM signal_search WHERE instr(text, ?) > 0)");
      bindings.emplace_back(needle);
    }
  }
  return SqlFilter{std::move(where), std::move(bindings)};
}

}  // namespace vigil
