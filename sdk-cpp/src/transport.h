// transport.h - one request/response exchange over a Unix stream socket.
//
// A Connection owns one connected, non-blocking socket (RAII) and moves bytes
// with send(MSG_NOSIGNAL)/recv, waiting with poll() whenever the socket is not
// ready. The timeout bounds every single wait (connect, each write, each read),
// like SO_SNDTIMEO/SO_RCVTIMEO in the reference client; 0 waits forever.
// Failures throw Error(ConnectionError) with a message naming the endpoint.
// A Connection is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "parsec/client/endpoint.h"

namespace parsec::client::detail {

// UniqueFd closes its descriptor on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      reset(o.release());
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

class Connection {
 public:
  // connect opens a connection to `endpoint` or throws Error(ConnectionError).
  // `operation` only names the request in error messages.
  static Connection connect(const Endpoint& endpoint, uint32_t timeout_ms, const std::string& operation);

  // write_all sends all `len` bytes. Returns 0 on success, or the errno of a
  // broken connection (EPIPE, ECONNRESET): the service closes early after some
  // header errors, and its response may still be readable. Other failures and
  // timeouts throw.
  int write_all(const uint8_t* data, size_t len);

  // read_exact fills `len` bytes or throws (timeout, I/O error, or end of
  // stream, reported with `what` and how many bytes had arrived).
  void read_exact(uint8_t* data, size_t len, const char* what);

 private:
  Connection(UniqueFd fd, Endpoint endpoint, uint32_t timeout_ms, std::string operation);
  // wait_for polls for `events`; throws on timeout.
  void wait_for(short events, const char* activity);

  UniqueFd fd_;
  Endpoint endpoint_;
  uint32_t timeout_ms_;
  std::string operation_;
};

}  // namespace parsec::client::detail
