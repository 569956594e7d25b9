// parsec-bench: starts its own parsecd (software provider) in a temporary
// folder and prints figures. Never used as a pass/fail test.
//
//   availability  64 clients x 50 pings while 40 connections stall mid-header
//   memory        RSS of parsecd every 1,000 requests over 10,000 mixed requests
//   sign          ECDSA P-256 sign throughput through parsecd, 1 and 2 clients
//
// `parsec-bench compare ...` runs the floor / direct / parsecd comparison of
// every provider instead (bench/compare.cc, bench/README.md).
#include <poll.h>
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
#include "parsec/interface/wire.h"

using namespace parsec;
using Clock = std::chrono::steady_clock;

namespace {

std::string g_dir;
pid_t g_pid = -1;

int connect_unix(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

long rss_kib(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::strtol(line.c_str() + 6, nullptr, 10);
    }
  }
  return -1;
}

void start_daemon(const std::string& parsecd, uint32_t timeout_ms) {
  char tmpl[] = "/tmp/parsec-bench-XXXXXX";
  g_dir = ::mkdtemp(tmpl);
  std::string sock = g_dir + "/parsec.sock";
  std::ofstream(g_dir + "/config.toml") << "[core_settings]\nallow_root = true\nlog_level = \"warn\"\n"
                                        << "[listener]\nlistener_type = \"DomainSocket\"\ntimeout = " << timeout_ms
                                        << "\nsocket_path = \"" << sock << "\"\n"
                                        << "[authenticator]\nauth_type = \"Direct\"\n"
                                        << "[[key_manager]]\nname = \"m\"\nmanager_type = \"SQLite\"\n"
                                        << "sqlite_db_path = \"" << g_dir << "/store/k.sqlite3\"\n"
                                        << "[[provider]]\nprovider_type = \"MbedCrypto\"\nkey_info_manager = \"m\"\n";
  g_pid = ::fork();
  if (g_pid == 0) {
    std::string cfg = g_dir + "/config.toml";
    ::execl(parsecd.c_str(), parsecd.c_str(), "-c", cfg.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int i = 0; i < 500; ++i) {
    int fd = connect_unix(sock);
    if (fd >= 0) {
      ::close(fd);
      return;
    }
    ::poll(nullptr, 0, 10);
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

client::Client make_client() {
  client::Client c(client::Endpoint::unix_socket(g_dir + "/parsec.sock"), "bench");
  return c;
}

double pct(std::vector<double>& v, double p) {
  if (v.empty()) {
    return 0;
  }
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

void availability() {
  std::vector<int> stalled;
  std::string partial(17, '\0');
  auto h = encode_header(WireHeader{});
  std::memcpy(partial.data(), h.data(), partial.size());
  for (int i = 0; i < 40; ++i) {
    int fd = connect_unix(g_dir + "/parsec.sock");
    (void)::send(fd, partial.data(), partial.size(), MSG_NOSIGNAL);
    stalled.push_back(fd);
  }
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::vector<double>> lat(64);
  auto t0 = Clock::now();
  std::vector<std::thread> ts;
  for (int c = 0; c < 64; ++c) {
    ts.emplace_back([&, c] {
      client::Client cl = make_client();
      for (int i = 0; i < 50; ++i) {
        auto a = Clock::now();
        try {
          cl.ping();
          ok++;
        } catch (const std::exception&) {
          failed++;
        }
        lat[static_cast<size_t>(c)].push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
      }
    });
  }
  for (auto& t : ts) {
    t.join();
  }
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  std::vector<double> all;
  for (auto& l : lat) {
    all.insert(all.end(), l.begin(), l.end());
  }
  std::printf("availability: %d/%d pings answered (%d failed) while 40 connections stalled mid-header\n", ok.load(),
              64 * 50, failed.load());
  std::printf("  wall %.2f s, %.0f pings/s, latency p50 %.0f us, p99 %.0f us, max %.0f us\n", secs, ok.load() / secs,
              pct(all, 0.5), pct(all, 0.99), pct(all, 1.0));
  for (int fd : stalled) {
    ::close(fd);
  }
}

void memory() {
  client::Client c = make_client();
  c.generate_key("mem", client::KeyAttributes::ecc_key_pair(256, client::Algorithm::ecdsa(client::Hash::Sha256)));
  client::Bytes digest(32, 0x5A);
  std::printf("memory: parsecd RSS over 10,000 requests (ping, sign, random 1 KiB, export, list-keys in turn)\n");
  std::printf("  %8s %10s\n", "requests", "RSS KiB");
  std::printf("  %8d %10ld\n", 0, rss_kib(g_pid));
  long at2000 = 0, at10000 = 0;
  for (int i = 1; i <= 10000; ++i) {
    switch (i % 5) {
      case 0:
        c.ping();
        break;
      case 1:
        c.sign_hash("mem", client::Algorithm::ecdsa(client::Hash::Sha256), digest);
        break;
      case 2:
        c.generate_random(1024);
        break;
      case 3:
        c.export_public_key("mem");
        break;
      default:
        c.list_keys();
        break;
    }
    if (i % 1000 == 0) {
      long r = rss_kib(g_pid);
      std::printf("  %8d %10ld\n", i, r);
      if (i == 2000) {
        at2000 = r;
      }
      if (i == 10000) {
        at10000 = r;
      }
    }
  }
  std::printf("  growth from 2,000 to 10,000 requests: %ld KiB\n", at10000 - at2000);
  c.destroy_key("mem");
}

void sign_throughput() {
  client::Client setup = make_client();
  setup.generate_key("sign", client::KeyAttributes::ecc_key_pair(256, client::Algorithm::ecdsa(client::Hash::Sha256)));
  for (int clients : {1, 2}) {
    std::atomic<int> n{0};
    auto t0 = Clock::now();
    std::vector<std::thread> ts;
    for (int i = 0; i < clients; ++i) {
      ts.emplace_back([&] {
        client::Client cl = make_client();
        client::Bytes digest(32, 0x11);
        while (Clock::now() - t0 < std::chrono::seconds(3)) {
          cl.sign_hash("sign", client::Algorithm::ecdsa(client::Hash::Sha256), digest);
          n++;
        }
      });
    }
    for (auto& t : ts) {
      t.join();
    }
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("sign: ECDSA P-256 through parsecd, %d client(s): %.0f signatures/s (%.2f ms each)\n", clients,
                n.load() / secs, 1000.0 * secs * clients / n.load());
  }
  setup.destroy_key("sign");
}

}  // namespace

int compare_main(int argc, char** argv);

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "compare") {
    return compare_main(argc - 1, argv + 1);
  }
  std::string parsecd = argc > 1 ? argv[1] : PARSECD_PATH;
  std::printf("parsec-bench on %u CPUs; figures are from one run on a shared machine (noisy)\n",
              std::thread::hardware_concurrency());
  start_daemon(parsecd, 30000);
  availability();
  memory();
  sign_throughput();
  stop_daemon();
  return 0;
}
