#include "core/heap_memory.h"

#include <malloc.h>

namespace vigil {

void release_free_heap_pages() {
  // The return value only says whether anything was released.
  (void)malloc_trim(0);
}

void HeapPageReleaser::maybe_release() {
  const auto now = std::chrono::steady_clock::now();
  if (last_ != std::chrono::steady_clock::time_point{} && now - last_ < interval_) return;
  last_ = now;
  release_free_heap_pages();
}

}  // namespace vigil
