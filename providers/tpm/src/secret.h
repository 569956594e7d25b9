// secret.h - byte buffers that hold auth values or key material and are
// wiped when released.
#pragma once

#include <openssl/crypto.h>

#include "parsec/interface/secret.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace parsec::provider::tpm {

// SecretBytes: the shared move-only buffer zeroed on release.
using parsec::SecretBytes;

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
