// parsec/crypto/signature.h - ECDSA signatures between the PSA form (r||s,
// each the size of the curve) and the DER Ecdsa-Sig-Value X.509 and TLS use.
// OpenSSL encodes and decodes. Pure and thread-safe; malformed input answers
// PsaErrorInvalidArgument with a detail.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "parsec/interface/result.h"

namespace parsec::crypto {

using Bytes = std::vector<uint8_t>;

// ecdsa_raw_to_der turns r||s (two halves of equal length) into a DER
// Ecdsa-Sig-Value with minimal INTEGERs (strict DER, which OpenSSL and other
// strict verifiers require).
Result<Bytes> ecdsa_raw_to_der(const Bytes& raw);
// ecdsa_der_to_raw parses an Ecdsa-Sig-Value (leading zero bytes in the
// INTEGERs are tolerated; negative values, trailing bytes and extra fields are
// not) and returns r||s, each left-padded to scalar_len bytes.
Result<Bytes> ecdsa_der_to_raw(const Bytes& der, size_t scalar_len);

}  // namespace parsec::crypto
