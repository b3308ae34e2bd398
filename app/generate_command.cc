#include "app/generate_command.h"

#include <chrono>
#include <fstream>
#include <optional>
#include <iostream>

#include "core/civil_date.h"
#include "core/progress_meter.h"
#include "synthetic/fhir_writer.h"

namespace vigil {
namespace {

// Lines are gathered and written in blocks of about this many bytes.
constexpr size_t kWriteBlock = 1 << 20;

std::string check_options(const GenerateOptions& o) {
  if (o.output.empty()) return "--output is required (a path, or - for standard output)";
  if (o.format != "event_v1" && o.format != "fhir") return "--format must be event_v1 or fhir";
  if (o.stream.days <= 0) return "--days must be at least 1";
  if (!(o.stream.events_per_year > 0)) return "events per year must be positive";
  const auto fraction = [](double f) { return f >= 0.0 && f <= 1.0; };
  if (!fraction(o.stream.invalid_fraction)) return "--invalid-fraction must be between 0 and 1";
  if (!fraction(o.stream.duplicate_fraction)) return "duplicate fraction must be between 0 and 1";
  if (!fraction(o.stream.revision_fraction)) return "revision fraction must be between 0 and 1";
  return {};
}

void print_summary(const GenerateOptions& options, const SyntheticStream& stream, double seconds,
                   std::ostream& err) {
  const SyntheticStreamStats& s = stream.stats();
  uint64_t invalid = 0;
  for (const uint64_t n : s.invalid) invalid += n;
  const Date last{options.stream.start.days + options.stream.days - 1};
  err << "vigil generate: wrote " << s.lines << " lines to " << options.output << " in " << seconds
      << " s (" << (seconds > 0 ? static_cast<uint64_t>(static_cast<double>(s.lines) / seconds) : 0)
      << " lines/s)\n"
      << "  seed " << options.stream.seed << ", occurred " << format_date(options.stream.start)
      << " to " << format_date(last) << ", " << options.stream.events_per_year << " reports/year\n"
      << "  first reports " << s.first_reports << ", revisions " << s.revisions << ", re-sends "
      << s.duplicates << ", invalid " << invalid << ", planted " << s.planted << ", most pending "
      << s.max_pending << "\n";
  if (invalid > 0) {
    err << "  invalid by kind:";
    for (size_t k = 0; k < kInvalidKindCount; ++k) {
      err << ' ' << kind_name(static_cast<InvalidKind>(k)) << '=' << s.invalid[k];
    }
    err << "\n";
  }
  if (stream.planted_risks().empty()) {
    err << "  no planted risks\n";
    return;
  }
  const bool cut = s.days_generated < options.stream.days;
  const Date generated{options.stream.start.days + s.days_generated - 1};
  if (cut) {
    err << "  stopped at " << options.max_events << " lines, with occurrences generated up to "
        << format_date(generated)
        << "; to cover the whole span in N lines, set events per year to about N x 365 / "
        << options.stream.days << "\n";
  }
  err << "  planted risks:\n";
  for (const PlantedRisk& r : stream.planted_risks()) {
    err << "    " << format_date(r.onset) << " to " << format_date(r.end) << "  " << r.name << " (~"
        << static_cast<uint64_t>(r.expected_reports + 0.5) << " reports)"
        << (cut && r.onset > generated ? ", not reached: the output stops before its onset" : "")
        << "\n"
        << "      " << r.description << "\n"
        << "      found by: " << r.detection << "\n";
  }
}

}  // namespace

int run_generate(const GenerateOptions& options, std::ostream& err) {
  if (const std::string problem = check_options(options); !problem.empty()) {
    err << "vigil generate: " << problem << "\n";
    return 2;
  }
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (options.output != "-") {
    file.open(options.output, std::ios::binary | std::ios::trunc);
    if (!file) {
      err << "vigil generate: cannot open " << options.output << " for writing\n";
      return 1;
    }
    out = &file;
  }
  const auto started = std::chrono::steady_clock::now();
  SyntheticStream stream(options.stream);
  std::string block;
  block.reserve(kWriteBlock + 64 * 1024);
  // Progress on a terminal; the share done is of --events when given, else of
  // the days.
  ProgressMeter progress = ProgressMeter::on_stderr("generate");
  const auto position = [&] {
    const SyntheticStreamStats& s = stream.stats();
    std::optional<Date> reached;
    if (s.days_generated > 0) reached = Date{options.stream.start.days + s.days_generated - 1};
    const double done =
        options.max_events > 0
            ? static_cast<double>(stream.emitted()) / static_cast<double>(options.max_events)
            : static_cast<double>(s.days_generated) / static_cast<double>(options.stream.days);
    return ProgressPosition{reached, done};
  };
  const bool fhir = options.format == "fhir";
  synthetic::FhirLineWriter fhir_writer;
  std::string line;
  while (options.max_events == 0 || stream.emitted() < options.max_events) {
    if (fhir) {
      line.clear();
      if (!stream.next(line)) break;
      fhir_writer.convert(line, block);
    } else if (!stream.next(block)) {
      break;
    }
    progress.update(stream.emitted(), position);
    block += '\n';
    if (block.size() >= kWriteBlock) {
      out->write(block.data(), static_cast<std::streamsize>(block.size()));
      block.clear();
      if (!*out) break;
    }
  }
  out->write(block.data(), static_cast<std::streamsize>(block.size()));
  out->flush();
  progress.finish(stream.emitted(), position());
  if (!*out) {
    err << "vigil generate: failed writing " << options.output << "\n";
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  print_summary(options, stream, seconds, err);
  return 0;
}

}  // namespace vigil
