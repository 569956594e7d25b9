// harness.h - end-to-end test support: a real parsecd in a temporary folder,
// and a raw wire-protocol client for byte-level tests.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "parsec/interface/wire.h"

namespace parsec::e2e {

// TempDir is a mkdtemp folder removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct DaemonOptions {
  // TOML for the authenticator section(s); default: Direct with admin "admin".
  std::string authenticators = "[authenticator]\nauth_type = \"Direct\"\nadmins = [ { name = \"admin\" } ]\n";
  uint32_t timeout_ms = 200;
  uint32_t body_len_limit = 1 << 20;
  uint32_t max_connections = 256;
  std::string extra_core_settings;      // appended to [core_settings]
  std::string extra_listener_settings;  // appended to [listener]
  std::string log_level = "info";
  // The [[provider]] tables; every provider must use key_info_manager
  // "sqlite-manager". Suites for other providers replace this.
  std::string providers = "[[provider]]\nprovider_type = \"MbedCrypto\"\nkey_info_manager = \"sqlite-manager\"\n";
};

// Daemon runs parsecd as a child process. Its stderr is collected by a reader
// thread; wait_for_log blocks until a line containing a string appears.
class Daemon {
 public:
  explicit Daemon(DaemonOptions opts = {});
  ~Daemon();

  // config_text renders the configuration for `opts`.
  std::string config_text(const DaemonOptions& opts) const;
  void write_config(const std::string& text);
  // start launches parsecd and waits until it listens (fails the test otherwise).
  void start();
  // start_expect_exit launches parsecd and waits for it to exit; returns the
  // exit code (or 128+signal).
  // `extra_args` follow "-c CONFIG" on the command line.
  int start_expect_exit(std::chrono::seconds limit = std::chrono::seconds(30),
                        const std::vector<std::string>& extra_args = {});
  // stop sends `sig` and waits for the exit; returns the exit code.
  int stop(int sig = 15);
  void signal(int sig);
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // wait_for_log returns true once the log contains `needle` after `from`
  // (a log_size() taken earlier), false after `limit`.
  bool wait_for_log(const std::string& needle, size_t from = 0,
                    std::chrono::milliseconds limit = std::chrono::milliseconds(20000));
  size_t log_size();
  std::string log();

  const std::string& dir() const { return dir_.path(); }
  std::string socket_path() const { return dir_.path() + "/parsec.sock"; }
  std::string store_path() const { return dir_.path() + "/store/keys.sqlite3"; }
  std::string config_path() const { return dir_.path() + "/config.toml"; }
  std::string endpoint() const { return "unix:" + socket_path(); }
  // rss_kib returns the daemon's resident set size from /proc.
  long rss_kib() const;

 private:
  void reader_loop(int fd);
  TempDir dir_;
  DaemonOptions opts_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string log_;
  bool eof_ = false;
};

// RawResponse is what came back on a raw connection.
struct RawResponse {
  bool got_header = false;
  WireHeader header;
  std::string body;
  size_t bytes = 0;  // total bytes received
};

// raw_exchange connects to `socket_path`, writes `request`, optionally
// half-closes, and reads until EOF (or `limit`).
// A failed connect is a test failure unless `may_be_down`.
RawResponse raw_exchange(const std::string& socket_path, const std::string& request, bool shutdown_write = false,
                         std::chrono::milliseconds limit = std::chrono::milliseconds(10000), bool may_be_down = false);

// make_request frames a request; body_len/auth_len are taken from the data.
std::string make_request(WireHeader h, const std::string& body, const std::string& auth);
std::string header_bytes(const WireHeader& h);
// request_header returns a valid request header for `op`.
WireHeader request_header(Opcode op, uint8_t provider = 0, AuthType auth = AuthType::NoAuth);

// connect_unix returns a connected socket fd or -1.
int connect_unix(const std::string& path);

}  // namespace parsec::e2e
