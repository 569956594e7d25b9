#include "sdk-cpp/cli/csr.h"

namespace parsec::cli {

CsrSigning csr_signing(const client::KeyAttributes& attributes) {
  return unwrap(crypto::csr_signing(attributes));
}

Bytes create_csr(const CsrFields& fields, const Bytes& spki, CsrScheme scheme, client::Hash hash,
                 const SignDigest& sign) {
  // The CLI's signer throws (a client error); the exception passes through the
  // module, whose OpenSSL objects are owned by RAII holders.
  return unwrap(crypto::create_csr(fields, spki, scheme, hash,
                                   [&](const Bytes& digest) -> Result<Bytes> { return sign(digest); }));
}

uint32_t pss_salt_length(client::Hash hash, uint32_t modulus_bits) {
  return unwrap(crypto::pss_salt_length(hash, modulus_bits));
}

}  // namespace parsec::cli
