#include "config/review_config.h"

#include <string_view>

#include "config/yaml_reader.h"

namespace vigil::config {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

ReviewOptions parse_review(const YAML::Node& node) {
  const std::string path = "review";
  check_keys(node, path,
             {"bind", "port", "state_dir", "reference_tables", "report_url_template", "base_url",
              "identity"});
  ReviewOptions review;
  read(node, path, "bind", review.bind);
  if (review.bind.empty()) fail(path + ".bind", "must not be empty");
  read(node, path, "port", review.port);
  read(node, path, "state_dir", review.state_dir);
  if (review.state_dir.empty()) fail(path + ".state_dir", "must not be empty");
  if (const auto tables = node["reference_tables"]) {
    if (!tables.IsMap())
      fail(path + ".reference_tables", "must be a mapping of key dimension to CSV file");
    for (const auto& kv : tables) {
      const auto dimension = kv.first.as<std::string>();
      const std::string table_path = path + ".reference_tables." + dimension;
      auto file = scalar<std::string>(kv.second, table_path);
      if (file.empty()) fail(table_path, "must name a CSV file");
      review.reference_tables[dimension] = std::move(file);
    }
  }
  read(node, path, "report_url_template", review.report_url_template);
  if (!review.report_url_template.empty() &&
      (!starts_with(review.report_url_template, "http://") &&
       !starts_with(review.report_url_template, "https://"))) {
    fail(path + ".report_url_template",
         "must be empty (no links) or start with http:// or https://");
  }
  if (!review.report_url_template.empty() &&
      review.report_url_template.find("{id}") == std::string::npos) {
    fail(path + ".report_url_template", "must contain {id}, where the report id goes");
  }
  read(node, path, "base_url", review.base_url);
  if (!review.base_url.empty() && !starts_with(review.base_url, "http://") &&
      !starts_with(review.base_url, "https://")) {
    fail(path + ".base_url", "must be empty (relative links) or start with http:// or https://");
  }
  if (const auto identity = node["identity"]) {
    const std::string id_path = path + ".identity";
    check_keys(identity, id_path,
               {"user_header", "groups_header", "trusted_proxies", "reviewers", "reviewer_groups"});
    IdentityOptions& id = review.identity;
    read(identity, id_path, "user_header", id.user_header);
    if (id.user_header.empty()) fail(id_path + ".user_header", "must not be empty");
    read(identity, id_path, "groups_header", id.groups_header);
    if (const auto n = identity["trusted_proxies"])
      id.trusted_proxies = string_list(n, id_path + ".trusted_proxies");
    if (const auto n = identity["reviewers"]) id.reviewers = string_list(n, id_path + ".reviewers");
    if (const auto n = identity["reviewer_groups"])
      id.reviewer_groups = string_list(n, id_path + ".reviewer_groups");
  }
  return review;
}

}  // namespace vigil::config
