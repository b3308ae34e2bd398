#include "ingest/line_reader.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/test_events.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::vector<std::string> read_all(const std::string& path, size_t max_line_bytes,
                                  std::vector<bool>* truncated = nullptr) {
  auto reader = LineReader::open(path, max_line_bytes);
  BOOST_TEST_REQUIRE(reader.is_ok());
  std::vector<std::string> lines;
  std::string_view line;
  while (reader.value()->next(line)) {
    lines.emplace_back(line);
    if (truncated != nullptr) truncated->push_back(reader.value()->line_truncated());
    BOOST_TEST(reader.value()->line_number() == lines.size());
  }
  BOOST_TEST(reader.value()->error().empty());
  return lines;
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

BOOST_AUTO_TEST_SUITE(line_reader_test)

BOOST_AUTO_TEST_CASE(lines_and_terminators) {
  TempDir dir;
  write_file(fs::path(dir.path()) / "in", "a\nbb\r\n\nlast");
  BOOST_TEST((read_all((fs::path(dir.path()) / "in").string(), 100) ==
              std::vector<std::string>{"a", "bb", "", "last"}));
}

// A line over the limit comes back as its first limit + 1 bytes and the
// reader goes on with the next line; lines at the limit come back whole.
BOOST_AUTO_TEST_CASE(a_line_over_the_limit_is_cut_and_skipped) {
  TempDir dir;
  const size_t limit = 16;
  const std::string at_limit(limit, 'a');
  write_file(fs::path(dir.path()) / "in", "short\n" + std::string(1000, 'x') + "\n" + at_limit + "\r\n" +
                                  std::string(17, 'y') + "\nnext\n" + std::string(5000, 'z'));
  std::vector<bool> truncated;
  const std::vector<std::string> lines = read_all((fs::path(dir.path()) / "in").string(), limit, &truncated);
  BOOST_TEST((lines == std::vector<std::string>{"short", std::string(limit + 1, 'x'), at_limit,
                                                std::string(17, 'y'), "next",
                                                std::string(limit + 1, 'z')}));
  BOOST_TEST((truncated == std::vector<bool>{false, true, false, false, false, true}));
}

// Issue 15 item 7: a 512 MiB line without a newline, streamed through a pipe
// (nothing on disk), is cut at the message limit and skipped in bounded
// memory; the line after it is read whole. Before, the reader buffered the
// whole line (and doubled its buffer past it).
BOOST_AUTO_TEST_CASE(a_huge_line_is_skipped_in_bounded_memory) {
  std::signal(SIGPIPE, SIG_IGN);  // the writer sees EPIPE if the reader stops early
  TempDir dir;
  const fs::path fifo = fs::path(dir.path()) / "pipe";
  BOOST_TEST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  constexpr size_t kHuge = size_t{512} << 20;
  const std::string after = R"({"id":"after"})";
  std::thread writer([&] {
    std::FILE* out = std::fopen(fifo.c_str(), "wb");
    if (out == nullptr) return;
    const std::string chunk(size_t{64} << 10, 'x');
    for (size_t written = 0; written < kHuge; written += chunk.size()) {
      if (std::fwrite(chunk.data(), 1, chunk.size(), out) != chunk.size()) break;
    }
    std::fputs(("\n" + after + "\nlast").c_str(), out);
    std::fclose(out);
  });
  const long before_kib = peak_rss_kib();
  {
    auto reader = LineReader::open(fifo.string());
    BOOST_TEST_REQUIRE(reader.is_ok());
    LineReader& r = *reader.value();
    std::string_view line;
    BOOST_TEST_REQUIRE(r.next(line));
    BOOST_TEST(line.size() == kMaxMessageBytes + 1);
    BOOST_TEST(r.line_truncated());
    BOOST_TEST(line.find_first_not_of('x') == std::string_view::npos);
    BOOST_TEST_REQUIRE(r.next(line));
    BOOST_TEST(line == after);
    BOOST_TEST(r.line_number() == 2u);
    BOOST_TEST_REQUIRE(r.next(line));
    BOOST_TEST(line == "last");
    BOOST_TEST(!r.next(line));
    BOOST_TEST(r.error().empty());
    BOOST_TEST(r.buffer_bytes() <= 2 * (kMaxMessageBytes + 2));
  }
  writer.join();
  const long grown_kib = peak_rss_kib() - before_kib;
  BOOST_TEST(grown_kib < 64 * 1024, "peak resident memory grew by " << grown_kib << " KiB");
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace
}  // namespace vigil
