#include "sdk-cpp/src/secret_buffers.h"

#include <algorithm>
#include <atomic>

namespace parsec::client::detail {
namespace {

std::atomic<WipeObserver> g_observer{nullptr};

}  // namespace

const char* buffer_name(Buffer b) {
  switch (b) {
    case Buffer::RequestField:
      return "request field";
    case Buffer::RequestBody:
      return "request body";
    case Buffer::RequestFrame:
      return "request frame";
    case Buffer::ResponseBody:
      return "response body";
    case Buffer::ResponseField:
      return "response field";
  }
  return "buffer";
}

bool secret_input(Opcode op) {
  const OpcodeInfo* info = opcode_info(op);
  return info != nullptr && info->secret_input;
}

bool secret_output(Opcode op) {
  const OpcodeInfo* info = opcode_info(op);
  return info != nullptr && info->secret_output;
}

void set_wipe_observer(WipeObserver observer) {
  g_observer.store(observer);
}

void scrub(void* p, size_t n, Opcode op, Buffer buffer) {
  parsec::secure_zero(p, n);
  if (const WipeObserver observer = g_observer.load()) {
    const auto* bytes = static_cast<const uint8_t*>(p);
    const bool zeroed = n == 0 || std::all_of(bytes, bytes + n, [](uint8_t v) { return v == 0; });
    observer(WipeEvent{op, buffer, n, zeroed});
  }
}

}  // namespace parsec::client::detail
