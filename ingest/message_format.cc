#include "ingest/message_format.h"

#include <string.h>  // memmem (GNU): the fastest search for the sniff's one name

#include <cstring>

namespace vigil {
namespace {

constexpr std::string_view kResourceType = "resourceType";
constexpr size_t kNone = std::string_view::npos;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The walk of sniff_message_format over one message: positions only, no
// copies, no validation beyond what finding the top-level names needs.
class TopLevelNames {
 public:
  explicit TopLevelNames(std::string_view s) : s_(s) {}

  bool has_resource_type() {
    size_t pos = skip_space(0);
    if (pos >= s_.size() || s_[pos] != '{') return false;
    ++pos;
    while (true) {
      pos = skip_space(pos);
      if (pos >= s_.size() || s_[pos] != '"') return false;  // '}' (empty) or not JSON
      const size_t name_end = string_end(pos + 1);
      if (name_end == kNone) return false;
      if (s_.substr(pos + 1, name_end - pos - 1) == kResourceType) return true;
      pos = skip_space(name_end + 1);
      if (pos >= s_.size() || s_[pos] != ':') return false;
      pos = skip_value(pos + 1);
      if (pos == kNone) return false;
      pos = skip_space(pos);
      if (pos >= s_.size() || s_[pos] != ',') return false;  // '}': the last member
      ++pos;
    }
  }

 private:
  size_t skip_space(size_t pos) const {
    while (pos < s_.size() && is_space(s_[pos])) ++pos;
    return pos;
  }

  // Where the string whose first character is at `pos` ends (its closing
  // quote), or kNone if it does not.
  size_t string_end(size_t pos) const {
    while (pos < s_.size()) {
      const void* found = std::memchr(s_.data() + pos, '"', s_.size() - pos);
      if (found == nullptr) return kNone;
      const size_t quote = static_cast<size_t>(static_cast<const char*>(found) - s_.data());
      size_t backslashes = 0;
      while (quote - backslashes > pos && s_[quote - backslashes - 1] == '\\') ++backslashes;
      if (backslashes % 2 == 0) return quote;
      pos = quote + 1;
    }
    return kNone;
  }

  // Past the value starting at or after `pos`; kNone if it does not end.
  size_t skip_value(size_t pos) const {
    pos = skip_space(pos);
    if (pos >= s_.size()) return kNone;
    if (s_[pos] == '"') {
      const size_t end = string_end(pos + 1);
      return end == kNone ? kNone : end + 1;
    }
    if (s_[pos] == '{' || s_[pos] == '[') {
      int depth = 0;
      while (pos < s_.size()) {
        const char c = s_[pos];
        if (c == '"') {
          pos = string_end(pos + 1);
          if (pos == kNone) return kNone;
        } else if (c == '{' || c == '[') {
          ++depth;
        } else if (c == '}' || c == ']') {
          if (--depth == 0) return pos + 1;
        }
        ++pos;
      }
      return kNone;
    }
    // A number or literal: up to the next separator.
    while (pos < s_.size() && s_[pos] != ',' && s_[pos] != '}' && s_[pos] != ']' && !is_space(s_[pos])) {
      ++pos;
    }
    return pos;
  }

  std::string_view s_;
};

}  // namespace

std::string_view format_name(MessageFormat format) {
  return format == MessageFormat::kFhir ? "fhir" : "event_v1";
}

std::string_view format_name(InputFormat format) {
  switch (format) {
    case InputFormat::kAuto: return "auto";
    case InputFormat::kEventV1: return "event_v1";
    case InputFormat::kFhir: return "fhir";
  }
  return "auto";
}

std::optional<MessageFormat> parse_message_format(std::string_view name) {
  if (name == "event_v1") return MessageFormat::kEventV1;
  if (name == "fhir") return MessageFormat::kFhir;
  return std::nullopt;
}

std::optional<InputFormat> parse_input_format(std::string_view name) {
  if (name == "auto") return InputFormat::kAuto;
  if (name == "event_v1") return InputFormat::kEventV1;
  if (name == "fhir") return InputFormat::kFhir;
  return std::nullopt;
}

MessageFormat format_of_content_type(std::optional<std::string_view> content_type,
                                     MessageFormat fallback) {
  if (!content_type) return fallback;
  std::string_view media = *content_type;
  if (const size_t semicolon = media.find(';'); semicolon != kNone) media = media.substr(0, semicolon);
  media = trim(media);
  if (equals_ignoring_case(media, kFhirContentType) ||
      equals_ignoring_case(media, "application/json+fhir")) {
    return MessageFormat::kFhir;
  }
  if (equals_ignoring_case(media, "application/json") ||
      equals_ignoring_case(media, kEventV1ContentType)) {
    return MessageFormat::kEventV1;
  }
  return fallback;
}

MessageFormat sniff_message_format(std::string_view message) {
  // Most messages of a v1 file never contain the name: one fast search
  // settles them without walking any JSON.
  if (message.size() < kResourceType.size() ||
      memmem(message.data(), message.size(), kResourceType.data(), kResourceType.size()) == nullptr) {
    return MessageFormat::kEventV1;
  }
  return TopLevelNames(message).has_resource_type() ? MessageFormat::kFhir : MessageFormat::kEventV1;
}

}  // namespace vigil
