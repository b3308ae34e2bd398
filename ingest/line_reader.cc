#include "ingest/line_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vigil {
namespace {
constexpr size_t kInitialBuffer = size_t{1} << 20;
}

Result<std::unique_ptr<LineReader>> LineReader::open(const std::string& path,
                                                     size_t max_line_bytes) {
  if (path == "-") {
    return std::unique_ptr<LineReader>(new LineReader(stdin, false, max_line_bytes));
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return make_error(ErrorKind::kIo, "cannot read " + path + ": " + std::strerror(errno));
  }
  return std::unique_ptr<LineReader>(new LineReader(f, true, max_line_bytes));
}

LineReader::LineReader(std::FILE* file, bool owned, size_t max_line_bytes)
    : file_(file),
      owned_(owned),
      max_line_bytes_(max_line_bytes),
      buffer_(std::min(kInitialBuffer, max_line_bytes + 2)) {}

LineReader::~LineReader() {
  if (owned_) std::fclose(file_);
}

bool LineReader::fill() {
  if (eof_) return false;
  // Move the unread tail to the front; grow when one line fills the buffer.
  // next() stops a line at max_line_bytes + 2 unread bytes, so the buffer
  // never grows past twice that.
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
  const size_t n = std::fread(buffer_.data() + end_, 1, buffer_.size() - end_, file_);
  end_ += n;
  bytes_read_ += n;
  if (n == 0) {
    eof_ = true;
    if (std::ferror(file_)) error_ = std::string("read error: ") + std::strerror(errno);
    return false;
  }
  return true;
}

bool LineReader::skip_rest_of_line() {
  while (true) {
    const void* nl = begin_ < end_ ? std::memchr(buffer_.data() + begin_, '\n', end_ - begin_)
                                   : nullptr;
    if (nl != nullptr) {
      begin_ = static_cast<size_t>(static_cast<const char*>(nl) - buffer_.data()) + 1;
      return true;
    }
    begin_ = end_ = 0;  // nothing here is kept: the buffer does not grow
    if (!fill()) return false;
  }
}

void LineReader::take_line(size_t stop, size_t next_begin, std::string_view& line) {
  if (stop > begin_ && buffer_[stop - 1] == '\r') --stop;
  line = std::string_view(buffer_.data() + begin_, stop - begin_);
  begin_ = next_begin;
  ++line_number_;
}

bool LineReader::next(std::string_view& line) {
  if (truncated_) {
    truncated_ = false;
    // The unread data holds no newline (next() looked), so it all goes.
    begin_ = end_;
    if (!skip_rest_of_line()) return false;
  }
  size_t scanned = begin_;
  while (true) {
    const void* nl =
        scanned < end_ ? std::memchr(buffer_.data() + scanned, '\n', end_ - scanned) : nullptr;
    if (nl != nullptr) {
      const size_t pos = static_cast<size_t>(static_cast<const char*>(nl) - buffer_.data());
      take_line(pos, pos + 1, line);
      return true;
    }
    // More than max_line_bytes + 1 bytes without a newline: even a final
    // '\r' would leave a line over the limit. Return its head and skip the rest.
    if (end_ - begin_ > max_line_bytes_ + 1) {
      line = std::string_view(buffer_.data() + begin_, max_line_bytes_ + 1);
      truncated_ = true;
      ++line_number_;
      return true;
    }
    const size_t consumed = end_ - begin_;
    if (!fill()) {
      if (begin_ == end_) return false;
      take_line(end_, end_, line);  // a last line without a terminator
      return true;
    }
    scanned = begin_ + consumed;
  }
}

}  // namespace vigil
