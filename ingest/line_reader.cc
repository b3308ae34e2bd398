#include "ingest/line_reader.h"

#include <cerrno>
#include <cstring>

namespace vigil {
namespace {
constexpr size_t kInitialBuffer = 1u << 20;
}

Result<std::unique_ptr<LineReader>> LineReader::open(const std::string& path) {
  if (path == "-") return std::unique_ptr<LineReader>(new LineReader(stdin, false));
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return make_error(ErrorKind::kIo, "cannot read " + path + ": " + std::strerror(errno));
  }
  return std::unique_ptr<LineReader>(new LineReader(f, true));
}

LineReader::LineReader(std::FILE* file, bool owned)
    : file_(file), owned_(owned), buffer_(kInitialBuffer) {}

LineReader::~LineReader() {
  if (owned_) std::fclose(file_);
}

bool LineReader::fill() {
  if (eof_) return false;
  // Move the unread tail to the front; grow when one line fills the buffer.
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
  const size_t n = std::fread(buffer_.data() + end_, 1, buffer_.size() - end_, file_);
  end_ += n;
  if (n == 0) {
    eof_ = true;
    if (std::ferror(file_)) error_ = std::string("read error: ") + std::strerror(errno);
    return false;
  }
  return true;
}

bool LineReader::next(std::string_view& line) {
  size_t scanned = begin_;
  while (true) {
    const void* nl = scanned < end_ ? std::memchr(buffer_.data() + scanned, '\n', end_ - scanned) : nullptr;
    if (nl != nullptr) {
      const size_t pos = static_cast<size_t>(static_cast<const char*>(nl) - buffer_.data());
      size_t stop = pos;
      if (stop > begin_ && buffer_[stop - 1] == '\r') --stop;
      line = std::string_view(buffer_.data() + begin_, stop - begin_);
      begin_ = pos + 1;
      ++line_number_;
      return true;
    }
    const size_t consumed = end_ - begin_;
    if (!fill()) {
      if (begin_ == end_) return false;
      // A last line without a terminator.
      size_t stop = end_;
      if (stop > begin_ && buffer_[stop - 1] == '\r') --stop;
      line = std::string_view(buffer_.data() + begin_, stop - begin_);
      begin_ = end_;
      ++line_number_;
      return true;
    }
    scanned = begin_ + consumed;
  }
}

}  // namespace vigil
