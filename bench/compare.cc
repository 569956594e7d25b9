// parsec-bench compare: in one run, for every provider compiled in, the three
// figures that tell whether parsecd costs what it should:
//
//   floor    a bare Unix-socket server (a child process) answering every
//            connection with a fixed Ping reply (captured from parsecd once):
//            accept, read the request, write, close. Nothing can answer a
//            Parsec request on a new connection faster.
//   direct   the back end called in this process, without parsecd: PSA
//            sign_hash (Mbed TLS), C_SignInit + C_Sign on SoftHSM from N
//            threads with a session each, Esys_Sign with the key kept loaded
//            on a private swtpm (with the auth value in clear, and through a
//            salted HMAC session as the provider must use)
//   ceiling  the floor server doing the direct call before it answers: a
//            single-threaded accept/read/sign/reply/close loop on CPU 0.
//            No daemon that uses one connection per request and the same
//            back end can beat it, so parsecd/ceiling is what parsecd itself
//            costs, and parsecd/direct can never reach 1.
//   parsecd  the same operation through the daemon, one connection per
//            request (the protocol's rule), from N client threads
//
// Each figure also has the server side's CPU time per request: the threads
// of parsecd, the floor server, the ceiling thread or the direct back-end
// threads, plus the swtpm simulator behind them (from
// /proc/<pid>/task/*/schedstat, in nanoseconds).
//
// for Ping, ECDSA P-256 sign and RSA-2048 PKCS#1 v1.5 sign, at 1 and 8
// clients. Rounds alternate the sources (floor, direct, parsecd; then the
// reverse order) so each sees the same machine noise; every figure is the
// median over the rounds. On a machine with two CPUs or more, the server side
// (parsecd, the floor server, the swtpm simulators, the direct back-end
// threads) runs on CPU 0 and the clients on CPU 1: parsecd and the direct
// calls have the same single core for the work itself.
//
//   parsec-bench compare [--endpoint PATH] [--parsecd PATH] [--seconds S]
//                        [--rounds N] [--only TEXT] [--clients N]
//
// --only keeps the cells whose title contains TEXT ("Ping", "PKCS#11",
// "TPM (swtpm) ECDSA") and --clients those with N clients (1 or 8), for
// profiling one path.
// --endpoint measures an already running parsecd (not pinned) instead of
// starting one; the direct figures still come from this process's own
// back ends. Never used as a pass/fail test.
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
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
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "parsec/client/client.h"
#include "parsec/interface/wire.h"
#include "psa/crypto.h"

#ifdef PARSEC_BENCH_WITH_PKCS11
#include "tests/e2e/softhsm_fixture.h"
#endif
#ifdef PARSEC_BENCH_WITH_TPM
#include "bench/tpm_direct.h"
#include "tests/e2e/swtpm_fixture.h"
#endif

using namespace parsec;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kServerCpu = 0;
constexpr int kClientCpu = 1;
bool g_pin = false;

// ---- machine ------------------------------------------------------------------------

void set_cpu(pid_t tid, int cpu) {
  if (!g_pin) {
    return;
  }
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  ::sched_setaffinity(tid, sizeof set, &set);
}

// pin_process pins every thread of `pid` (those it creates later inherit it).
void pin_process(pid_t pid, int cpu) {
  if (!g_pin) {
    return;
  }
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    set_cpu(static_cast<pid_t>(std::stol(e.path().filename().string())), cpu);
  }
}

// cpu_ns is the run time of every thread of `pid` so far, in nanoseconds.
uint64_t cpu_ns(pid_t pid) {
  uint64_t sum = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream f(e.path() / "schedstat");
    uint64_t ns = 0;
    if (f >> ns) {
      sum += ns;
    }
  }
  return sum;
}

uint64_t thread_cpu_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

std::string loadavg() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a + " " + b + " " + c;
}

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

bool read_full(int fd, uint8_t* p, size_t n) {
  while (n > 0) {
    const ssize_t got = ::read(fd, p, n);
    if (got <= 0) {
      if (got < 0 && errno == EINTR) {
        continue;
      }
      return false;
    }
    p += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

bool write_full(int fd, const uint8_t* p, size_t n) {
  while (n > 0) {
    const ssize_t put = ::send(fd, p, n, MSG_NOSIGNAL);
    if (put <= 0) {
      if (put < 0 && errno == EINTR) {
        continue;
      }
      return false;
    }
    p += put;
    n -= static_cast<size_t>(put);
  }
  return true;
}

// read_message reads one header and what it announces (body and auth).
bool read_message(int fd, std::vector<uint8_t>& out) {
  out.assign(kHeaderLen, 0);
  if (!read_full(fd, out.data(), kHeaderLen)) {
    return false;
  }
  const WireHeader h = decode_header(out.data());
  const size_t rest = static_cast<size_t>(h.body_len) + h.auth_len;
  if (rest > kDefaultBodyLenLimit) {
    return false;
  }
  out.resize(kHeaderLen + rest);
  return read_full(fd, out.data() + kHeaderLen, rest);
}

// ping_reply asks parsecd for one Ping answer, byte for byte.
std::vector<uint8_t> ping_reply(const std::string& socket) {
  WireHeader h;
  h.opcode = static_cast<uint32_t>(Opcode::Ping);
  const auto req = encode_header(h);
  int fd = connect_unix(socket);
  std::vector<uint8_t> reply;
  if (fd < 0 || !write_full(fd, req.data(), req.size()) || !read_message(fd, reply)) {
    throw std::runtime_error("no Ping answer from " + socket);
  }
  ::close(fd);
  return reply;
}

// ---- the floor server -----------------------------------------------------------------

class FloorServer {
 public:
  FloorServer(const std::string& dir, std::vector<uint8_t> reply) : path_(dir + "/floor.sock") {
    int lfd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    if (::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(lfd, 1024) != 0) {
      throw std::runtime_error("floor server: cannot listen on " + path_);
    }
    pid_ = ::fork();
    if (pid_ == 0) {
      set_cpu(0, kServerCpu);
      std::vector<uint8_t> req;
      for (;;) {
        const int fd = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
          continue;
        }
        if (read_message(fd, req)) {
          (void)write_full(fd, reply.data(), reply.size());
        }
        ::close(fd);
      }
    }
    ::close(lfd);
  }
  pid_t pid() const { return pid_; }
  ~FloorServer() {
    ::kill(pid_, SIGTERM);
    int st = 0;
    ::waitpid(pid_, &st, 0);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  pid_t pid_ = -1;
};

// ---- the ceiling server ----------------------------------------------------------------

// CeilingServer is the floor server with the back-end call in it: one thread
// on the server CPU that accepts a connection, reads the request, runs the
// current work (the direct call of the cell being measured) and answers with
// the fixed reply. It lives in this process because the back ends do.
class CeilingServer {
 public:
  CeilingServer(const std::string& dir, std::vector<uint8_t> reply)
      : path_(dir + "/ceiling.sock"), reply_(std::move(reply)) {
    lfd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    if (::bind(lfd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(lfd_, 1024) != 0) {
      throw std::runtime_error("ceiling server: cannot listen on " + path_);
    }
    thread_ = std::thread([this] { serve(); });
  }
  ~CeilingServer() {
    stop_ = true;
    ::shutdown(lfd_, SHUT_RDWR);
    thread_.join();
    ::close(lfd_);
  }
  const std::string& path() const { return path_; }
  // set_work: what the server does for each request from now on.
  void set_work(std::function<void()> w) {
    std::lock_guard lock(mu_);
    work_ = std::move(w);
  }
  const std::atomic<uint64_t>& cpu() const { return cpu_; }

 private:
  void serve() {
    set_cpu(0, kServerCpu);
    std::vector<uint8_t> req;
    while (!stop_) {
      const int fd = ::accept4(lfd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        continue;
      }
      const uint64_t c0 = thread_cpu_ns();
      if (read_message(fd, req)) {
        std::function<void()> w;
        {
          std::lock_guard lock(mu_);
          w = work_;
        }
        if (w) {
          w();
        }
        (void)write_full(fd, reply_.data(), reply_.size());
      }
      ::close(fd);
      cpu_ += thread_cpu_ns() - c0;
    }
  }

  std::string path_;
  std::vector<uint8_t> reply_;
  int lfd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> cpu_{0};
  std::mutex mu_;
  std::function<void()> work_;
  std::thread thread_;
};

// ---- parsecd --------------------------------------------------------------------------

class Daemon {
 public:
  Daemon(const std::string& parsecd, const std::string& dir, const std::string& providers) : dir_(dir) {
    socket_ = dir_ + "/parsec.sock";
    std::filesystem::create_directories(dir_ + "/store");
    std::filesystem::permissions(dir_ + "/store", std::filesystem::perms::owner_all);
    std::ofstream(dir_ + "/config.toml") << "[core_settings]\nallow_root = true\nlog_level = \"warn\"\n"
                                         << "[listener]\nlistener_type = \"DomainSocket\"\ntimeout = 30000\n"
                                         << "socket_path = \"" << socket_ << "\"\n"
                                         << "[authenticator]\nauth_type = \"Direct\"\n"
                                         << "[[key_manager]]\nname = \"m\"\nmanager_type = \"SQLite\"\n"
                                         << "sqlite_db_path = \"" << dir_ << "/store/k.sqlite3\"\n"
                                         << providers;
    pid_ = ::fork();
    if (pid_ == 0) {
      set_cpu(0, kServerCpu);  // every thread parsecd starts inherits it
      const int log = ::open((dir_ + "/parsecd.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      ::dup2(log, 2);
      const std::string cfg = dir_ + "/config.toml";
      ::execl(parsecd.c_str(), parsecd.c_str(), "-c", cfg.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 3000; ++i) {
      const int fd = connect_unix(socket_);
      if (fd >= 0) {
        ::close(fd);
        return;
      }
      int st = 0;
      if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      ::poll(nullptr, 0, 10);
    }
    throw std::runtime_error("parsecd did not start (see " + dir_ + "/parsecd.log)");
  }
  ~Daemon() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int st = 0;
      ::waitpid(pid_, &st, 0);
    }
  }
  const std::string& socket() const { return socket_; }
  pid_t pid() const { return pid_; }

 private:
  std::string dir_;
  std::string socket_;
  pid_t pid_ = -1;
};

// ---- measuring ------------------------------------------------------------------------

struct Figures {
  double rate = 0;  // requests per second
  double p50 = 0;   // microseconds
  double p99 = 0;
  double cpu = 0;  // server-side CPU microseconds per request
  double sim = 0;  // of which the simulator behind the back end (swtpm)
};

// ServerSide says whose CPU time is the server side's for one source.
struct ServerSide {
  std::vector<pid_t> pids;                       // processes (parsecd, the floor server)
  bool op_threads = false;                       // the measuring threads themselves (direct calls)
  const std::atomic<uint64_t>* extra = nullptr;  // a server thread's own count (ceiling)
  std::vector<pid_t> sims;                       // simulators behind the back end (swtpm)
  uint64_t now() const {
    uint64_t n = extra ? extra->load() : 0;
    for (pid_t p : pids) {
      n += cpu_ns(p);
    }
    return n + sim_now();
  }
  uint64_t sim_now() const {
    uint64_t n = 0;
    for (pid_t p : sims) {
      n += cpu_ns(p);
    }
    return n;
  }
};

double quantile(std::vector<double>& v, double q) {
  if (v.empty()) {
    return 0;
  }
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

// measure runs `op(thread)` in `threads` threads pinned to `cpu` for
// `seconds`, after each thread's `setup(thread)`. Any exception ends the
// bench: a figure with failed requests in it would be meaningless.
Figures measure(int threads, int cpu, double seconds, const std::function<void(int)>& op, const ServerSide& side) {
  std::vector<std::vector<double>> lat(static_cast<size_t>(threads));
  std::atomic<uint64_t> op_thread_ns{0};
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::atomic<bool> failed{false};
  std::string why;
  std::mutex why_mu;
  Clock::time_point t0;
  Clock::time_point t1;
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      set_cpu(0, cpu);
      auto& mine = lat[static_cast<size_t>(t)];
      mine.reserve(1 << 16);
      ++ready;
      while (!go.load(std::memory_order_acquire)) {
        std::this_thread::yield();
      }
      const auto end = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
      const uint64_t cpu0 = thread_cpu_ns();
      try {
        for (auto a = Clock::now(); a < end && !failed; a = Clock::now()) {
          op(t);
          mine.push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
        }
        op_thread_ns += thread_cpu_ns() - cpu0;
      } catch (const std::exception& e) {
        std::lock_guard lock(why_mu);
        why = e.what();
        failed = true;
      }
    });
  }
  while (ready.load() < threads) {
    std::this_thread::yield();
  }
  const uint64_t side0 = side.now();
  const uint64_t sim0 = side.sim_now();
  t0 = Clock::now();
  go.store(true, std::memory_order_release);
  for (auto& th : ts) {
    th.join();
  }
  t1 = Clock::now();
  const uint64_t side_ns = side.now() - side0 + (side.op_threads ? op_thread_ns.load() : 0);
  const uint64_t sim_ns = side.sim_now() - sim0;
  if (failed) {
    throw std::runtime_error(why);
  }
  std::vector<double> all;
  for (auto& l : lat) {
    all.insert(all.end(), l.begin(), l.end());
  }
  Figures f;
  f.rate = static_cast<double>(all.size()) / std::chrono::duration<double>(t1 - t0).count();
  f.p50 = quantile(all, 0.50);
  f.p99 = quantile(all, 0.99);
  f.cpu = all.empty() ? 0 : static_cast<double>(side_ns) / 1000.0 / static_cast<double>(all.size());
  f.sim = all.empty() ? 0 : static_cast<double>(sim_ns) / 1000.0 / static_cast<double>(all.size());
  return f;
}

// A Source is one way of doing a cell's operation; `op` gets the thread index
// (at most 8).
struct Source {
  Source(std::string n, std::function<void(int)> f, ServerSide sd, int c = kClientCpu)
      : name(std::move(n)), op(std::move(f)), side(std::move(sd)), cpu(c) {}
  std::string name;  // "floor", "direct", "direct (HMAC session)", "ceiling", "parsecd"
  std::function<void(int)> op;
  ServerSide side;
  int cpu;
  std::function<void()> prepare;  // before each measurement (the ceiling's work)
  std::vector<Figures> rounds;
};

struct Cell {
  std::string title;  // "software ECDSA P-256 sign"
  int clients = 1;
  std::vector<Source> sources;
};

Figures median_of(const std::vector<Figures>& v) {
  std::vector<double> r, p50, p99, cpu, sim;
  for (const auto& f : v) {
    r.push_back(f.rate);
    p50.push_back(f.p50);
    p99.push_back(f.p99);
    cpu.push_back(f.cpu);
    sim.push_back(f.sim);
  }
  return Figures{quantile(r, 0.5), quantile(p50, 0.5), quantile(p99, 0.5), quantile(cpu, 0.5), quantile(sim, 0.5)};
}

// ---- direct back ends -----------------------------------------------------------------

const uint8_t kDigest[32] = {0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
                             0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
                             0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42};

// MbedDirect: PSA keys in this process. Mbed TLS 2.28's PSA core is not
// thread-safe: calls are serialised, as the software provider does.
class MbedDirect {
 public:
  MbedDirect() {
    if (psa_crypto_init() != PSA_SUCCESS) {
      throw std::runtime_error("psa_crypto_init failed");
    }
    ecc_ = make(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1), 256, PSA_ALG_ECDSA(PSA_ALG_SHA_256));
    rsa_ = make(PSA_KEY_TYPE_RSA_KEY_PAIR, 2048, PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_256));
  }
  ~MbedDirect() {
    psa_destroy_key(ecc_);
    psa_destroy_key(rsa_);
  }
  void sign(bool rsa) {
    uint8_t sig[512];
    size_t len = 0;
    std::lock_guard lock(mu_);
    if (psa_sign_hash(rsa ? rsa_ : ecc_,
                      rsa ? PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_256) : PSA_ALG_ECDSA(PSA_ALG_SHA_256), kDigest,
                      sizeof kDigest, sig, sizeof sig, &len) != PSA_SUCCESS) {
      throw std::runtime_error("psa_sign_hash failed");
    }
  }

 private:
  static psa_key_id_t make(psa_key_type_t type, size_t bits, psa_algorithm_t alg) {
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_SIGN_HASH);
    psa_set_key_algorithm(&a, alg);
    psa_set_key_type(&a, type);
    psa_set_key_bits(&a, bits);
    psa_key_id_t id = 0;
    if (psa_generate_key(&a, &id) != PSA_SUCCESS) {
      throw std::runtime_error("psa_generate_key failed");
    }
    return id;
  }
  std::mutex mu_;
  psa_key_id_t ecc_ = 0;
  psa_key_id_t rsa_ = 0;
};

#ifdef PARSEC_BENCH_WITH_PKCS11
constexpr const char* kLabel = "Parsec Compare";
constexpr const char* kPin = "compare-pin-1234";

// Pkcs11Sign: C_SignInit + C_Sign with one session per thread.
class Pkcs11Sign {
 public:
  explicit Pkcs11Sign(testing::Pkcs11Direct& p11) : p11_(p11) {
    ecc_ = p11.generate_ec_p256("compare direct ecc", "compare-direct-ecc");
    CK_ULONG bits = 2048;
    CK_BYTE e[] = {1, 0, 1};
    CK_BBOOL yes = CK_TRUE;
    CK_BBOOL no = CK_FALSE;
    CK_ATTRIBUTE pub[] = {{CKA_MODULUS_BITS, &bits, sizeof bits},
                          {CKA_PUBLIC_EXPONENT, e, sizeof e},
                          {CKA_VERIFY, &yes, sizeof yes},
                          {CKA_TOKEN, &no, sizeof no}};
    CK_ATTRIBUTE priv[] = {{CKA_SIGN, &yes, sizeof yes},
                           {CKA_TOKEN, &no, sizeof no},
                           {CKA_PRIVATE, &yes, sizeof yes},
                           {CKA_SENSITIVE, &yes, sizeof yes}};
    CK_MECHANISM gen{CKM_RSA_PKCS_KEY_PAIR_GEN, nullptr, 0};
    CK_OBJECT_HANDLE pub_h = 0;
    if (p11.fn()->C_GenerateKeyPair(p11.session(), &gen, pub, 4, priv, 4, &pub_h, &rsa_) != CKR_OK) {
      throw std::runtime_error("C_GenerateKeyPair (RSA-2048) failed");
    }
    for (int i = 0; i < 8; ++i) {
      sessions_.push_back(p11.open_session());
    }
  }
  void sign(int thread, bool rsa) {
    // PKCS #1 v1.5 signs DigestInfo(SHA-256) || digest.
    static const uint8_t kInfo[19] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                      0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
    uint8_t in[51];
    std::memcpy(in, kInfo, sizeof kInfo);
    std::memcpy(in + sizeof kInfo, kDigest, sizeof kDigest);
    uint8_t sig[512];
    CK_ULONG len = sizeof sig;
    CK_MECHANISM mech{rsa ? CKM_RSA_PKCS : CKM_ECDSA, nullptr, 0};
    const CK_SESSION_HANDLE s = sessions_[static_cast<size_t>(thread)];
    if (p11_.fn()->C_SignInit(s, &mech, rsa ? rsa_ : ecc_) != CKR_OK ||
        p11_.fn()->C_Sign(s, rsa ? in : const_cast<uint8_t*>(kDigest), rsa ? sizeof in : sizeof kDigest, sig, &len) !=
            CKR_OK) {
      throw std::runtime_error("C_Sign failed");
    }
  }

 private:
  testing::Pkcs11Direct& p11_;
  CK_OBJECT_HANDLE ecc_ = 0;
  CK_OBJECT_HANDLE rsa_ = 0;
  std::vector<CK_SESSION_HANDLE> sessions_;
};
#endif

#ifdef PARSEC_BENCH_WITH_TPM
// TpmSign: one ESAPI context per key type, its key kept loaded; threads take
// turns (an ESYS context is not thread-safe, and the TPM runs one command at
// a time anyway).
class TpmSign {
 public:
  TpmSign(const std::string& tcti, bench::TpmDirect::KeyType type) : d_(tcti, type) {
    key_ = d_.load();
    session_ = d_.session(TPMA_SESSION_DECRYPT);
  }
  ~TpmSign() {
    d_.flush(session_);
    d_.flush(key_);
  }
  void sign(bool hmac) {
    std::lock_guard lock(mu_);
    d_.sign(key_, hmac ? session_ : ESYS_TR_PASSWORD);
  }

 private:
  std::mutex mu_;
  bench::TpmDirect d_;
  ESYS_TR key_ = ESYS_TR_NONE;
  ESYS_TR session_ = ESYS_TR_NONE;
};
#endif

struct Options {
  std::string endpoint;
  std::string parsecd = PARSECD_PATH;
  double seconds = 1.0;
  int rounds = 5;
  std::string only;
  int clients = 0;  // 0: 1 and 8
};

void usage() {
  std::fprintf(stderr,
               "usage: parsec-bench compare [--endpoint PATH] [--parsecd PATH] [--seconds S] [--rounds N] [--only "
               "TEXT] [--clients N]\n");
  std::exit(2);
}

}  // namespace

int compare_main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) {
      usage();
    }
    if (a == "--endpoint") {
      o.endpoint = argv[++i];
    } else if (a == "--parsecd") {
      o.parsecd = argv[++i];
    } else if (a == "--seconds") {
      o.seconds = std::atof(argv[++i]);
    } else if (a == "--rounds") {
      o.rounds = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--only") {
      o.only = argv[++i];
    } else if (a == "--clients") {
      o.clients = std::atoi(argv[++i]);
    } else {
      usage();
    }
  }
  ::setenv("TSS2_LOG", "all+none", 0);
  const unsigned cpus = std::thread::hardware_concurrency();
  g_pin = cpus >= 2;
  const std::string load_before = loadavg();
  try {
    char tmpl[] = "/tmp/parsec-compare-XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    struct Cleanup {
      std::string dir;
      ~Cleanup() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
      }
    } cleanup{dir};

    std::string providers = "[[provider]]\nprovider_type = \"MbedCrypto\"\nkey_info_manager = \"m\"\n";
#ifdef PARSEC_BENCH_WITH_PKCS11
    testing::SoftHsm hsm;
    hsm.use();
    hsm.init_token(kLabel, kPin);
    providers += std::string("[[provider]]\nprovider_type = \"Pkcs11\"\nkey_info_manager = \"m\"\nlibrary_path = \"") +
                 testing::SoftHsm::module_path() + "\"\ntoken_label = \"" + kLabel + "\"\nuser_pin = \"" + kPin +
                 "\"\n";
#endif
#ifdef PARSEC_BENCH_WITH_TPM
    // Two simulators: parsecd keeps its keys loaded (three slots), the
    // direct calls need slots of their own.
    testing::Swtpm daemon_tpm;
    testing::Swtpm direct_tpm;
    pin_process(daemon_tpm.pid(), kServerCpu);
    pin_process(direct_tpm.pid(), kServerCpu);
    providers += "[[provider]]\nprovider_type = \"Tpm\"\nkey_info_manager = \"m\"\ntcti = \"" + daemon_tpm.tcti() +
                 "\"\nowner_hierarchy_auth = \"\"\n";
#endif
    std::unique_ptr<Daemon> daemon;
    std::string socket = o.endpoint;
    if (socket.empty()) {
      daemon = std::make_unique<Daemon>(o.parsecd, dir, providers);
      socket = daemon->socket();
    }
    const std::vector<uint8_t> pong = ping_reply(socket);
    FloorServer floor(dir, pong);
    CeilingServer ceiling(dir, pong);
    set_cpu(0, kClientCpu);  // setup work and the main thread stay off the server's CPU
    // Whose CPU is the server side's: parsecd's own (when started here) and
    // the floor server's.
    std::vector<pid_t> parsecd_pids;
    if (daemon) {
      parsecd_pids.push_back(daemon->pid());
    }

    auto client = [&](const std::string& path, std::optional<ProviderId> p) {
      client::Client c(client::Endpoint::unix_socket(path), "parsec-bench");
      if (p) {
        c.set_provider(*p);
      }
      return c;
    };
    std::vector<Cell> cells;
    const client::Bytes digest(kDigest, kDigest + sizeof kDigest);
    // Clients: one per thread and per target, made before the timing.
    std::vector<client::Client> floor_clients;
    std::vector<client::Client> ceiling_clients;
    std::vector<client::Client> ping_clients;
    for (int t = 0; t < 8; ++t) {
      floor_clients.push_back(client(floor.path(), std::nullopt));
      ceiling_clients.push_back(client(ceiling.path(), std::nullopt));
      ping_clients.push_back(client(socket, std::nullopt));
    }
    for (int n : {1, 8}) {
      Cell c{"Ping", n, {}};
      c.sources.push_back(Source{"floor", [&](int t) { floor_clients[static_cast<size_t>(t)].ping(); },
                                 ServerSide{{floor.pid()}, false, nullptr, {}}});
      c.sources.push_back(Source{"parsecd", [&](int t) { ping_clients[static_cast<size_t>(t)].ping(); },
                                 ServerSide{parsecd_pids, false, nullptr, {}}});
      cells.push_back(std::move(c));
    }

    std::vector<ProviderId> served;
    {
      client::Client c = client(socket, std::nullopt);
      for (const auto& p : c.list_providers()) {
        served.push_back(p.id);
      }
    }
    auto serves = [&](ProviderId id) { return std::find(served.begin(), served.end(), id) != served.end(); };
    const auto ecdsa = client::Algorithm::ecdsa(client::Hash::Sha256);
    const auto pkcs1 = client::Algorithm::rsa_pkcs1v15_sign(client::Hash::Sha256);
    // Per provider: clients per thread, the two keys made through parsecd.
    struct Through {
      ProviderId id;
      std::vector<client::Client> clients;
    };
    std::vector<std::unique_ptr<Through>> throughs;
    auto through = [&](ProviderId id) -> Through& {
      auto t = std::make_unique<Through>();
      t->id = id;
      for (int i = 0; i < 8; ++i) {
        t->clients.push_back(client(socket, id));
      }
      t->clients[0].generate_key("compare-ecc", client::KeyAttributes::ecc_key_pair(256, ecdsa));
      t->clients[0].generate_key("compare-rsa", client::KeyAttributes::rsa_key_pair(2048, pkcs1));
      throughs.push_back(std::move(t));
      return *throughs.back();
    };
    // `daemon_sim` / `direct_sim`: the simulator process behind parsecd and
    // behind the direct calls, whose CPU is part of the server side too.
    auto add_provider_cells = [&](const std::string& name, Through& th, const std::function<void(int, bool)>& direct,
                                  const std::function<void(int, bool)>& direct_hmac, std::vector<pid_t> daemon_sim = {},
                                  std::vector<pid_t> direct_sim = {}) {
      for (bool rsa : {false, true}) {
        for (int n : {1, 8}) {
          Cell c{name + (rsa ? " RSA-2048 sign" : " ECDSA P-256 sign"), n, {}};
          c.sources.push_back(
              Source{"direct", [=](int t) { direct(t, rsa); }, ServerSide{{}, true, nullptr, direct_sim}, kServerCpu});
          if (direct_hmac) {
            c.sources.push_back(Source{"direct (HMAC session)", [=](int t) { direct_hmac(t, rsa); },
                                       ServerSide{{}, true, nullptr, direct_sim}, kServerCpu});
          }
          Source ceil{"ceiling", [&](int t) { ceiling_clients[static_cast<size_t>(t)].ping(); },
                      ServerSide{{}, false, &ceiling.cpu(), direct_sim}};
          ceil.prepare = [&ceiling, direct, rsa] { ceiling.set_work([direct, rsa] { direct(0, rsa); }); };
          c.sources.push_back(std::move(ceil));
          c.sources.push_back(Source{"parsecd",
                                     [&th, rsa, ecdsa, pkcs1, digest](int t) {
                                       th.clients[static_cast<size_t>(t)].sign_hash(rsa ? "compare-rsa" : "compare-ecc",
                                                                                    rsa ? pkcs1 : ecdsa, digest);
                                     },
                                     ServerSide{parsecd_pids, false, nullptr, daemon_sim}});
          cells.push_back(std::move(c));
        }
      }
    };

    std::unique_ptr<MbedDirect> mbed;
    if (serves(ProviderId::MbedCrypto)) {
      mbed = std::make_unique<MbedDirect>();
      add_provider_cells(
          "software (Mbed TLS)", through(ProviderId::MbedCrypto), [&](int, bool rsa) { mbed->sign(rsa); }, nullptr);
    }
#ifdef PARSEC_BENCH_WITH_PKCS11
    std::unique_ptr<testing::Pkcs11Direct> p11;
    std::unique_ptr<Pkcs11Sign> p11_sign;
    if (serves(ProviderId::Pkcs11)) {
      p11 = std::make_unique<testing::Pkcs11Direct>(testing::SoftHsm::module_path(), kLabel, kPin);
      p11_sign = std::make_unique<Pkcs11Sign>(*p11);
      add_provider_cells(
          "PKCS#11 (SoftHSM)", through(ProviderId::Pkcs11), [&](int t, bool rsa) { p11_sign->sign(t, rsa); }, nullptr);
    }
#endif
#ifdef PARSEC_BENCH_WITH_TPM
    std::unique_ptr<TpmSign> tpm_ecc;
    std::unique_ptr<TpmSign> tpm_rsa;
    if (serves(ProviderId::Tpm)) {
      // One context (primary + key) at a time: two would not fit the
      // simulator's three slots. Switched outside the timing (the warm-up
      // call before each measurement).
      auto tpm_for = [&](bool rsa) -> TpmSign& {
        auto& want = rsa ? tpm_rsa : tpm_ecc;
        if (!want) {
          (rsa ? tpm_ecc : tpm_rsa).reset();
          want = std::make_unique<TpmSign>(
              direct_tpm.tcti(), rsa ? bench::TpmDirect::KeyType::Rsa2048 : bench::TpmDirect::KeyType::EcdsaP256);
        }
        return *want;
      };
      add_provider_cells(
          "TPM (swtpm)", through(ProviderId::Tpm), [tpm_for](int, bool rsa) { tpm_for(rsa).sign(false); },
          [tpm_for](int, bool rsa) { tpm_for(rsa).sign(true); }, {daemon_tpm.pid()}, {direct_tpm.pid()});
    }
#endif

    // The request path, step by step, on the last provider served (the TPM
    // when compiled in): parsecd's CPU per request for an answer made on the
    // I/O thread (Ping), one through the worker pool without the store
    // (ListOpcodes), one that reads the store (ExportPublicKey, no back-end
    // command) and a signature, at 1 client. The differences say what each
    // stage costs; there is no direct figure to compare with.
    if (!throughs.empty()) {
      Through& th = *throughs.back();
      Cell c{"request path (provider " + std::to_string(static_cast<int>(th.id)) + ")", 1, {}};
      auto side = ServerSide{parsecd_pids, false, nullptr, {}};
      c.sources.push_back(Source{"Ping", [&](int t) { ping_clients[static_cast<size_t>(t)].ping(); }, side});
      c.sources.push_back(
          Source{"ListOpcodes", [&th](int t) { th.clients[static_cast<size_t>(t)].list_opcodes(th.id); }, side});
      c.sources.push_back(Source{"ExportPublicKey",
                                 [&th](int t) { th.clients[static_cast<size_t>(t)].export_public_key("compare-ecc"); },
                                 side});
      c.sources.push_back(Source{
          "SignHash",
          [&th, ecdsa, digest](int t) { th.clients[static_cast<size_t>(t)].sign_hash("compare-ecc", ecdsa, digest); },
          side});
      cells.push_back(std::move(c));
    }
    if (!o.only.empty()) {
      std::erase_if(cells, [&](const Cell& c) { return c.title.find(o.only) == std::string::npos; });
    }
    if (o.clients != 0) {
      std::erase_if(cells, [&](const Cell& c) { return c.clients != o.clients; });
    }
    std::printf("parsec-bench compare: %u CPU(s), %s; %d alternating rounds of %.1f s per figure, medians\n", cpus,
                g_pin ? "server side on CPU 0 (parsecd, floor server, swtpm, direct back-end threads), clients on CPU 1"
                      : "one CPU: nothing pinned",
                o.rounds, o.seconds);
    std::printf("parsecd: %s; load average before: %s\n", o.endpoint.empty() ? "started by the bench" : socket.c_str(),
                load_before.c_str());
    std::fflush(stdout);
    for (int r = 0; r < o.rounds; ++r) {
      for (auto& c : cells) {
        const size_t k = c.sources.size();
        for (size_t i = 0; i < k; ++i) {
          Source& s = c.sources[r % 2 == 0 ? i : k - 1 - i];
          if (s.prepare) {
            s.prepare();
          }
          // Setup outside the timing: the first TPM direct call of a key type
          // builds its context.
          s.op(0);
          s.rounds.push_back(measure(c.clients, s.cpu, o.seconds, s.op, s.side));
        }
      }
      std::fprintf(stderr, "round %d/%d done\n", r + 1, o.rounds);
    }

    std::printf("\n%-36s %-7s %-22s %10s %9s %9s %9s %9s  %s\n", "operation", "clients", "source", "req/s", "p50 us",
                "p99 us", "cpu us", "swtpm us", "ratio");
    for (const auto& c : cells) {
      double floor_rate = 0;
      double direct_rate = 0;
      double hmac_rate = 0;
      double ceiling_rate = 0;
      for (const auto& s : c.sources) {
        const Figures f = median_of(s.rounds);
        if (s.name == "floor") {
          floor_rate = f.rate;
        } else if (s.name == "direct") {
          direct_rate = f.rate;
        } else if (s.name == "direct (HMAC session)") {
          hmac_rate = f.rate;
        } else if (s.name == "ceiling") {
          ceiling_rate = f.rate;
        }
        std::string ratio;
        char buf[128];
        if (s.name == "ceiling" && direct_rate > 0) {
          std::snprintf(buf, sizeof buf, "%.2fx direct", f.rate / direct_rate);
          ratio = buf;
        } else if (s.name == "parsecd") {
          if (floor_rate > 0) {
            std::snprintf(buf, sizeof buf, "%.2fx floor", f.rate / floor_rate);
          } else {
            int n = std::snprintf(buf, sizeof buf, "%.2fx direct, %.2fx ceiling", f.rate / direct_rate,
                                  f.rate / ceiling_rate);
            if (hmac_rate > 0) {
              std::snprintf(buf + n, sizeof buf - static_cast<size_t>(n), ", %.2fx direct (HMAC session)",
                            f.rate / hmac_rate);
            }
          }
          ratio = buf;
        }
        char sim[32] = "-";
        if (!s.side.sims.empty()) {
          std::snprintf(sim, sizeof sim, "%.1f", f.sim);
        }
        std::printf("%-36s %-7d %-22s %10.0f %9.0f %9.0f %9.1f %9s  %s\n", c.title.c_str(), c.clients, s.name.c_str(),
                    f.rate, f.p50, f.p99, f.cpu, sim, ratio.c_str());
      }
    }
    std::printf("load average after: %s\n", loadavg().c_str());
    for (auto& t : throughs) {
      t->clients[0].destroy_key("compare-ecc");
      t->clients[0].destroy_key("compare-rsa");
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parsec-bench compare: %s\n", e.what());
    return 1;
  }
  return 0;
}
