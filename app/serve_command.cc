#include "app/serve_command.h"

#include <chrono>
#include <filesystem>
#include <thread>

#include "app/command_failure.h"
#include "app/stop_signal.h"
#include "config/pipeline_config.h"
#include "review/reference_names.h"
#include "review/review_store.h"
#include "web/review_app.h"
#include "web/signal_source.h"

namespace vigil {
namespace {

constexpr std::string_view kLocalStateDir = "vigil-review";

// The configuration's reference tables, then --reference DIMENSION=CSV.
Status load_reference_names(const ReviewOptions& review, const std::vector<std::string>& extra,
                            ReferenceNames& names) {
  for (const auto& [dimension, path] : review.reference_tables) {
    Status loaded = names.load_csv(dimension, path);
    if (!loaded) return loaded;
  }
  for (const std::string& spec : extra) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      return make_error(ErrorKind::kInvalidArgument,
                        "--reference '" + spec + "' is not DIMENSION=CSV (e.g. org=organisations.csv)");
    }
    Status loaded = names.load_csv(spec.substr(0, eq), spec.substr(eq + 1));
    if (!loaded) return loaded;
  }
  return Status::ok();
}

}  // namespace

int run_serve_command(const ServeOptions& options, std::ostream& out, std::ostream& err) {
  auto config = load_pipeline_config(options.config_path);
  if (!config) return command_failure(err, "serve", config.error(), 2);
  ReviewOptions review = config.value().review;
  if (options.port) review.port = *options.port;
  if (options.bind) review.bind = *options.bind;
  if (options.state_dir) {
    review.state_dir = *options.state_dir;
  } else if (options.config_path.empty()) {
    review.state_dir = std::string(kLocalStateDir);
  }
  review.identity.local_reviewer = options.reviewer;

  if (options.signals.empty()) {
    return command_failure(err, "serve", "give --signals PATH (a JSON Lines file of signal events)", 2);
  }
  std::unique_ptr<SignalSource> source = make_signal_file_source(options.signals);

  ReferenceNames names;
  if (Status loaded = load_reference_names(review, options.references, names); !loaded) {
    return command_failure(err, "serve", loaded.error(), 2);
  }
  std::error_code made;
  std::filesystem::create_directories(review.state_dir, made);
  if (made) {
    return command_failure(err, "serve", "cannot create state directory " + review.state_dir + ": " + made.message());
  }
  const std::string store_path = review_store_path(review.state_dir);
  auto store = ReviewStore::open(store_path, names);
  if (!store) return command_failure(err, "serve", store.error());
  if (Status loaded = source->load(*store.value()); !loaded) {
    return command_failure(err, "serve", loaded.error(),
                           loaded.error().kind == ErrorKind::kInvalidArgument ? 2 : 1);
  }

  std::atomic<bool>& stop = install_stop_signal_handlers();
  auto app = ReviewApp::start(review, *store.value(), names, source->publisher());
  if (!app) return command_failure(err, "serve", app.error());
  const bool ipv6 = review.bind.find(':') != std::string::npos;
  const std::string host = review.bind == "0.0.0.0" ? "127.0.0.1"
                           : ipv6                   ? "[" + review.bind + "]"
                                                    : review.bind;
  out << "vigil serve: http://" << host << ":" << app.value()->port() << "/\n" << std::flush;
  err << "vigil serve: " << store.value()->signal_count() << " signals from " << source->describe()
      << "; store " << store_path << "\n";

  Status followed = source->follow(*store.value(), stop);
  if (!followed) return command_failure(err, "serve", followed.error());
  while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  app.value().reset();
  err << "vigil serve: stopped\n";
  return 0;
}

}  // namespace vigil
