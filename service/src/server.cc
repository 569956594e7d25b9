#include "service/src/server.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <array>
#include <boost/asio.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

#include "parsec/interface/secret.h"
#include "service/src/handler.h"
#include "service/src/logging.h"

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
  std::unique_ptr<asio::thread_pool> workers;
  std::unique_ptr<Backends> backends;
  std::string socket_path;

  std::mutex handler_mu;
  std::shared_ptr<const Handler> handler;

  // Touched only on the I/O thread.
  size_t active = 0;
  bool accepting = false;
  bool stopping = false;
  uint64_t next_id = 1;

  std::shared_ptr<const Handler> current_handler() {
    std::lock_guard lock(handler_mu);
    return handler;
  }

  void do_accept();
  void connection_closed();
  void wait_signals();
  void reload();
  void stop(const char* why);
};

namespace {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Server::Impl& srv, stream::socket sock, uint64_t id, std::shared_ptr<const Handler> handler)
      : srv_(srv), sock_(std::move(sock)), timer_(srv.io), handler_(std::move(handler)) {
    req_.conn_id = id;
    timeout_ = std::chrono::milliseconds(handler_->config().timeout_ms);
  }
  ~Connection() { srv_.connection_closed(); }

  void start() {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(sock_.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
      spdlog::warn("conn {}: cannot read peer credentials ({}); dropping the connection", req_.conn_id,
                   std::strerror(errno));
      return;  // dropped without a response, as upstream does
    }
    req_.peer = PeerCredentials{true, cred.uid, cred.gid, cred.pid};
    spdlog::trace("conn {}: accepted from pid {} uid {}", req_.conn_id, cred.pid, cred.uid);
    read_magic();
  }

 private:
  // arm starts the deadline for the next read or write.
  void arm() {
    // A deadline that already fired cannot be cancelled; the generation lets a
    // stale one recognise that its read or write is over.
    uint64_t gen = ++gen_;
    timer_.expires_after(timeout_);
    timer_.async_wait([self = shared_from_this(), gen](const error_code& ec) {
      if (!ec && gen == self->gen_) {
        self->timed_out_ = true;
        error_code ignored;
        self->sock_.cancel(ignored);
      }
    });
  }

  template <typename Next>
  void read(size_t n, Next next) {
    buf_.resize(n);
    arm();
    asio::async_read(sock_, asio::buffer(buf_), [self = shared_from_this(), next](const error_code& ec, size_t) {
      self->timer_.cancel();
      if (ec) {
        spdlog::info("conn {}: refused request: ConnectionError: {}", self->req_.conn_id,
                     self->timed_out_ ? "read timed out" : ec.message());
        self->respond_detached(Status::ConnectionError);
        return;
      }
      next();
    });
  }

  void read_magic() {
    read(4, [this] {
      uint32_t magic = buf_[0] | (buf_[1] << 8) | (buf_[2] << 16) | (static_cast<uint32_t>(buf_[3]) << 24);
      if (magic != kMagic) {
        spdlog::info("conn {}: refused request: InvalidHeader: bad magic number {:#010x}", req_.conn_id, magic);
        respond_detached(Status::InvalidHeader);
        return;
      }
      header_.assign(buf_.begin(), buf_.end());
      read_header_size();
    });
  }

  void read_header_size() {
    read(2, [this] {
      uint16_t n = static_cast<uint16_t>(buf_[0] | (buf_[1] << 8));
      header_.insert(header_.end(), buf_.begin(), buf_.end());
      read_header_rest(n);
    });
  }

  void read_header_rest(uint16_t n) {
    read(n, [this, n] {
      if (n != kHeaderSizeField) {
        spdlog::info("conn {}: refused request: InvalidHeader: header size {} (expected 30)", req_.conn_id, n);
        respond_detached(Status::InvalidHeader);
        return;
      }
      header_.insert(header_.end(), buf_.begin(), buf_.end());
      req_.header = decode_header(header_.data());
      Status s = validate_fixed_fields(req_.header);
      if (s != Status::Success) {
        spdlog::info("conn {}: refused request: {} (version {}.{}, reserved {} {})", req_.conn_id, status_name(s),
                     req_.header.version_maj, req_.header.version_min, req_.header.reserved1, req_.header.reserved2);
        respond_detached(s);
        return;
      }
      uint32_t limit = handler_->config().body_len_limit;
      if (req_.header.body_len > limit) {
        spdlog::info("conn {}: refused request: BodySizeExceedsLimit: body_len {} > body_len_limit {}", req_.conn_id,
                     req_.header.body_len, limit);
        respond_detached(Status::BodySizeExceedsLimit);
        return;
      }
      read_payload();
    });
  }

  void read_payload() {
    size_t total = size_t{req_.header.body_len} + req_.header.auth_len;
    read(total, [this] {
      req_.body.assign(buf_.begin(), buf_.begin() + req_.header.body_len);
      req_.auth.assign(buf_.begin() + req_.header.body_len, buf_.end());
      wipe_buf();
      execute();
    });
  }

  void execute() {
    spdlog::debug("conn {}: {} dispatched ({} body bytes)", req_.conn_id,
                  opcode_name(static_cast<Opcode>(req_.header.opcode)), req_.header.body_len);
    asio::post(*srv_.workers, [self = shared_from_this()] {
      Response resp = self->handler_->handle(self->req_);
      // The auth field may be a secret token: do not keep it.
      parsec::wipe(self->req_.auth);
      parsec::wipe(self->req_.body);
      asio::post(self->srv_.io, [self, resp = std::move(resp)]() mutable { self->write(std::move(resp)); });
    });
  }

  void respond_detached(Status s) {
    Response r;
    r.header = detached_response(s);
    write(std::move(r));
  }

  void write(Response resp) {
    auto h = encode_header(resp.header);
    out_.assign(h.begin(), h.end());
    out_.insert(out_.end(), resp.body.begin(), resp.body.end());
    parsec::wipe(resp.body);
    timed_out_ = false;
    arm();
    asio::async_write(sock_, asio::buffer(out_), [self = shared_from_this()](const error_code& ec, size_t) {
      self->timer_.cancel();
      if (ec) {
        spdlog::debug("conn {}: response not delivered: {}", self->req_.conn_id,
                      self->timed_out_ ? "write timed out" : ec.message());
      }
      // Responses can carry secrets (exported keys, decrypted data).
      parsec::secure_zero(self->out_.data(), self->out_.size());
      error_code ignored;
      self->sock_.shutdown(stream::socket::shutdown_both, ignored);
      self->sock_.close(ignored);
    });
  }

  void wipe_buf() { parsec::secure_zero(buf_.data(), buf_.size()); }

  Server::Impl& srv_;
  stream::socket sock_;
  asio::steady_timer timer_;
  std::shared_ptr<const Handler> handler_;
  std::chrono::milliseconds timeout_{200};
  bool timed_out_ = false;
  uint64_t gen_ = 0;
  std::vector<uint8_t> buf_;
  std::vector<uint8_t> header_;
  std::vector<uint8_t> out_;
  Request req_;
};

}  // namespace

void Server::Impl::do_accept() {
  auto h = current_handler();
  if (stopping) {
    accepting = false;
    return;
  }
  if (active >= h->config().max_connections) {
    if (accepting) {
      spdlog::warn("{} connections open (listener.max_connections); pausing accept", active);
    }
    accepting = false;
    return;
  }
  accepting = true;
  acceptor.async_accept([this](const error_code& ec, stream::socket sock) {
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping) {
        accepting = false;
        return;
      }
      // E.g. EMFILE: back off briefly instead of spinning.
      spdlog::error("accept failed: {}; retrying in 100 ms", ec.message());
      accept_retry.expires_after(std::chrono::milliseconds(100));
      accept_retry.async_wait([this](const error_code& e) {
        if (!e) {
          do_accept();
        }
      });
      return;
    }
    ++active;
    auto conn = std::make_shared<Connection>(*this, std::move(sock), next_id++, current_handler());
    conn->start();
    do_accept();
  });
}

void Server::Impl::connection_closed() {
  // Connections are destroyed on the I/O thread or on a worker after their
  // last handler ran; hop to the I/O thread to touch the counters.
  asio::post(io, [this] {
    --active;
    if (stopping) {
      if (active == 0 && guard) {
        guard->reset();
      }
      return;
    }
    if (!accepting) {
      do_accept();
    }
  });
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
  spdlog::info("{} received: no new connections; finishing {} in flight", why, active);
  stopping = true;
  error_code ignored;
  acceptor.close(ignored);
  accept_retry.cancel();
  signals.cancel(ignored);
  if (active == 0 && guard) {
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
  if (cfg->socket_path != socket_path) {
    spdlog::warn("listener.socket_path changed to {}; the listening socket stays at {} until a restart",
                 cfg->socket_path, socket_path);
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
  spdlog::info("configuration reloaded: {} authenticator(s), timeout {} ms, body_len_limit {}",
               cfg->authenticators.size(), cfg->timeout_ms, cfg->body_len_limit);
  if (!accepting && !stopping) {
    do_accept();
  }
}

Server::Server(std::shared_ptr<const Handler> handler, std::unique_ptr<Backends> backends) : impl_(new Impl) {
  impl_->backends = std::move(backends);
  impl_->socket_path = handler->config().socket_path;
  impl_->handler = std::move(handler);
}

Server::~Server() = default;

Outcome Server::start() {
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
  unsigned threads = s.handler->config().thread_pool_size;
  if (threads == 0) {
    threads = std::max(1u, std::thread::hardware_concurrency());
  }
  s.workers = std::make_unique<asio::thread_pool>(threads);
  s.guard.emplace(asio::make_work_guard(s.io));
  s.signals.add(SIGTERM);
  s.signals.add(SIGINT);
  s.signals.add(SIGHUP);
  s.wait_signals();
  s.do_accept();
  spdlog::info("parsecd listening on {} ({} worker threads, max {} connections, timeout {} ms)", s.socket_path, threads,
               s.handler->config().max_connections, s.handler->config().timeout_ms);
  s.io.run();
  s.workers->join();
  ::unlink(s.socket_path.c_str());
  spdlog::info("parsecd stopped");
  return 0;
}

}  // namespace parsec::service
