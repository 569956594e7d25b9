#include "tests/e2e/harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#ifndef PARSECD_PATH
#error "PARSECD_PATH must point to the parsecd binary"
#endif

namespace parsec::e2e {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "parsec-e2e-XXXXXX").string();
  char* p = ::mkdtemp(tmpl.data());
  if (!p) {
    throw std::runtime_error("mkdtemp failed");
  }
  path_ = p;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Daemon::Daemon(DaemonOptions opts) : opts_(std::move(opts)) {
  write_config(config_text(opts_));
}

Daemon::~Daemon() {
  if (pid_ > 0) {
    stop(SIGKILL);
  }
  if (reader_.joinable()) {
    reader_.join();
  }
}

std::string Daemon::config_text(const DaemonOptions& o) const {
  std::ostringstream c;
  c << "[core_settings]\n"
    << "allow_root = true\n"
    << "thread_pool_size = 4\n"
    << "log_level = \"" << o.log_level << "\"\n"
    << "body_len_limit = " << o.body_len_limit << "\n"
    << o.extra_core_settings << "\n"
    << "[listener]\nlistener_type = \"DomainSocket\"\n"
    << "timeout = " << o.timeout_ms << "\n"
    << "socket_path = \"" << socket_path() << "\"\n"
    << "max_connections = " << o.max_connections << "\n"
    << o.extra_listener_settings << "\n"
    << o.authenticators << "\n"
    << "[[key_manager]]\nname = \"sqlite-manager\"\nmanager_type = \"SQLite\"\n"
    << "sqlite_db_path = \"" << store_path() << "\"\n\n"
    << o.providers;
  return c.str();
}

void Daemon::write_config(const std::string& text) {
  std::string tmp = config_path() + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << text;
  }
  std::filesystem::rename(tmp, config_path());
}

void Daemon::reader_loop(int fd) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    std::lock_guard lock(mu_);
    if (n <= 0) {
      eof_ = true;
      cv_.notify_all();
      break;
    }
    log_.append(buf, static_cast<size_t>(n));
    cv_.notify_all();
  }
  ::close(fd);
}

static pid_t spawn(const std::string& config, const std::string& cwd, int& out_fd,
                   const std::vector<std::string>& extra_args = {}) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return -1;
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 2);
    ::dup2(fds[1], 1);
    if (::chdir(cwd.c_str()) != 0) {
      _exit(126);
    }
    std::vector<char*> argv = {const_cast<char*>(PARSECD_PATH), const_cast<char*>("-c"),
                               const_cast<char*>(config.c_str())};
    for (const std::string& a : extra_args) {
      argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);
    ::execv(PARSECD_PATH, argv.data());
    _exit(127);
  }
  ::close(fds[1]);
  out_fd = fds[0];
  return pid;
}

void Daemon::start() {
  ASSERT_LT(pid_, 0) << "daemon already running";
  if (reader_.joinable()) {
    reader_.join();
  }
  size_t from;
  {
    std::lock_guard lock(mu_);
    eof_ = false;
    from = log_.size();
  }
  int fd = -1;
  // The daemon's working directory is its own folder so tests can check that
  // nothing lands there.
  std::filesystem::create_directories(dir() + "/cwd");
  pid_ = spawn(config_path(), dir() + "/cwd", fd);
  ASSERT_GT(pid_, 0);
  reader_ = std::thread([this, fd] { reader_loop(fd); });
  bool ok = wait_for_log("parsecd listening on", from);
  if (!ok) {
    std::string l = log();
    stop(SIGKILL);
    FAIL() << "parsecd did not start; log:\n" << l;
  }
}

int Daemon::start_expect_exit(std::chrono::seconds limit, const std::vector<std::string>& extra_args) {
  int fd = -1;
  if (reader_.joinable()) {
    reader_.join();
  }
  {
    std::lock_guard lock(mu_);
    eof_ = false;
  }
  std::filesystem::create_directories(dir() + "/cwd");
  pid_ = spawn(config_path(), dir() + "/cwd", fd, extra_args);
  reader_ = std::thread([this, fd] { reader_loop(fd); });
  {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, limit, [&] { return eof_; });
  }
  if (!eof_) {
    stop(SIGKILL);
    return -1;
  }
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  reader_.join();
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void Daemon::signal(int sig) {
  if (pid_ > 0) {
    ::kill(pid_, sig);
  }
}

int Daemon::stop(int sig) {
  if (pid_ <= 0) {
    return exit_code_;
  }
  ::kill(pid_, sig);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  if (reader_.joinable()) {
    reader_.join();
  }
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return exit_code_;
}

bool Daemon::wait_for_log(const std::string& needle, size_t from, std::chrono::milliseconds limit) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, limit, [&] {
    return (from <= log_.size() && log_.find(needle, from) != std::string::npos) || eof_;
  }) && log_.find(needle, from) != std::string::npos;
}

size_t Daemon::log_size() {
  std::lock_guard lock(mu_);
  return log_.size();
}

std::string Daemon::log() {
  std::lock_guard lock(mu_);
  return log_;
}

long Daemon::rss_kib() const {
  std::ifstream f("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::strtol(line.c_str() + 6, nullptr, 10);
    }
  }
  return -1;
}

int connect_unix(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return -1;
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

RawResponse raw_exchange(const std::string& socket_path, const std::string& request, bool shutdown_write,
                         std::chrono::milliseconds limit, bool may_be_down) {
  RawResponse r;
  int fd = connect_unix(socket_path);
  if (fd < 0) {
    if (may_be_down) {
      return r;
    }
    ADD_FAILURE() << "cannot connect to " << socket_path << ": " << std::strerror(errno);
    return r;
  }
  size_t off = 0;
  while (off < request.size()) {
    ssize_t n = ::send(fd, request.data() + off, request.size() - off, MSG_NOSIGNAL);
    if (n <= 0) {
      break;  // the service may answer and close before reading everything
    }
    off += static_cast<size_t>(n);
  }
  if (shutdown_write) {
    ::shutdown(fd, SHUT_WR);
  }
  std::string in;
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      break;
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      break;
    }
    char buf[65536];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      break;
    }
    in.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  r.bytes = in.size();
  if (in.size() >= kHeaderLen) {
    r.got_header = true;
    r.header = decode_header(reinterpret_cast<const uint8_t*>(in.data()));
    r.body = in.substr(kHeaderLen);
  }
  return r;
}

std::string header_bytes(const WireHeader& h) {
  auto b = encode_header(h);
  return std::string(b.begin(), b.end());
}

std::string make_request(WireHeader h, const std::string& body, const std::string& auth) {
  h.body_len = static_cast<uint32_t>(body.size());
  h.auth_len = static_cast<uint16_t>(auth.size());
  return header_bytes(h) + body + auth;
}

WireHeader request_header(Opcode op, uint8_t provider, AuthType auth) {
  WireHeader h;
  h.opcode = static_cast<uint32_t>(op);
  h.provider = provider;
  h.auth_type = static_cast<uint8_t>(auth);
  return h;
}

}  // namespace parsec::e2e
