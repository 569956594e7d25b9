// tpm-bench: ECDSA P-256 signing on a private swtpm, through parsecd (TPM
// provider) and directly through ESAPI, in the same run, and the ratios.
// Never used as a pass/fail test.
//
//   direct, key kept loaded     Esys_Sign only: what the TPM itself costs
//   direct, load+sign+flush     what the provider does per request
//   parsecd, 1 and 4 clients    the whole path: socket, service, key store,
//                               provider, TPM
//
// Phases never overlap (swtpm has three transient slots and no resource
// manager). Each figure is the median of several runs.
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/tpm_direct.h"
#include "parsec/client/client.h"
#include "tests/e2e/swtpm_fixture.h"

using namespace parsec;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kRuns = 5;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// rate runs `fn` `n` times and returns operations per second.
double rate(int n, const std::function<void()>& fn) {
  const auto t0 = Clock::now();
  for (int i = 0; i < n; ++i) {
    fn();
  }
  return n / std::chrono::duration<double>(Clock::now() - t0).count();
}

using Direct = bench::TpmDirect;

bool socket_accepts(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// Daemon runs parsecd with the TPM provider on `tcti`.
class Daemon {
 public:
  Daemon(const std::string& parsecd, const std::string& tcti) {
    char tmpl[] = "/tmp/parsec-tpm-bench-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    socket_ = dir_ + "/parsec.sock";
    std::filesystem::create_directories(dir_ + "/store");
    std::filesystem::permissions(dir_ + "/store", std::filesystem::perms::owner_all);
    std::ofstream(dir_ + "/config.toml")
        << "[core_settings]\nallow_root = true\nlog_level = \"warn\"\n"
        << "[listener]\nlistener_type = \"DomainSocket\"\ntimeout = 5000\nsocket_path = \"" << socket_ << "\"\n"
        << "[authenticator]\nauth_type = \"Direct\"\n"
        << "[[key_manager]]\nname = \"m\"\nmanager_type = \"SQLite\"\nsqlite_db_path = \"" << dir_
        << "/store/k.sqlite3\"\n"
        << "[[provider]]\nprovider_type = \"Tpm\"\nkey_info_manager = \"m\"\ntcti = \"" << tcti
        << "\"\nowner_hierarchy_auth = \"\"\n";
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string cfg = dir_ + "/config.toml";
      ::execl(parsecd.c_str(), parsecd.c_str(), "-c", cfg.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 1000 && !socket_accepts(socket_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!socket_accepts(socket_)) {
      throw std::runtime_error("parsecd did not start");
    }
  }
  ~Daemon() {
    ::kill(pid_, SIGTERM);
    int st = 0;
    ::waitpid(pid_, &st, 0);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  const std::string& socket() const { return socket_; }

 private:
  std::string dir_;
  std::string socket_;
  pid_t pid_ = -1;
};

}  // namespace

int main(int argc, char** argv) {
  const std::string parsecd = argc > 1 ? argv[1] : PARSECD_PATH;
  const int n = argc > 2 ? std::atoi(argv[2]) : 200;
  ::setenv("TSS2_LOG", "all+none", 0);
  try {
    testing::Swtpm tpm;
    std::printf("tpm-bench: ECDSA P-256 signatures per second on swtpm (%s), median of %d runs of %d\n",
                tpm.tcti().c_str(), kRuns, n);
    Daemon daemon(parsecd, tpm.tcti());

    // Phase 1: ESAPI directly (the daemon is idle: it holds only its primary key).
    std::vector<double> kept;
    std::vector<double> kept_hmac;
    std::vector<double> kept_enc;
    std::vector<double> per_request;
    {
      Direct direct(tpm.tcti());
      for (int r = 0; r < kRuns; ++r) {
        ESYS_TR h = direct.load();
        kept.push_back(rate(n, [&] { direct.sign(h); }));
        ESYS_TR hmac = direct.session(0);
        kept_hmac.push_back(rate(n, [&] { direct.sign(h, hmac); }));
        direct.flush(hmac);
        ESYS_TR enc = direct.session(TPMA_SESSION_DECRYPT);
        kept_enc.push_back(rate(n, [&] { direct.sign(h, enc); }));
        direct.flush(enc);
        direct.flush(h);
        per_request.push_back(rate(n, [&] {
          ESYS_TR k = direct.load();
          direct.sign(k);
          direct.flush(k);
        }));
      }
    }

    // Phase 2: through parsecd.
    client::Client c(client::Endpoint::unix_socket(daemon.socket()), "bench");
    c.set_provider(ProviderId::Tpm);
    const auto alg = client::Algorithm::ecdsa(client::Hash::Sha256);
    c.generate_key("sign", client::KeyAttributes::ecc_key_pair(256, alg));
    const client::Bytes digest(32, 0x42);
    std::vector<double> one;
    std::vector<double> four;
    for (int r = 0; r < kRuns; ++r) {
      one.push_back(rate(n, [&] { c.sign_hash("sign", alg, digest); }));
      std::atomic<int> left{n};
      const auto t0 = Clock::now();
      std::vector<std::thread> threads;
      for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
          client::Client cl(client::Endpoint::unix_socket(daemon.socket()), "bench");
          cl.set_provider(ProviderId::Tpm);
          while (left.fetch_sub(1) > 0) {
            cl.sign_hash("sign", alg, digest);
          }
        });
      }
      for (auto& t : threads) {
        t.join();
      }
      four.push_back(n / std::chrono::duration<double>(Clock::now() - t0).count());
    }

    const double k = median(kept);
    const double p = median(per_request);
    const double d1 = median(one);
    const double d4 = median(four);
    std::printf("  %-40s %9.1f /s  (%.2f ms each)\n", "ESAPI, key kept loaded (Sign)", k, 1000 / k);
    const double kh = median(kept_hmac);
    const double ke = median(kept_enc);
    std::printf("  %-40s %9.1f /s  (%.2f ms each)\n", "  same, salted HMAC session", kh, 1000 / kh);
    std::printf("  %-40s %9.1f /s  (%.2f ms each)\n", "  same, HMAC + digest encrypted", ke, 1000 / ke);
    std::printf("  %-40s %9.1f /s  (%.2f ms each)\n", "ESAPI, Load + Sign + FlushContext", p, 1000 / p);
    std::printf("  %-40s %9.1f /s  (%.2f ms each)\n", "parsecd, 1 client", d1, 1000 / d1);
    std::printf("  %-40s %9.1f /s  (%.2f ms each)\n", "parsecd, 4 clients", d4, 1000 / d4);
    std::printf("  ratio parsecd (1 client) / ESAPI load+sign+flush: %.2f\n", d1 / p);
    std::printf("  ratio parsecd (1 client) / ESAPI sign only:       %.2f\n", d1 / k);
    std::printf("  ratio parsecd (4 clients) / ESAPI load+sign+flush: %.2f\n", d4 / p);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tpm-bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
