// `vigil run`: the pipeline on Kafka (contract §3).
#pragma once

#include <optional>
#include <ostream>
#include <string>

namespace vigil {

struct RunOptions {
  std::string config_path;
  // Each overrides the configuration when given.
  std::optional<std::string> bootstrap_servers;
  std::optional<std::string> group_id;
  // kafka.group_instance_id (static membership), e.g. the pod name of a
  // StatefulSet replica, which is the same after every restart.
  std::optional<std::string> group_instance_id;
  std::optional<std::string> transactional_id;  // kafka.transactional_id
  std::optional<std::string> guarantee;         // kafka.guarantee
  std::optional<std::string> events_topic;
  std::optional<std::string> events_format;     // kafka.events_format
  std::optional<std::string> signals_topic;
  std::optional<std::string> dead_letter_topic;
  std::optional<std::string> repartition_topic;
  std::optional<std::string> reviews_topic;  // kafka.reviews_topic
  std::optional<std::string> state_dir;
  std::optional<uint16_t> metrics_port;
  std::optional<std::string> alertmanager_url;  // extension: alertmanager.url
};

// Runs until SIGINT or SIGTERM, then commits and exits 0; 1 on a runtime
// failure, 2 on a configuration error.
int run_run_command(const RunOptions& options, std::ostream& err);

}  // namespace vigil
