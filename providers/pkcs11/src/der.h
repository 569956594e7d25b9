// der.h - the few DER structures the provider reads and writes: PKCS #1
// RSAPublicKey / RSAPrivateKey, the OCTET STRING around CKA_EC_POINT, the
// named-curve parameters of CKA_EC_PARAMS, and PKCS #1 v1.5 DigestInfo
// prefixes. Readers are strict: definite lengths, minimal encodings of
// lengths, no trailing bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "parsec/interface/secret.h"
#include "parsec/psa/algorithm.h"

namespace parsec::provider::pkcs11::der {

using Bytes = std::vector<uint8_t>;

// --- writers ----------------------------------------------------------------
Bytes tlv(uint8_t tag, const uint8_t* p, size_t n);
// integer encodes an unsigned big-endian magnitude as a DER INTEGER.
Bytes integer(const Bytes& magnitude);
Bytes octet_string(const Bytes& content);
// rsa_public_key encodes RSAPublicKey ::= SEQUENCE { modulus, publicExponent }.
Bytes rsa_public_key(const Bytes& modulus, const Bytes& exponent);

// --- readers ----------------------------------------------------------------
struct RsaPublicKey {
  Bytes modulus;   // big-endian, no leading zero bytes
  Bytes exponent;
};
std::optional<RsaPublicKey> parse_rsa_public_key(const uint8_t* p, size_t n);

// RsaPrivateKey holds the eight integers of a two-prime PKCS #1 key, each
// big-endian without leading zeros, in wiped buffers.
struct RsaPrivateKey {
  SecretBytes modulus, public_exponent, private_exponent, prime1, prime2, exponent1, exponent2, coefficient;
};
std::optional<RsaPrivateKey> parse_rsa_private_key(const uint8_t* p, size_t n);

// unwrap_octet_string returns the content of a DER OCTET STRING that spans
// all of p[0..n).
std::optional<Bytes> unwrap_octet_string(const uint8_t* p, size_t n);

// bit_length of a big-endian magnitude.
size_t bit_length(const uint8_t* p, size_t n);

// --- named curves (SECP R1 family) ------------------------------------------
// ec_params returns the DER OBJECT IDENTIFIER of secp256r1/384r1/521r1 for
// `bits` 256/384/521, or nullopt.
std::optional<Bytes> ec_params(size_t bits);
// curve_bits_from_params is the inverse (0 if unknown).
size_t curve_bits_from_params(const Bytes& params);
// curve_bytes = ceil(bits / 8).
inline size_t curve_bytes(size_t bits) { return (bits + 7) / 8; }

// --- PKCS #1 v1.5 signatures -------------------------------------------------
// digest_info_prefix returns the DER bytes of DigestInfo that precede the
// digest (RFC 8017 §9.2 note 1) for a hash, or nullopt for a hash without an
// assigned OID (None, Any). Digest lengths come from psa::hash_length.
std::optional<Bytes> digest_info_prefix(psa::Hash hash);

}  // namespace parsec::provider::pkcs11::der
