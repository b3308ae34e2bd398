// Returning the heap's free pages to the operating system.
//
// glibc gives each thread that allocates its own arena, and memory freed in
// a thread's arena stays mapped (counted in RSS) unless it lies at the very
// top of that arena's heap. Vigil's replay has three such threads (events,
// the background state write, the text detector), each allocating and
// freeing a batch's worth at a time, so their arenas hold tens of MiB of
// free pages at any moment: 70 MiB of a 10-million-id replay's 570 MiB peak
// (issue 17, target 5). Limiting the number of arenas recovers some of it
// but makes the threads contend for the same locks.
#pragma once

#include <chrono>

namespace vigil {

// Gives the free pages of every arena back to the operating system
// (malloc_trim(0)): a few milliseconds, for tens of MiB on a large replay.
void release_free_heap_pages();

// release_free_heap_pages() at most once per `interval`, for callers that
// reach a quiet point more often than the cost is worth.
class HeapPageReleaser {
 public:
  explicit HeapPageReleaser(std::chrono::steady_clock::duration interval) : interval_(interval) {}
  void maybe_release();

 private:
  std::chrono::steady_clock::duration interval_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace vigil
