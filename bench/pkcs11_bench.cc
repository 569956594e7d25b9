// pkcs11-bench: ECDSA P-256 signing through parsecd's PKCS #11 provider and
// directly through the PKCS #11 module (SoftHSMv2), in the same run, on the
// same token, for 1 and 8 clients. Prints throughputs and their ratio; never
// used as a pass/fail test.
//
// Each figure is the median of several short runs; the daemon and the direct
// runs alternate so that both see the same machine noise. "pinned" runs put
// the daemon, the clients and the direct threads on CPU 0 (the cost of one
// signature on one CPU); "unpinned" runs let them spread over every CPU.
//
//   pkcs11-bench [parsecd] [seconds-per-run] [runs]
#include <sched.h>
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
#include <string>
#include <thread>
#include <vector>

#include "parsec/client/client.h"
#include "tests/e2e/softhsm_fixture.h"

using namespace parsec;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kPin = "bench-pin-1234";
constexpr const char* kLabel = "Parsec Bench";

std::string g_dir;
pid_t g_pid = -1;

bool can_connect(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

void start_daemon(const std::string& parsecd) {
  char tmpl[] = "/tmp/pkcs11-bench-XXXXXX";
  g_dir = ::mkdtemp(tmpl);
  std::string sock = g_dir + "/parsec.sock";
  std::ofstream(g_dir + "/config.toml") << "[core_settings]\nallow_root = true\nlog_level = \"warn\"\n"
                                        << "thread_pool_size = 8\n"
                                        << "[listener]\nlistener_type = \"DomainSocket\"\ntimeout = 30000\n"
                                        << "socket_path = \"" << sock << "\"\n"
                                        << "[authenticator]\nauth_type = \"Direct\"\n"
                                        << "[[key_manager]]\nname = \"m\"\nmanager_type = \"SQLite\"\n"
                                        << "sqlite_db_path = \"" << g_dir << "/store/k.sqlite3\"\n"
                                        << "[[provider]]\nprovider_type = \"Pkcs11\"\nkey_info_manager = \"m\"\n"
                                        << "library_path = \"" << testing::SoftHsm::module_path() << "\"\n"
                                        << "token_label = \"" << kLabel << "\"\nuser_pin = \"" << kPin << "\"\n";
  g_pid = ::fork();
  if (g_pid == 0) {
    std::string cfg = g_dir + "/config.toml";
    ::execl(parsecd.c_str(), parsecd.c_str(), "-c", cfg.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int i = 0; i < 500; ++i) {
    if (can_connect(sock)) {
      return;
    }
    ::usleep(10000);
  }
  std::fprintf(stderr, "parsecd did not start\n");
  std::exit(1);
}

void stop_daemon() {
  ::kill(g_pid, SIGTERM);
  int st = 0;
  ::waitpid(g_pid, &st, 0);
  std::filesystem::remove_all(g_dir);
}

// pin_all pins (or unpins) this process's threads created afterwards and
// the daemon's threads.
void set_affinity(bool pinned) {
  cpu_set_t set;
  CPU_ZERO(&set);
  unsigned n = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned c = 0; c < (pinned ? 1u : n); ++c) {
    CPU_SET(c, &set);
  }
  ::sched_setaffinity(0, sizeof set, &set);
  for (const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(g_pid) + "/task")) {
    ::sched_setaffinity(static_cast<pid_t>(std::stol(e.path().filename().string())), sizeof set, &set);
  }
}

client::Client make_client() {
  client::Client c(client::Endpoint::unix_socket(g_dir + "/parsec.sock"), "bench");
  c.set_provider(ProviderId::Pkcs11);
  return c;
}

// run_parsecd: signatures per second through the daemon with `clients` threads.
double run_parsecd(int clients, double seconds) {
  std::atomic<long> n{0};
  std::atomic<bool> failed{false};
  auto t0 = Clock::now();
  std::vector<std::thread> ts;
  for (int i = 0; i < clients; ++i) {
    ts.emplace_back([&] {
      client::Client cl = make_client();
      client::Bytes digest(32, 0x11);
      while (std::chrono::duration<double>(Clock::now() - t0).count() < seconds) {
        try {
          cl.sign_hash("bench", client::Algorithm::ecdsa(client::Hash::Sha256), digest);
          n++;
        } catch (const std::exception& e) {
          std::fprintf(stderr, "sign through parsecd failed: %s\n", e.what());
          failed = true;
          return;
        }
      }
    });
  }
  for (auto& t : ts) {
    t.join();
  }
  if (failed) {
    std::exit(1);
  }
  return static_cast<double>(n.load()) / std::chrono::duration<double>(Clock::now() - t0).count();
}

// run_direct: signatures per second with C_SignInit + C_Sign, one session per
// thread (sessions share the login, as in the provider).
double run_direct(testing::Pkcs11Direct& p11, CK_OBJECT_HANDLE key, int threads, double seconds) {
  std::atomic<long> n{0};
  std::atomic<bool> failed{false};
  std::vector<CK_SESSION_HANDLE> sessions;
  for (int i = 0; i < threads; ++i) {
    sessions.push_back(p11.open_session());
  }
  auto t0 = Clock::now();
  std::vector<std::thread> ts;
  for (int i = 0; i < threads; ++i) {
    ts.emplace_back([&, s = sessions[static_cast<size_t>(i)]] {
      unsigned char digest[32];
      std::memset(digest, 0x11, sizeof digest);
      unsigned char sig[64];
      CK_MECHANISM mech{CKM_ECDSA, nullptr, 0};
      while (std::chrono::duration<double>(Clock::now() - t0).count() < seconds) {
        CK_ULONG len = sizeof sig;
        if (p11.fn()->C_SignInit(s, &mech, key) != CKR_OK ||
            p11.fn()->C_Sign(s, digest, sizeof digest, sig, &len) != CKR_OK) {
          failed = true;
          return;
        }
        n++;
      }
    });
  }
  for (auto& t : ts) {
    t.join();
  }
  for (CK_SESSION_HANDLE s : sessions) {
    p11.fn()->C_CloseSession(s);
  }
  if (failed) {
    std::fprintf(stderr, "direct C_Sign failed\n");
    std::exit(1);
  }
  return static_cast<double>(n.load()) / std::chrono::duration<double>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string parsecd = argc > 1 ? argv[1] : PARSECD_PATH;
  double seconds = argc > 2 ? std::atof(argv[2]) : 2.0;
  int runs = argc > 3 ? std::atoi(argv[3]) : 3;
  testing::SoftHsm hsm;
  hsm.use();
  hsm.init_token(kLabel, kPin);
  start_daemon(parsecd);
  client::Client setup = make_client();
  setup.generate_key("bench", client::KeyAttributes::ecc_key_pair(256, client::Algorithm::ecdsa(client::Hash::Sha256)));
  testing::Pkcs11Direct direct(testing::SoftHsm::module_path(), kLabel, kPin);
  CK_OBJECT_HANDLE key = direct.generate_ec_p256("bench direct", "bench-direct");

  std::printf(
      "pkcs11-bench on %u CPUs, SoftHSM %s; ECDSA P-256 sign of a SHA-256 digest; "
      "median of %d runs of %.1f s (noisy shared machine)\n",
      std::thread::hardware_concurrency(), testing::SoftHsm::module_path().c_str(), runs, seconds);
  std::printf("  %-9s %-8s %16s %16s %8s\n", "mode", "clients", "parsecd sig/s", "direct sig/s", "ratio");
  for (bool pinned : {false, true}) {
    set_affinity(pinned);
    for (int clients : {1, 8}) {
      std::vector<double> via, raw;
      for (int r = 0; r < runs; ++r) {
        via.push_back(run_parsecd(clients, seconds));
        raw.push_back(run_direct(direct, key, clients, seconds));
      }
      double v = median(via), d = median(raw);
      std::printf("  %-9s %-8d %16.0f %16.0f %7.1f%%\n", pinned ? "pinned" : "unpinned", clients, v, d, 100.0 * v / d);
      std::fflush(stdout);
    }
  }
  set_affinity(false);
  std::printf(
      "  ratio = parsecd throughput / direct throughput; parsecd adds a connection, the wire protocol,\n"
      "  authentication, a key-store lookup and the policy check to every signature\n");
  setup.destroy_key("bench");
  stop_daemon();
  return 0;
}
