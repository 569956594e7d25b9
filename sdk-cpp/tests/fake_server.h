// fake_server.h - an in-process stand-in for the Parsec service, for tests.
//
// FakeServer listens on a Unix socket in a fresh temporary directory. A
// background thread accepts one connection at a time, reads one request
// (header, body, auth), records it, and answers with what the next queued
// Handler returns (or the default handler when the queue is empty): canned
// bytes, nothing at all while keeping the connection open (to make the client
// time out), or a close. All public methods are thread-safe.
#pragma once

#include <google/protobuf/message_lite.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "parsec/client/endpoint.h"
#include "parsec/interface/wire.h"

namespace parsec::testing {

struct Captured {
  WireHeader header;
  std::string body;
  std::vector<uint8_t> auth;
  std::vector<uint8_t> raw;  // every byte received, in order
};

struct Reply {
  std::vector<uint8_t> bytes;  // written as they are
  bool stall = false;          // write `bytes`, then keep the connection open
};

using Handler = std::function<Reply(const Captured&)>;

class FakeServer {
 public:
  FakeServer();
  ~FakeServer();
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  client::Endpoint endpoint() const;
  void push(Handler h);
  void set_default(Handler h);
  // When false, only the 36-byte header is read before answering (the body
  // and auth bytes are left unread, as the service does after some errors).
  void set_read_full_request(bool full);
  std::vector<Captured> requests() const;

 private:
  void run();
  void serve(int fd);

  std::string dir_;
  std::string path_;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::deque<Handler> queue_;
  Handler default_;
  bool read_full_ = true;
  std::vector<Captured> requests_;
  std::vector<int> stalled_;
  std::thread thread_;
};

// ---- response builders --------------------------------------------------------

// response: a well-formed echoed response carrying `msg` (empty on error status).
std::vector<uint8_t> response(Opcode op, const google::protobuf::MessageLite& msg, Status status = Status::Success);
std::vector<uint8_t> status_response(Opcode op, Status status);
// raw_response encodes `h` (body_len taken from h as given) followed by `body`.
std::vector<uint8_t> raw_response(const WireHeader& h, const std::string& body);
// header_for: an echoed success header for `op` with the right body length.
WireHeader header_for(Opcode op, size_t body_len);

Handler reply_with(std::vector<uint8_t> bytes);
Handler reply_message(Opcode op, const google::protobuf::MessageLite& msg);

std::vector<uint8_t> hex_bytes(const std::string& hex);

}  // namespace parsec::testing
