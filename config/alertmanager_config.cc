#include "config/alertmanager_config.h"

#include <string_view>

#include "config/yaml_reader.h"
#include "sinks/alertmanager_alert.h"

namespace vigil::config {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

AlertmanagerOptions parse_alertmanager(const YAML::Node& node) {
  const std::string path = "alertmanager";
  check_keys(node, path,
             {"url", "resend_interval_seconds", "timeout_ms", "retry_initial_backoff_ms",
              "retry_max_backoff_ms", "max_alerts", "labels", "generator_url", "bearer_token_file",
              "basic_auth", "tls"});
  AlertmanagerOptions am;
  read(node, path, "url", am.url);
  if (!am.url.empty() && !starts_with(am.url, "http://") && !starts_with(am.url, "https://")) {
    fail(path + ".url", "must be empty (off) or start with http:// or https://");
  }
  read(node, path, "resend_interval_seconds", am.resend_interval_seconds);
  if (am.resend_interval_seconds < 1 || am.resend_interval_seconds > 86400) {
    fail(path + ".resend_interval_seconds", "must be 1..86400");
  }
  read(node, path, "timeout_ms", am.timeout_ms);
  if (am.timeout_ms < 1) fail(path + ".timeout_ms", "must be at least 1");
  read(node, path, "retry_initial_backoff_ms", am.retry_initial_backoff_ms);
  if (am.retry_initial_backoff_ms < 1) fail(path + ".retry_initial_backoff_ms", "must be at least 1");
  read(node, path, "retry_max_backoff_ms", am.retry_max_backoff_ms);
  if (am.retry_max_backoff_ms < am.retry_initial_backoff_ms) {
    fail(path + ".retry_max_backoff_ms", "must not be less than retry_initial_backoff_ms");
  }
  read(node, path, "max_alerts", am.max_alerts);
  if (am.max_alerts < 1) fail(path + ".max_alerts", "must be at least 1");
  if (const auto labels = node["labels"]) {
    if (!labels.IsMap()) fail(path + ".labels", "must be a mapping");
    for (const auto& kv : labels) {
      const auto name = kv.first.as<std::string>();
      const std::string label_path = path + ".labels." + name;
      if (!is_valid_label_name(name)) fail(label_path, "is not a valid label name ([A-Za-z_][A-Za-z0-9_]*)");
      if (is_reserved_alert_label(name)) fail(label_path, "is set by Vigil and cannot be configured");
      auto value = scalar<std::string>(kv.second, label_path);
      if (value.empty()) fail(label_path, "must not be empty");
      am.labels.emplace_back(name, std::move(value));
    }
  }
  read(node, path, "generator_url", am.generator_url);
  read(node, path, "bearer_token_file", am.bearer_token_file);
  if (const auto basic = node["basic_auth"]) {
    check_keys(basic, path + ".basic_auth", {"username", "password_file"});
    read(basic, path + ".basic_auth", "username", am.basic_auth_username);
    read(basic, path + ".basic_auth", "password_file", am.basic_auth_password_file);
    if (am.basic_auth_username.empty() != am.basic_auth_password_file.empty()) {
      fail(path + ".basic_auth", "needs both username and password_file");
    }
  }
  if (!am.bearer_token_file.empty() && !am.basic_auth_username.empty()) {
    fail(path + ".bearer_token_file", "use either bearer_token_file or basic_auth, not both");
  }
  if (const auto tls = node["tls"]) {
    check_keys(tls, path + ".tls", {"ca_file", "cert_file", "key_file", "insecure_skip_verify"});
    read(tls, path + ".tls", "ca_file", am.tls.ca_file);
    read(tls, path + ".tls", "cert_file", am.tls.cert_file);
    read(tls, path + ".tls", "key_file", am.tls.key_file);
    read(tls, path + ".tls", "insecure_skip_verify", am.tls.insecure_skip_verify);
    if (am.tls.cert_file.empty() != am.tls.key_file.empty()) {
      fail(path + ".tls", "cert_file and key_file go together");
    }
  }
  return am;
}

}  // namespace vigil::config
