// secret_buffers.h - which buffers of a client exchange carry secrets, and their
// wiping (issue 9 item 4, client side).
//
// The one decision: secret_input(op) / secret_output(op) read the operation
// facts of parsec/interface/wire.h (opcode_info). Every buffer a request or a
// response passes through in the client core is guarded by a Scrub whose
// activity comes from that decision: the protobuf fields the caller's data is
// copied into, the serialized body, the framed request, the received body and
// the decoded result field. Wiping itself is parsec::secure_zero / parsec::wipe
// (parsec/interface/secret.h); nothing else here touches memory.
//
// Test hook: set_wipe_observer installs a function called for each guarded
// buffer right after it was zeroed and while it is still alive (so a test can
// check the bytes without reading freed memory). Set it only while no request
// is in flight on another thread (tests); the observer must not throw.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "parsec/client/info.h"
#include "parsec/interface/secret.h"
#include "parsec/interface/wire.h"

namespace parsec::client::detail {

// The buffers a Scrub can guard, in the order one exchange uses them.
enum class Buffer {
  RequestField,   // a secret field of the request message (plaintext, key data)
  RequestBody,    // the serialized request body
  RequestFrame,   // header || body || auth, as written to the socket
  ResponseBody,   // the response body as read from the socket
  ResponseField,  // the secret field of the decoded result
};
const char* buffer_name(Buffer b);

bool secret_input(Opcode op);
bool secret_output(Opcode op);

struct WipeEvent {
  Opcode op;
  Buffer buffer;
  size_t size;  // bytes zeroed
  bool zeroed;  // every one of them reads 0 after the wipe
};
using WipeObserver = void (*)(const WipeEvent&);
void set_wipe_observer(WipeObserver observer);

// scrub zeroes n bytes at p and reports them to the observer (if any).
void scrub(void* p, size_t n, Opcode op, Buffer buffer);

// Scrub wipes a std::string or byte vector when it goes out of scope, if
// `active` (the secret_input/secret_output decision for its buffer).
template <typename Container>
class Scrub {
 public:
  Scrub(Container& c, Opcode op, Buffer buffer, bool active) : c_(c), op_(op), buffer_(buffer), active_(active) {}
  ~Scrub() {
    if (active_) {
      scrub(c_.data(), c_.size(), op_, buffer_);
      parsec::wipe(c_);
    }
  }
  Scrub(const Scrub&) = delete;
  Scrub& operator=(const Scrub&) = delete;

 private:
  Container& c_;
  Opcode op_;
  Buffer buffer_;
  bool active_;
};

// SecretField guards a request message field that receives caller data for
// `op` (active when op has a secret input) and fills it with one allocation.
class SecretField {
 public:
  SecretField(Opcode op, std::string* field, const Bytes& value)
      : guard_(*field, op, Buffer::RequestField, secret_input(op)) {
    field->assign(value.begin(), value.end());
  }

 private:
  Scrub<std::string> guard_;
};

// take_result copies a decoded result field out and, when `op` has a secret
// output, wipes the field (also when the copy throws).
inline Bytes take_result(Opcode op, std::string* field) {
  Scrub<std::string> guard(*field, op, Buffer::ResponseField, secret_output(op));
  return Bytes(field->begin(), field->end());
}

}  // namespace parsec::client::detail
