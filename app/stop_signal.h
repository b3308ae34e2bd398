// A process-wide stop flag set by SIGINT and SIGTERM, so that the pipeline
// finishes its batch and commits before the process exits (Kubernetes sends
// SIGTERM and waits for the termination grace period).
#pragma once

#include <atomic>

namespace vigil {

// Installs the handlers (once) and returns the flag they set.
std::atomic<bool>& install_stop_signal_handlers();

}  // namespace vigil
