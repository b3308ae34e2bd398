#include "core/progress_meter.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace vigil {
namespace {

// 1234567 -> "1,234,567": counts of millions are read at a glance.
std::string with_thousands(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Whole seconds as h:mm:ss, or m:ss under an hour.
std::string clock_time(double seconds) {
  const auto total = static_cast<uint64_t>(std::llround(std::max(seconds, 0.0)));
  char buffer[32];
  if (total >= 3600) {
    std::snprintf(buffer, sizeof buffer, "%llu:%02llu:%02llu",
                  static_cast<unsigned long long>(total / 3600),
                  static_cast<unsigned long long>(total / 60 % 60),
                  static_cast<unsigned long long>(total % 60));
  } else {
    std::snprintf(buffer, sizeof buffer, "%llu:%02llu", static_cast<unsigned long long>(total / 60),
                  static_cast<unsigned long long>(total % 60));
  }
  return buffer;
}

}  // namespace

ProgressMeter::ProgressMeter(std::string_view command, std::ostream& out, bool enabled)
    : command_(command), out_(out), enabled_(enabled), started_(std::chrono::steady_clock::now()) {}

ProgressMeter ProgressMeter::on_stderr(std::string_view command) {
  return ProgressMeter(command, std::cerr, ::isatty(STDERR_FILENO) == 1);
}

std::string ProgressMeter::format_line(std::string_view command, uint64_t events, double seconds,
                                       const ProgressPosition& position) {
  std::string line = "vigil ";
  line.append(command);
  line += ": ";
  line += with_thousands(events);
  line += " events, ";
  const double rate = seconds > 0 ? static_cast<double>(events) / seconds : 0.0;
  line += with_thousands(static_cast<uint64_t>(rate));
  line += " events/s";
  if (position.stream_date) {
    line += ", stream at ";
    line += format_date(*position.stream_date);
  }
  if (position.done >= 0) {
    const double done = std::min(position.done, 1.0);
    char percent[16];
    std::snprintf(percent, sizeof percent, "%.1f%%", done * 100.0);
    line += ", ";
    line += percent;
    if (done > 0 && done < 1) {
      line += ", ETA ";
      line += clock_time(seconds * (1.0 - done) / done);
    }
  }
  return line;
}

void ProgressMeter::draw(uint64_t events, const ProgressPosition& position,
                         std::chrono::steady_clock::time_point now) {
  const double seconds = std::chrono::duration<double>(now - started_).count();
  // \r returns to the line's start, ESC [ K erases what a longer line left.
  out_ << '\r' << format_line(command_, events, seconds, position) << "\x1b[K" << std::flush;
  drawn_ = true;
  last_draw_ = now;
}

void ProgressMeter::finish(uint64_t events, const ProgressPosition& position) {
  if (!enabled_) return;
  draw(events, position, std::chrono::steady_clock::now());
  out_ << '\n' << std::flush;
}

}  // namespace vigil
