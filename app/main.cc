// vigil: the command line of contract §3.
//
// Exit status: 0 success; 1 a runtime failure (or invalid data found by
// validate); 2 a usage or configuration error, with a one-line message.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <memory>

#include "app/demo_command.h"
#include "app/digest_command.h"
#include "app/evaluate_command.h"
#include "app/generate_command.h"
#include "app/merge_delay_command.h"
#include "app/replay_command.h"
#include "app/run_command.h"
#include "app/series_command.h"
#include "app/serve_command.h"
#include "app/validate_command.h"
#include "core/version.h"

int main(int argc, char** argv) {
  // Logs go to stderr: stdout carries data (`demo --json`, `replay --signals -`).
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>("", std::make_shared<spdlog::sinks::stderr_color_sink_mt>()));
  CLI::App app{"Vigil: flags emerging patient-safety risks in a stream of incident reports."};
  app.set_version_flag("--version", std::string(vigil::kVersion));
  app.require_subcommand(1);

  vigil::RunOptions run;
  auto* run_cmd = app.add_subcommand("run", "Run the pipeline on Kafka: consume incident events, "
                                            "run detectors, publish signals, serve metrics.");
  run_cmd->add_option("--config", run.config_path, "YAML configuration (default: built-in national config)");
  run_cmd->add_option("--bootstrap-servers", run.bootstrap_servers, "Kafka bootstrap servers");
  run_cmd->add_option("--group-id", run.group_id, "Kafka consumer group id");
  run_cmd->add_option("--group-instance-id", run.group_instance_id,
                      "static group membership id, stable across restarts (e.g. the pod name)");
  run_cmd->add_option("--transactional-id", run.transactional_id,
                      "exactly-once producer id, unique per instance and stable across its "
                      "restarts (default: <group-id>-<group-instance-id>, else <group-id>-<host>)");
  run_cmd->add_option("--guarantee", run.guarantee, "exactly_once (default) or at_least_once")
      ->check(CLI::IsMember({"exactly_once", "at_least_once"}));
  run_cmd->add_option("--events-topic", run.events_topic, "topic of incident events");
  run_cmd->add_option("--events-format", run.events_format,
                      "format of events messages without a content-type header: event_v1 "
                      "(default) or fhir (kafka.events_format)")
      ->check(CLI::IsMember({"event_v1", "fhir"}));
  run_cmd->add_option("--signals-topic", run.signals_topic, "topic signals are published to");
  run_cmd->add_option("--dead-letter-topic", run.dead_letter_topic, "topic invalid events go to");
  run_cmd->add_option("--repartition-topic", run.repartition_topic,
                      "internal topic carrying events to the national detectors (\"\": none, "
                      "for an events topic of one partition)");
  run_cmd->add_option("--reviews-topic", run.reviews_topic,
                      "topic of reviewers' decisions, read so Alertmanager is not re-notified "
                      "of known issues (\"\": off)");
  run_cmd->add_option("--state-dir", run.state_dir, "RocksDB state directory");
  run_cmd->add_option("--metrics-port", run.metrics_port, "port for /metrics, /healthz, /readyz");
  run_cmd->add_option("--alertmanager-url", run.alertmanager_url,
                      "also send signals to this Alertmanager (alertmanager.url)");

  vigil::DemoOptions demo;
  auto* demo_cmd = app.add_subcommand(
      "demo", "The whole pipeline on an embedded default: an in-process Kafka cluster and a "
              "synthetic national stream with planted risks; prints signals as they fire.");
  demo_cmd->add_option("--seconds", demo.seconds, "how long to run")->check(CLI::PositiveNumber);
  demo_cmd->add_option("--days", demo.days,
                       "days of occurrence dates in the synthetic stream; once all of it has gone "
                       "through, 'stream drained' is printed and the demo runs on until --seconds")
      ->check(CLI::PositiveNumber);
  demo_cmd->add_flag("--json", demo.json, "print signals as signal v1 JSON lines");
  demo_cmd->add_option("--metrics-port", demo.metrics_port, "port for /metrics (0: any free port)");
  demo_cmd->add_option("--seed", demo.seed, "seed of the synthetic stream");
  demo_cmd->add_option("--ui-port", demo.ui_port,
                       "serve the review application (queue, signal pages) over the demo's signals "
                       "on this port (0: any free port); its URL is printed first");
  demo_cmd->add_option("--alertmanager-url", demo.alertmanager_url,
                       "also send signals to this Alertmanager, e.g. http://127.0.0.1:9093");

  vigil::ReplayOptions replay;
  auto* replay_cmd = app.add_subcommand(
      "replay", "Run the detectors over a JSON Lines file, in file order; write signals as JSON Lines.");
  replay_cmd->add_option("--config", replay.config_path, "YAML configuration (default: built-in)");
  replay_cmd
      ->add_option("--input", replay.inputs,
                   "events file, or - for stdin; repeated: one file per partition of an events "
                   "topic, merged as on the repartition topic")
      ->required()
      ->take_all();
  replay_cmd->add_option("--signals", replay.signals, "signals output file, or - for stdout")->required();
  replay_cmd->add_option("--dead-letters", replay.dead_letters, "file for invalid lines (JSON Lines)");
  replay_cmd->add_option("--state-dir", replay.state_dir, "keep state here (default: fresh, temporary)");
  replay_cmd->add_option("--metrics-file", replay.metrics_file, "write the final metrics scrape here");
  replay_cmd->add_option("--format", replay.format,
                         "auto (default: each line by its content), event_v1 or fhir (LFPSE FHIR "
                         "AdverseEvent or Bundle)")
      ->check(CLI::IsMember({"auto", "event_v1", "fhir"}));

  vigil::SeriesOptions series;
  auto* series_cmd = app.add_subcommand("series", "Run one count-series detector over a CSV series.");
  series_cmd->add_option("--method", series.method, "earsC1|earsC2|earsC3|...")->required();
  series_cmd->add_option("--input", series.input_csv, "CSV with header t,epoch,observed[,mu0]")->required();
  series_cmd->add_option("--range", series.range, "1-based inclusive range A:B")->required();
  series_cmd->add_option("--param", series.params, "NAME=VALUE, as R surveillance's control list");
  series_cmd->add_option("--freq", series.freq, "periods per year for undated series");
  series_cmd->add_flag("--bulk", series.bulk,
                       "input has many series: header epoch,NAME[,NAME...], one column per series");

  std::string validate_input;
  std::string validate_format = "auto";
  auto* validate_cmd = app.add_subcommand(
      "validate", "Check events against the incident event v1 contract or as LFPSE FHIR.");
  validate_cmd->add_option("--input", validate_input, "events file, or - for stdin")->required();
  validate_cmd->add_option("--format", validate_format,
                           "auto (default: each line by its content), event_v1 or fhir")
      ->check(CLI::IsMember({"auto", "event_v1", "fhir"}));

  vigil::GenerateOptions generate;
  bool no_planted_risks = false;
  auto* generate_cmd = app.add_subcommand(
      "generate", "Write a synthetic national event stream with planted risks as JSON Lines.");
  generate_cmd->add_option("--output", generate.output, "output file, or - for stdout")->required();
  generate_cmd->add_option("--events", generate.max_events, "stop after this many lines (0: whole span)");
  generate_cmd->add_option("--seed", generate.stream.seed, "random seed; same seed, same bytes");
  generate_cmd->add_option("--days", generate.stream.days, "days of occurrence dates to cover")
      ->check(CLI::PositiveNumber);
  generate_cmd->add_option("--events-per-year", generate.stream.events_per_year, "national volume")
      ->check(CLI::PositiveNumber);
  generate_cmd->add_option("--invalid-fraction", generate.stream.invalid_fraction,
                           "fraction of deliberately invalid lines")
      ->check(CLI::Range(0.0, 1.0));
  generate_cmd->add_flag("--no-planted-risks", no_planted_risks, "a stream with no planted risks");
  generate_cmd
      ->add_option("--format", generate.format,
                   "event_v1 (Vigil's JSON) or fhir (LFPSE FHIR AdverseEvents, one per line)")
      ->check(CLI::IsMember({"event_v1", "fhir"}));

  vigil::EvaluateOptions evaluate;
  auto* evaluate_cmd = app.add_subcommand(
      "evaluate", "Run a configuration over the synthetic stream: which planted risks it finds, "
                  "how soon, and how many signals nothing explains.");
  evaluate_cmd->add_option("--config", evaluate.config_path, "YAML configuration (default: built-in national config)");
  evaluate_cmd->add_option("--days", evaluate.stream.days, "days of occurrence dates to cover")
      ->check(CLI::PositiveNumber);
  evaluate_cmd->add_option("--seed", evaluate.stream.seed, "random seed of the stream");
  evaluate_cmd->add_option("--events-per-year", evaluate.stream.events_per_year, "national volume")
      ->check(CLI::PositiveNumber);
  evaluate_cmd->add_option("--signals", evaluate.signals, "also write every signal here (JSON Lines, - for stdout)");

  vigil::ServeOptions serve;
  auto* serve_cmd = app.add_subcommand(
      "serve", "The review application: a ranked queue of signals, a page per signal with its "
               "chart, decisions, and the JSON API.");
  serve_cmd->add_option("--signals", serve.signals,
                        "JSON Lines file of signal events (e.g. vigil replay's --signals output)");
  serve_cmd->add_option("--bootstrap-servers", serve.bootstrap_servers,
                        "Kafka mode: bootstrap servers of the signals and reviews topics");
  serve_cmd->add_option("--signals-topic", serve.signals_topic, "Kafka mode: topic of signals");
  serve_cmd->add_option("--reviews-topic", serve.reviews_topic,
                        "Kafka mode: topic decisions are recorded on (default vigil.reviews)");
  serve_cmd->add_option("--config", serve.config_path,
                        "YAML configuration, for its review: section (default: built-in)");
  serve_cmd->add_option("--port", serve.port, "port to serve on (default 8080; 0: any free port)");
  serve_cmd->add_option("--bind", serve.bind, "address to serve on (default 127.0.0.1)");
  serve_cmd->add_option("--state-dir", serve.state_dir,
                        "directory of the review store (default: review.state_dir with --config, "
                        "else ./vigil-review)");
  serve_cmd->add_option("--reviewer", serve.reviewer,
                        "the reviewer's name for local use (requests not from a trusted proxy)");
  serve_cmd->add_option("--reference", serve.references,
                        "DIMENSION=CSV: names for a key dimension's codes (code,name columns); repeatable");

  vigil::DigestOptions digest;
  auto* digest_cmd = app.add_subcommand(
      "digest", "The signals that fired in one ISO week, in priority order with links, as "
                "Markdown or HTML.");
  digest_cmd->add_option("--week", digest.week, "ISO week, YYYY-Www (e.g. 2024-W05)")->required();
  digest_cmd->add_option("--format", digest.format, "markdown (default) or html")
      ->check(CLI::IsMember({"markdown", "html"}));
  digest_cmd->add_option("--signals", digest.signals, "JSON Lines file of signal events");
  digest_cmd->add_option("--state-dir", digest.state_dir, "the review store of a vigil serve");
  digest_cmd->add_option("--base-url", digest.base_url,
                         "the review application's URL, for absolute links (default: review.base_url)");
  digest_cmd->add_option("--config", digest.config_path, "YAML configuration, for its review: section");

  // Hidden (no group): a measurement for developers, docs/merge-clock.md.
  vigil::MergeDelayOptions merge_delay;
  auto* merge_delay_cmd = app.add_subcommand(
      "merge-delay", "Measure how long the merge holds reports, on the synthetic stream.");
  merge_delay_cmd->group("");
  merge_delay_cmd->add_option("--days", merge_delay.stream.days, "days of occurrence dates")
      ->check(CLI::PositiveNumber);
  merge_delay_cmd->add_option("--events-per-year", merge_delay.stream.events_per_year, "national volume")
      ->check(CLI::PositiveNumber);
  merge_delay_cmd->add_option("--seed", merge_delay.stream.seed, "random seed of the stream");
  merge_delay_cmd->add_option("--partitions", merge_delay.partitions, "events partition counts (default 3 6)");
  bool clock_only = false;
  merge_delay_cmd->add_flag("--clock-only", clock_only, "skip the former order by stream day");
  merge_delay_cmd
      ->add_option("--progress-marks", merge_delay.progress_mark_seconds,
                   "also measure with a progress mark on every partition every this many seconds")
      ->check(CLI::Range(1, 86400));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "vigil: " << e.what() << " (see vigil --help)\n";
    return 2;
  }

  if (*run_cmd) return vigil::run_run_command(run, std::cerr);
  if (*demo_cmd) return vigil::run_demo_command(demo, std::cout, std::cerr);
  if (*replay_cmd) return vigil::run_replay_command(replay, std::cerr);
  if (*series_cmd) return vigil::run_series(series, std::cout, std::cerr);
  if (*validate_cmd) {
    return vigil::run_validate_command(validate_input, *vigil::parse_input_format(validate_format),
                                       std::cout, std::cerr);
  }
  if (*serve_cmd) return vigil::run_serve_command(serve, std::cout, std::cerr);
  if (*digest_cmd) return vigil::run_digest_command(digest, std::cout, std::cerr);
  if (*evaluate_cmd) return vigil::run_evaluate_command(evaluate, std::cout, std::cerr);
  if (*merge_delay_cmd) {
    merge_delay.compare_stream_day = !clock_only;
    return vigil::run_merge_delay(merge_delay, std::cout, std::cerr);
  }
  if (*generate_cmd) {
    generate.stream.plant_risks = !no_planted_risks;
    return vigil::run_generate(generate, std::cerr);
  }
  return 2;
}
