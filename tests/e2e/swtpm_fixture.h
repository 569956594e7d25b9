// swtpm_fixture.h - a private swtpm (TPM 2.0 simulator) per test: its state
// in a temporary folder, listening on a Unix socket there, run as a
// FOREGROUND child of the test process (fork/exec; stop() sends SIGTERM and
// waits for it), so nothing outlives the test and restarts on the same state
// are real. Free of gtest: failures throw std::runtime_error.
//
// Used by tests/e2e/tpm_test.cc and bench/tpm_bench.cc; compiled only with
// PARSEC_WITH_TPM.
#pragma once

#ifdef PARSEC_WITH_TPM

#include <sys/types.h>

#include <string>
#include <vector>

namespace parsec::testing {

class Swtpm {
 public:
  // Swtpm makes a new state folder and starts the simulator in it.
  Swtpm();
  // Swtpm(state_dir) starts the simulator on an existing state folder (not
  // removed on destruction).
  explicit Swtpm(const std::string& state_dir);
  ~Swtpm();
  Swtpm(const Swtpm&) = delete;
  Swtpm& operator=(const Swtpm&) = delete;

  // start launches swtpm and returns once its socket accepts connections.
  void start();
  // stop sends SIGTERM and waits for the exit; a no-op when not running.
  void stop();
  // kill9 ends it with SIGKILL (no orderly state save) and waits.
  void kill9();
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  const std::string& state_dir() const { return dir_; }
  const std::string& socket_path() const { return socket_; }
  // tcti is the TCTI loader string for this simulator.
  std::string tcti() const { return "swtpm:path=" + socket_; }

  // tool runs a tpm2-tools command (e.g. {"tpm2_changeauth", "-c", "owner",
  // "pw"}) against this simulator, with TSS2 logging off; returns its exit
  // code and, in `output`, what it printed (stdout and stderr).
  int tool(const std::vector<std::string>& argv, std::string* output = nullptr) const;

  // available: the swtpm binary is installed.
  static bool available();

 private:
  std::string dir_;
  std::string socket_;
  bool owned_ = false;
  pid_t pid_ = -1;
};

}  // namespace parsec::testing

#endif  // PARSEC_WITH_TPM
