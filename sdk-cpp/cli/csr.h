// csr.h - parsec-cli's view of the CSR builder of the encoding module
// (parsec/crypto/csr.h, where the request structure is described): the same
// types, and functions that throw CliError with the module's failure text.
// The signature comes from the service. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>

#include "parsec/client/algorithm.h"
#include "parsec/client/key_attributes.h"
#include "parsec/crypto/csr.h"
#include "sdk-cpp/cli/crypto_support.h"

namespace parsec::cli {

using crypto::CsrFields;
using crypto::CsrScheme;
using crypto::CsrSigning;

// csr_signing: crypto::csr_signing, throwing CliError.
CsrSigning csr_signing(const client::KeyAttributes& attributes);

// SignDigest signs a digest and returns the signature as X.509 carries it:
// a DER Ecdsa-Sig-Value for ECDSA, the plain signature for RSA. It may throw.
using SignDigest = std::function<Bytes(const Bytes& digest)>;

// create_csr returns the DER CertificationRequest for the public key `spki`
// (DER SubjectPublicKeyInfo); crypto::create_csr, throwing CliError.
Bytes create_csr(const CsrFields& fields, const Bytes& spki, CsrScheme scheme, client::Hash hash,
                 const SignDigest& sign);

// pss_salt_length: crypto::pss_salt_length, throwing CliError.
uint32_t pss_salt_length(client::Hash hash, uint32_t modulus_bits);

}  // namespace parsec::cli
