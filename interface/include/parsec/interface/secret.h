// parsec/interface/secret.h - wiping secrets before their memory is released.
//
// Key material, PINs, auth values, decrypted data and shared secrets live in a
// SecretBytes (move-only, zeroed on destruction, assignment and wipe()), or are
// cleared with wipe()/secure_zero() when they must pass through a std::string
// or std::vector. Shared by the service, every provider and the SDK.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace parsec {

// secure_zero overwrites `n` bytes at `p` in a way the compiler cannot elide.
void secure_zero(void* p, size_t n);
// wipe zeroes and clears a string or byte vector (its current contents; code
// holding secrets avoids growing such buffers, which would leave stale copies).
void wipe(std::string& s);
void wipe(std::vector<uint8_t>& v);

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t n) : b_(n) {}
  SecretBytes(const uint8_t* p, size_t n) : b_(p, p + n) {}
  explicit SecretBytes(std::vector<uint8_t> bytes) : b_(std::move(bytes)) {}
  explicit SecretBytes(const std::string& s) : b_(s.begin(), s.end()) {}
  ~SecretBytes() { wipe(); }

  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& o) noexcept : b_(std::move(o.b_)) { o.b_.clear(); }
  SecretBytes& operator=(SecretBytes&& o) noexcept {
    if (this != &o) {
      wipe();
      b_ = std::move(o.b_);
      o.b_.clear();
    }
    return *this;
  }

  uint8_t* data() { return b_.data(); }
  const uint8_t* data() const { return b_.data(); }
  size_t size() const { return b_.size(); }
  bool empty() const { return b_.empty(); }
  const std::vector<uint8_t>& bytes() const { return b_; }
  SecretBytes clone() const { return SecretBytes(b_.data(), b_.size()); }
  // resize_down shrinks the logical size, zeroing the bytes dropped.
  void resize_down(size_t n) {
    if (n < b_.size()) {
      secure_zero(b_.data() + n, b_.size() - n);
      b_.resize(n);
    }
  }
  // release hands the bytes to a caller that takes over wiping them.
  std::vector<uint8_t> release() && {
    std::vector<uint8_t> out = std::move(b_);
    b_.clear();
    return out;
  }
  // wipe zeroes the contents and empties the buffer.
  void wipe() { parsec::wipe(b_); }

 private:
  std::vector<uint8_t> b_;
};

}  // namespace parsec
