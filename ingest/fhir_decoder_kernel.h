// The FHIR decoder's body, compiled once per simdjson kernel by
// fhir_decoder_<kernel>.cc (see json_kernel.h): FhirReader, the reading of
// one LFPSE AdverseEvent or Bundle (docs/fhir.md), and the kernel's
// FhirDecoderKernel.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>
#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "core/check.h"
#include "core/civil_date.h"
#include "ingest/decoder_kernel.h"
#include "ingest/fhir_code_systems.h"
#include "ingest/fhir_profile.h"
#include "ingest/field_rules.h"
#include "ingest/json_field_reader.h"
#include "ingest/json_message_parser.h"

namespace vigil::VIGIL_JSON_KERNEL {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

constexpr std::string_view kMissing = "missing or null";
constexpr std::string_view kDateTimeRule =
    "must be an RFC 3339 date-time with a zone, or a date YYYY-MM-DD";

// An extension URL's id without its taxonomy version: the last path segment
// of "…/StructureDefinition/adverse-event-agent-5" is "adverse-event-agent".
std::string_view extension_id(std::string_view url) {
  const size_t slash = url.rfind('/');
  std::string_view id = slash == std::string_view::npos ? url : url.substr(slash + 1);
  if (id.size() > 2 && id[id.size() - 2] == '-' && (id.back() == '4' || id.back() == '5')) {
    id.remove_suffix(2);
  }
  return id;
}

// Whether an unknown code may be repeated in a failure detail: codes of the
// taxonomy are short and alphanumeric; anything else could be free text.
bool is_printable_code(std::string_view code) {
  if (code.empty() || code.size() > 8) return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  });
}

// A FHIR date or dateTime: YYYY-MM-DD, or a full date-time with a zone
// (the date as written). Partial dates (YYYY, YYYY-MM) are not accepted.
std::optional<Date> parse_fhir_date(std::string_view text) {
  if (text.size() == 10) return parse_date(text);
  if (const std::optional<Timestamp> t = parse_rfc3339(text)) return t->local_date;
  return std::nullopt;
}

// What one AdverseEvent said that is only turned into event fields once the
// whole resource is read (members and extensions come in any order).
struct Evidence {
  bool has_recorded_date = false;
  std::optional<Date> date, approximate_date, detected;
  std::string_view safety_challenge, agent_category, process, risk_theme;
  bool risk = false, good_care = false, outcome = false;
  bool patient_read = false, location_read = false;
  // Age, gender or ethnicity given: harm levels alone are no patient details.
  bool demographics = false;
  int64_t age_days = -1, age_years = -1;
  std::string_view bracket_band;
  bool has_bracket = false;
  // Vigil extension overrides.
  bool vigil_patient = false;
  std::string_view service_area, specialty, category, age_band;
  bool has_service_area = false, has_specialty = false, has_category = false,
       has_age_band = false;
};

class FhirReader {
 public:
  // `has_backslash`: whether the message holds a backslash anywhere (if not,
  // no string needs unescaping).
  FhirReader(std::vector<IncidentEvent>& events, size_t& count, DecodeFailure& failure,
             std::string& normalised, bool has_backslash)
      : json_(failure),
        events_(events),
        count_(count),
        normalised_(normalised),
        has_backslash_(has_backslash) {}

  error_code read(od::document& doc) {
    od::object root;
    if (const error_code e = doc.get_object().get(root)) {
      not_an_object_ = e == simdjson::INCORRECT_TYPE;
      return e;
    }
    std::string_view type;
    bool has_type = false;
    if (const error_code e = key_string(root, "resourceType", type, has_type)) return e;
    if (!has_type) {
      reject(InvalidReason::kMissingField, "resourceType", kMissing);
      if (const error_code e = consume_members(root, 1)) return e;
    } else if (type == "AdverseEvent") {
      if (const error_code e = read_adverse_event(root, 1)) return e;
    } else if (type == "Bundle") {
      if (const error_code e = read_bundle(root)) return e;
    } else {
      reject(InvalidReason::kBadValue, "resourceType", "must be AdverseEvent or Bundle");
      if (const error_code e = consume_members(root, 1)) return e;
    }
    if (!doc.current_location().error()) return simdjson::TRAILING_CONTENT;
    return SUCCESS;
  }

  bool rejected() const { return json_.rejected(); }
  bool not_an_object() const { return not_an_object_; }
  // Where malformed JSON was met; empty at the top level.
  const std::string& error_path() const { return error_path_; }

 private:
  // --- paths and failures -------------------------------------------------

  // The path of the value being read, as a stack of member names and array
  // positions: pushing and popping is all reading costs; the text
  // ("entry[2].resource.id") is only built for a failure.
  class PathStack {
   public:
    void push(std::string_view name) { push_item({name, -1}); }
    void push(int64_t index) { push_item({{}, index}); }
    void pop() { --size_; }
    const std::string& text() {
      text_.clear();
      for (size_t i = 0; i < size_; ++i) {
        if (items_[i].index >= 0) {
          char digits[24];
          char* end = std::to_chars(digits, digits + sizeof digits, items_[i].index).ptr;
          text_ += '[';
          text_.append(digits, end);
          text_ += ']';
        } else {
          if (!text_.empty()) text_ += '.';
          text_.append(items_[i].name);
        }
      }
      return text_;
    }

   private:
    struct Item {
      std::string_view name;
      int64_t index;
    };
    // The profile's structures nest about ten levels; values deeper than
    // what the reader knows are consumed without pushing.
    static constexpr size_t kMaxDepth = 32;
    void push_item(Item item) {
      VIGIL_CHECK(size_ < kMaxDepth, "FHIR path deeper than the reader's structures");
      items_[size_++] = item;
    }
    std::array<Item, kMaxDepth> items_{};
    size_t size_ = 0;
    std::string text_;
  };

  // Pushes a member name or array position for its lifetime.
  class Scope {
   public:
    Scope(PathStack& path, std::string_view field) : path_(path) { path.push(field); }
    Scope(PathStack& path, int64_t index) : path_(path) { path.push(index); }
    ~Scope() { path_.pop(); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    PathStack& path_;
  };

  FieldPath here() { return FieldPath{path_.text(), -1, {}}; }

  void reject(InvalidReason reason, std::string_view field, std::string_view what) {
    json_.reject(reason, FieldPath{path_.text(), -1, field}, what);
  }

  // Keeps the path where malformed JSON was first met, for the detail.
  error_code note_error(error_code e) {
    if (e && error_path_.empty()) error_path_ = path_.text();
    return e;
  }

  void reject_unknown_code(std::string_view field, std::string_view code,
                           FhirCodeSystemId system) {
    std::string what = "unknown code";
    if (is_printable_code(code)) {
      what += ' ';
      what.append(code);
    }
    what += " in ";
    what.append(fhir_code_system(system).name);
    reject(InvalidReason::kBadValue, field, what);
  }

  // --- generic JSON helpers -----------------------------------------------

  // The string member `key` of `object`, looked up before the object is
  // iterated (members come in any order), then the object rewound. Its
  // value is then skipped, not read again, by the iteration.
  error_code key_string(od::object& object, std::string_view key, std::string_view& out,
                        bool& found) {
    found = false;
    od::value value;
    error_code e = object.find_field_unordered(key).get(value);
    if (e == SUCCESS) {
      od::json_type type;
      if (const error_code te = value.type().get(type)) return te;
      if (type == od::json_type::string) {
        if (const error_code se = string_text(value, out)) return se;
        found = true;
      } else if (type != od::json_type::null) {
        reject(InvalidReason::kWrongType, key, "must be a string");
      }
    } else if (e != simdjson::NO_SUCH_FIELD) {
      return e;
    }
    bool not_empty = false;
    return object.reset().get(not_empty);
  }

  // Iterates `object`, giving each member but `skip` to
  // `handle(key, value)`, which must read or consume the value.
  template <typename Handler>
  error_code members(od::object& object, std::string_view skip, Handler&& handle) {
    for (auto member_result : object) {
      od::field member;
      if (const error_code e = std::move(member_result).get(member)) return e;
      std::string_view key;
      if (const error_code e = key_text(member, key)) return e;
      if (!skip.empty() && key == skip) continue;  // read by key_string; skipped unread
      if (const error_code e = handle(key, member.value())) return note_error(e);
    }
    return SUCCESS;
  }

  // --- strings without copies -----------------------------------------------
  //
  // Most strings of an LFPSE record (URLs, codes, keys) hold no escape: their
  // text is their bytes in the message, which stage 1 of simdjson has already
  // checked (UTF-8, no raw control character, closing quote). Those are viewed
  // in place instead of being unescaped into the parser's string buffer: an
  // extension URL is about 90 bytes, and copying them was a tenth of the
  // decoder's time. A string with a backslash takes simdjson's own path.

  // The closing quote of a string from `p` (after its opening quote) that
  // holds no backslash. With AVX2, 32 bytes a step: reading past the quote
  // stays inside the message's zeroed padding (SIMDJSON_PADDING bytes).
  static const char* closing_quote(const char* p) {
#if defined(__AVX2__)
    const __m256i quote = _mm256_set1_epi8('"');
    for (;; p += 32) {
      const __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
      const auto mask =
          static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(bytes, quote)));
      if (mask != 0) return p + __builtin_ctz(mask);
    }
#else
    while (*p != '"') ++p;
    return p;
#endif
  }

  // Keys are short: found by scanning to the closing quote.
  error_code key_text(od::field& member, std::string_view& key) const {
    const char* start = member.key().raw();
    if (!has_backslash_) {
      key = std::string_view(start, static_cast<size_t>(closing_quote(start) - start));
      return SUCCESS;
    }
    const char* p = start;
    while (*p != '"') {
      if (*p == '\\') return member.unescaped_key().get(key);
      ++p;
    }
    key = std::string_view(start, static_cast<size_t>(p - start));
    return SUCCESS;
  }

  // The text of `value` when it is a string without escapes; false (value
  // unread) for any other string or type. The token runs from the opening
  // quote to the next token, so its end is known without a scan; and most
  // messages hold no backslash at all (decode() looks once), so neither is
  // looking for escapes.
  bool in_place_string(od::value& value, std::string_view& out) const {
    const std::string_view token = value.raw_json_token();
    if (token.empty() || token[0] != '"') return false;
    size_t end = token.size();
    while (end > 2 && token[end - 1] != '"') --end;  // whitespace after the string
    if (end < 2) return false;
    const std::string_view text = token.substr(1, end - 2);
    if (has_backslash_) {
      // Codes and keys are a few bytes: a loop beats a call to memchr there.
      if (text.size() <= 32) {
        for (const char c : text) {
          if (c == '\\') return false;
        }
      } else if (std::memchr(text.data(), '\\', text.size()) != nullptr) {
        return false;
      }
    }
    out = text;
    return true;
  }

  // The text of a value known to be a string.
  error_code string_text(od::value& value, std::string_view& out) const {
    if (in_place_string(value, out)) return SUCCESS;
    return value.get_string().get(out);
  }

  // An object that must be present (null is kWrongType too). Tries the
  // object first: a type error leaves the value unread, and only then is
  // its type looked at, so the common case costs one type check.
  error_code read_required_object(od::value& value, int depth, od::object& object, bool& ok) {
    const error_code e = value.get_object().get(object);
    if (e != simdjson::INCORRECT_TYPE) {
      ok = e == SUCCESS;
      return e;
    }
    return json_.read_required_object(value, here(), depth, object, ok);
  }

  // Checks any value for well-formedness, as JsonFieldReader::consume does,
  // with strings checked in place.
  error_code consume(od::value& value, int depth) {
    od::json_type type;
    if (const error_code e = value.type().get(type)) return e;
    switch (type) {
      case od::json_type::string: {
        std::string_view text;
        return string_text(value, text);
      }
      case od::json_type::array: {
        if (depth > kMaxNestingDepth) return simdjson::DEPTH_ERROR;
        od::array array;
        if (const error_code e = value.get_array().get(array)) return e;
        for (auto item : array) {
          od::value element;
          if (const error_code e = item.get(element)) return e;
          if (const error_code e = consume(element, depth + 1)) return e;
        }
        return SUCCESS;
      }
      case od::json_type::object: {
        if (depth > kMaxNestingDepth) return simdjson::DEPTH_ERROR;
        od::object object;
        if (const error_code e = value.get_object().get(object)) return e;
        return members(object, {}, [&](std::string_view, od::value& v) { return consume(v, depth + 1); });
      }
      default: return json_.consume(value, depth);
    }
  }

  // A string that must satisfy `rule`, else kBadValue with `rule_text`.
  template <typename Rule>
  error_code read_checked(od::value& value, int depth, Rule rule, std::string_view rule_text,
                          std::string_view& out, Found& found) {
    std::string_view text;
    if (const error_code e = read_string(value, text, found, depth); e || found != Found::kValue) {
      return e;
    }
    if (!rule(text)) {
      found = Found::kRejected;
      json_.reject(InvalidReason::kBadValue, here(), rule_text);
    } else {
      out = text;
    }
    return SUCCESS;
  }

  // The members of the object `value` (at nesting level `depth`) to
  // `handle(key, value)`; kWrongType when it is not an object (null: absent).
  template <typename Handler>
  error_code object_members(od::value& value, int depth, Handler&& handle) {
    od::object object;
    bool ok = false;
    if (const error_code e = read_required_object(value, depth, object, ok);
        e || !ok) {
      return e;
    }
    return members(object, {}, handle);
  }

  // The elements of the array `value` to `element(value, index)`, each
  // under path "[index]"; once a failure is recorded they are consumed.
  template <typename Element>
  error_code elements(od::value& value, int depth, Element&& element) {
    od::array array;
    if (const error_code e = value.get_array().get(array); e == simdjson::INCORRECT_TYPE) {
      Found found = Found::kRejected;
      return json_.expect_type(value, od::json_type::array, here(), depth, "must be an array",
                               found);  // null: absent; another type: kWrongType
    } else if (e) {
      return e;
    }
    int64_t index = 0;
    for (auto item : array) {
      od::value item_value;
      if (const error_code e = item.get(item_value)) return e;
      Scope scope(path_, index);
      const error_code e = json_.rejected() ? consume(item_value, depth + 1)
                                            : element(item_value, index);
      if (e) return note_error(e);
      ++index;
    }
    return SUCCESS;
  }

  // Checks the members of `object` (at level `depth`) for well-formedness.
  error_code consume_members(od::object& object, int depth) {
    return members(object, "resourceType",
                   [&](std::string_view, od::value& v) { return consume(v, depth + 1); });
  }

  // Integers and booleans as the profile writes them are read directly; only
  // anything else (another type, a decimal, null) goes to JsonFieldReader,
  // with the path built for its failure detail.
  error_code read_integer(od::value& value, int depth, std::optional<int64_t>& out,
                          Found& found) {
    int64_t number = 0;
    if (value.get_int64().get(number) == SUCCESS) {
      out = number;
      found = Found::kValue;
      return SUCCESS;
    }
    return json_.read_integer(value, here(), depth, out, found);
  }

  error_code read_bool(od::value& value, int depth, bool& out, Found& found) {
    if (value.get_bool().get(out) == SUCCESS) {
      found = Found::kValue;
      return SUCCESS;
    }
    return json_.read_bool(value, here(), depth, out, found);
  }

  error_code read_string(od::value& value, std::string_view& out, Found& found, int depth) {
    if (in_place_string(value, out)) {
      found = Found::kValue;
      return SUCCESS;
    }
    const error_code e = value.get_string().get(out);
    if (e == simdjson::INCORRECT_TYPE) {
      return json_.expect_type(value, od::json_type::string, here(), depth, "must be a string",
                               found);  // null: kNull; another type: kWrongType
    }
    found = e ? Found::kRejected : Found::kValue;
    return e;
  }

  // A string of at most `max_bytes` bytes without control characters.
  error_code read_bounded_text(od::value& value, int depth, size_t max_bytes,
                               std::string_view& out, Found& found) {
    std::string_view text;
    const error_code e = read_string(value, text, found, depth);
    if (e || found != Found::kValue) return e;
    if (text.size() > max_bytes) {
      found = Found::kRejected;
      json_.reject(InvalidReason::kBadValue, here(),
                   max_bytes == kMaxDeviceCodeBytes ? "longer than 64 bytes"
                                                    : "longer than 256 bytes");
    } else if (has_control_character(text)) {
      found = Found::kRejected;
      json_.reject(InvalidReason::kBadValue, here(), kControlCharacter);
    } else {
      out = text;
    }
    return e;
  }

  // Device identity text, normalised as event v1 does (field_rules.h). A
  // blank result is absent (kNull).
  error_code read_identity(od::value& value, int depth, size_t max_bytes, LetterCase letter_case,
                           std::string_view& out, Found& found) {
    std::string_view raw;
    const error_code e = read_bounded_text(value, depth, max_bytes, raw, found);
    if (e || found != Found::kValue) return e;
    VIGIL_CHECK(normalised_.capacity() - normalised_.size() >= raw.size(),
                "normalised device text outgrew its reservation");
    const size_t start = normalised_.size();
    normalise_identity_text(raw, letter_case, normalised_);
    out = std::string_view(normalised_).substr(start);
    if (out.empty()) found = Found::kNull;
    return e;
  }

  // --- Bundle -------------------------------------------------------------

  error_code read_bundle(od::object& root) {
    bool has_entry = false;
    const error_code e = members(root, "resourceType", [&](std::string_view key, od::value& v) {
      if (key != "entry") return consume(v, 2);
      has_entry = true;
      Scope scope(path_, "entry");
      return elements(v, 2, [&](od::value& entry, int64_t) {
        bool has_resource = false;
        const error_code ee = object_members(entry, 3, [&](std::string_view k, od::value& rv) {
          if (k != "resource" || json_.rejected()) return consume(rv, 4);
          has_resource = true;
          Scope resource_scope(path_, "resource");
          od::object resource;
          bool ok = false;
          if (const error_code re = read_required_object(rv, 4, resource, ok);
              re || !ok) {
            return re;
          }
          std::string_view type;
          bool has_type = false;
          if (const error_code te = key_string(resource, "resourceType", type, has_type)) {
            return te;
          }
          if (!has_type) {
            reject(InvalidReason::kMissingField, "resourceType", kMissing);
            return consume_members(resource, 4);
          }
          if (type != "AdverseEvent") {
            reject(InvalidReason::kBadValue, "resourceType", "must be AdverseEvent");
            return consume_members(resource, 4);
          }
          return read_adverse_event(resource, 4);
        });
        if (ee) return ee;
        if (!has_resource && !json_.rejected()) {
          reject(InvalidReason::kMissingField, "resource", kMissing);
        }
        return SUCCESS;
      });
    });
    if (e) return e;
    if (!has_entry || (count_ == 0 && !json_.rejected())) {
      reject(InvalidReason::kMissingField, "entry", "missing, null or empty");
    }
    return SUCCESS;
  }

  // --- AdverseEvent -------------------------------------------------------

  IncidentEvent& next_event() {
    if (events_.size() <= count_) events_.emplace_back();
    IncidentEvent& event = events_[count_++];
    event.clear();
    return event;
  }

  error_code read_adverse_event(od::object& object, int depth) {
    IncidentEvent& ev = next_event();
    Evidence evidence;
    bool has_id = false;
    const error_code e = members(object, "resourceType", [&](std::string_view key, od::value& v) {
      if (json_.rejected()) return consume(v, depth + 1);
      Scope scope(path_, key == "id" || key == "meta" || key == "recordedDate" || key == "date" ||
                                 key == "detected" || key == "actuality" ||
                                 key == "description" || key == "extension" || key == "contained"
                             ? key
                             : std::string_view("unknown field"));
      Found found = Found::kRejected;
      std::string_view text;
      if (key == "id") {
        const error_code re = read_checked(v, depth + 1, is_valid_event_id, kIdRule,
                                                 ev.id, found);
        has_id = found == Found::kValue;
        return re;
      }
      if (key == "meta") return read_meta(v, depth + 1, ev);
      if (key == "recordedDate") {
        const error_code re = read_string(v, text, found, depth + 1);
        if (re || found != Found::kValue) return re;
        if (const std::optional<Timestamp> t = parse_rfc3339(text)) {
          ev.reported_at_unix_seconds = t->unix_seconds;
          ev.reported_on = t->local_date;
          evidence.has_recorded_date = true;
        } else {
          json_.reject(InvalidReason::kBadTimestamp, here(),
                       "must be an RFC 3339 date-time with a zone, like 2025-03-01T09:30:00Z");
        }
        return re;
      }
      if (key == "date" || key == "detected") {
        const error_code re = read_string(v, text, found, depth + 1);
        if (re || found != Found::kValue) return re;
        const std::optional<Date> date = parse_fhir_date(text);
        if (!date) {
          json_.reject(InvalidReason::kBadTimestamp, here(), kDateTimeRule);
        } else if (key == "date") {
          evidence.date = date;
        } else {
          evidence.detected = date;
        }
        return re;
      }
      if (key == "actuality") {
        const error_code re = read_string(v, text, found, depth + 1);
        if (re || found != Found::kValue) return re;
        if (text == "potential") {
          evidence.risk = true;
        } else if (text != "actual") {
          json_.reject(InvalidReason::kBadValue, here(), "must be actual or potential");
        }
        return re;
      }
      if (key == "description") {
        const error_code re = read_string(v, text, found, depth + 1);
        if (re || found != Found::kValue) return re;
        if (text.size() > kMaxDescriptionBytes) {
          json_.reject(InvalidReason::kBadValue, here(), "longer than 32768 bytes");
        } else {
          ev.description = text;
        }
        return re;
      }
      if (key == "extension") {
        return elements(v, depth + 1, [&](od::value& x, int64_t) {
          return read_event_extension(x, depth + 2, ev, evidence);
        });
      }
      if (key == "contained") {
        return elements(v, depth + 1, [&](od::value& x, int64_t) {
          return read_contained(x, depth + 2, ev, evidence);
        });
      }
      return consume(v, depth + 1);
    });
    if (e || json_.rejected()) return e;
    finish_event(ev, evidence, has_id);
    return SUCCESS;
  }

  error_code read_meta(od::value& value, int depth, IncidentEvent& ev) {
    return object_members(value, depth, [&](std::string_view key, od::value& v) {
      if (key != "versionId" || json_.rejected()) return consume(v, depth + 1);
      Scope scope(path_, "versionId");
      std::string_view text;
      Found found = Found::kRejected;
      const error_code e = read_string(v, text, found, depth + 1);
      if (e || found != Found::kValue) return e;
      // FHIR version ids are strings; LFPSE's are decimal counters.
      const bool digits = !text.empty() && text.size() <= 18 &&
                          std::all_of(text.begin(), text.end(),
                                      [](char c) { return c >= '0' && c <= '9'; });
      if (!digits) {
        json_.reject(InvalidReason::kBadValue, here(),
                     "must be a decimal revision number of at most 18 digits");
      } else {
        int64_t revision = 0;
        for (char c : text) revision = revision * 10 + (c - '0');
        ev.revision = revision;
      }
      return e;
    });
  }

  // The fields only known once the whole resource is read.
  void finish_event(IncidentEvent& ev, const Evidence& evidence, bool has_id) {
    if (!has_id) return reject(InvalidReason::kMissingField, "id", kMissing);
    if (!evidence.has_recorded_date) {
      return reject(InvalidReason::kMissingField, "recordedDate", kMissing);
    }
    if (ev.org.empty()) {
      return reject(InvalidReason::kMissingField,
                    "contained[Location].extension[location-details].extension[Organisation].valueCode", kMissing);
    }
    const std::optional<Date>& occurred =
        evidence.date ? evidence.date
                      : (evidence.approximate_date ? evidence.approximate_date : evidence.detected);
    if (occurred) {
      if (occurred->days > ev.reported_on.days + 1) {
        const std::string_view field = evidence.date               ? "date"
                                       : evidence.approximate_date ? "extension[adverse-event-estimated-date]"
                                                                   : "detected";
        return reject(InvalidReason::kBadTimestamp, field,
                      "more than one day after the date of recordedDate");
      }
      ev.occurred_on = *occurred;
      ev.has_occurred_on = true;
    } else {
      ev.occurred_on = ev.reported_on;
    }
    ev.record_type = evidence.risk        ? RecordType::kRisk
                     : evidence.good_care ? RecordType::kGoodCare
                     : evidence.outcome   ? RecordType::kOutcome
                                          : RecordType::kIncident;
    if (evidence.has_service_area) ev.service_area = evidence.service_area;
    if (evidence.has_specialty) ev.specialty = evidence.specialty;
    ev.category = evidence.has_category
                      ? evidence.category
                      : derive_fhir_category(evidence.safety_challenge, evidence.agent_category,
                                             evidence.process, evidence.risk_theme);
    if (evidence.demographics || evidence.vigil_patient) ev.has_patient = true;
    if (evidence.has_age_band) {
      ev.patient.age_band = evidence.age_band;
    } else if (evidence.age_days >= 0) {
      ev.patient.age_band = age_band_from_days(evidence.age_days);
    } else if (evidence.age_years >= 0 && !age_band_from_years(evidence.age_years).empty()) {
      ev.patient.age_band = age_band_from_years(evidence.age_years);
    } else if (evidence.has_bracket) {
      ev.patient.age_band = evidence.bracket_band;
    }
    const auto at_least_one = [](size_t n) { return n == 0 ? size_t{1} : n; };
    if (at_least_one(ev.medications.size()) * at_least_one(ev.devices.size()) *
            at_least_one(ev.agents.size()) >
        kMaxKeyCombinations) {
      reject(InvalidReason::kBadValue, "contained, extension[adverse-event-agent]",
             "more than 10000 combinations of one medication, device and agent");
    }
  }

  // --- extensions ---------------------------------------------------------

  // Opens an extension object: its url first (wherever it is written),
  // then its members to `handle(key, value)`.
  template <typename Handler>
  error_code read_extension_object(od::value& value, int depth, std::string_view& url,
                                   Handler&& handle) {
    od::object object;
    bool ok = false;
    if (const error_code e = read_required_object(value, depth, object, ok);
        e || !ok) {
      return e;
    }
    // Producers write the url first, as FHIR's own JSON examples do: then it
    // is read in passing. Otherwise it is looked up and the object rewound.
    bool has_url = false;
    bool first = true;
    bool look_up = false;
    for (auto member_result : object) {
      od::field member;
      if (const error_code e = std::move(member_result).get(member)) return e;
      std::string_view key;
      if (const error_code e = key_text(member, key)) return e;
      if (first) {
        first = false;
        if (key != "url") {
          look_up = true;
          break;
        }
        Scope scope(path_, "url");
        Found found = Found::kRejected;
        if (const error_code e = read_string(member.value(), url, found, depth + 1)) return e;
        has_url = found == Found::kValue;
        if (!has_url && !json_.rejected()) {
          json_.reject(InvalidReason::kMissingField, here(), kMissing);
        }
        continue;
      }
      const error_code e =
          json_.rejected() ? consume(member.value(), depth + 1) : handle(key, member.value());
      if (e) return e;
    }
    if (!look_up) {
      if (first && !json_.rejected()) reject(InvalidReason::kMissingField, "url", kMissing);
      return SUCCESS;
    }
    bool not_empty = false;
    if (const error_code e = object.reset().get(not_empty)) return e;
    if (const error_code e = key_string(object, "url", url, has_url)) return e;
    if (!has_url && !json_.rejected()) reject(InvalidReason::kMissingField, "url", kMissing);
    return members(object, "url", [&](std::string_view key, od::value& v) {
      if (json_.rejected()) return consume(v, depth + 1);
      return handle(key, v);
    });
  }

  // The sub-extensions of a complex extension, each to
  // `child(name, object-members reader)`: `child(name, key, value)` is
  // called for each member of the sub-extension but its url.
  template <typename Child>
  error_code read_sub_extensions(od::value& value, int depth, Child&& child) {
    Scope scope(path_, "extension");
    return elements(value, depth, [&](od::value& item, int64_t) {
      std::string_view name;
      return read_extension_object(item, depth + 1, name, [&](std::string_view key, od::value& v) {
        return child(name, key, v, depth + 2);
      });
    });
  }

  // A sub-extension's value member `key`: whether it is the one expected.
  // Other value[x] members break the profile (kWrongType); anything else
  // (nested extensions, ids) is consumed.
  bool expect_value(std::string_view key, std::string_view expected, od::value&, int) {
    if (key == expected) return true;
    if (key.substr(0, 5) == "value") {
      std::string what = "must be ";
      what.append(expected);
      reject(InvalidReason::kWrongType, "value[x]", what);
    }
    return false;
  }

  // A valueCode of `system`: its row, or nullptr after recording a failure.
  error_code read_code(od::value& v, int depth, FhirCodeSystemId system, const FhirCode*& row) {
    row = nullptr;
    Scope scope(path_, "valueCode");
    std::string_view code;
    Found found = Found::kRejected;
    const error_code e = read_string(v, code, found, depth);
    if (e || found != Found::kValue) return e;
    row = find_fhir_code(system, code);
    if (!row) reject_unknown_code({}, code, system);
    return e;
  }

  // The value member of a sub-extension coded in `system`, given to
  // `use(row)`; other members consumed.
  template <typename Use>
  error_code coded(std::string_view key, od::value& v, int depth, FhirCodeSystemId system,
                   Use&& use) {
    if (!expect_value(key, "valueCode", v, depth)) return consume(v, depth);
    const FhirCode* row = nullptr;
    const error_code e = read_code(v, depth, system, row);
    if (row) use(*row);
    return e;
  }

  error_code read_event_extension(od::value& value, int depth, IncidentEvent& ev,
                                  Evidence& evidence) {
    std::string_view url;
    return read_extension_object(value, depth, url, [&](std::string_view key, od::value& v) {
      if (key != "extension") return consume(v, depth + 1);
      if (url == fhir::kVigilExtensionUrl) return read_vigil_extension(v, depth + 1, ev, evidence);
      const std::string_view id = extension_id(url);
      if (id == fhir::kRiskDetailsExtension) evidence.risk = true;
      if (id == fhir::kWentWellExtension) evidence.good_care = true;
      return read_sub_extensions(v, depth + 1, [&](std::string_view name, std::string_view k,
                                                   od::value& x, int d) -> error_code {
        if (id == fhir::kAgentExtension && name == "InvolvedAgents") {
          return coded(k, x, d, FhirCodeSystemId::kAgentType, [&](const FhirCode& row) {
            if (row.vigil.empty()) return;
            if (ev.agents.size() >= kMaxListItems) {
              return reject(InvalidReason::kBadValue, {}, kTooManyItems);
            }
            ev.agents.push_back(row.vigil);
            if (evidence.agent_category.empty()) {
              evidence.agent_category = category_of_agent(row.vigil);
            }
          });
        }
        if (id == fhir::kOutcomeExtension && name == "OutcomeType") {
          return coded(k, x, d, FhirCodeSystemId::kOutcomeType,
                       [&](const FhirCode&) { evidence.outcome = true; });
        }
        if (id == fhir::kProcessExtension && name == "Process") {
          return coded(k, x, d, FhirCodeSystemId::kHealthcareProcess, [&](const FhirCode& row) {
            if (evidence.process.empty()) evidence.process = row.vigil;
          });
        }
        if (id == fhir::kRiskDetailsExtension && name == "RiskTheme") {
          return coded(k, x, d, FhirCodeSystemId::kRiskTheme, [&](const FhirCode& row) {
            if (evidence.risk_theme.empty()) evidence.risk_theme = row.vigil;
          });
        }
        if (id == fhir::kSafetyChallengesExtension && name == "SafetyChallenges") {
          return coded(k, x, d, FhirCodeSystemId::kSafetyChallenges, [&](const FhirCode& row) {
            if (evidence.safety_challenge.empty()) evidence.safety_challenge = row.vigil;
          });
        }
        if (id == fhir::kGovernanceExtension && name == "NeverEvent") {
          if (!expect_value(k, "valueBoolean", x, d)) return consume(x, d);
          Scope scope(path_, "valueBoolean");
          Found found = Found::kRejected;
          return read_bool(x, d, ev.never_event, found);
        }
        if (id == fhir::kEstimatedDateExtension && name == "ApproximateDate") {
          if (!expect_value(k, "valueString", x, d)) return consume(x, d);
          Scope scope(path_, "valueString");
          std::string_view text;
          Found found = Found::kRejected;
          const error_code e = read_string(x, text, found, d);
          // A free-form estimate that is not a date is no event time.
          if (found == Found::kValue && text.size() == 10) {
            if (const std::optional<Date> date = parse_date(text)) evidence.approximate_date = date;
          }
          return e;
        }
        return consume(x, d);
      });
    });
  }

  error_code read_vigil_extension(od::value& value, int depth, IncidentEvent& ev,
                                  Evidence& evidence) {
    return read_sub_extensions(value, depth, [&](std::string_view name, std::string_view k,
                                                 od::value& x, int d) -> error_code {
      const auto text = [&](auto rule, std::string_view rule_text, std::string_view& out,
                            bool* has) -> error_code {
        if (!expect_value(k, "valueCode", x, d)) return consume(x, d);
        Scope scope(path_, "valueCode");
        Found found = Found::kRejected;
        const error_code e = read_checked(x, d, rule, rule_text, out, found);
        if (has && found == Found::kValue) *has = true;
        return e;
      };
      if (name == "icb") return text(is_ods_code, kOdsRule, ev.icb, nullptr);
      if (name == "region") return text(is_ods_code, kOdsRule, ev.region, nullptr);
      if (name == "service_area") {
        return text(is_slug, kSlugRule, evidence.service_area, &evidence.has_service_area);
      }
      if (name == "specialty") {
        return text(is_slug, kSlugRule, evidence.specialty, &evidence.has_specialty);
      }
      if (name == "category") {
        return text(is_slug, kSlugRule, evidence.category, &evidence.has_category);
      }
      if (name == "age_band") {
        std::string_view band;
        bool has = false;
        const error_code e = text([](std::string_view t) { return !canonical_age_band(t).empty(); },
                                  "must be one of 0-14d, 15-28d, 1-11m, 1-4, 5-9, 10-15, 16-17, "
                                  "18-25, 26-45, 46-65, 66-75, 76+",
                                  band, &has);
        if (has) {
          evidence.age_band = canonical_age_band(band);
          evidence.has_age_band = evidence.vigil_patient = true;
        }
        return e;
      }
      if (name == "ethnicity") {
        std::string_view letter;
        bool has = false;
        const error_code e = text([](std::string_view t) { return parse_ethnic_category(t) != 0; },
                                  "must be an NHS ethnic category letter A to S, or Z", letter,
                                  &has);
        if (has) {
          ev.patient.ethnicity = letter[0];
          evidence.vigil_patient = true;
        }
        return e;
      }
      if (name == "patient") {
        if (!expect_value(k, "valueBoolean", x, d)) return consume(x, d);
        Scope scope(path_, "valueBoolean");
        Found found = Found::kRejected;
        bool present = false;
        const error_code e = read_bool(x, d, present, found);
        if (found == Found::kValue && present) evidence.vigil_patient = true;
        return e;
      }
      if (name == "imd_decile") {
        if (!expect_value(k, "valueInteger", x, d)) return consume(x, d);
        Scope scope(path_, "valueInteger");
        std::optional<int64_t> decile;
        Found found = Found::kRejected;
        const error_code e = read_integer(x, d, decile, found);
        if (found != Found::kValue) return e;
        if (!decile || *decile < 1 || *decile > 10) {
          json_.reject(InvalidReason::kBadValue, here(), "must be an integer from 1 to 10");
        } else {
          ev.patient.imd_decile = static_cast<uint8_t>(*decile);
          evidence.vigil_patient = true;
        }
        return e;
      }
      return consume(x, d);
    });
  }

  // --- contained resources ------------------------------------------------

  error_code read_contained(od::value& value, int depth, IncidentEvent& ev, Evidence& evidence) {
    od::object object;
    bool ok = false;
    if (const error_code e = read_required_object(value, depth, object, ok);
        e || !ok) {
      return e;
    }
    std::string_view type;
    bool has_type = false;
    if (const error_code e = key_string(object, "resourceType", type, has_type)) return e;
    if (!has_type && !json_.rejected()) {
      reject(InvalidReason::kMissingField, "resourceType", kMissing);
    }
    if (type == "Medication") return read_medication(object, depth, ev);
    if (type == "Device") return read_device(object, depth, ev);
    const bool patient = type == "Patient";
    const bool location = type == "Location";
    return members(object, "resourceType", [&](std::string_view key, od::value& v) {
      if (json_.rejected() || key != "extension" || !(patient || location)) {
        return consume(v, depth + 1);
      }
      Scope scope(path_, "extension");
      return elements(v, depth + 1, [&](od::value& x, int64_t) {
        return patient ? read_patient_extension(x, depth + 2, ev, evidence)
                       : read_location_extension(x, depth + 2, ev, evidence);
      });
    });
  }

  error_code read_patient_extension(od::value& value, int depth, IncidentEvent& ev,
                                    Evidence& evidence) {
    std::string_view url;
    // Only the first patient's details are read (Vigil keeps one patient per
    // event); the extension is read whole once its url is known.
    return read_extension_object(value, depth, url, [&](std::string_view key, od::value& v) {
      if (key != "extension" || extension_id(url) != fhir::kPatientInformationExtension ||
          evidence.patient_read) {
        return consume(v, depth + 1);
      }
      evidence.patient_read = true;
      PatientDetails& p = ev.patient;
      return read_sub_extensions(v, depth + 1, [&](std::string_view name, std::string_view k,
                                                   od::value& x, int d) -> error_code {
        if (name == "PhysicalHarm") {
          return coded(k, x, d, FhirCodeSystemId::kPhysicalHarm, [&](const FhirCode& row) {
            ev.physical_harm = *parse_physical_harm(row.vigil);
          });
        }
        if (name == "PsychologicalHarm") {
          return coded(k, x, d, FhirCodeSystemId::kPsychologicalHarm, [&](const FhirCode& row) {
            ev.psychological_harm = *parse_psychological_harm(row.vigil);
          });
        }
        if (name == "Gender" || name == "PatientEthnicity" || name == "AgeBracket" ||
            name == "AgeYears" || name == "AgeAtTimeOfIncidentDays" ||
            name == "AgeAtTimeOfIncident") {
          evidence.demographics = true;
        }
        if (name == "Gender") {
          return coded(k, x, d, FhirCodeSystemId::kGender,
                       [&](const FhirCode& row) { p.sex = row.vigil; });
        }
        if (name == "PatientEthnicity") {
          return coded(k, x, d, FhirCodeSystemId::kEthnicity,
                       [&](const FhirCode& row) { p.ethnicity = row.vigil[0]; });
        }
        if (name == "AgeBracket" || name == "AgeYears") {
          return coded(k, x, d, FhirCodeSystemId::kAgeBracket, [&](const FhirCode& row) {
            evidence.bracket_band = row.vigil;
            evidence.has_bracket = true;
          });
        }
        if (name == "AgeAtTimeOfIncidentDays" || name == "AgeAtTimeOfIncident") {
          if (!expect_value(k, "valueInteger", x, d)) return consume(x, d);
          Scope scope(path_, "valueInteger");
          std::optional<int64_t> age;
          Found found = Found::kRejected;
          const error_code e = read_integer(x, d, age, found);
          if (found != Found::kValue) return e;
          if (!age || *age < 0 || *age > 200 * 366) {
            json_.reject(InvalidReason::kBadValue, here(), "must be an age from 0 to 73200");
          } else if (name == "AgeAtTimeOfIncidentDays") {
            evidence.age_days = *age;
          } else {
            evidence.age_years = *age;  // v4: read as whole years
          }
          return e;
        }
        return consume(x, d);
      });
    });
  }

  error_code read_location_extension(od::value& value, int depth, IncidentEvent& ev,
                                     Evidence& evidence) {
    std::string_view url;
    return read_extension_object(value, depth, url, [&](std::string_view key, od::value& v) {
      if (key != "extension" || extension_id(url) != fhir::kLocationDetailsExtension ||
          evidence.location_read) {
        return consume(v, depth + 1);
      }
      evidence.location_read = true;
      bool has_service_area = false;
      return read_sub_extensions(v, depth + 1, [&](std::string_view name, std::string_view k,
                                                   od::value& x, int d) -> error_code {
        if (name == "Organisation") {
          if (!expect_value(k, "valueCode", x, d)) return consume(x, d);
          Scope scope(path_, "valueCode");
          Found found = Found::kRejected;
          // The first organisation is where it occurred; ODS codes are
          // checked by their shape, not against the changing ODS list.
          if (!ev.org.empty()) return consume(x, d);
          return read_checked(x, d, is_ods_code, kOdsRule, ev.org, found);
        }
        if (name == "ServiceArea") {
          return coded(k, x, d, FhirCodeSystemId::kServiceType, [&](const FhirCode& row) {
            if (has_service_area) return;
            has_service_area = true;
            ev.service_area = row.vigil;
          });
        }
        if (name == "ResponsibleSpecialty") {
          return coded(k, x, d, FhirCodeSystemId::kSpecialty,
                       [&](const FhirCode& row) { ev.specialty = row.vigil; });
        }
        return consume(x, d);
      });
    });
  }

  error_code read_medication(od::object& object, int depth, IncidentEvent& ev) {
    if (ev.medications.size() >= kMaxListItems) {
      reject(InvalidReason::kBadValue, {}, "more than 100 medications");
    }
    Medication medication;
    bool has_code = false, has_name = false;
    const error_code e = members(object, "resourceType", [&](std::string_view key, od::value& v) {
      if (json_.rejected() || key != "code") return consume(v, depth + 1);
      Scope scope(path_, "code");
      return object_members(v, depth + 1, [&](std::string_view k, od::value& cv) {
        if (json_.rejected()) return consume(cv, depth + 2);
        if (k == "text") {
          Scope text_scope(path_, "text");
          std::string_view name;
          Found found = Found::kRejected;
          const error_code te = read_bounded_text(cv, depth + 2, kMaxIdentityTextBytes, name, found);
          if (found == Found::kValue && !has_name) {
            medication.name = name;
            has_name = true;
          }
          return te;
        }
        if (k != "coding") return consume(cv, depth + 2);
        Scope coding_scope(path_, "coding");
        return elements(cv, depth + 2, [&](od::value& coding, int64_t) {
          std::string_view system, code, display;
          bool code_ok = false, display_ok = false;
          const error_code ce =
              object_members(coding, depth + 3, [&](std::string_view ck, od::value& x) {
                if (json_.rejected()) return consume(x, depth + 4);
                Found found = Found::kRejected;
                if (ck == "system") {
                  Scope s(path_, "system");
                  return read_string(x, system, found, depth + 4);
                }
                if (ck == "code") {
                  Scope s(path_, "code");
                  const error_code re = read_string(x, code, found, depth + 4);
                  code_ok = found == Found::kValue;
                  return re;
                }
                if (ck == "display") {
                  Scope s(path_, "display");
                  const error_code re =
                      read_bounded_text(x, depth + 4, kMaxIdentityTextBytes, display, found);
                  display_ok = found == Found::kValue;
                  return re;
                }
                return consume(x, depth + 4);
              });
          if (ce || json_.rejected() || has_code) return ce;
          if (system != fhir::kSnomedSystem && system != fhir::kDmdSystem) return ce;
          if (!code_ok) {
            reject(InvalidReason::kMissingField, "code", kMissing);
          } else if (!is_snomed_id(code)) {
            reject(InvalidReason::kBadValue, "code", kSnomedRule);
          } else {
            medication.code = code;
            has_code = true;
            if (display_ok) {
              medication.name = display;
              has_name = true;
            }
          }
          return ce;
        });
      });
    });
    if (e || json_.rejected()) return e;
    if (!has_code) {
      reject(InvalidReason::kMissingField, "code.coding",
             "missing a dm+d (http://snomed.info/sct) coding");
    } else if (!has_name) {
      reject(InvalidReason::kMissingField, "code.coding.display", kMissing);
    } else {
      ev.medications.push_back(medication);
    }
    return SUCCESS;
  }

  error_code read_device(od::object& object, int depth, IncidentEvent& ev) {
    if (ev.devices.size() >= kMaxListItems) {
      reject(InvalidReason::kBadValue, {}, "more than 100 devices");
    }
    Device device;
    bool has_name = false;
    // The first element of a list member (deviceName, udiCarrier) whose
    // member `field` is text, to `read(value)`.
    const auto first_of = [&](od::value& v, int d, std::string_view field, auto&& read) {
      bool done = false;
      return elements(v, d, [&](od::value& item, int64_t) {
        return object_members(item, d + 1, [&](std::string_view k, od::value& x) {
          if (done || json_.rejected() || k != field) return consume(x, d + 2);
          done = true;
          Scope s(path_, field);
          return read(x, d + 2);
        });
      });
    };
    const error_code e = members(object, "resourceType", [&](std::string_view key, od::value& v) {
      if (json_.rejected()) return consume(v, depth + 1);
      Found found = Found::kRejected;
      if (key == "deviceName") {
        Scope scope(path_, "deviceName");
        return first_of(v, depth + 1, "name", [&](od::value& x, int d) {
          const error_code re = read_identity(x, d, kMaxIdentityTextBytes, LetterCase::kLower,
                                              device.name, found);
          if (found == Found::kNull) json_.reject(InvalidReason::kBadValue, here(), "must not be blank");
          has_name = found == Found::kValue;
          return re;
        });
      }
      if (key == "udiCarrier") {
        Scope scope(path_, "udiCarrier");
        return first_of(v, depth + 1, "deviceIdentifier", [&](od::value& x, int d) {
          return read_identity(x, d, kMaxDeviceCodeBytes, LetterCase::kUpper, device.code, found);
        });
      }
      if (key == "manufacturer" || key == "modelNumber") {
        Scope scope(path_, key);
        return read_identity(v, depth + 1, kMaxIdentityTextBytes, LetterCase::kLower,
                             key == "manufacturer" ? device.manufacturer : device.model, found);
      }
      return consume(v, depth + 1);
    });
    if (e || json_.rejected()) return e;
    if (!has_name) {
      reject(InvalidReason::kMissingField, "deviceName", kMissing);
    } else {
      ev.devices.push_back(device);
    }
    return SUCCESS;
  }

  JsonFieldReader json_;
  std::vector<IncidentEvent>& events_;
  size_t& count_;
  std::string& normalised_;
  PathStack path_;
  std::string error_path_;
  bool has_backslash_;
  bool not_an_object_ = false;
};

class KernelFhirDecoder final : public FhirDecoderKernel {
 public:
  bool decode(std::string_view message, std::vector<IncidentEvent>& out,
              DecodeFailure& failure) noexcept override;

 private:
  PaddedJsonParser parser_;
  std::string normalised_;
};

bool KernelFhirDecoder::decode(std::string_view message, std::vector<IncidentEvent>& out,
                               DecodeFailure& failure) noexcept {
  if (reject_too_large(message, failure)) {
    out.clear();
    return false;
  }
  normalised_.clear();
  normalised_.reserve(message.size());

  // Decode into `out` directly, reusing its elements' capacity.
  size_t count = 0;
  od::document doc;
  FhirReader reader(out, count, failure, normalised_,
                    std::memchr(message.data(), '\\', message.size()) != nullptr);
  error_code error = parser_.iterate(message, doc);
  if (!error) error = reader.read(doc);
  if (error) reject_malformed(error, reader.not_an_object(), reader.error_path(), failure);
  if (error || reader.rejected()) {
    out.clear();
    return false;
  }
  out.resize(count);
  return true;
}

}  // namespace

std::unique_ptr<FhirDecoderKernel> make_fhir_decoder_kernel() {
  return std::make_unique<KernelFhirDecoder>();
}

}  // namespace vigil::VIGIL_JSON_KERNEL
