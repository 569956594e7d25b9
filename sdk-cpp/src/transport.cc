#include "sdk-cpp/src/transport.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>
#include <thread>
#include <utility>

#include "parsec/client/error.h"

namespace parsec::client::detail {
namespace {

std::string errno_text(int err) {
  return std::strerror(err);
}

using Clock = std::chrono::steady_clock;

}  // namespace

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) {
    // close() can only fail with EINTR/EIO here; the descriptor is gone either
    // way and a request/response exchange has nothing to flush.
    ::close(fd_);
  }
  fd_ = fd;
}

Connection::Connection(UniqueFd fd, Endpoint endpoint, uint32_t timeout_ms, std::string operation)
    : fd_(std::move(fd)), endpoint_(std::move(endpoint)), timeout_ms_(timeout_ms), operation_(std::move(operation)) {}

Connection Connection::connect(const Endpoint& endpoint, uint32_t timeout_ms, const std::string& operation) {
  auto fail = [&](const std::string& what) { return Error::client_error(Status::ConnectionError, operation, what); };
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) {
    throw fail("cannot create a Unix socket: " + errno_text(errno));
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string& path = endpoint.path();
  if (path.size() >= sizeof(addr.sun_path)) {
    throw fail("cannot connect to " + endpoint.uri() + ": socket path too long");
  }
  std::memcpy(addr.sun_path, path.data(), path.size());

  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  Connection conn(std::move(fd), endpoint, timeout_ms, operation);
  for (;;) {
    if (::connect(conn.fd_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0) {
      return conn;
    }
    const int err = errno;
    if (err == EINTR) {
      continue;
    }
    if (err == EINPROGRESS) {
      conn.wait_for(POLLOUT, "connecting");
      int so_error = 0;
      socklen_t so_len = sizeof(so_error);
      if (::getsockopt(conn.fd_.get(), SOL_SOCKET, SO_ERROR, &so_error, &so_len) != 0) {
        so_error = errno;
      }
      if (so_error != 0) {
        throw fail("cannot connect to " + endpoint.uri() + ": " + errno_text(so_error));
      }
      return conn;
    }
    if (err == EAGAIN) {
      // A Unix socket whose listen backlog is full answers EAGAIN at once
      // instead of blocking; retry until the timeout.
      if (timeout_ms != 0 && Clock::now() >= deadline) {
        throw fail("timed out after " + std::to_string(timeout_ms) + " ms connecting to " + endpoint.uri() +
                   " (the service is not accepting connections)");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    throw fail("cannot connect to " + endpoint.uri() + ": " + errno_text(err));
  }
}

void Connection::wait_for(short events, const char* activity) {
  pollfd p{};
  p.fd = fd_.get();
  p.events = events;
  const auto start = Clock::now();
  for (;;) {
    int wait_ms = -1;
    if (timeout_ms_ != 0) {
      const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
      const int64_t left = elapsed >= timeout_ms_ ? 0 : static_cast<int64_t>(timeout_ms_) - elapsed;
      // poll() takes an int; a longer wait is split into several polls.
      wait_ms = static_cast<int>(std::min<int64_t>(left, std::numeric_limits<int>::max()));
    }
    const int rc = ::poll(&p, 1, wait_ms);
    if (rc > 0) {
      // Readiness, hang-up or error: the following send/recv reports which.
      return;
    }
    if (rc == 0) {
      if (timeout_ms_ == 0 || Clock::now() - start < std::chrono::milliseconds(timeout_ms_)) {
        continue;  // only a slice of a wait longer than poll() can express
      }
      throw Error::client_error(
          Status::ConnectionError, operation_,
          std::string("timed out after ") + std::to_string(timeout_ms_) + " ms " + activity + " " + endpoint_.uri());
    }
    if (errno != EINTR) {
      throw Error::client_error(
          Status::ConnectionError, operation_,
          std::string("poll failed while ") + activity + " " + endpoint_.uri() + ": " + errno_text(errno));
    }
  }
}

int Connection::write_all(const uint8_t* data, size_t len) {
  size_t done = 0;
  while (done < len) {
    const ssize_t n = ::send(fd_.get(), data + done, len - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    const int err = errno;
    if (n < 0 && err == EINTR) {
      continue;
    }
    if (n < 0 && (err == EAGAIN || err == EWOULDBLOCK)) {
      wait_for(POLLOUT, "sending the request to");
      continue;
    }
    if (n < 0 && (err == EPIPE || err == ECONNRESET)) {
      return err;
    }
    throw Error::client_error(Status::ConnectionError, operation_,
                              "cannot send the request to " + endpoint_.uri() + ": " + errno_text(err));
  }
  return 0;
}

void Connection::read_exact(uint8_t* data, size_t len, const char* what) {
  size_t done = 0;
  while (done < len) {
    const ssize_t n = ::recv(fd_.get(), data + done, len - done, 0);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n == 0) {
      throw Error::client_error(Status::ConnectionError, operation_,
                                "the service at " + endpoint_.uri() + " closed the connection after " +
                                    std::to_string(done) + " of " + std::to_string(len) + " bytes of the " + what);
    }
    const int err = errno;
    if (err == EINTR) {
      continue;
    }
    if (err == EAGAIN || err == EWOULDBLOCK) {
      wait_for(POLLIN, "waiting for the response from");
      continue;
    }
    throw Error::client_error(
        Status::ConnectionError, operation_,
        std::string("cannot read the ") + what + " from " + endpoint_.uri() + ": " + errno_text(err));
  }
}

}  // namespace parsec::client::detail
