// How far a long run has got, on one terminal line: `vigil replay` over five
// years of the national feed runs for a minute or more (issue 17, item 6).
//
//   vigil replay: 1,234,567 events, 295,310 events/s, stream at 2021-03-04, 45.1%, ETA 0:32
//
// Redrawn in place (\r, then erase to end of line) at most four times a
// second, and only when the meter is enabled, which on_stderr() does only
// when standard error is a terminal: piped or redirected output stays clean.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "core/civil_date.h"

namespace vigil {

// What a run knows about its position, besides the number of events.
struct ProgressPosition {
  std::optional<Date> stream_date;  // the latest event date reached, if any
  // Share of the input done, in [0, 1], when the input's size is known (file
  // bytes, days of a synthetic stream); negative when it is not: then no
  // percentage and no ETA are shown.
  double done = -1.0;
};

class ProgressMeter {
 public:
  // Reads the clock once per this many events: cheap enough to call update()
  // for every event of a run doing hundreds of thousands a second.
  static constexpr uint64_t kClockEvery = 4096;
  // Least time between two redraws.
  static constexpr std::chrono::milliseconds kRedrawEvery{250};

  // A meter for `command` (e.g. "replay") drawing on `out` when `enabled`;
  // a disabled meter draws nothing and costs one comparison per update().
  ProgressMeter(std::string_view command, std::ostream& out, bool enabled);

  // A meter drawing on std::cerr, enabled when standard error is a terminal.
  static ProgressMeter on_stderr(std::string_view command);

  bool enabled() const { return enabled_; }

  // Reports `events` done so far (a running count). Every kClockEvery events
  // it reads the clock and redraws if kRedrawEvery has passed since the last
  // draw (the first check always draws), asking `position()` (a callable
  // returning ProgressPosition) only then.
  template <typename PositionFn>
  void update(uint64_t events, PositionFn&& position) {
    if (!enabled_ || events < next_check_) return;
    next_check_ = events + kClockEvery;
    const auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_draw_ < kRedrawEvery) return;
    draw(events, position(), now);
  }

  // Draws the final state and ends the line, if the meter is enabled.
  void finish(uint64_t events, const ProgressPosition& position);

  // The text of one line, without the \r and erase codes (for tests).
  static std::string format_line(std::string_view command, uint64_t events, double seconds,
                                 const ProgressPosition& position);

 private:
  void draw(uint64_t events, const ProgressPosition& position,
            std::chrono::steady_clock::time_point now);

  std::string command_;
  std::ostream& out_;
  bool enabled_;
  bool drawn_ = false;
  uint64_t next_check_ = kClockEvery;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace vigil
