#include "sinks/alertmanager_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>

#include "core/version.h"

namespace vigil {

namespace {

// Enough of an error answer to explain it in a log line.
constexpr size_t kMaxResponseBytes = 1024;

struct CurlDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

// curl_global_init is not thread-safe on every build of libcurl; run it once.
void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// The file's contents without trailing whitespace (Secrets often end in a
// newline); nullopt when it cannot be read.
std::optional<std::string> read_secret(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  std::string value = text.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r' ||
                            value.back() == ' ' || value.back() == '\t')) {
    value.pop_back();
  }
  return value;
}

bool readable(const std::string& path) { return std::ifstream(path).good(); }

size_t collect_response(char* data, size_t size, size_t count, void* user) {
  auto* out = static_cast<std::string*>(user);
  const size_t n = size * count;
  if (out->size() < kMaxResponseBytes) out->append(data, std::min(n, kMaxResponseBytes - out->size()));
  return n;
}

// One printable line from Alertmanager's answer (a JSON string or text).
std::string printable(const std::string& text) {
  std::string out;
  for (const char c : text) out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  return out;
}

}  // namespace

struct AlertmanagerClient::Handle {
  std::unique_ptr<CURL, CurlDeleter> curl;
  char error[CURL_ERROR_SIZE] = {};
  std::string response;
};

std::string alertmanager_alerts_endpoint(std::string_view base_url) {
  std::string out(base_url);
  while (!out.empty() && out.back() == '/') out.pop_back();
  out += "/api/v2/alerts";
  return out;
}

std::string redact_url_credentials(std::string_view url) {
  const size_t scheme = url.find("://");
  const size_t authority = scheme == std::string_view::npos ? 0 : scheme + 3;
  const size_t authority_end = url.find_first_of("/?#", authority);
  const std::string_view host_part =
      url.substr(authority, authority_end == std::string_view::npos ? std::string_view::npos
                                                                     : authority_end - authority);
  // The last '@' ends the user information (a password may hold '@').
  const size_t at = host_part.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, authority)) + "***" + std::string(url.substr(authority + at));
}

Result<std::unique_ptr<AlertmanagerClient>> AlertmanagerClient::create(
    const AlertmanagerOptions& options) {
  const auto invalid = [](const std::string& what) {
    return make_error(ErrorKind::kInvalidArgument, "alertmanager." + what);
  };
  if (!starts_with(options.url, "http://") && !starts_with(options.url, "https://")) {
    return invalid("url: must start with http:// or https://");
  }
  if (!options.bearer_token_file.empty() && !options.basic_auth_username.empty()) {
    return invalid("bearer_token_file: use either a bearer token or basic auth, not both");
  }
  if (options.basic_auth_username.empty() != options.basic_auth_password_file.empty()) {
    return invalid("basic_auth: needs both username and password_file");
  }
  if (options.tls.cert_file.empty() != options.tls.key_file.empty()) {
    return invalid("tls: cert_file and key_file go together");
  }
  for (const auto& [key, path] :
       {std::pair{"bearer_token_file", &options.bearer_token_file},
        std::pair{"basic_auth.password_file", &options.basic_auth_password_file},
        std::pair{"tls.ca_file", &options.tls.ca_file}, std::pair{"tls.cert_file", &options.tls.cert_file},
        std::pair{"tls.key_file", &options.tls.key_file}}) {
    if (!path->empty() && !readable(*path)) {
      return invalid(std::string(key) + ": cannot read " + *path);
    }
  }

  init_curl_once();
  std::unique_ptr<AlertmanagerClient> client(new AlertmanagerClient(options));
  client->handle_->curl.reset(curl_easy_init());
  CURL* curl = client->handle_->curl.get();
  if (curl == nullptr) return make_error(ErrorKind::kFatal, "alertmanager: curl_easy_init failed");

  const std::string user_agent = "vigil/" + std::string(kVersion);
  bool ok = curl_easy_setopt(curl, CURLOPT_URL, client->endpoint_.c_str()) == CURLE_OK;
  ok = ok && curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
  ok = ok && curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
  ok = ok && curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout_ms)) == CURLE_OK;
  ok = ok && curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                              static_cast<long>(options.timeout_ms)) == CURLE_OK;
  ok = ok && curl_easy_setopt(curl, CURLOPT_USERAGENT, user_agent.c_str()) == CURLE_OK;
  ok = ok && curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, client->handle_->error) == CURLE_OK;
  ok = ok && curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &collect_response) == CURLE_OK;
  ok = ok && curl_easy_setopt(curl, CURLOPT_WRITEDATA, &client->handle_->response) == CURLE_OK;
  if (!options.tls.ca_file.empty()) {
    ok = ok && curl_easy_setopt(curl, CURLOPT_CAINFO, options.tls.ca_file.c_str()) == CURLE_OK;
  }
  if (!options.tls.cert_file.empty()) {
    ok = ok && curl_easy_setopt(curl, CURLOPT_SSLCERT, options.tls.cert_file.c_str()) == CURLE_OK;
    ok = ok && curl_easy_setopt(curl, CURLOPT_SSLKEY, options.tls.key_file.c_str()) == CURLE_OK;
  }
  if (options.tls.insecure_skip_verify) {
    ok = ok && curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L) == CURLE_OK;
    ok = ok && curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L) == CURLE_OK;
  }
  if (!options.basic_auth_username.empty()) {
    ok = ok && curl_easy_setopt(curl, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC)) == CURLE_OK;
  }
  if (!ok) return invalid("url: libcurl rejected the settings for " + client->endpoint_);
  return client;
}

AlertmanagerClient::AlertmanagerClient(const AlertmanagerOptions& options)
    : options_(options), endpoint_(alertmanager_alerts_endpoint(options.url)),
      handle_(std::make_unique<Handle>()) {}

AlertmanagerClient::~AlertmanagerClient() = default;

Status AlertmanagerClient::post_alerts(std::string_view json) {
  CURL* curl = handle_->curl.get();
  const auto unavailable = [this](const std::string& why) {
    return make_error(ErrorKind::kUnavailable, "alertmanager " + endpoint_ + ": " + why);
  };

  SlistPtr headers(curl_slist_append(nullptr, "Content-Type: application/json"));
  if (!headers) return unavailable("out of memory");
  if (!options_.bearer_token_file.empty()) {
    const auto token = read_secret(options_.bearer_token_file);
    if (!token) return unavailable("cannot read bearer_token_file " + options_.bearer_token_file);
    const std::string header = "Authorization: Bearer " + *token;
    // Appending to a non-empty list returns its unchanged head.
    if (curl_slist_append(headers.get(), header.c_str()) == nullptr) {
      return unavailable("out of memory");
    }
  }
  std::string password;
  if (!options_.basic_auth_username.empty()) {
    auto read = read_secret(options_.basic_auth_password_file);
    if (!read) return unavailable("cannot read basic_auth password_file " + options_.basic_auth_password_file);
    password = std::move(*read);
    (void)curl_easy_setopt(curl, CURLOPT_USERNAME, options_.basic_auth_username.c_str());
    (void)curl_easy_setopt(curl, CURLOPT_PASSWORD, password.c_str());
  }
  (void)curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  (void)curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json.data());
  (void)curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(json.size()));

  handle_->error[0] = '\0';
  handle_->response.clear();
  const CURLcode code = curl_easy_perform(curl);
  // The handle keeps pointers to these; clear them before they go away.
  (void)curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  (void)curl_easy_setopt(curl, CURLOPT_POSTFIELDS, nullptr);
  if (!password.empty()) (void)curl_easy_setopt(curl, CURLOPT_PASSWORD, "");

  if (code != CURLE_OK) {
    const std::string detail = handle_->error[0] != '\0' ? handle_->error : curl_easy_strerror(code);
    return unavailable(detail);
  }
  long status = 0;
  (void)curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) return Status::ok();
  const std::string what = "HTTP " + std::to_string(status) +
                           (handle_->response.empty() ? "" : ": " + printable(handle_->response));
  if (status >= 500 || status == 408 || status == 429) return unavailable(what);
  return make_error(ErrorKind::kInvalidArgument,
                    "alertmanager " + endpoint_ + " refused the alerts: " + what);
}

}  // namespace vigil
