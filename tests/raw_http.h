// HTTP over a plain socket to 127.0.0.1, for tests that must send what no
// client library would (malformed targets, oversized headers) or hold a
// request half-sent (a slow client).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace vigil::testing {

struct RawResponse {
  int status = 0;  // 0: no parsable response (none before the timeout, or the connection closed)
  std::string headers;
  std::string body;
};

// A connected socket to 127.0.0.1:port with a receive timeout, or -1.
inline int connect_loopback(uint16_t port, int timeout_seconds) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  timeval timeout{timeout_seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline bool send_all(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

// Sends `request` as it is and reads the answer to EOF; a server that has
// not answered within `timeout_seconds` of silence gives status 0.
inline RawResponse raw_exchange(uint16_t port, const std::string& request, int timeout_seconds = 5) {
  RawResponse response;
  const int fd = connect_loopback(port, timeout_seconds);
  if (fd < 0) return response;
  send_all(fd, request);  // a server may answer (413) before reading it all
  std::string raw;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  const size_t header_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || header_end == std::string::npos) return response;
  response.status = std::atoi(raw.c_str() + raw.find(' ') + 1);
  response.headers = raw.substr(0, header_end);
  response.body = raw.substr(header_end + 4);
  return response;
}

// GET `target` with `Connection: close` and any `extra_headers` (each ending
// in CRLF).
inline RawResponse raw_get(uint16_t port, const std::string& target, const std::string& extra_headers = "",
                           int timeout_seconds = 5) {
  return raw_exchange(port,
                      "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                          extra_headers + "\r\n",
                      timeout_seconds);
}

// A client that sends the start of a request and then nothing, holding the
// connection (and so, in a thread-per-connection server, a worker) until it
// is destroyed.
class SlowClient {
 public:
  explicit SlowClient(uint16_t port) : fd_(connect_loopback(port, 1)) {
    if (fd_ >= 0) send_all(fd_, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
  }
  ~SlowClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  SlowClient(const SlowClient&) = delete;
  SlowClient& operator=(const SlowClient&) = delete;
  bool connected() const { return fd_ >= 0; }

 private:
  int fd_;
};

}  // namespace vigil::testing
