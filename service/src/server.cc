#include "service/src/server.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <array>
#include <boost/asio.hpp>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

#include "parsec/interface/secret.h"
#include "service/src/admission.h"
#include "service/src/handler.h"
#include "service/src/logging.h"
#include "service/src/slow_lane.h"

namespace parsec::service {

namespace asio = boost::asio;
using stream = asio::local::stream_protocol;
using boost::system::error_code;

struct Server::Impl {
  asio::io_context io;
  stream::acceptor acceptor{io};
  asio::signal_set signals{io};
  asio::steady_timer accept_retry{io};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  // The fast lane (every request starts here) and the slow lane.
  std::unique_ptr<asio::thread_pool> workers;
  std::unique_ptr<SlowLane> slow;
  std::unique_ptr<Backends> backends;
  std::string socket_path;
  // True when systemd passed the listening socket: it owns the file, so
  // parsecd neither changes its mode nor removes it.
  bool socket_adopted = false;

  std::mutex handler_mu;
  std::shared_ptr<const Handler> handler;

  // Touched only on the I/O thread.
  Admission admission{Admission::Limits{}};
  size_t alive = 0;  // Connection objects that count (not refused ones)
  bool stopping = false;
  uint64_t next_id = 1;
  // A descriptor kept in reserve: when the process runs out, it is released
  // to accept and close one pending connection, so the backlog keeps moving
  // instead of the acceptor spinning on EMFILE.
  int reserve_fd = -1;
  std::chrono::steady_clock::time_point last_refusal_log{};
  uint64_t refusals_logged = 0;

  std::shared_ptr<const Handler> current_handler() {
    std::lock_guard lock(handler_mu);
    return handler;
  }

  Admission::Limits limits_for(const Config& cfg) const;
  void do_accept();
  void on_accepted(stream::socket sock);
  void shed_one();
  void start_all(std::deque<std::function<void()>> ready);
  void request_read(uid_t uid);
  void connection_closed(uid_t uid, Admission::State was);
  void connection_closed_now(uid_t uid, Admission::State was);
  void wait_signals();
  void reload();
  void stop(const char* why);
};

namespace {

// Payload buffers start at this size and double as bytes arrive, so memory
// follows what a client actually sent, not the length it declared.
constexpr size_t kFirstChunk = 4096;
// Bytes past the header taken with it in one read (see read_head).
constexpr size_t kHeadExtra = 512;
// The most connections one uid may hold when listener.max_connections_per_uid is 0.
constexpr rlim_t kAutoPerUidMax = 16384;

// systemd socket activation (sd_listen_fds(3)), read from the environment so
// that parsecd needs no libsystemd: passed descriptors start at 3, and
// LISTEN_PID names the process they are for, so a process that merely
// inherited the variables leaves them alone.
constexpr int kListenFdsStart = 3;

}  // namespace

Result<PassedSocket> passed_socket() {
  const char* pid = std::getenv("LISTEN_PID");
  const char* fds = std::getenv("LISTEN_FDS");
  if (pid == nullptr || fds == nullptr || std::strtoll(pid, nullptr, 10) != ::getpid()) {
    return PassedSocket{};
  }
  std::string names = std::getenv("LISTEN_FDNAMES") != nullptr ? std::getenv("LISTEN_FDNAMES") : "";
  // Like sd_listen_fds(1): the variables are for this process only.
  ::unsetenv("LISTEN_PID");
  ::unsetenv("LISTEN_FDS");
  ::unsetenv("LISTEN_FDNAMES");
  char* end = nullptr;
  long n = std::strtol(fds, &end, 10);
  if (*fds == '\0' || *end != '\0' || n != 1) {
    return Failure(Status::ConnectionError,
                   std::string("socket activation: LISTEN_FDS=") + fds +
                       ", parsecd serves exactly one socket: give its .socket unit one ListenStream= of a path");
  }
  const int fd = kListenFdsStart;
  const std::string what =
      "socket activation: descriptor " + std::to_string(fd) + (names.empty() ? std::string() : " (" + names + ")");
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return Failure(Status::ConnectionError, what + " is not open: " + std::strerror(errno));
  }
  if (!S_ISSOCK(st.st_mode)) {
    return Failure(Status::ConnectionError, what + " is not a socket");
  }
  int type = 0, listening = 0;
  socklen_t len = sizeof type;
  if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM) {
    return Failure(Status::ConnectionError, what + " is not a stream socket (ListenStream=, not ListenDatagram=)");
  }
  sockaddr_un addr{};
  socklen_t addr_len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &addr_len) != 0 || addr.sun_family != AF_UNIX) {
    return Failure(Status::ConnectionError, what + " is not a Unix-domain socket (ListenStream= must be a path)");
  }
  len = sizeof listening;
  if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || listening == 0) {
    return Failure(Status::ConnectionError,
                   what + " is not listening (a connection passed by Accept=yes?); parsecd needs Accept=no");
  }
  // Children (a PKCS#11 module's helpers) must not inherit the listener.
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  PassedSocket a{fd, {}};
  size_t path_len = addr_len > offsetof(sockaddr_un, sun_path) ? addr_len - offsetof(sockaddr_un, sun_path) : 0;
  if (path_len > 0 && addr.sun_path[0] == '\0') {
    a.path = "@" + std::string(addr.sun_path + 1, path_len - 1);
  } else {
    a.path = std::string(addr.sun_path, ::strnlen(addr.sun_path, path_len));
  }
  return a;
}

namespace {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Server::Impl& srv, stream::socket sock, uint64_t id, PeerCredentials peer,
             std::shared_ptr<const Handler> handler)
      : srv_(srv), sock_(std::move(sock)), timer_(srv.io), handler_(std::move(handler)) {
    req_.conn_id = id;
    req_.peer = peer;
    const Config& cfg = handler_->config();
    header_timeout_ = std::chrono::milliseconds(cfg.header_timeout_ms);
    timeout_ = std::chrono::milliseconds(cfg.timeout_ms);
  }
  ~Connection() {
    wipe_buf();
    if (counted_) {
      srv_.connection_closed(req_.peer.uid, state_);
    }
  }

  // closed_now gives the connection's admission slot back at once (on the I/O
  // thread, as the socket closes) rather than when the last handler holding
  // the object (e.g. a cancelled deadline) lets go: a client that saw the
  // close may connect again at once and must find its slot free.
  void closed_now() {
    if (counted_) {
      counted_ = false;
      srv_.connection_closed_now(req_.peer.uid, state_);
    }
  }

  // admitted: the connection counts in the admission state (it is parked or
  // about to be read).
  void admitted() { counted_ = true; }

  // start reads the request; called when admission lets it be read.
  void start() {
    state_ = Admission::State::HalfOpen;
    spdlog::trace("conn {}: reading (pid {} uid {})", req_.conn_id, req_.peer.pid, req_.peer.uid);
    // Clients write their request as they connect, so it is usually here
    // already: one non-blocking read takes it without a deadline to set and
    // cancel. Only a request still on its way gets the header deadline (one
    // for the whole header, however it is split into reads).
    error_code ec;
    sock_.non_blocking(true, ec);
    size_t n = ec ? 0 : sock_.read_some(asio::buffer(head_), ec);
    if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
      read_failed(ec);
      return;
    }
    head_len_ = ec ? 0 : n;
    if (head_len_ >= kHeaderLen) {
      head_arrived();
      return;
    }
    arm(header_timeout_);
    if (head_len_ > 0) {
      head_arrived();
    } else {
      read_head();
    }
  }

 private:
  // arm starts the deadline of a phase (header, body, response).
  void arm(std::chrono::milliseconds limit) {
    // A deadline that already fired cannot be cancelled; the generation lets a
    // stale one recognise that its phase is over.
    uint64_t gen = ++gen_;
    timed_out_ = false;
    timer_.expires_after(limit);
    timer_.async_wait([self = shared_from_this(), gen](const error_code& ec) {
      if (!ec && gen == self->gen_) {
        self->timed_out_ = true;
        error_code ignored;
        self->sock_.cancel(ignored);
      }
    });
  }

  void disarm() {
    ++gen_;
    timer_.cancel();
  }

  void read_failed(const error_code& ec) {
    disarm();
    // What arrived of the body and auth field may be part of a key or token.
    wipe_buf();
    buf_ = std::vector<uint8_t>();
    spdlog::info("conn {}: refused request: ConnectionError: {}", req_.conn_id,
                 timed_out_ ? "read timed out" : ec.message());
    respond_detached(Status::ConnectionError);
  }

  // read_head reads the header and, when the client sent them with it (as
  // clients do), the first bytes of the body and auth field: most requests
  // take one read system call. Each header field is checked as soon as its
  // bytes are in (the magic number, then the header size), so a wrong one is
  // refused without waiting for the rest, and the declared lengths are
  // trusted with a buffer only once the whole header has passed.
  void read_head() {
    sock_.async_read_some(asio::buffer(head_.data() + head_len_, head_.size() - head_len_),
                          [self = shared_from_this()](const error_code& ec, size_t n) {
                            if (ec) {
                              self->read_failed(ec);
                              return;
                            }
                            self->head_len_ += n;
                            self->head_arrived();
                          });
  }

  void head_arrived() {
    const uint8_t* b = head_.data();
    if (head_len_ >= 4 && !magic_checked_) {
      uint32_t magic = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<uint32_t>(b[3]) << 24);
      if (magic != kMagic) {
        disarm();
        wipe_head();
        spdlog::info("conn {}: refused request: InvalidHeader: bad magic number {:#010x}", req_.conn_id, magic);
        respond_detached(Status::InvalidHeader);
        return;
      }
      magic_checked_ = true;
    }
    if (head_len_ >= 6 && !size_checked_) {
      uint16_t n = static_cast<uint16_t>(b[4] | (b[5] << 8));
      if (n != kHeaderSizeField) {
        // Checked before the rest is used: the declared size is not trusted.
        disarm();
        wipe_head();
        spdlog::info("conn {}: refused request: InvalidHeader: header size {} (expected 30)", req_.conn_id, n);
        respond_detached(Status::InvalidHeader);
        return;
      }
      size_checked_ = true;
    }
    if (head_len_ < kHeaderLen) {
      read_head();
      return;
    }
    disarm();
    req_.header = decode_header(b);
    Status s = validate_fixed_fields(req_.header);
    if (s != Status::Success) {
      wipe_head();
      spdlog::info("conn {}: refused request: {} (version {}.{}, reserved {} {})", req_.conn_id, status_name(s),
                   req_.header.version_maj, req_.header.version_min, req_.header.reserved1, req_.header.reserved2);
      respond_detached(s);
      return;
    }
    uint32_t limit = handler_->config().body_len_limit;
    if (req_.header.body_len > limit) {
      wipe_head();
      spdlog::info("conn {}: refused request: BodySizeExceedsLimit: body_len {} > body_len_limit {}", req_.conn_id,
                   req_.header.body_len, limit);
      respond_detached(Status::BodySizeExceedsLimit);
      return;
    }
    total_ = size_t{req_.header.body_len} + req_.header.auth_len;
    // What came after the header is the start of the body and auth field;
    // anything past their declared length is not part of the request.
    const size_t early = std::min(head_len_ - kHeaderLen, total_);
    filled_ = 0;
    grow(early);
    std::copy(head_.begin() + kHeaderLen, head_.begin() + static_cast<std::ptrdiff_t>(kHeaderLen + early),
              buf_.begin());
    filled_ = early;
    wipe_head();
    if (filled_ < total_) {
      arm(timeout_);
    }
    read_payload();
  }

  // The head buffer may hold the start of an auth token or of key material.
  void wipe_head() { parsec::secure_zero(head_.data(), head_.size()); }

  // grow makes room for `n` bytes in buf_, keeping what was read. A moved
  // buffer may hold secrets (imported keys, auth tokens): the old one is wiped.
  void grow(size_t n) {
    if (n <= buf_.capacity()) {
      buf_.resize(n);
      return;
    }
    std::vector<uint8_t> bigger(n);
    std::copy(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(filled_), bigger.begin());
    wipe_buf();
    buf_.swap(bigger);
  }

  void read_payload() {
    if (filled_ == total_) {
      disarm();
      req_.body.assign(buf_.begin(), buf_.begin() + req_.header.body_len);
      req_.auth.assign(buf_.begin() + req_.header.body_len, buf_.begin() + static_cast<std::ptrdiff_t>(total_));
      wipe_buf();
      buf_ = std::vector<uint8_t>();
      execute();
      return;
    }
    size_t want = std::min(total_ - filled_, std::max(kFirstChunk, filled_));
    grow(filled_ + want);
    sock_.async_read_some(asio::buffer(buf_.data() + filled_, want),
                          [self = shared_from_this()](const error_code& ec, size_t n) {
                            if (ec) {
                              self->read_failed(ec);
                              return;
                            }
                            self->filled_ += n;
                            self->read_payload();
                          });
  }

  void execute() {
    spdlog::debug("conn {}: {} dispatched ({} body bytes)", req_.conn_id,
                  opcode_name(static_cast<Opcode>(req_.header.opcode)), req_.header.body_len);
    state_ = Admission::State::Busy;
    srv_.request_read(req_.peer.uid);
    if (answered_inline() || admitted_inline()) {
      return;
    }
    // Authentication and routing run in the fast lane; so does the operation
    // unless it is slow, in which case the slow lane runs it, fairly by client.
    asio::post(*srv_.workers, [self = shared_from_this()] {
      Routed routed;
      if (std::optional<Response> refused = self->handler_->admit(self->req_, routed)) {
        self->finish(std::move(*refused));
        return;
      }
      if (routed.lane == Lane::Slow) {
        std::string client = routed.client;
        self->srv_.slow->submit(client, [self, routed = std::move(routed)] {
          self->finish(self->handler_->run(self->req_, routed), /*send_here=*/true);
        });
        return;
      }
      self->finish(self->handler_->run(self->req_, routed));
    });
  }

  // is_local: authentication that is local arithmetic on the request (none,
  // Direct, UnixPeerCredentials), never a call out (JwtSvid asks the
  // workload API), so it may run on the I/O thread.
  static bool is_local(AuthType auth) {
    return auth == AuthType::NoAuth || auth == AuthType::Direct || auth == AuthType::UnixPeerCredentials;
  }

  // answered_inline serves, on the I/O thread itself, the core requests that
  // read only immutable facts (Ping, ListProviders, ListOpcodes,
  // ListAuthenticators: microseconds) when their authentication is local
  // arithmetic too (none, Direct, UnixPeerCredentials; never JwtSvid, which
  // asks the workload API). They skip two thread hand-offs, so a busy or
  // contended worker pool cannot delay a liveness check.
  bool answered_inline() {
    const WireHeader& h = req_.header;
    auto op = static_cast<Opcode>(h.opcode);
    auto auth = static_cast<AuthType>(h.auth_type);
    bool cheap = op == Opcode::Ping || op == Opcode::ListProviders || op == Opcode::ListOpcodes ||
                 op == Opcode::ListAuthenticators;
    if (!cheap || !is_local(auth) || h.provider != 0) {
      return false;
    }
    Response resp = handler_->handle(req_);
    parsec::wipe(req_.auth);
    parsec::wipe(req_.body);
    write(std::move(resp));
    return true;
  }

  // admitted_inline admits on the I/O thread a request for the TPM provider
  // whose authentication is local (is_local; routing reads only the
  // configuration) and hands it straight to the slow
  // lane, where every TPM command runs: one thread hand-off, so one context
  // switch on the server's core, fewer than through the worker pool.
  bool admitted_inline() {
    const WireHeader& h = req_.header;
    auto auth = static_cast<AuthType>(h.auth_type);
    if (!is_local(auth) || h.provider != static_cast<uint8_t>(ProviderId::Tpm)) {
      return false;
    }
    Routed routed;
    if (std::optional<Response> refused = handler_->admit(req_, routed)) {
      finish(std::move(*refused));
      return true;
    }
    if (routed.lane != Lane::Slow) {
      asio::post(*srv_.workers, [self = shared_from_this(), routed = std::move(routed)] {
        self->finish(self->handler_->run(self->req_, routed));
      });
      return true;
    }
    std::string client = routed.client;
    srv_.slow->submit(client, [self = shared_from_this(), routed = std::move(routed)] {
      self->finish(self->handler_->run(self->req_, routed), /*send_here=*/true);
    });
    return true;
  }

  // finish hands the answer back to the I/O thread, which sends it and
  // closes the connection. With `send_here` (slow-lane jobs), the answer
  // leaves from this thread when the socket buffer takes it at once, so the
  // client does not wait for the I/O thread to wake, which a slow job usually
  // finds asleep. Nothing else touches this socket until the post below (no
  // read is pending and no deadline is armed while a request runs). Fast-lane
  // answers are left to the I/O thread, which is awake when they are many:
  // sending them from the workers measured slower at 8 clients
  // (parsec-bench compare, PKCS#11 ECDSA: 107-115 against 93-97 us of CPU a
  // request).
  void finish(Response resp, bool send_here = false) {
    // The auth field may be a secret token: do not keep it.
    parsec::wipe(req_.auth);
    parsec::wipe(req_.body);
    if (!send_here) {
      asio::post(srv_.io,
                 [self = shared_from_this(), resp = std::move(resp)]() mutable { self->write(std::move(resp)); });
      return;
    }
    size_t sent = 0;
    error_code ec = send_now(std::move(resp), sent);
    asio::post(srv_.io, [self = shared_from_this(), sent, ec] { self->send_rest(sent, ec); });
  }

  void respond_detached(Status s) {
    Response r;
    r.header = detached_response(s);
    write(std::move(r));
  }

  void write(Response resp) {
    size_t sent = 0;
    error_code ec = send_now(std::move(resp), sent);
    send_rest(sent, ec);
  }

  // send_now encodes the answer into out_ and sends what the socket takes
  // without waiting (most answers fit its buffer).
  error_code send_now(Response resp, size_t& sent) {
    auto h = encode_header(resp.header);
    out_.assign(h.begin(), h.end());
    out_.insert(out_.end(), resp.body.begin(), resp.body.end());
    parsec::wipe(resp.body);
    error_code ec;
    sent = sock_.write_some(asio::buffer(out_), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      ec = error_code();
      sent = 0;
    }
    return ec;
  }

  // send_rest (I/O thread) closes the connection once the answer is out, or
  // sends what is left under the response deadline, so a client that stops
  // reading cannot hold the connection.
  void send_rest(size_t sent, error_code ec) {
    if (ec || sent == out_.size()) {
      done_writing(ec);
      return;
    }
    arm(timeout_);
    asio::async_write(sock_, asio::buffer(out_.data() + sent, out_.size() - sent),
                      [self = shared_from_this()](const error_code& e, size_t) {
                        self->disarm();
                        self->done_writing(e);
                      });
  }

  void done_writing(const error_code& ec) {
    if (ec) {
      spdlog::debug("conn {}: response not delivered: {}", req_.conn_id, timed_out_ ? "write timed out" : ec.message());
    }
    // Responses can carry secrets (exported keys, decrypted data).
    parsec::secure_zero(out_.data(), out_.size());
    error_code ignored;
    sock_.shutdown(stream::socket::shutdown_both, ignored);
    sock_.close(ignored);
    closed_now();
  }

  void wipe_buf() { parsec::secure_zero(buf_.data(), buf_.size()); }

  Server::Impl& srv_;
  stream::socket sock_;
  asio::steady_timer timer_;
  std::shared_ptr<const Handler> handler_;
  std::chrono::milliseconds header_timeout_{200};
  std::chrono::milliseconds timeout_{200};
  bool timed_out_ = false;
  bool counted_ = false;
  Admission::State state_ = Admission::State::Parked;
  uint64_t gen_ = 0;
  size_t total_ = 0;
  size_t filled_ = 0;
  // The header and what followed it in the same reads (kHeadExtra bytes at
  // most), then the body and auth field.
  std::array<uint8_t, kHeaderLen + kHeadExtra> head_{};
  size_t head_len_ = 0;
  bool magic_checked_ = false;
  bool size_checked_ = false;
  std::vector<uint8_t> buf_;
  std::vector<uint8_t> out_;
  Request req_;
};

}  // namespace

Admission::Limits Server::Impl::limits_for(const Config& cfg) const {
  Admission::Limits l;
  l.max_active = cfg.max_connections;
  l.half_open_per_uid = cfg.max_half_open_per_uid;
  l.per_uid = cfg.max_connections_per_uid;
  if (l.per_uid == 0) {
    // Half of the descriptors we may open, so one uid cannot take them all,
    // and at most 16,384 (a parked connection costs about 1.5 KiB here).
    rlimit rl{};
    rlim_t n = ::getrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : 1024;
    if (n == RLIM_INFINITY || n > (1u << 24)) {
      n = 1u << 24;
    }
    l.per_uid = static_cast<uint32_t>(std::clamp<rlim_t>(n / 2, 64, kAutoPerUidMax));
  }
  return l;
}

void Server::Impl::do_accept() {
  if (stopping) {
    return;
  }
  // Accepting never pauses: an accepted connection that may not be read yet
  // waits parked (one descriptor), so the kernel backlog stays short and
  // another uid's connect is never queued behind one uid's flood.
  acceptor.async_accept([this](const error_code& ec, stream::socket sock) {
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping) {
        return;
      }
      if (ec.value() == EMFILE || ec.value() == ENFILE) {
        shed_one();
        do_accept();
        return;
      }
      // Anything else: back off briefly instead of spinning.
      spdlog::error("accept failed: {}; retrying in 100 ms", ec.message());
      accept_retry.expires_after(std::chrono::milliseconds(100));
      accept_retry.async_wait([this](const error_code& e) {
        if (!e) {
          do_accept();
        }
      });
      return;
    }
    on_accepted(std::move(sock));
    do_accept();
  });
}

void Server::Impl::shed_one() {
  // Out of descriptors: use the reserve to take one connection off the
  // backlog and close it, then take the reserve back.
  if (reserve_fd >= 0) {
    ::close(reserve_fd);
    reserve_fd = -1;
  }
  int fd = ::accept4(acceptor.native_handle(), nullptr, nullptr, SOCK_CLOEXEC);
  if (fd >= 0) {
    ::close(fd);
  }
  reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  auto now = std::chrono::steady_clock::now();
  if (now - last_refusal_log > std::chrono::seconds(1)) {
    last_refusal_log = now;
    spdlog::warn("out of file descriptors ({} connections open): closing new connections", alive);
  }
}

void Server::Impl::on_accepted(stream::socket sock) {
  ucred cred{};
  socklen_t len = sizeof cred;
  uint64_t id = next_id++;
  if (::getsockopt(sock.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    spdlog::warn("conn {}: cannot read peer credentials ({}); dropping the connection", id, std::strerror(errno));
    return;  // dropped without a response, as upstream does
  }
  auto conn = std::make_shared<Connection>(*this, std::move(sock), id,
                                           PeerCredentials{true, cred.uid, cred.gid, cred.pid}, current_handler());
  Admission::Verdict v = admission.arrive(cred.uid, [conn] { conn->start(); });
  if (v == Admission::Verdict::Refuse) {
    // Closed without a response: nothing was read, and a uid at its cap is
    // not owed the work of answering.
    auto now = std::chrono::steady_clock::now();
    if (now - last_refusal_log > std::chrono::seconds(1)) {
      spdlog::warn("uid {} has {} connections open (listener.max_connections_per_uid); closing new ones ({} so far)",
                   cred.uid, admission.limits().per_uid, admission.refused());
      last_refusal_log = now;
    }
    return;
  }
  conn->admitted();
  ++alive;
  if (v == Admission::Verdict::Serve) {
    conn->start();
  } else {
    spdlog::trace("conn {}: parked (uid {})", id, cred.uid);
  }
}

void Server::Impl::start_all(std::deque<std::function<void()>> ready) {
  // Posted, not called: a connection may read and answer its request inside
  // start(), and that answer frees a slot that starts the next one; called
  // in place, a queue of parked connections would nest that deeply.
  for (auto& start : ready) {
    asio::post(io, std::move(start));
  }
}

void Server::Impl::request_read(uid_t uid) {
  // Called on the I/O thread (the read completion handler).
  start_all(admission.request_read(uid));
}

void Server::Impl::connection_closed(uid_t uid, Admission::State was) {
  // Connections are destroyed on the I/O thread or on a worker after their
  // last handler ran; hop to the I/O thread to touch the counters.
  asio::post(io, [this, uid, was] { connection_closed_now(uid, was); });
}

void Server::Impl::connection_closed_now(uid_t uid, Admission::State was) {
  --alive;
  auto ready = admission.closed(uid, was);
  if (stopping) {
    // Parked connections are dropped, not started, once stopping.
    ready.clear();
    if (alive == 0 && guard) {
      guard->reset();
    }
    return;
  }
  start_all(std::move(ready));
}

void Server::Impl::wait_signals() {
  signals.async_wait([this](const error_code& ec, int sig) {
    if (ec) {
      return;
    }
    if (sig == SIGHUP) {
      reload();
      wait_signals();
      return;
    }
    stop(sig == SIGTERM ? "SIGTERM" : "SIGINT");
  });
}

void Server::Impl::stop(const char* why) {
  spdlog::info("{} received: no new connections; finishing {} in flight, closing {} parked", why, admission.active(),
               admission.parked());
  stopping = true;
  error_code ignored;
  acceptor.close(ignored);
  accept_retry.cancel();
  signals.cancel(ignored);
  // Parked connections were never read: they are closed unanswered.
  admission.drop_parked();
  if (alive == 0 && guard) {
    guard->reset();
  }
}

void Server::Impl::reload() {
  auto old = current_handler();
  const std::string path = old->config().path;
  spdlog::info("SIGHUP received: reloading {}", path);
  Result<Config> loaded = load_config(path);
  if (!loaded.ok()) {
    spdlog::error("reload failed, still serving with the previous configuration: {}", loaded.detail());
    return;
  }
  auto cfg = std::make_shared<Config>(std::move(loaded).value());
  for (const auto& w : cfg->warnings) {
    spdlog::warn("{}", w);
  }
  if (!backends->same_layout(*cfg)) {
    spdlog::error(
        "reload failed, still serving with the previous configuration: [[provider]] or [[key_manager]] changed; "
        "restart parsecd to apply provider changes");
    return;
  }
  // Settings a running daemon cannot apply keep their running values, and
  // each one the file changed is named (socket_path, allow_root while root...).
  for (const auto& m : settle_reload(old->config(), *cfg, ::geteuid() == 0)) {
    spdlog::warn("{}", m);
  }
  auto made = Handler::create(cfg, *backends);
  if (!made.ok()) {
    spdlog::error("reload failed, still serving with the previous configuration: {}", made.detail());
    return;
  }
  std::shared_ptr<const Handler> h = std::move(made).value();
  apply_log_settings(*cfg);
  {
    std::lock_guard lock(handler_mu);
    handler = h;
  }
  if (cfg->slow_lane_threads != old->config().slow_lane_threads ||
      cfg->slow_ops_per_client != old->config().slow_ops_per_client) {
    spdlog::warn(
        "core_settings.slow_lane_threads and slow_ops_per_client apply at start only; keeping {} thread(s), "
        "{} per client until a restart",
        slow->threads(), slow->per_client());
  }
  admission.set_limits(limits_for(*cfg));
  start_all(admission.release());
  spdlog::info("configuration reloaded: {} authenticator(s), timeout {} ms, body_len_limit {}",
               cfg->authenticators.size(), cfg->timeout_ms, cfg->body_len_limit);
}

Server::Server(std::shared_ptr<const Handler> handler, std::unique_ptr<Backends> backends) : impl_(new Impl) {
  impl_->backends = std::move(backends);
  impl_->socket_path = handler->config().socket_path;
  impl_->handler = std::move(handler);
}

Server::~Server() = default;

Outcome Server::start(const PassedSocket& passed) {
  if (passed.fd >= 0) {
    error_code ec;
    impl_->acceptor.assign(stream(), passed.fd, ec);
    if (ec) {
      return Failure(Status::ConnectionError,
                     "socket activation: cannot adopt descriptor " + std::to_string(passed.fd) + ": " + ec.message());
    }
    impl_->socket_adopted = true;
    spdlog::info("socket activation: adopted the listening socket {} passed by the service manager (descriptor {})",
                 passed.path, passed.fd);
    if (passed.path != impl_->socket_path) {
      spdlog::warn("socket activation: listener.socket_path is {} but the passed socket is {}; clients must use {}",
                   impl_->socket_path, passed.path, passed.path);
    }
    impl_->socket_path = passed.path;
    return Outcome();
  }
  const std::string& path = impl_->socket_path;
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return Failure(Status::ConnectionError,
                     "listener.socket_path " + path + " exists and is not a socket; refusing to remove it");
    }
    // A live service answers a connect; a stale socket refuses it.
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    bool live = fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (fd >= 0) {
      ::close(fd);
    }
    if (live) {
      return Failure(Status::ConnectionError, "another service is listening on " + path);
    }
    if (::unlink(path.c_str()) != 0) {
      return Failure(Status::ConnectionError, "cannot remove stale socket " + path + ": " + std::strerror(errno));
    }
    spdlog::info("removed stale socket {}", path);
  }
  error_code ec;
  impl_->acceptor.open(stream(), ec);
  if (!ec) {
    impl_->acceptor.bind(stream::endpoint(path), ec);
  }
  if (!ec) {
    impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return Failure(Status::ConnectionError, "cannot listen on " + path + ": " + ec.message());
  }
  if (::chmod(path.c_str(), 0666) != 0) {
    return Failure(Status::ConnectionError, "cannot set mode 0666 on " + path + ": " + std::strerror(errno));
  }
  return Outcome();
}

int Server::run() {
  Impl& s = *impl_;
  const Config& cfg = s.handler->config();
  // Idle connections cost one descriptor each: take every descriptor the
  // hard limit allows, so that thousands of them do not exhaust the table.
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rlim_t was = rl.rlim_cur;
    rl.rlim_cur = rl.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &rl) == 0) {
      spdlog::info("raised the open-file limit from {} to {}", was, rl.rlim_cur);
    }
  }
  s.reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  s.admission.set_limits(s.limits_for(cfg));
  unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
  unsigned threads = cfg.thread_pool_size != 0 ? cfg.thread_pool_size : cpus;
  unsigned slow_threads = cfg.slow_lane_threads != 0 ? cfg.slow_lane_threads : std::max(1u, cpus - 1);
  s.workers = std::make_unique<asio::thread_pool>(threads);
  s.slow = std::make_unique<SlowLane>(slow_threads, cfg.slow_ops_per_client);
  s.guard.emplace(asio::make_work_guard(s.io));
  s.signals.add(SIGTERM);
  s.signals.add(SIGINT);
  s.signals.add(SIGHUP);
  s.wait_signals();
  s.do_accept();
  const Admission::Limits& l = s.admission.limits();
  spdlog::info(
      "parsecd listening on {} ({} worker threads, slow lane {} thread(s) x {} per client, max {} active connections, "
      "{} per uid of which {} half-open, header timeout {} ms, timeout {} ms)",
      s.socket_path, threads, slow_threads, cfg.slow_ops_per_client, l.max_active, l.per_uid, l.half_open_per_uid,
      cfg.header_timeout_ms, cfg.timeout_ms);
  s.io.run();
  // Every connection has closed, so neither lane has work left; join them
  // before the backends they use go away.
  s.slow.reset();
  s.workers->join();
  if (s.reserve_fd >= 0) {
    ::close(s.reserve_fd);
  }
  if (!s.socket_adopted) {
    ::unlink(s.socket_path.c_str());
  }
  spdlog::info("parsecd stopped");
  return 0;
}

}  // namespace parsec::service
