// One HTTP request and its answer as plain values, so the review
// application's handlers (web/review_handlers.h) run and are tested without
// a socket; web/review_app.cc moves them to and from civetweb.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil {

struct HttpRequest {
  std::string method;  // "GET", "HEAD", "POST", ...
  std::string path;    // decoded path, without the query string
  std::string query;   // the raw query string, without '?'
  // Header names in lower case; a repeated header keeps its last value.
  std::map<std::string, std::string, std::less<>> headers;
  std::string remote_address;  // the connection's peer, e.g. "127.0.0.1"
  std::string body;

  // The header's value, or "" when absent.
  std::string_view header(std::string_view lower_case_name) const {
    const auto it = headers.find(lower_case_name);
    return it == headers.end() ? std::string_view() : std::string_view(it->second);
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  // Besides Content-Type, Content-Length and the security headers every
  // answer carries (security_headers()).
  std::vector<std::pair<std::string, std::string>> headers;
};

// The headers sent with every answer: a Content-Security-Policy that allows
// only the application's own style sheet, script and images (no inline
// script or style, no framing, forms posting only to itself), no MIME
// sniffing, and no Referer beyond the origin.
const std::vector<std::pair<std::string, std::string>>& security_headers();

}  // namespace vigil
