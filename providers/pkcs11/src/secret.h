// secret.h - buffers for PINs and private key material, wiped when released.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "parsec/interface/secret.h"

namespace parsec::provider::pkcs11 {

// The shared helpers and buffer (parsec/interface/secret.h).
using parsec::secure_zero;
using parsec::SecretBytes;
using parsec::wipe;

}  // namespace parsec::provider::pkcs11
