// A real Alertmanager (Debian's prometheus-alertmanager) for tests, started
// on 127.0.0.1 with a temporary storage directory, a route to a receiver
// that sends nothing, and no cluster.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/free_port.h"
#include "tests/http_client.h"

namespace vigil::testing {

inline constexpr const char* kAlertmanagerBinary = "/usr/bin/prometheus-alertmanager";

// Writes `contents` to `path` (replacing it) and returns the path.
inline std::string write_file(const std::string& path, const std::string& contents) {
  std::ofstream(path, std::ios::trunc) << contents;
  return path;
}

class AlertmanagerServer {
 public:
  struct Options {
    uint16_t port = 0;      // 0: a free port
    std::string web_config;  // --web.config.file contents (TLS, basic auth); empty: none
    bool https = false;      // the web config enables TLS
    std::string ca_file;     // to check readiness over https
    std::string user, password;  // to check readiness behind basic auth
  };

  // Starts Alertmanager and waits (at most 30 s) until /-/ready answers 200.
  // Returns null, after printing its log, if it did not come up.
  // A free port chosen here may be taken before Alertmanager binds it, so
  // that case is tried three times.
  static std::unique_ptr<AlertmanagerServer> start(Options options) {
    const int attempts = options.port == 0 ? 3 : 1;
    for (int i = 0; i < attempts; ++i) {
      std::unique_ptr<AlertmanagerServer> server(new AlertmanagerServer(options));
      if (server->launch()) return server;
      std::fprintf(stderr, "alertmanager did not start:\n%s\n", server->log().c_str());
    }
    return nullptr;
  }
  static std::unique_ptr<AlertmanagerServer> start() { return start(Options{}); }

  ~AlertmanagerServer() {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  uint16_t port() const { return options_.port; }
  std::string url() const {
    return std::string(options_.https ? "https" : "http") + "://127.0.0.1:" + std::to_string(port());
  }
  const std::string& dir() const { return dir_; }

  HttpAnswer get(const std::string& path) const {
    return http_get(url() + path, options_.ca_file, options_.user, options_.password);
  }

  std::string log() const {
    std::ifstream in(dir_ + "/alertmanager.log");
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  explicit AlertmanagerServer(Options options) : options_(std::move(options)) {
    std::string dir = (std::filesystem::temp_directory_path() / "vigil-am-XXXXXX").string();
    if (::mkdtemp(dir.data()) != nullptr) dir_ = dir;
  }

  bool launch() {
    if (dir_.empty()) return false;
    if (options_.port == 0) options_.port = free_port();
    std::ofstream(dir_ + "/alertmanager.yml") << "route:\n  receiver: blackhole\n"
                                              << "receivers:\n  - name: blackhole\n";
    std::vector<std::string> args = {
        kAlertmanagerBinary,
        "--config.file=" + dir_ + "/alertmanager.yml",
        "--storage.path=" + dir_ + "/data",
        "--web.listen-address=127.0.0.1:" + std::to_string(options_.port),
        "--cluster.listen-address=",
        "--log.level=warn",
    };
    if (!options_.web_config.empty()) {
      std::ofstream(dir_ + "/web.yml") << options_.web_config;
      args.push_back("--web.config.file=" + dir_ + "/web.yml");
    }
    const std::string log_path = dir_ + "/alertmanager.log";
    pid_ = ::fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
      FILE* log = std::freopen(log_path.c_str(), "w", stderr);
      (void)log;
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(kAlertmanagerBinary, argv.data());
      ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      if (get("/-/ready").status == 200) return true;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // exited: e.g. the port was taken
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  Options options_;
  std::string dir_;
  pid_t pid_ = -1;
};

}  // namespace vigil::testing
