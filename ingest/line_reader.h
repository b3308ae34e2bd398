// Reads a JSON Lines file (or stdin) line by line through one reused buffer,
// in memory bounded by the longest line it will hold, however long the lines
// of the input are.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "ingest/event_decoder.h"

namespace vigil {

class LineReader {
 public:
  // Opens `path`; "-" reads standard input. Lines longer than `max_line_bytes`
  // (terminator excluded) are not held whole: see next().
  static Result<std::unique_ptr<LineReader>> open(const std::string& path,
                                                  size_t max_line_bytes = kMaxMessageBytes);
  ~LineReader();

  // The next line without its terminator ("\n" or "\r\n"); false at end of
  // input. The view is valid until the next call. A read error ends the input
  // and is reported by error().
  //
  // A line longer than max_line_bytes is returned as its first
  // max_line_bytes + 1 bytes (so its size alone tells it is too long; the
  // event decoder rejects it as too_large) and line_truncated() is true; the
  // rest of it is skipped on the next call, without being kept. The buffer
  // therefore never holds more than about twice max_line_bytes.
  bool next(std::string_view& line);
  // Whether the line last returned was cut short at max_line_bytes + 1.
  bool line_truncated() const { return truncated_; }
  // Bytes of the input consumed so far, through the line last returned (and
  // its terminator); for progress displays.
  uint64_t position() const { return bytes_read_ - (end_ - begin_); }
  // The 1-based number of the line last returned.
  uint64_t line_number() const { return line_number_; }
  const std::string& error() const { return error_; }
  // The buffer's size in bytes (for tests of the memory bound).
  size_t buffer_bytes() const { return buffer_.size(); }

 private:
  LineReader(std::FILE* file, bool owned, size_t max_line_bytes);
  bool fill();
  // Discards input up to and including the next newline; false at the end
  // of input.
  bool skip_rest_of_line();
  // Returns [begin_, stop) as `line`, dropping a '\r' just before `stop`.
  void take_line(size_t stop, size_t next_begin, std::string_view& line);

  std::FILE* file_;
  bool owned_;
  size_t max_line_bytes_;
  std::vector<char> buffer_;
  size_t begin_ = 0;  // start of unread data
  size_t end_ = 0;    // end of valid data
  bool eof_ = false;
  bool truncated_ = false;  // the last line returned was cut short
  uint64_t bytes_read_ = 0;  // from the file, in total
  uint64_t line_number_ = 0;
  std::string error_;
};

}  // namespace vigil
