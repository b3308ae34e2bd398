// Always-on invariant checks. A broken invariant of the commit protocol means
// state can no longer be vouched for, so the process stops with a message
// instead of carrying on and writing wrong signals.
#pragma once

#include <cstdio>
#include <cstdlib>

#define VIGIL_CHECK(cond, msg)                                                      \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "vigil: invariant failed at %s:%d: %s (%s)\n", __FILE__, \
                   __LINE__, msg, #cond);                                           \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)
