// vigil-parse-only FILE: the parse-only yardstick of the five-year benchmark
// (tools/five_year_benchmark.sh). Reads a JSON Lines file as `vigil replay`
// does (same line reader, same padded copy per line) and parses every line
// with simdjson On-Demand on the best kernel this CPU runs, visiting every
// key and value, and does nothing else. Prints on stdout
//   lines=N invalid=N values=N seconds=S cpu_seconds=S events_per_second=R kernel=K
// where the rate is lines per CPU second (wall-clock time is noisy on a
// shared machine). VIGIL_JSON_KERNEL=fallback forces the scalar kernel.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

#include "bench/json_walk.h"
#include "ingest/line_reader.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: vigil-parse-only FILE.jsonl (- for standard input)\n");
    return 2;
  }
  auto reader = vigil::LineReader::open(argv[1]);
  if (!reader) {
    std::fprintf(stderr, "vigil-parse-only: %s\n", reader.error().message.c_str());
    return 1;
  }
  const vigil::JsonKernel kernel = vigil::best_json_kernel();
  auto walker = vigil::make_json_walker(kernel);
  const auto wall_start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  uint64_t lines = 0;
  uint64_t invalid = 0;
  std::string_view line;
  while (reader.value()->next(line)) {
    ++lines;
    if (!walker->walk(line)) ++invalid;
  }
  const double cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  if (!reader.value()->error().empty()) {
    std::fprintf(stderr, "vigil-parse-only: %s\n", reader.value()->error().c_str());
    return 1;
  }
  const double rate = cpu_seconds > 0 ? static_cast<double>(lines) / cpu_seconds : 0.0;
  std::printf("lines=%llu invalid=%llu values=%llu seconds=%.3f cpu_seconds=%.3f "
              "events_per_second=%.0f kernel=%s\n",
              static_cast<unsigned long long>(lines), static_cast<unsigned long long>(invalid),
              static_cast<unsigned long long>(walker->values()), seconds, cpu_seconds, rate,
              std::string(vigil::json_kernel_name(kernel)).c_str());
  return 0;
}
