#include "app/evaluate_command.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>

#include "app/command_failure.h"
#include "app/evaluate_text.h"
#include "app/scratch_dir.h"
#include "config/pipeline_config.h"
#include "core/progress_meter.h"
#include "core/version.h"
#include "pipeline/partition_task.h"
#include "sinks/jsonl_sinks.h"
#include "synthetic/planted_risk_match.h"
#include "telemetry/metrics.h"

namespace vigil {
namespace {

struct Tally {
  int64_t raised = 0;
  int64_t unexplained = 0;
  int64_t unexplained_second_half = 0;
};

std::string per_week(int64_t n, double weeks) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", weeks > 0 ? static_cast<double>(n) / weeks : 0.0);
  return buf;
}

}  // namespace

int run_evaluate_command(const EvaluateOptions& options, std::ostream& out, std::ostream& err) {
  auto config = load_pipeline_config(options.config_path);
  if (!config) return command_failure(err, "evaluate", config.error(), 2);
  ScratchDir scratch("vigil-evaluate-");
  if (scratch.path().empty()) {
    return command_failure(err, "evaluate", "cannot create a temporary state directory");
  }
  auto store = open_state_store(config.value().state, scratch.path());
  if (!store) return command_failure(err, "evaluate", store.error());
  auto signals_out = open_optional_sink<JsonlSignalSink>(options.signals, config.value().name);
  if (!signals_out) return command_failure(err, "evaluate", signals_out.error());
  JsonlSignalSink* signal_sink = signals_out.value().sink.get();
  Metrics metrics(kVersion);
  auto task = PartitionTask::open(0, *store.value(), config.value().detectors, &metrics,
                                  InputRole::kDetect,
                                  EventTimeLimits{config.value().future_tolerance_days, {}},
                                  std::nullopt, config.value().parallel_detectors);
  if (!task) return command_failure(err, "evaluate", task.error());

  SyntheticStream stream(options.stream);
  TextEvaluation text;
  const auto started = std::chrono::steady_clock::now();
  std::vector<Signal> raised;
  std::map<std::string, int64_t> severity_rule_raised;
  int64_t transitions = 0;
  int64_t offset = 0;
  std::string line;
  const auto commit = [&]() -> bool {
    auto& signals = task.value()->signals();
    if (signal_sink) {
      Status s = signal_sink->deliver(signals);
      if (!s.is_ok()) {
        err << "vigil evaluate: " << s.error().message << "\n";
        return false;
      }
    }
    transitions += static_cast<int64_t>(signals.size());
    for (Signal& s : signals) {
      if (s.type == SignalType::kRaised) raised.push_back(std::move(s));
    }
    Status c = task.value()->commit();
    if (!c.is_ok()) {
      err << "vigil evaluate: " << c.error().message << "\n";
      return false;
    }
    return true;
  };
  // Progress on a terminal: the share done is the share of the stream's days
  // generated.
  ProgressMeter progress = ProgressMeter::on_stderr("evaluate");
  const auto position = [&] {
    return ProgressPosition{task.value()->stream_time(),
                            static_cast<double>(stream.stats().days_generated) /
                                static_cast<double>(std::max(options.stream.days, 1))};
  };
  while (true) {
    line.clear();  // next() appends
    if (!stream.next(line)) break;
    text.note_line(line, stream.last_line_wording());
    task.value()->process(line, offset++);
    if (task.value()->uncommitted() >= config.value().commit.max_events && !commit()) return 1;
    progress.update(static_cast<uint64_t>(offset), position);
  }
  if (!commit()) return 1;
  progress.finish(static_cast<uint64_t>(offset), position());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  const auto& risks = stream.planted_risks();
  const Date first{options.stream.start.days};
  const Date last{options.stream.start.days + options.stream.days - 1};
  const Date half{first.days + options.stream.days / 2};
  const double weeks = options.stream.days / 7.0;
  const double second_half_weeks = (last.days - half.days + 1) / 7.0;

  out << "vigil evaluate: " << offset << " events (" << format_date(first) << " to "
      << format_date(last) << ") in " << static_cast<int64_t>(seconds) << " s, "
      << transitions << " signal transitions, " << raised.size() << " raised\n";
  report_planted_risks(risks, raised, out);
  report_detection_table(risks, raised, out);

  std::map<std::string, Tally> by_detector;
  int64_t unexplained = 0;
  int64_t unexplained_second_half = 0;
  for (const Signal& s : raised) {
    if (s.method == "severity_rule") {
      ++severity_rule_raised[s.detector];
      continue;
    }
    if (s.method == "text_cluster") continue;  // the text section below
    Tally& t = by_detector[s.detector];
    ++t.raised;
    bool explained = false;
    for (const auto& risk : risks) explained = explained || signal_finds(s, risk);
    if (explained) continue;
    ++t.unexplained;
    ++unexplained;
    if (s.fired_at >= half) {
      ++t.unexplained_second_half;
      ++unexplained_second_half;
    }
  }
  out << "unexplained raised signals (statistical detectors), per week: " << per_week(unexplained, weeks)
      << " over the whole stream, " << per_week(unexplained_second_half, second_half_weeks)
      << " from " << format_date(half) << " (every detector warm)\n";
  for (const auto& [name, t] : by_detector) {
    out << "  " << name << ": " << t.raised << " raised, " << t.unexplained << " unexplained ("
        << per_week(t.unexplained, weeks) << "/week; " << per_week(t.unexplained_second_half, second_half_weeks)
        << "/week from " << format_date(half) << ")\n";
  }
  text.report(risks, raised, half, weeks, second_half_weeks, out);
  for (const auto& [name, n] : severity_rule_raised) {
    out << "rule " << name << ": " << n << " raised (" << per_week(n, weeks)
        << "/week; a rule, not a statistic: each one is for review)\n";
  }
  return 0;
}

}  // namespace vigil
