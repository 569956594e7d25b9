// secret_bytes.h - a byte buffer that is wiped when released.
//
// Persistent-key blobs carry private key material in clear, so every copy the
// provider makes of one lives in a SecretBytes. Moving transfers the buffer
// (no unwiped copy is left behind); copying is not allowed.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include <mbedtls/platform_util.h>

namespace parsec::provider::mbed {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}
  SecretBytes(const uint8_t* data, size_t size) : bytes_(data, data + size) {}
  ~SecretBytes() { wipe(); }

  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) { other.bytes_.clear(); }
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
      wipe();
      bytes_ = std::move(other.bytes_);
      other.bytes_.clear();
    }
    return *this;
  }

  const std::vector<uint8_t>& bytes() const { return bytes_; }
  size_t size() const { return bytes_.size(); }
  const uint8_t* data() const { return bytes_.data(); }

  // wipe zeroes the contents. The buffer never grows or shrinks after
  // construction, so there is no stale copy beyond size() to worry about.
  void wipe() {
    if (!bytes_.empty()) {
      mbedtls_platform_zeroize(bytes_.data(), bytes_.size());
    }
    bytes_.clear();
  }

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace parsec::provider::mbed
