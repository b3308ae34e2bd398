#include "app/serve_command.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
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
      return make_error(
          ErrorKind::kInvalidArgument,
          "--reference '" + spec + "' is not DIMENSION=CSV (e.g. org=organisations.csv)");
    }
    Status loaded = names.load_csv(spec.substr(0, eq), spec.substr(eq + 1));
    if (!loaded) return loaded;
  }
  return Status::ok();
}

std::string url_host(const std::string& bind) {
  if (bind == "0.0.0.0") return "127.0.0.1";
  if (bind == "::") return "[::1]";
  return bind.find(':') != std::string::npos ? "[" + bind + "]" : bind;
}

}  // namespace

// A store is the review of one source: decisions recorded over one
// backtest's signals must not be mixed with another's. The state directory
// remembers its source (the signals file's absolute path, or the Kafka
// bootstrap servers and topic) and refuses another.
static Status claim_state_dir(const std::string& state_dir, const std::string& source) {
  const std::filesystem::path marker = std::filesystem::path(state_dir) / "source";
  std::ifstream in(marker);
  if (in) {
    std::stringstream held;
    held << in.rdbuf();
    std::string text = held.str();
    while (!text.empty() && text.back() == '\n') text.pop_back();
    if (text == source) return Status::ok();
    return make_error(ErrorKind::kInvalidArgument,
                      "state directory " + state_dir + " holds the review of " + text +
                          ", not of " + source + "; give another --state-dir");
  }
  std::ofstream out(marker);
  out << source << "\n";
  if (!out) return make_error(ErrorKind::kIo, "cannot write " + marker.string());
  return Status::ok();
}

int run_serve_command(const ServeOptions& options, std::ostream& out, std::ostream& err) {
  auto config = load_pipeline_config(options.config_path);
  if (!config) return command_failure(err, "serve", config.error(), 2);
  KafkaConfig kafka = config.value().kafka;
  ReviewOptions review = config.value().review;
  if (options.port) review.port = *options.port;
  if (options.bind) review.bind = *options.bind;
  if (options.state_dir) {
    review.state_dir = *options.state_dir;
  } else if (options.config_path.empty()) {
    review.state_dir = std::string(kLocalStateDir);
  }
  if (options.bootstrap_servers) kafka.bootstrap_servers = *options.bootstrap_servers;
  if (options.signals_topic) kafka.signals_topic = *options.signals_topic;
  if (options.reviews_topic) kafka.reviews_topic = *options.reviews_topic;
  review.identity.local_reviewer = options.reviewer;
  const bool file_mode = !options.signals.empty();
  if (!file_mode && !options.bootstrap_servers && options.config_path.empty()) {
    return command_failure(err, "serve",
                           "give --signals PATH (a file of signal events) or --bootstrap-servers "
                           "(the signals topic)",
                           2);
  }

  ReferenceNames names;
  if (Status loaded = load_reference_names(review, options.references, names); !loaded) {
    return command_failure(err, "serve", loaded.error(), 2);
  }
  std::error_code made;
  std::filesystem::create_directories(review.state_dir, made);
  if (made) {
    return command_failure(
        err, "serve", "cannot create state directory " + review.state_dir + ": " + made.message());
  }
  std::error_code absolute_error;
  const std::string source_name =
      file_mode ? std::filesystem::absolute(options.signals, absolute_error).lexically_normal().string()
                : "kafka " + kafka.bootstrap_servers + " " + kafka.signals_topic;
  if (Status claimed = claim_state_dir(review.state_dir, source_name); !claimed) {
    return command_failure(err, "serve", claimed.error(), 2);
  }
  const std::string store_path = review_store_path(review.state_dir);
  auto store = ReviewStore::open(store_path, names);
  if (!store) return command_failure(err, "serve", store.error());

  // After the store: the Kafka source's threads write into it until the
  // source is destroyed.
  std::unique_ptr<SignalSource> source;
  if (file_mode) {
    source = make_signal_file_source(options.signals);
  } else {
    auto kafka_source = make_kafka_review_source(kafka, kafka.signals_topic, kafka.reviews_topic);
    if (!kafka_source) return command_failure(err, "serve", kafka_source.error(), 2);
    source = std::move(kafka_source).value();
  }

  // Serving starts at once, so /healthz answers while a topic is read;
  // /readyz waits for the store to hold what the source held at start.
  std::atomic<bool>& stop = install_stop_signal_handlers();
  std::atomic<bool> ready{false};
  auto app = ReviewApp::start(review, *store.value(), names, source->publisher(), &ready);
  if (!app) return command_failure(err, "serve", app.error());
  if (Status loaded = source->load(*store.value(), stop); !loaded) {
    if (stop.load()) return 0;
    return command_failure(err, "serve", loaded.error(),
                           loaded.error().kind == ErrorKind::kInvalidArgument ? 2 : 1);
  }
  ready.store(true, std::memory_order_release);
  out << "vigil serve: http://" << url_host(review.bind) << ":" << app.value()->port() << "/\n"
      << std::flush;
  err << "vigil serve: " << store.value()->signal_count() << " signals from " << source->describe()
      << "; store " << store_path << "\n";

  while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  app.value().reset();  // in-flight requests finish before the source and store go
  err << "vigil serve: stopped\n";
  return 0;
}

}  // namespace vigil
