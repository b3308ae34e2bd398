// One HTTP(S) client of one Alertmanager: POST /api/v2/alerts over libcurl,
// with the TLS and authentication of AlertmanagerOptions.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "sinks/alertmanager_options.h"

namespace vigil {

class AlertmanagerClient {
 public:
  // Checks `options` (an http or https URL; credential and TLS files
  // readable; bearer token and basic auth not both) and prepares a
  // connection handle. No request is made. Errors: kInvalidArgument naming
  // the option at fault.
  static Result<std::unique_ptr<AlertmanagerClient>> create(const AlertmanagerOptions& options);
  ~AlertmanagerClient();
  AlertmanagerClient(const AlertmanagerClient&) = delete;
  AlertmanagerClient& operator=(const AlertmanagerClient&) = delete;

  // POSTs `json` (a JSON array of PostableAlerts) to <url>/api/v2/alerts and
  // waits at most options.timeout_ms. Credential files are read again for
  // each request. Returns:
  //   ok                on a 2xx answer;
  //   kUnavailable      when the same request may succeed later: no
  //                     connection, timeout, TLS failure, 5xx, 408 or 429, a
  //                     credential file unreadable at the moment;
  //   kInvalidArgument  when Alertmanager refused the alerts (any other
  //                     status), with its status and message.
  // Messages never contain credentials. Not thread-safe: one caller at a time
  // (the sink's delivery thread); the connection is kept alive between calls.
  Status post_alerts(std::string_view json);

  // The URL alerts are posted to.
  const std::string& endpoint() const { return endpoint_; }

 private:
  struct Handle;
  explicit AlertmanagerClient(const AlertmanagerOptions& options);

  AlertmanagerOptions options_;
  std::string endpoint_;
  std::unique_ptr<Handle> handle_;
};

// "<url>/api/v2/alerts" without a doubled slash.
std::string alertmanager_alerts_endpoint(std::string_view base_url);

// The URL as it may be logged or printed: credentials written into it
// ("https://user:password@host/") become "***@", so a password never
// reaches a log. Everything else is kept.
std::string redact_url_credentials(std::string_view url);

}  // namespace vigil
