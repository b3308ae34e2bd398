#include "review/decision.h"

#include <simdjson.h>

#include <cmath>
#include <functional>
#include <set>

#include "core/json_writer.h"

namespace vigil {
namespace {

namespace od = simdjson::ondemand;
using simdjson::SUCCESS;

// `prefix` names the document in messages ("" for a client's request, whose
// members the client knows by name; "decision." for a stored record).
Error invalid(std::string_view prefix, std::string_view member, std::string_view what) {
  return make_error(ErrorKind::kInvalidArgument,
                    std::string(prefix) + std::string(member) + ": " + std::string(what));
}

// Reads a JSON object member by member, handing each known member's value
// to `read` (which returns an error naming the member, or nothing). Unknown
// members are skipped, so a newer writer's additions do not break an older
// reader; a member given twice is an error, since which one counts would
// otherwise be the parser's choice.
using MemberReader = std::function<std::optional<Error>(std::string_view key, od::value& value)>;
std::optional<Error> read_members(std::string_view json, std::string_view prefix,
                                  std::string_view what, const std::set<std::string_view>& known,
                                  const MemberReader& read) {
  const simdjson::padded_string padded(json);
  od::parser parser;
  od::document doc;
  od::object object;
  const auto not_json = [&](simdjson::error_code e) {
    return make_error(ErrorKind::kInvalidArgument, std::string(what) + ": not a JSON object (" +
                                                       simdjson::error_message(e) + ")");
  };
  if (const auto e = parser.iterate(padded).get(doc)) return not_json(e);
  if (const auto e = doc.get_object().get(object)) return not_json(e);
  std::set<std::string_view> seen;
  for (auto member : object) {
    std::string_view key;
    if (const auto e = member.unescaped_key().get(key)) return not_json(e);
    od::value value;
    if (const auto e = member.value().get(value)) return not_json(e);
    const auto name = known.find(key);
    if (name == known.end()) continue;
    if (!seen.insert(*name).second) return invalid(prefix, *name, "given more than once");
    if (auto error = read(*name, value)) return error;
  }
  // current_location() fails only at the end of the input.
  if (!doc.current_location().error()) return not_json(simdjson::TRAILING_CONTENT);
  return std::nullopt;
}

bool is_null(od::value& value) {
  bool null = false;
  return value.is_null().get(null) == SUCCESS && null;
}

std::optional<Error> read_string(od::value& value, std::string_view prefix, std::string_view member,
                                 std::string& out) {
  std::string_view text;
  if (value.get_string().get(text) != SUCCESS) return invalid(prefix, member, "must be a string");
  out.assign(text);
  return std::nullopt;
}

std::optional<Error> read_int(od::value& value, std::string_view prefix, std::string_view member,
                              int64_t& out) {
  if (value.get_int64().get(out) != SUCCESS) return invalid(prefix, member, "must be an integer");
  return std::nullopt;
}

std::optional<Error> read_until(od::value& value, std::string_view prefix, std::optional<Date>& out) {
  if (is_null(value)) return std::nullopt;
  std::string_view text;
  std::optional<Date> date;
  if (value.get_string().get(text) == SUCCESS) date = parse_date(text);
  if (!date) return invalid(prefix, "until", "must be a date YYYY-MM-DD");
  out = date;
  return std::nullopt;
}

std::optional<Error> read_multiple(od::value& value, std::string_view prefix,
                                   std::optional<double>& out) {
  if (is_null(value)) return std::nullopt;
  double multiple = 0;
  if (value.get_double().get(multiple) != SUCCESS || !std::isfinite(multiple) || multiple <= 1) {
    return invalid(prefix, "renotify_multiple", "must be a number greater than 1");
  }
  out = multiple;
  return std::nullopt;
}

bool blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

Result<DecisionRequest> parse_decision_request(std::string_view json) {
  DecisionRequest request;
  std::optional<std::string> state_text;
  bool has_reason = false;
  const auto error = read_members(
      json, "", "request body", {"state", "reason", "until", "renotify_multiple"},
      [&](std::string_view key, od::value& value) -> std::optional<Error> {
        if (key == "state") {
          state_text.emplace();
          return read_string(value, "", key, *state_text);
        }
        if (key == "reason") {
          has_reason = true;
          return read_string(value, "", key, request.reason);
        }
        if (key == "until") return read_until(value, "", request.until);
        return read_multiple(value, "", request.renotify_multiple);
      });
  if (error) return *error;

  // A reviewer can record any state the contract names but "new", which
  // only a signal nobody has decided about is in.
  const auto state = state_text ? parse_review_state(*state_text) : std::nullopt;
  if (!state || *state == ReviewState::kNew) {
    return invalid("", "state",
                   "must be one of under_review, validated, dismissed, known_issue, closed");
  }
  request.state = *state;
  if (!has_reason || blank(request.reason)) return invalid("", "reason", "required");
  if (request.reason.size() > kMaxReasonBytes) {
    return invalid("", "reason", "at most " + std::to_string(kMaxReasonBytes) + " bytes");
  }
  if (!suppresses_notification(request.state)) {
    const std::string_view rule = "only a known_issue or dismissed decision suppresses notification";
    if (request.until) return invalid("", "until", rule);
    if (request.renotify_multiple) return invalid("", "renotify_multiple", rule);
  }
  return request;
}

std::string encode_decision(const Decision& d) {
  JsonWriter w;
  w.begin_object();
  w.key("decision_id").string_value(d.decision_id);
  w.key("signal_id").string_value(d.signal_id);
  w.key("state").string_value(to_string(d.state));
  w.key("reason").string_value(d.reason);
  w.key("reviewer").string_value(d.reviewer);
  w.key("time_ms").int_value(d.time_ms);
  if (d.until) w.key("until").string_value(format_date(*d.until));
  if (d.renotify_multiple) w.key("renotify_multiple").double_value(*d.renotify_multiple);
  w.key("observed_at_decision").int_value(d.observed_at_decision);
  w.end_object();
  return std::move(w).take();
}

Result<Decision> decode_decision(std::string_view json) {
  constexpr std::string_view kPrefix = "decision.";
  Decision d;
  std::set<std::string_view> present;
  const auto error = read_members(
      json, kPrefix, "decision",
      {"decision_id", "signal_id", "state", "reason", "reviewer", "time_ms", "until",
       "renotify_multiple", "observed_at_decision"},
      [&](std::string_view key, od::value& value) -> std::optional<Error> {
        present.insert(key);
        if (key == "decision_id") return read_string(value, kPrefix, key, d.decision_id);
        if (key == "signal_id") return read_string(value, kPrefix, key, d.signal_id);
        if (key == "reason") return read_string(value, kPrefix, key, d.reason);
        if (key == "reviewer") return read_string(value, kPrefix, key, d.reviewer);
        if (key == "time_ms") return read_int(value, kPrefix, key, d.time_ms);
        if (key == "observed_at_decision") return read_int(value, kPrefix, key, d.observed_at_decision);
        if (key == "until") return read_until(value, kPrefix, d.until);
        if (key == "renotify_multiple") return read_multiple(value, kPrefix, d.renotify_multiple);
        std::string text;
        if (auto e = read_string(value, kPrefix, key, text)) return e;
        const auto state = parse_review_state(text);
        if (!state) return invalid(kPrefix, key, "unknown state");
        d.state = *state;
        return std::nullopt;
      });
  if (error) return *error;
  for (const std::string_view required : {"decision_id", "signal_id", "state", "reason", "reviewer",
                                          "time_ms", "observed_at_decision"}) {
    if (present.count(required) == 0) return invalid(kPrefix, required, "missing");
  }
  if (d.decision_id.empty()) return invalid(kPrefix, "decision_id", "empty");
  if (d.signal_id.empty()) return invalid(kPrefix, "signal_id", "empty");
  return d;
}

}  // namespace vigil
