// `vigil digest --week YYYY-Www`: the week's signals in priority order with
// links to their pages, as Markdown or HTML (for an email), on stdout.
#pragma once

#include <ostream>
#include <string>

namespace vigil {

struct DigestOptions {
  std::string week;                 // "2024-W05"
  std::string format = "markdown";  // markdown | html
  std::string signals;              // a JSON Lines file of signal events, or
  std::string state_dir;            // the state directory of a `vigil serve`
  std::string base_url;             // links' prefix; empty: relative
  std::string config_path;          // for the reference tables (names) and base_url
};

// 0 success, 1 a runtime failure, 2 a usage error.
int run_digest_command(const DigestOptions& options, std::ostream& out, std::ostream& err);

}  // namespace vigil
