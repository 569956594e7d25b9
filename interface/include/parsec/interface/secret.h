// parsec/interface/secret.h - the one secret-wiping module of the repository.
//
// Key material, PINs, auth values, decrypted data and shared secrets live in a
// SecretBytes (move-only, zeroed on destruction, assignment and wipe()), or are
// cleared with wipe()/secure_zero() when they must pass through a std::string
// or std::vector, or with wipe_pod() when they sit in a plain C struct (a TPM2B,
// a CK_ATTRIBUTE value buffer). Shared by the service, every provider, the
// client core and the bindings; tests/hygiene fails the build's test run if
// another wiping primitive (explicit_bzero, OPENSSL_cleanse, memset_s, a
// volatile loop) appears anywhere else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace parsec {

// secure_zero overwrites `n` bytes at `p` in a way the compiler cannot elide.
void secure_zero(void* p, size_t n);
// wipe zeroes and clears a string or byte vector (its current contents; code
// holding secrets avoids growing such buffers, which would leave stale copies).
void wipe(std::string& s);
void wipe(std::vector<uint8_t>& v);

// wipe_pod zeroes a trivially copyable object in place (a TPM2B_AUTH, a fixed
// array). It refuses, at compile time, types that own heap memory (std::string,
// std::vector), whose object bytes are only a handle to the secret.
template <typename T>
void wipe_pod(T& object) {
  static_assert(std::is_trivially_copyable_v<T> && !std::is_pointer_v<T>,
                "wipe_pod only takes plain objects; use wipe() for strings and vectors");
  secure_zero(&object, sizeof object);
}

// Wiped zeroes a std::string or byte vector when it goes out of scope (for
// secrets that must pass through such a container, e.g. a protobuf field).
template <typename Container>
class Wiped {
 public:
  explicit Wiped(Container& c) : c_(c) {}
  ~Wiped() { wipe(c_); }
  Wiped(const Wiped&) = delete;
  Wiped& operator=(const Wiped&) = delete;

 private:
  Container& c_;
};

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t n) : b_(n) {}
  SecretBytes(const uint8_t* p, size_t n) : b_(p, p + n) {}
  explicit SecretBytes(std::vector<uint8_t> bytes) : b_(std::move(bytes)) {}
  explicit SecretBytes(const std::string& s) : b_(s.begin(), s.end()) {}
  // take empties `s` into a new SecretBytes, leaving no copy behind.
  static SecretBytes take(std::string& s) {
    SecretBytes out(s);
    parsec::wipe(s);
    return out;
  }
  static SecretBytes take(std::vector<uint8_t>& v) {
    SecretBytes out(std::move(v));
    v.clear();
    return out;
  }
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
  std::string_view view() const { return {reinterpret_cast<const char*>(b_.data()), b_.size()}; }
  bool operator==(const SecretBytes& o) const { return b_ == o.b_; }
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
