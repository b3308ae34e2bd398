#include "app/digest_command.h"

#include <atomic>
#include <filesystem>

#include "app/command_failure.h"
#include "config/pipeline_config.h"
#include "review/reference_names.h"
#include "review/review_store.h"
#include "web/digest.h"
#include "web/signal_source.h"

namespace vigil {

int run_digest_command(const DigestOptions& options, std::ostream& out, std::ostream& err) {
  auto week = parse_iso_week(options.week);
  if (!week) return command_failure(err, "digest", week.error(), 2);
  if (options.signals.empty() == options.state_dir.empty()) {
    return command_failure(err, "digest", "give either --signals PATH or --state-dir DIR", 2);
  }
  auto config = load_pipeline_config(options.config_path);
  if (!config) return command_failure(err, "digest", config.error(), 2);
  const ReviewOptions& review = config.value().review;
  ReferenceNames names;
  for (const auto& [dimension, path] : review.reference_tables) {
    if (Status loaded = names.load_csv(dimension, path); !loaded) {
      return command_failure(err, "digest", loaded.error(), 2);
    }
  }
  std::string store_path = ":memory:";
  if (!options.state_dir.empty()) {
    store_path = review_store_path(options.state_dir);
    if (!std::filesystem::exists(store_path)) {
      return command_failure(err, "digest", "no review store in " + options.state_dir, 2);
    }
  }
  auto store = ReviewStore::open(store_path, names);
  if (!store) return command_failure(err, "digest", store.error());
  if (!options.signals.empty()) {
    const std::atomic<bool> never{false};
    if (Status loaded = make_signal_file_source(options.signals)->load(*store.value(), never);
        !loaded) {
      return command_failure(err, "digest", loaded.error());
    }
  }
  const std::string base_url = options.base_url.empty() ? review.base_url : options.base_url;
  const DigestFormat format =
      options.format == "html" ? DigestFormat::kHtml : DigestFormat::kMarkdown;
  auto text = render_digest(*store.value(), week.value(), format, base_url, names);
  if (!text) return command_failure(err, "digest", text.error());
  out << text.value();
  return 0;
}

}  // namespace vigil
