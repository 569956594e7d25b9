// secret_bytes.h - persistent-key blobs carry private key material in clear,
// so every copy the provider makes of one lives in a SecretBytes (shared type,
// parsec/interface/secret.h): move-only and wiped when released.
#pragma once

#include "parsec/interface/secret.h"

namespace parsec::provider::mbed {
using parsec::SecretBytes;
}  // namespace parsec::provider::mbed
