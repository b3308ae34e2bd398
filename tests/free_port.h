// A TCP port for a server a test starts, reserved the way tests/test_lib.sh's
// free_port reserves one (see there for why): drawn at random from outside
// the kernel's ephemeral range (which Kafka clients' outgoing connections
// draw from), checked bindable, and locked with flock(2) on
// $VIGIL_TEST_PORT_LOCKS/PORT (default /tmp/vigil-test-ports) for the rest
// of this process, so no other test, shell or C++, picks it meanwhile.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>

namespace vigil::testing {

namespace port_detail {

inline bool bindable(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  addr.sin_port = htons(port);
  // No SO_REUSEADDR: a port still in TIME_WAIT is skipped too.
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace port_detail

inline uint16_t free_port() {
  int low = 32768, high = 60999;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> low >> high;
  const char* dir_env = std::getenv("VIGIL_TEST_PORT_LOCKS");
  const std::string dir = dir_env != nullptr ? dir_env : "/tmp/vigil-test-ports";
  ::mkdir(dir.c_str(), 01777);
  std::random_device seed;
  std::mt19937 random(seed());
  // Ports 10000..low-1 and high+1..65535, whichever exist.
  const int below = low > 10000 ? low - 10000 : 0;
  const int above = high < 65535 ? 65535 - high : 0;
  std::uniform_int_distribution<int> pick(0, below + above - 1);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int n = pick(random);
    const auto port = static_cast<uint16_t>(n < below ? 10000 + n : high + 1 + (n - below));
    if (!port_detail::bindable(port)) continue;
    const std::string lock = dir + "/" + std::to_string(port);
    const int fd = ::open(lock.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (fd < 0) continue;
    // Held, by design, until the process exits: the server the test starts
    // with this port may outlive any scope here.
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return port;
    ::close(fd);
  }
  throw std::runtime_error("free_port: no free port found");
}

// A socket listening on 127.0.0.1 at a port the kernel picks, for a test
// that plays the server itself. Unlike a port picked and released, it cannot
// be taken by anyone else before the test uses it. Throws on failure.
struct LoopbackListener {
  int fd = -1;
  uint16_t port = 0;
};

inline LoopbackListener listen_on_loopback(int backlog = 8) {
  LoopbackListener out;
  out.fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (out.fd < 0 || ::bind(out.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(out.fd, backlog) != 0 || ::getsockname(out.fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("listen_on_loopback: cannot listen on 127.0.0.1");
  }
  out.port = ntohs(addr.sin_port);
  return out;
}

}  // namespace vigil::testing
