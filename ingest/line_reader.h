// Reads a JSON Lines file (or stdin) line by line through one reused buffer.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigil {

class LineReader {
 public:
  // Opens `path`; "-" reads standard input.
  static Result<std::unique_ptr<LineReader>> open(const std::string& path);
  ~LineReader();

  // The next line without its terminator ("\n" or "\r\n"); false at end of
  // input. The view is valid until the next call. A read error ends the input
  // and is reported by error().
  bool next(std::string_view& line);
  // The 1-based number of the line last returned.
  uint64_t line_number() const { return line_number_; }
  const std::string& error() const { return error_; }

 private:
  LineReader(std::FILE* file, bool owned);
  bool fill();

  std::FILE* file_;
  bool owned_;
  std::vector<char> buffer_;
  size_t begin_ = 0;  // start of unread data
  size_t end_ = 0;    // end of valid data
  bool eof_ = false;
  uint64_t line_number_ = 0;
  std::string error_;
};

}  // namespace vigil
