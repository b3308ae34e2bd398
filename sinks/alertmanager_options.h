// Settings of the Alertmanager sink: the `alertmanager:` section of
// config/vigil.yaml, where every key is documented.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace vigil {

struct AlertmanagerTlsOptions {
  std::string ca_file;    // PEM bundle to verify the server; empty: the system store
  std::string cert_file;  // client certificate (PEM) for mutual TLS; with key_file
  std::string key_file;   // its private key (PEM)
  // Skips verifying the server's certificate and name. For tests only.
  bool insecure_skip_verify = false;
};

struct AlertmanagerOptions {
  // Base URL of one Alertmanager, including any --web.route-prefix
  // ("http://alertmanager:9093"); alerts go to <url>/api/v2/alerts.
  // Empty: the sink is off.
  std::string url;
  // Open alerts are sent again this often; each send asks Alertmanager to
  // keep the alert firing for kEndsAtResendMultiple intervals.
  uint32_t resend_interval_seconds = 60;
  // Whole-request timeout of one POST (connect included).
  uint32_t timeout_ms = 10000;
  // Retries after a failed POST wait initial × 2^n (with jitter), at most max.
  uint32_t retry_initial_backoff_ms = 500;
  uint32_t retry_max_backoff_ms = 60000;
  // Most alerts held at once (open ones re-sent, resolved ones awaiting
  // delivery): the sink's memory bound. Transitions beyond it are dropped
  // and counted.
  uint32_t max_alerts = 10000;
  // Static labels added to every alert (e.g. environment: production).
  std::vector<std::pair<std::string, std::string>> labels;
  // Link in each alert; "{signal_id}" is replaced by the signal's id. Empty: none.
  std::string generator_url;
  // Credentials come from files (mounted Secrets), re-read at every request
  // so a rotated Secret takes effect without a restart. At most one of
  // bearer_token_file and basic_auth.
  std::string bearer_token_file;
  std::string basic_auth_username;
  std::string basic_auth_password_file;
  AlertmanagerTlsOptions tls;

  bool enabled() const { return !url.empty(); }
};

// Alertmanager resolves an alert by itself once its endsAt passes, so each
// send of an open alert sets endsAt this many resend intervals ahead, as
// Prometheus does: three sends may fail before an open alert lapses.
inline constexpr uint32_t kEndsAtResendMultiple = 4;

// The alertname label of every alert the sink sends.
inline constexpr const char* kAlertName = "VigilSignal";

}  // namespace vigil
