// `vigil serve`: the review application (contract §3) over a file of
// signals, or (Kafka mode) over the signals and reviews topics.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace vigil {

struct ServeOptions {
  std::string config_path;  // empty: built-in default (its kafka: and review: sections)
  // A JSON Lines file of signal events. Empty: Kafka mode, which needs
  // --bootstrap-servers or a --config (so a bare `vigil serve` does not
  // wait on a broker that is not there).
  std::string signals;
  std::optional<std::string> bootstrap_servers;  // overrides kafka.bootstrap_servers
  std::optional<std::string> signals_topic;      // overrides kafka.signals_topic
  std::optional<std::string> reviews_topic;      // overrides kafka.reviews_topic
  std::optional<uint16_t> port;                  // overrides review.port
  std::optional<std::string> bind;               // overrides review.bind
  // Overrides review.state_dir. Without it and without --config: the
  // directory "vigil-review" in the working directory, so decisions made
  // over a file of signals survive a restart of a local session.
  std::optional<std::string> state_dir;
  std::string reviewer;  // identity of every request not from a trusted proxy
  // DIMENSION=CSV, added after the configuration's reference tables.
  std::vector<std::string> references;
};

// Serves until SIGINT or SIGTERM. Once the store holds everything the source
// held at start, prints "vigil serve: http://ADDR:PORT/" on `out`. Returns
// the exit status: 0 after a stop signal, 1 a runtime failure, 2 a usage or
// configuration error.
int run_serve_command(const ServeOptions& options, std::ostream& out, std::ostream& err);

}  // namespace vigil
