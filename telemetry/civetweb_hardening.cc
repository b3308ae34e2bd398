#include "telemetry/civetweb_hardening.h"

#include <civetweb.h>

#include <cstring>
#include <string>
#include <string_view>

namespace vigil {
namespace {

// A byte no sound target carries: a control character, space, DEL, a raw
// (not percent-encoded) non-ASCII byte, or a backslash (which civetweb
// turns into '/' when it normalises the path, making new segments).
bool unsafe_byte(unsigned char c) { return c <= 0x20 || c >= 0x7f || c == '\\'; }

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// "%00".."%1F" and "%7F" at `at`: a control character once decoded.
bool encoded_control(std::string_view text, size_t at) {
  if (text.size() - at < 3 || text[at] != '%') return false;
  const char hi = text[at + 1];
  const char lo = static_cast<char>(text[at + 2] | 0x20);  // lower case for a-f
  if (!is_hex(hi) || !is_hex(lo)) return false;
  return hi == '0' || hi == '1' || (hi == '7' && lo == 'f');
}

bool sound_text(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (unsafe_byte(static_cast<unsigned char>(text[i])) || encoded_control(text, i)) return false;
  }
  return true;
}

// Empty or dot segments: "//", "/./", "/../", or a path ending "/." or "/..".
bool has_odd_segment(std::string_view path) {
  size_t start = 1;  // after the leading '/'
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(start, end - start);
    const bool last = end == path.size();
    if ((segment.empty() && !last) || segment == "." || segment == "..") return true;
    start = end + 1;
  }
  return false;
}

int answer(mg_connection* conn, int status, std::string_view body) {
  const mg_request_info* info = mg_get_request_info(conn);
  const bool head =
      info != nullptr && info->request_method != nullptr && std::strcmp(info->request_method, "HEAD") == 0;
  const std::string length = std::to_string(body.size());
  mg_response_header_start(conn, status);
  mg_response_header_add(conn, "Content-Type", "text/plain; charset=utf-8", -1);
  mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  mg_response_header_add(conn, "Cache-Control", "no-store", -1);
  mg_response_header_add(conn, "Connection", "close", -1);
  mg_response_header_send(conn);
  if (!head) mg_write(conn, body.data(), body.size());
  return status;
}

}  // namespace

int request_target_status(const char* path, const char* query) {
  const std::string_view p = path == nullptr ? std::string_view() : std::string_view(path);
  const std::string_view q = query == nullptr ? std::string_view() : std::string_view(query);
  if (p.size() + (query == nullptr ? 0 : q.size() + 1) > kMaxRequestTargetBytes) return 414;
  if (p.empty() || p.front() != '/') return 400;  // "*", or a target civetweb could not split
  if (!sound_text(p) || !sound_text(q) || has_odd_segment(p)) return 400;
  return 0;
}

int reject_unsafe_request_target(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  if (info == nullptr) return 0;
  // civetweb has split off the query and percent-decoded the path in place
  // (local_uri_raw); local_uri is the copy with dot segments removed, so the
  // raw one is the one to judge.
  const int status = request_target_status(info->local_uri_raw, info->query_string);
  if (status == 414) return answer(conn, 414, "request target too long\n");
  if (status != 0) return answer(conn, status, "bad request target\n");
  return 0;
}

}  // namespace vigil
