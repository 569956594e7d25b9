// parsec/crypto/csr.h - PKCS #10 certificate signing requests whose signature
// is made elsewhere (by the Parsec service, so that the private key never
// leaves it).
//
// OpenSSL builds the CertificationRequestInfo (subject, SubjectPublicKeyInfo,
// extensionRequest with subjectAltName), DER-encodes it, and the caller's
// SignDigest signs the digest; the signature and its AlgorithmIdentifier are
// then attached and the result is checked with X509_REQ_verify before it is
// returned. Schemes: ECDSA (ecdsa-with-SHA*), RSA PKCS #1 v1.5
// (sha*WithRSAEncryption, NULL parameters) and RSASSA-PSS (id-RSASSA-PSS with
// hashAlgorithm H, MGF1 with H, saltLength = length of H (capped as PSA
// implementations cap it for small keys), trailerField default).
// Thread-safe. Failures: PsaErrorInvalidArgument (bad field, key, signature)
// or PsaErrorNotSupported (hash, scheme), with a detail for the user.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "parsec/interface/result.h"
#include "parsec/psa/algorithm.h"
#include "parsec/psa/key_attributes.h"

namespace parsec::crypto {

using Bytes = std::vector<uint8_t>;

// The subject fields. Absent fields are left out; the subject lists them in
// this order: CN, OU, O, L, ST, C, serialNumber. C and serialNumber are
// PrintableStrings (C of exactly two characters), the others UTF8Strings.
struct CsrFields {
  std::optional<std::string> common_name;
  std::optional<std::string> organizational_unit;
  std::optional<std::string> organization;
  std::optional<std::string> locality;
  std::optional<std::string> state;
  std::optional<std::string> country;
  std::optional<std::string> serial_number;
  // Each entry that parses as an IPv4 or IPv6 address becomes an iPAddress,
  // any other (ASCII) entry a dNSName. The extension is critical only when the
  // subject is empty (RFC 5280 §4.2.1.6).
  std::vector<std::string> subject_alt_names;
};

enum class CsrScheme { Ecdsa, RsaPkcs1v15, RsaPss };

// How a key signs: the scheme, the hash applied to the request, and the
// algorithm to ask PsaSignHash for.
struct CsrSigning {
  CsrScheme scheme = CsrScheme::Ecdsa;
  psa::Hash hash = psa::Hash::Sha256;
  psa::Algorithm sign_alg;
};

// csr_signing derives the signing from a key's attributes: its policy must be
// a hash-and-sign RSA PKCS #1 v1.5, RSA-PSS or ECDSA signature (or ECDSA-any)
// with SHA-224/256/384/512; a policy allowing any hash signs with SHA-256.
Result<CsrSigning> csr_signing(const psa::KeyAttributes& attributes);

// SignDigest signs a digest and returns the signature as X.509 carries it: a
// DER Ecdsa-Sig-Value for ECDSA (see signature.h), the plain signature for RSA.
using SignDigest = std::function<Result<Bytes>(const Bytes& digest)>;

// create_csr returns the DER CertificationRequest for the public key `spki`
// (DER SubjectPublicKeyInfo). A failure of `sign` is returned as it is.
Result<Bytes> create_csr(const CsrFields& fields, const Bytes& spki, CsrScheme scheme, psa::Hash hash,
                         const SignDigest& sign);

// pss_salt_length: the salt length of a PSS signature with `hash` by a key of
// `modulus_bits`: the hash length, or less when the key is too small.
Result<uint32_t> pss_salt_length(psa::Hash hash, uint32_t modulus_bits);

}  // namespace parsec::crypto
