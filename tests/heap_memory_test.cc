#include "core/heap_memory.h"

#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>
#include <vector>

namespace {

constexpr size_t kMiB = size_t{1} << 20;
// Blocks below glibc's mmap threshold (128 KiB), so they come from an arena.
constexpr size_t kBlockBytes = 64 * 1024;
constexpr size_t kThreadBytes = 48 * kMiB;

size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  size_t total = 0, resident = 0;
  statm >> total >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

// What replay's threads do to their arenas: a thread fills 48 MiB and frees
// all of it but the block allocated last, which keeps the arena's top in
// use, so glibc returns nothing by itself. Returns that last block.
void* fill_and_free_in_a_thread() {
  void* kept = nullptr;
  std::thread worker([&] {
    std::vector<void*> blocks;
    for (size_t n = 0; n < kThreadBytes / kBlockBytes; ++n) {
      void* block = std::malloc(kBlockBytes);
      std::memset(block, 1, kBlockBytes);
      blocks.push_back(block);
    }
    kept = blocks.back();
    blocks.pop_back();
    for (void* block : blocks) std::free(block);
  });
  worker.join();
  return kept;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(heap_memory_test)

BOOST_AUTO_TEST_CASE(a_finished_thread_s_free_pages_go_back) {
  void* kept = fill_and_free_in_a_thread();
  const size_t before = resident_bytes();
  vigil::release_free_heap_pages();
  const size_t after = resident_bytes();
  std::free(kept);
  BOOST_TEST_MESSAGE("resident " << before / kMiB << " MiB before, " << after / kMiB << " MiB after");
  BOOST_TEST(before >= after + kThreadBytes / 2);
}

BOOST_AUTO_TEST_CASE(the_releaser_waits_its_interval) {
  vigil::HeapPageReleaser releaser(std::chrono::hours(1));
  void* first = fill_and_free_in_a_thread();
  size_t before = resident_bytes();
  releaser.maybe_release();  // the first call releases
  BOOST_TEST(before >= resident_bytes() + kThreadBytes / 2);
  void* second = fill_and_free_in_a_thread();
  before = resident_bytes();
  releaser.maybe_release();  // within the hour: nothing
  BOOST_TEST(resident_bytes() + kThreadBytes / 2 > before);
  vigil::release_free_heap_pages();
  BOOST_TEST(before >= resident_bytes() + kThreadBytes / 2);
  std::free(first);
  std::free(second);
}

BOOST_AUTO_TEST_SUITE_END()
