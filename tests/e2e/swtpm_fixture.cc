#include "tests/e2e/swtpm_fixture.h"

#ifdef PARSEC_WITH_TPM

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace parsec::testing {
namespace {

bool socket_accepts(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return false;
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

std::string find_swtpm() {
  for (const char* p : {"/usr/bin/swtpm", "/usr/local/bin/swtpm"}) {
    if (::access(p, X_OK) == 0) {
      return p;
    }
  }
  return "";
}

}  // namespace

bool Swtpm::available() {
  return !find_swtpm().empty();
}

Swtpm::Swtpm() : owned_(true) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "parsec-swtpm-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) {
    throw std::runtime_error("mkdtemp failed");
  }
  dir_ = tmpl;
  socket_ = dir_ + "/tpm.sock";
  start();
}

Swtpm::Swtpm(const std::string& state_dir) : dir_(state_dir), socket_(state_dir + "/tpm.sock") {
  start();
}

Swtpm::~Swtpm() {
  try {
    stop();
  } catch (...) {
  }
  if (owned_) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

void Swtpm::start() {
  if (pid_ > 0) {
    return;
  }
  const std::string bin = find_swtpm();
  if (bin.empty()) {
    throw std::runtime_error("swtpm is not installed (scripts/install-deps.sh installs it)");
  }
  std::filesystem::create_directories(dir_);
  ::unlink(socket_.c_str());
  const std::string ctrl = socket_ + ".ctrl";
  ::unlink(ctrl.c_str());
  const std::string state = "dir=" + dir_;
  const std::string server = "type=unixio,path=" + socket_;
  const std::string control = "type=unixio,path=" + ctrl;
  const std::string log = dir_ + "/swtpm.log";
  pid_t pid = ::fork();
  if (pid < 0) {
    throw std::runtime_error("fork failed");
  }
  if (pid == 0) {
    // swtpm prints a line per client connection: keep it out of test output.
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execl(bin.c_str(), bin.c_str(), "socket", "--tpm2", "--tpmstate", state.c_str(), "--server", server.c_str(),
            "--ctrl", control.c_str(), "--flags", "not-need-init,startup-clear", static_cast<char*>(nullptr));
    _exit(127);
  }
  pid_ = pid;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!socket_accepts(socket_)) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("swtpm exited at start-up; see " + log);
    }
    if (std::chrono::steady_clock::now() > deadline) {
      stop();
      throw std::runtime_error("swtpm did not listen on " + socket_ + " within 10 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void Swtpm::stop() {
  if (pid_ <= 0) {
    return;
  }
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void Swtpm::kill9() {
  if (pid_ <= 0) {
    return;
  }
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

int Swtpm::tool(const std::vector<std::string>& argv, std::string* output) const {
  if (argv.empty()) {
    return -1;
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return -1;
  }
  const std::string tcti_env = "TPM2TOOLS_TCTI=" + tcti();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) {
      args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    ::putenv(const_cast<char*>(tcti_env.c_str()));
    ::setenv("TSS2_LOG", "all+none", 1);
    ::execvp(args[0], args.data());
    _exit(127);
  }
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (output) {
    *output = out;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace parsec::testing

#endif  // PARSEC_WITH_TPM
