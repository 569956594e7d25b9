// isolation-bench: tenant isolation figures of parsecd (issue 15). Starts its
// own parsecd (software provider, default scheduling and connection settings)
// in a temporary folder and prints another tenant's latency while a noisy
// tenant, running as another uid (nobody, when the bench runs as root), loads
// the daemon:
//
//   noisy  3 Direct clients loop RSA-4096 generate + destroy; the tenant pings
//          and signs with ECDSA P-256 (p50/p99/max of each).
//   idle   one uid holds N (default 10,000) connections that sent part of a
//          header, reconnecting whenever the daemon closes one; the tenant
//          pings over raw sockets (counting EAGAIN on connect) and signs.
//
// Never a pass/fail test: figures from a shared machine are noisy.
//
//   isolation-bench [--parsecd PATH] [--case noisy|idle|all] [--seconds N] [--connections N]
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
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
std::string g_sock;
pid_t g_pid = -1;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

struct Stats {
  std::vector<double> v;
  void print(const char* what) {
    if (v.empty()) {
      std::printf("  %-28s no samples\n", what);
      return;
    }
    std::sort(v.begin(), v.end());
    auto at = [&](double p) {
      return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
    };
    std::printf("  %-28s n=%-6zu p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms\n", what, v.size(), at(0.5), at(0.99),
                v.back());
  }
};

void start_daemon(const std::string& parsecd) {
  char tmpl[] = "/tmp/parsec-isolation-XXXXXX";
  g_dir = ::mkdtemp(tmpl);
  // The noisy tenant runs as another uid: it must reach the socket.
  ::chmod(g_dir.c_str(), 0755);
  g_sock = g_dir + "/parsec.sock";
  std::ofstream(g_dir + "/config.toml") << "[core_settings]\nallow_root = true\nlog_level = \"warn\"\n"
                                        << "[listener]\nlistener_type = \"DomainSocket\"\ntimeout = 200\n"
                                        << "socket_path = \"" << g_sock << "\"\n"
                                        << "[authenticator]\nauth_type = \"Direct\"\n"
                                        << "[[key_manager]]\nname = \"m\"\nmanager_type = \"SQLite\"\n"
                                        << "sqlite_db_path = \"" << g_dir << "/store/k.sqlite3\"\n"
                                        << "[[provider]]\nprovider_type = \"MbedCrypto\"\nkey_info_manager = \"m\"\n";
  g_pid = ::fork();
  if (g_pid == 0) {
    // The daemon's log goes to a file: an overloaded daemon can log a lot.
    int log = ::open((g_dir + "/parsecd.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (log >= 0) {
      ::dup2(log, STDERR_FILENO);
    }
    std::string cfg = g_dir + "/config.toml";
    ::execl(parsecd.c_str(), parsecd.c_str(), "-c", cfg.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int i = 0; i < 500; ++i) {
    try {
      client::Client c(client::Endpoint::unix_socket(g_sock), "probe");
      c.ping();
      return;
    } catch (const std::exception&) {
      ::poll(nullptr, 0, 10);
    }
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

// become_other_uid: the load runs as nobody when we are root.
void become_other_uid() {
  if (::geteuid() != 0) {
    return;
  }
  passwd* pw = ::getpwnam("nobody");
  uid_t uid = pw ? pw->pw_uid : 65534;
  gid_t gid = pw ? pw->pw_gid : 65534;
  if (::setgid(gid) != 0 || ::setuid(uid) != 0) {
    std::perror("setuid nobody");
    _exit(1);
  }
}

void raise_nofile() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &rl);
  }
}

int connect_nonblocking(int* err) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    *err = errno;
    return -1;
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, g_sock.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    *err = errno;
    ::close(fd);
    return -1;
  }
  return fd;
}

// Shared with the forked load (MAP_SHARED).
struct Shared {
  std::atomic<int> ready{0};
  std::atomic<int> stop{0};
  std::atomic<long> generated{0};
  std::atomic<long> load_errors{0};
  std::atomic<long> held{0};
  std::atomic<long> reconnects{0};
  std::atomic<long> load_eagain{0};
};

Shared* shared_block() {
  void* p = ::mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  return new (p) Shared();
}

pid_t fork_load(void (*load)(Shared*), Shared* sh) {
  pid_t pid = ::fork();
  if (pid == 0) {
    become_other_uid();
    load(sh);
    _exit(0);
  }
  return pid;
}

void end_load(pid_t pid, Shared* sh) {
  sh->stop = 1;
  // An RSA-4096 generation in flight may take seconds: do not wait for it.
  ::kill(pid, SIGKILL);
  int st = 0;
  ::waitpid(pid, &st, 0);
}

// ---- (a) noisy neighbour ---------------------------------------------------------

void noisy_load(Shared* sh) {
  std::vector<std::thread> ts;
  for (int i = 0; i < 3; ++i) {
    ts.emplace_back([sh, i] {
      client::Client c(client::Endpoint::unix_socket(g_sock), "noisy-" + std::to_string(i));
      auto attrs =
          client::KeyAttributes::rsa_key_pair(4096, client::Algorithm::rsa_pkcs1v15_sign(client::Hash::Sha256));
      sh->ready++;
      while (!sh->stop) {
        try {
          c.generate_key("rsa", attrs);
          c.destroy_key("rsa");
          sh->generated++;
        } catch (const std::exception&) {
          sh->load_errors++;
          try {
            c.destroy_key("rsa");
          } catch (const std::exception&) {
          }
        }
      }
    });
  }
  for (auto& t : ts) {
    t.join();
  }
}

void tenant_loop(int seconds, Stats& ping, Stats& sign, long& errors) {
  client::Client c(client::Endpoint::unix_socket(g_sock), "tenant");
  auto alg = client::Algorithm::ecdsa(client::Hash::Sha256);
  try {
    c.destroy_key("ecdsa");
  } catch (const std::exception&) {
  }
  c.generate_key("ecdsa", client::KeyAttributes::ecc_key_pair(256, alg));
  client::Bytes digest(32, 0x42);
  auto end = Clock::now() + std::chrono::seconds(seconds);
  while (Clock::now() < end) {
    auto t = Clock::now();
    try {
      c.ping();
      ping.v.push_back(ms_since(t));
    } catch (const std::exception&) {
      errors++;
    }
    t = Clock::now();
    try {
      c.sign_hash("ecdsa", alg, digest);
      sign.v.push_back(ms_since(t));
    } catch (const std::exception&) {
      errors++;
    }
    // A tenant that asks a few hundred times a second, not a load generator.
    ::poll(nullptr, 0, 2);
  }
  c.destroy_key("ecdsa");
}

void noisy(int seconds) {
  // The same tenant loop with no load first: the machine's own noise floor.
  {
    Stats ping, sign;
    long errors = 0;
    tenant_loop(seconds, ping, sign, errors);
    std::printf("quiet: no load; tenant (uid %d) pings and signs for %d s (reference)\n", static_cast<int>(::geteuid()),
                seconds);
    ping.print("tenant ping");
    sign.print("tenant ECDSA P-256 sign");
  }
  Shared* sh = shared_block();
  pid_t load = fork_load(noisy_load, sh);
  while (sh->ready < 3) {
    ::poll(nullptr, 0, 10);
  }
  ::poll(nullptr, 0, 500);  // let the generations get going
  Stats ping, sign;
  long errors = 0;
  long before = sh->generated;
  tenant_loop(seconds, ping, sign, errors);
  long generated = sh->generated - before;
  long load_errors = sh->load_errors;
  end_load(load, sh);
  std::printf("noisy: 3 clients (uid %s) loop RSA-4096 generate+destroy; tenant (uid %d) pings and signs for %d s\n",
              ::geteuid() == 0 ? "nobody" : "same", static_cast<int>(::geteuid()), seconds);
  ping.print("tenant ping");
  sign.print("tenant ECDSA P-256 sign");
  std::printf("  tenant errors %ld; RSA-4096 generate+destroy completed meanwhile: %ld (load errors %ld)\n", errors,
              generated, load_errors);
}

// ---- (b) idle connections ----------------------------------------------------------

int g_target = 10000;

void idle_load(Shared* sh) {
  raise_nofile();
  std::string partial(17, '\0');
  auto h = encode_header(WireHeader{});
  std::memcpy(partial.data(), h.data(), partial.size());
  int ep = ::epoll_create1(EPOLL_CLOEXEC);
  long open = 0;
  auto open_one = [&]() -> bool {
    int err = 0;
    int fd = connect_nonblocking(&err);
    if (fd < 0) {
      if (err == EAGAIN) {
        sh->load_eagain++;
      }
      return false;
    }
    (void)::send(fd, partial.data(), partial.size(), MSG_NOSIGNAL);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.fd = fd;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    ++open;
    return true;
  };
  std::vector<epoll_event> evs(1024);
  bool announced = false;
  while (!sh->stop) {
    // Top up to the target; on EAGAIN (full backlog) try again shortly.
    while (open < g_target && open_one()) {
      if (open % 1000 == 0) {
        sh->held = open;
      }
    }
    sh->held = open;
    if (!announced && open >= g_target) {
      announced = true;
      sh->ready = 1;
    }
    int n = ::epoll_wait(ep, evs.data(), static_cast<int>(evs.size()), open < g_target ? 1 : 100);
    for (int i = 0; i < n; ++i) {
      // The daemon answered (ConnectionError at its deadline) or closed it.
      ::close(evs[static_cast<size_t>(i)].data.fd);
      --open;
      sh->reconnects++;
    }
  }
}

// raw_ping: non-blocking connect (EAGAIN counted, retried every 1 ms), a Ping
// request, and the full response; the time covers all of it.
bool raw_ping(long& eagain) {
  WireHeader h;
  h.opcode = static_cast<uint32_t>(Opcode::Ping);
  auto req = encode_header(h);
  int fd = -1;
  auto deadline = Clock::now() + std::chrono::seconds(30);
  for (;;) {
    int err = 0;
    fd = connect_nonblocking(&err);
    if (fd >= 0) {
      break;
    }
    if (err != EAGAIN || Clock::now() > deadline) {
      return false;
    }
    eagain++;
    ::poll(nullptr, 0, 1);
  }
  bool ok = ::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size());
  std::string in;
  while (ok) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 30000) <= 0) {
      ok = false;
      break;
    }
    char buf[256];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      break;
    }
    in.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  if (!ok || in.size() < kHeaderLen) {
    return false;
  }
  return decode_header(reinterpret_cast<const uint8_t*>(in.data())).status == 0;
}

void idle(int seconds) {
  Shared* sh = shared_block();
  pid_t load = fork_load(idle_load, sh);
  auto t0 = Clock::now();
  while (!sh->ready && Clock::now() - t0 < std::chrono::seconds(60)) {
    ::poll(nullptr, 0, 20);
  }
  std::printf("idle: one uid (%s) opened %ld of %d half-open connections in %.1f s (%s)\n",
              ::geteuid() == 0 ? "nobody" : "same", sh->held.load(), g_target, ms_since(t0) / 1000,
              sh->ready ? "target reached" : "target NOT reached in 60 s; measuring anyway");
  long reconnects_before = sh->reconnects;
  Stats ping, sign;
  long eagain = 0, failed = 0;
  client::Client c(client::Endpoint::unix_socket(g_sock), "tenant");
  auto alg = client::Algorithm::ecdsa(client::Hash::Sha256);
  try {
    c.destroy_key("ecdsa-idle");
  } catch (const std::exception&) {
  }
  c.generate_key("ecdsa-idle", client::KeyAttributes::ecc_key_pair(256, alg));
  client::Bytes digest(32, 0x42);
  long held_min = sh->held, held_max = sh->held;
  auto end = Clock::now() + std::chrono::seconds(seconds);
  while (Clock::now() < end) {
    auto t = Clock::now();
    if (raw_ping(eagain)) {
      ping.v.push_back(ms_since(t));
    } else {
      failed++;
    }
    t = Clock::now();
    try {
      c.sign_hash("ecdsa-idle", alg, digest);
      sign.v.push_back(ms_since(t));
    } catch (const std::exception&) {
      failed++;
    }
    held_min = std::min(held_min, sh->held.load());
    held_max = std::max(held_max, sh->held.load());
    ::poll(nullptr, 0, 2);
  }
  c.destroy_key("ecdsa-idle");
  long reconnects = sh->reconnects - reconnects_before;
  end_load(load, sh);
  std::printf(
      "  while measuring for %d s: the load held %ld-%ld connections and reconnected %ld times "
      "(its own connect EAGAIN: %ld)\n",
      seconds, held_min, held_max, reconnects, sh->load_eagain.load());
  ping.print("tenant raw ping");
  sign.print("tenant ECDSA P-256 sign");
  std::printf("  tenant ping connect EAGAIN: %ld; failed requests: %ld\n", eagain, failed);
}

}  // namespace

int main(int argc, char** argv) {
  std::string parsecd = PARSECD_PATH;
  std::string which = "all";
  int seconds = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--parsecd") {
      parsecd = argv[i + 1];
    } else if (a == "--case") {
      which = argv[i + 1];
    } else if (a == "--seconds") {
      seconds = std::atoi(argv[i + 1]);
    } else if (a == "--connections") {
      g_target = std::atoi(argv[i + 1]);
    } else {
      std::fprintf(stderr,
                   "usage: isolation-bench [--parsecd PATH] [--case noisy|idle|all] [--seconds N] [--connections N]\n");
      return 2;
    }
  }
  ::signal(SIGPIPE, SIG_IGN);
  raise_nofile();
  std::printf("isolation-bench: %s on %u CPUs (one run on a shared machine: noisy figures)\n", parsecd.c_str(),
              std::thread::hardware_concurrency());
  if (which == "noisy" || which == "all") {
    start_daemon(parsecd);
    noisy(seconds);
    stop_daemon();
  }
  if (which == "idle" || which == "all") {
    start_daemon(parsecd);
    idle(seconds);
    stop_daemon();
  }
  return 0;
}
