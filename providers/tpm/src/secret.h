// secret.h - byte buffers that hold auth values or key material and are
// wiped when released.
#pragma once

#include <openssl/crypto.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace parsec::provider::tpm {

// SecretBytes is a move-only byte buffer zeroed on destruction and on wipe().
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

  SecretBytes clone() const { return SecretBytes(bytes_.data(), bytes_.size()); }
  const std::vector<uint8_t>& bytes() const { return bytes_; }
  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  const uint8_t* data() const { return bytes_.data(); }

  void wipe() {
    if (!bytes_.empty()) {
      OPENSSL_cleanse(bytes_.data(), bytes_.size());
    }
    bytes_.clear();
  }

 private:
  std::vector<uint8_t> bytes_;
};

// wipe zeroes any trivially copyable object (TPM2B structures holding auth
// values or sensitive areas) in place.
template <typename T>
void wipe(T& object) {
  OPENSSL_cleanse(&object, sizeof object);
}

inline void wipe_string(std::string& s) {
  if (!s.empty()) {
    OPENSSL_cleanse(s.data(), s.size());
  }
  s.clear();
}

}  // namespace parsec::provider::tpm
