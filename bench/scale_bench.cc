// parsec-scale-bench: parsecd with many keys (issue 17, item 3). Starts its own
// parsecd (software provider only, Direct authenticator, SQLite store in a
// temporary folder) and:
//
//   1. a reference: one tenant's 1,000 ECDSA P-256 keys (t0000) in a store
//      and daemon of their own;
//   2. the full store: 1,000 keys per tenant (t0000, t0001, ...) created from
//      several concurrent clients (one connection per request, as the
//      protocol has it), reporting the creation rate;
//   3. both daemons restarted, then measured side by side (samples alternate
//      between them): start-up to first answered ping, RSS, ListKeys of t0000
//      (1,000 keys) and sign latency.
//
// Signatures are made with a key picked at random among all keys of the
// store (each key's material must be read from the store) and, separately,
// with one key used over and over (the key stays in the PSA key cache); one
// signature in 50 is checked with VerifyHash, and a failed request ends the
// run, so no figure counts failures. Never a pass/fail test: figures from a
// shared machine are noisy.
//
//   parsec-scale-bench [--parsecd PATH] [--keys N] [--clients C] [--dir DIR]
//                      [--samples S]
//
// --keys defaults to 100,000 (a multiple of 1,000); --dir keeps the store in
// DIR (created if missing) and reuses the keys a previous run made there, so
// start-up can be measured again on a 1,000,000-key store without creating it
// anew; without --dir a temporary folder is used and removed.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
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
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "parsec/client/client.h"

using namespace parsec;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kKeysPerTenant = 1000;

std::string g_parsecd = PARSECD_PATH;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

std::string tenant(int i) {
  char b[16];
  std::snprintf(b, sizeof b, "t%04d", i);
  return b;
}

std::string key_name(int i) {
  char b[16];
  std::snprintf(b, sizeof b, "k%04d", i);
  return b;
}

struct Stats {
  std::vector<double> v;
  double at(double p) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
  }
};

// proc_kb reads one "Name:   123 kB" line of /proc/PID/status.
long proc_kb(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  const size_t n = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':') {
      return std::strtol(line.c_str() + n + 1, nullptr, 10);
    }
  }
  return -1;
}

long read_count(const std::string& path) {
  std::ifstream in(path);
  long n = 0;
  in >> n;
  return n;
}

// Daemon is one parsecd over one store folder.
class Daemon {
 public:
  explicit Daemon(std::string dir) : dir_(std::move(dir)), sock_(dir_ + "/parsec.sock") {
    std::ofstream(dir_ + "/config.toml") << "[core_settings]\nallow_root = true\nlog_level = \"info\"\n"
                                         << "[listener]\nlistener_type = \"DomainSocket\"\ntimeout = 2000\n"
                                         << "socket_path = \"" << sock_ << "\"\n"
                                         << "[authenticator]\nauth_type = \"Direct\"\n"
                                         << "[[key_manager]]\nname = \"m\"\nmanager_type = \"SQLite\"\n"
                                         << "sqlite_db_path = \"" << dir_ << "/store/k.sqlite3\"\n"
                                         << "[[provider]]\nprovider_type = \"MbedCrypto\"\nkey_info_manager = \"m\"\n";
  }
  ~Daemon() { stop(); }

  const std::string& dir() const { return dir_; }
  pid_t pid() const { return pid_; }
  long kb(const char* field) const { return proc_kb(pid_, field); }

  client::Client client(const std::string& app) const {
    client::Client c(client::Endpoint::unix_socket(sock_), app);
    c.set_auth_type(AuthType::Direct);
    c.set_provider(ProviderId::MbedCrypto);
    return c;
  }

  // start forks parsecd and answers the time from fork to the first answered
  // Ping (a connection is tried every millisecond).
  double start() {
    auto t0 = Clock::now();
    pid_ = ::fork();
    if (pid_ == 0) {
      int log = ::open((dir_ + "/parsecd.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      if (log >= 0) {
        ::dup2(log, STDERR_FILENO);
      }
      std::string cfg = dir_ + "/config.toml";
      ::execl(g_parsecd.c_str(), g_parsecd.c_str(), "-c", cfg.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    client::Client c = client("probe");
    while (ms_since(t0) < 600000) {
      try {
        c.ping();
        return ms_since(t0);
      } catch (const std::exception&) {
        int st = 0;
        if (::waitpid(pid_, &st, WNOHANG) == pid_) {
          std::fprintf(stderr, "parsecd exited during start-up; see %s/parsecd.log\n", dir_.c_str());
          std::exit(1);
        }
        ::poll(nullptr, 0, 1);
      }
    }
    std::fprintf(stderr, "parsecd did not answer a ping within 600 s\n");
    std::exit(1);
  }

  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int st = 0;
      ::waitpid(pid_, &st, 0);
      pid_ = -1;
    }
  }

  uintmax_t store_bytes() const {
    uintmax_t total = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir_ + "/store", ec)) {
      if (e.is_regular_file(ec)) {
        total += e.file_size(ec);
      }
    }
    return total;
  }

 private:
  std::string dir_;
  std::string sock_;
  pid_t pid_ = -1;
};

// create_tenants makes keys k0000..k0999 for tenants [first, last) from
// `clients` threads; answers keys per second.
double create_tenants(Daemon& d, int first, int last, int clients) {
  std::atomic<int> next{first};
  std::atomic<long> made{0};
  std::atomic<bool> failed{false};
  auto attrs = client::KeyAttributes::ecc_key_pair(256, client::Algorithm::ecdsa(client::Hash::Sha256));
  auto t0 = Clock::now();
  std::vector<std::thread> ts;
  for (int i = 0; i < clients; ++i) {
    ts.emplace_back([&] {
      for (int t = next++; t < last && !failed; t = next++) {
        client::Client c = d.client(tenant(t));
        for (int k = 0; k < kKeysPerTenant && !failed; ++k) {
          try {
            c.generate_key(key_name(k), attrs);
            made++;
          } catch (const client::Error& e) {
            if (e.status() == Status::PsaErrorAlreadyExists) {
              made++;  // made by an earlier, interrupted run on this folder
              continue;
            }
            std::fprintf(stderr, "generate %s/%s: %s\n", tenant(t).c_str(), key_name(k).c_str(), e.what());
            failed = true;
          }
        }
      }
    });
  }
  long total = static_cast<long>(last - first) * kKeysPerTenant;
  auto last_report = Clock::now();
  while (made < total && !failed) {
    ::poll(nullptr, 0, 200);
    if (ms_since(last_report) > 60000) {
      last_report = Clock::now();
      std::printf("    ... %ld of %ld keys, %.0f keys/s, daemon RSS %ld kB\n", made.load(), total,
                  static_cast<double>(made) / (ms_since(t0) / 1000), d.kb("VmRSS"));
      std::fflush(stdout);
    }
  }
  for (auto& t : ts) {
    t.join();
  }
  if (failed) {
    std::fprintf(stderr, "key creation failed\n");
    std::exit(1);
  }
  return static_cast<double>(total) / (ms_since(t0) / 1000);
}

// fill creates the tenants `d`'s store lacks (the count is kept in the
// folder) and stops the daemon.
void fill(Daemon& d, int tenants, int clients) {
  const std::string count_file = d.dir() + "/tenants-created";
  long done = read_count(count_file);
  if (done >= tenants) {
    std::printf("%s: %ld tenant(s) already in the store\n", d.dir().c_str(), done);
    return;
  }
  d.start();
  long todo = (tenants - done) * kKeysPerTenant;
  std::printf("%s: creating %ld keys for tenants %s..%s with %d clients\n", d.dir().c_str(), todo,
              tenant(static_cast<int>(done)).c_str(), tenant(tenants - 1).c_str(), clients);
  std::fflush(stdout);
  auto t0 = Clock::now();
  double rate = create_tenants(d, static_cast<int>(done), tenants, clients);
  std::ofstream(count_file) << tenants;
  std::printf("  created %ld keys in %.1f s: %.0f keys/s; daemon RSS %ld kB, peak %ld kB; store %.1f MB\n", todo,
              ms_since(t0) / 1000, rate, d.kb("VmRSS"), d.kb("VmHWM"), static_cast<double>(d.store_bytes()) / 1e6);
  std::fflush(stdout);
  d.stop();
}

struct Figures {
  double first_ping_ms = 0;
  long rss_start_kb = 0;
  Stats list;
  size_t listed = 0;
  Stats sign_random, sign_same;
  long rss_after_kb = 0, hwm_kb = 0;
};

// Measured is one daemon being measured, with a client per tenant.
struct Measured {
  Daemon* d;
  int tenants;
  Figures f;
  std::vector<client::Client> cs;
  std::mt19937 rng{12345};
};

const client::Algorithm& ecdsa() {
  static const client::Algorithm alg = client::Algorithm::ecdsa(client::Hash::Sha256);
  return alg;
}

// sign_once signs with a random key of a random tenant (or k0000 of t0000)
// and verifies one signature in 50 (VerifyHash), so figures are of real
// signatures.
void sign_once(Measured& m, bool random_key, int i) {
  static const client::Bytes digest(32, 0x42);
  int t = random_key ? static_cast<int>(m.rng() % static_cast<unsigned>(m.tenants)) : 0;
  std::string k = random_key ? key_name(static_cast<int>(m.rng() % kKeysPerTenant)) : "k0000";
  auto& c = m.cs[static_cast<size_t>(t)];
  auto t0 = Clock::now();
  auto sig = c.sign_hash(k, ecdsa(), digest);
  (random_key ? m.f.sign_random : m.f.sign_same).v.push_back(ms_since(t0));
  if (i % 50 == 0 && !c.verify_hash(k, ecdsa(), digest, sig)) {
    std::fprintf(stderr, "signature of %s by %s does not verify\n", k.c_str(), c.app_name().c_str());
    std::exit(1);
  }
}

// measure restarts every daemon (one after the other: first-ping times do not
// overlap), then takes the samples alternating between the daemons so that
// the machine's noise falls on all of them alike.
void measure(std::vector<Measured>& ms, int samples) {
  for (auto& m : ms) {
    m.f.first_ping_ms = m.d->start();
    m.f.rss_start_kb = m.d->kb("VmRSS");
    for (int t = 0; t < m.tenants; ++t) {
      m.cs.push_back(m.d->client(tenant(t)));
    }
  }
  for (int i = 0; i < samples; ++i) {
    for (auto& m : ms) {
      auto t0 = Clock::now();
      auto keys = m.cs[0].list_keys();
      m.f.list.v.push_back(ms_since(t0));
      m.f.listed = keys.size();
    }
  }
  for (int i = 0; i < samples; ++i) {
    for (auto& m : ms) {
      sign_once(m, true, i);
      sign_once(m, false, i);
    }
  }
  for (auto& m : ms) {
    m.f.rss_after_kb = m.d->kb("VmRSS");
    m.f.hwm_kb = m.d->kb("VmHWM");
    m.d->stop();
  }
}

void print(const char* label, long keys, Figures& f) {
  std::printf("%s (%ld keys):\n", label, keys);
  std::printf("  first ping after start        %8.1f ms   RSS then %ld kB\n", f.first_ping_ms, f.rss_start_kb);
  std::printf("  ListKeys t0000 (%zu keys)      p50 %6.2f ms  p99 %6.2f ms\n", f.listed, f.list.at(0.5),
              f.list.at(0.99));
  std::printf("  ECDSA P-256 sign, random key  p50 %6.3f ms  p99 %6.3f ms\n", f.sign_random.at(0.5),
              f.sign_random.at(0.99));
  std::printf("  ECDSA P-256 sign, one key     p50 %6.3f ms  p99 %6.3f ms\n", f.sign_same.at(0.5),
              f.sign_same.at(0.99));
  std::printf("  RSS after the measurements %ld kB, peak (VmHWM) %ld kB\n", f.rss_after_kb, f.hwm_kb);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  long keys = 100000;
  int clients = 8;
  int samples = 2000;
  std::string dir;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--parsecd" && i + 1 < argc) {
      g_parsecd = argv[++i];
    } else if (a == "--keys" && i + 1 < argc) {
      keys = std::strtol(argv[++i], nullptr, 10);
    } else if (a == "--clients" && i + 1 < argc) {
      clients = std::atoi(argv[++i]);
    } else if (a == "--samples" && i + 1 < argc) {
      samples = std::atoi(argv[++i]);
    } else if (a == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: parsec-scale-bench [--parsecd PATH] [--keys N] [--clients C] [--dir DIR] [--samples S]\n");
      return 2;
    }
  }
  if (keys < 2 * kKeysPerTenant || keys % kKeysPerTenant != 0 || clients < 1 || samples < 1) {
    std::fprintf(stderr, "--keys must be a multiple of 1000 of at least 2000; --clients and --samples >= 1\n");
    return 2;
  }
  const int tenants = static_cast<int>(keys / kKeysPerTenant);
  char ref_tmpl[] = "/tmp/parsec-scale-ref-XXXXXX";
  const std::string ref_dir = ::mkdtemp(ref_tmpl);
  const bool temporary = dir.empty();
  if (temporary) {
    char tmpl[] = "/tmp/parsec-scale-XXXXXX";
    dir = ::mkdtemp(tmpl);
  } else {
    std::filesystem::create_directories(dir);
    ::chmod(dir.c_str(), 0700);
    dir = std::filesystem::absolute(dir).string();
  }
  std::printf("parsec-scale-bench: %ld keys over %d tenants, %d clients, %d samples per figure\n", keys, tenants,
              clients, samples);
  {
    Daemon ref(ref_dir), full(dir);
    // The reference: one tenant's 1,000 keys, in a store of their own.
    fill(ref, 1, clients);
    {
      double first = full.start();
      std::printf("%s: first ping %.1f ms, RSS %ld kB before creating anything\n", dir.c_str(), first,
                  full.kb("VmRSS"));
      full.stop();
    }
    fill(full, tenants, clients);
    // Restart both on their stores (the WAL was checkpointed at stop) and
    // measure them side by side.
    std::vector<Measured> ms;
    ms.push_back(Measured{&ref, 1, {}, {}, {}});
    ms.push_back(Measured{&full, tenants, {}, {}, {}});
    measure(ms, samples);
    print("reference store", kKeysPerTenant, ms[0].f);
    print("full store", keys, ms[1].f);
    Figures& r = ms[0].f;
    Figures& f = ms[1].f;
    std::printf("full/reference: first ping %.2fx, ListKeys p50 %.2fx, sign p50 random key %.2fx, one key %.2fx\n",
                f.first_ping_ms / r.first_ping_ms, f.list.at(0.5) / r.list.at(0.5),
                f.sign_random.at(0.5) / r.sign_random.at(0.5), f.sign_same.at(0.5) / r.sign_same.at(0.5));
  }
  std::filesystem::remove_all(ref_dir);
  if (temporary) {
    std::filesystem::remove_all(dir);
  }
  return 0;
}
