#include "sdk-cpp/tests/fake_server.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace parsec::testing {
namespace {

// read_exact on a blocking socket with a receive timeout; false on EOF/error.
bool read_exact(int fd, uint8_t* p, size_t n, std::vector<uint8_t>* raw) {
  size_t done = 0;
  while (done < n) {
    const ssize_t r = ::recv(fd, p + done, n - done, 0);
    if (r <= 0) {
      if (r < 0 && errno == EINTR) {
        continue;
      }
      return false;
    }
    raw->insert(raw->end(), p + done, p + done + static_cast<size_t>(r));
    done += static_cast<size_t>(r);
  }
  return true;
}

void write_all(int fd, const std::vector<uint8_t>& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t w = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (w <= 0) {
      if (w < 0 && errno == EINTR) {
        continue;
      }
      return;  // the client went away; nothing to do in a test server
    }
    done += static_cast<size_t>(w);
  }
}

}  // namespace

FakeServer::FakeServer() {
  char tmpl[] = "/tmp/parsec-sdk-test-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  dir_ = tmpl;
  path_ = dir_ + "/parsec.sock";
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listen_fd_, 16) != 0) {
    throw std::runtime_error(std::string("cannot listen on ") + path_ + ": " + std::strerror(errno));
  }
  thread_ = std::thread([this] { run(); });
}

FakeServer::~FakeServer() {
  stop_ = true;
  thread_.join();
  for (int fd : stalled_) {
    ::close(fd);
  }
  ::close(listen_fd_);
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

client::Endpoint FakeServer::endpoint() const {
  return client::Endpoint::unix_socket(path_);
}

void FakeServer::push(Handler h) {
  std::lock_guard<std::mutex> lock(mu_);
  queue_.push_back(std::move(h));
}

void FakeServer::set_default(Handler h) {
  std::lock_guard<std::mutex> lock(mu_);
  default_ = std::move(h);
}

void FakeServer::set_read_full_request(bool full) {
  std::lock_guard<std::mutex> lock(mu_);
  read_full_ = full;
}

std::vector<Captured> FakeServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

void FakeServer::run() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) {
      continue;
    }
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      continue;
    }
    // A stuck client must not hang the test run.
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    serve(fd);
  }
}

void FakeServer::serve(int fd) {
  Captured c;
  uint8_t header[kHeaderLen];
  if (!read_exact(fd, header, kHeaderLen, &c.raw)) {
    ::close(fd);
    return;
  }
  c.header = decode_header(header);
  bool full;
  {
    std::lock_guard<std::mutex> lock(mu_);
    full = read_full_;
  }
  if (full) {
    std::vector<uint8_t> body(c.header.body_len);
    std::vector<uint8_t> auth(c.header.auth_len);
    if (!read_exact(fd, body.data(), body.size(), &c.raw) || !read_exact(fd, auth.data(), auth.size(), &c.raw)) {
      ::close(fd);
      return;
    }
    c.body.assign(body.begin(), body.end());
    c.auth = std::move(auth);
  }
  Handler h;
  {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(c);
    if (!queue_.empty()) {
      h = std::move(queue_.front());
      queue_.pop_front();
    } else {
      h = default_;
    }
  }
  Reply reply = h ? h(c) : Reply{};
  write_all(fd, reply.bytes);
  if (reply.stall) {
    std::lock_guard<std::mutex> lock(mu_);
    stalled_.push_back(fd);
    return;
  }
  ::close(fd);
}

// ---- builders ---------------------------------------------------------------------

WireHeader header_for(Opcode op, size_t body_len) {
  WireHeader h;
  h.opcode = static_cast<uint32_t>(op);
  h.body_len = static_cast<uint32_t>(body_len);
  return h;
}

std::vector<uint8_t> raw_response(const WireHeader& h, const std::string& body) {
  const auto hdr = encode_header(h);
  // resize + memcpy: GCC 12 warns falsely about vector::insert after an array copy.
  std::vector<uint8_t> out(hdr.size() + body.size());
  std::memcpy(out.data(), hdr.data(), hdr.size());
  if (!body.empty()) {
    std::memcpy(out.data() + hdr.size(), body.data(), body.size());
  }
  return out;
}

std::vector<uint8_t> response(Opcode op, const google::protobuf::MessageLite& msg, Status status) {
  std::string body;
  if (status == Status::Success) {
    msg.SerializeToString(&body);
  }
  WireHeader h = header_for(op, body.size());
  h.status = static_cast<uint16_t>(status);
  return raw_response(h, body);
}

std::vector<uint8_t> status_response(Opcode op, Status status) {
  WireHeader h = header_for(op, 0);
  h.status = static_cast<uint16_t>(status);
  return raw_response(h, "");
}

Handler reply_with(std::vector<uint8_t> bytes) {
  return [bytes = std::move(bytes)](const Captured&) { return Reply{bytes, false}; };
}

Handler reply_message(Opcode op, const google::protobuf::MessageLite& msg) {
  return reply_with(response(op, msg));
}

std::vector<uint8_t> hex_bytes(const std::string& hex) {
  std::vector<uint8_t> out;
  std::string digits;
  for (char c : hex) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      digits.push_back(c);
    }
  }
  for (size_t i = 0; i + 1 < digits.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  }
  return out;
}

}  // namespace parsec::testing
