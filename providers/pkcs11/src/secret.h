// secret.h - buffers for PINs and private key material, wiped when released.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace parsec::provider::pkcs11 {

// secure_zero overwrites `n` bytes at `p` in a way the compiler keeps.
void secure_zero(void* p, size_t n);
// wipe clears a string's bytes (its whole capacity is not reachable, so only
// the current contents; callers avoid growing strings that hold secrets).
void wipe(std::string& s);
void wipe(std::vector<uint8_t>& v);

// SecretBytes owns bytes that must not outlive their use. Move-only; the
// contents are zeroed on destruction and on assignment.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t n) : b_(n) {}
  SecretBytes(const uint8_t* p, size_t n) : b_(p, p + n) {}
  explicit SecretBytes(const std::string& s) : b_(s.begin(), s.end()) {}
  ~SecretBytes() { wipe(b_); }
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& o) noexcept : b_(std::move(o.b_)) { o.b_.clear(); }
  SecretBytes& operator=(SecretBytes&& o) noexcept {
    if (this != &o) {
      wipe(b_);
      b_ = std::move(o.b_);
      o.b_.clear();
    }
    return *this;
  }

  uint8_t* data() { return b_.data(); }
  const uint8_t* data() const { return b_.data(); }
  size_t size() const { return b_.size(); }
  bool empty() const { return b_.empty(); }
  // resize_down shrinks the logical size, zeroing the bytes dropped.
  void resize_down(size_t n) {
    if (n < b_.size()) {
      secure_zero(b_.data() + n, b_.size() - n);
      b_.resize(n);
    }
  }
  SecretBytes clone() const { return SecretBytes(b_.data(), b_.size()); }
  // release hands the bytes to a caller that takes over wiping them.
  std::vector<uint8_t> release() && {
    std::vector<uint8_t> out = std::move(b_);
    b_.clear();
    return out;
  }
  const std::vector<uint8_t>& bytes() const { return b_; }

 private:
  std::vector<uint8_t> b_;
};

}  // namespace parsec::provider::pkcs11
