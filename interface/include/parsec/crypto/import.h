// parsec/crypto/import.h - the import data of the PSA formats decoded for the
// providers, and the few DER values PKCS #11 attributes carry. Every DER
// structure is parsed by OpenSSL and must be the exact DER encoding of what was
// parsed (minimal lengths and integers, no trailing bytes), so the providers
// accept exactly the same inputs. Pure and thread-safe. Malformed data answers
// PsaErrorInvalidArgument, curves without support PsaErrorNotSupported, with a
// detail. Private components are returned in SecretBytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "parsec/interface/result.h"
#include "parsec/interface/secret.h"
#include "parsec/psa/key_attributes.h"

namespace parsec::crypto {

using Bytes = std::vector<uint8_t>;

// ---- RSA (PKCS #1) ---------------------------------------------------------------
// RsaPublicKey: big-endian magnitudes without leading zero bytes.
struct RsaPublicKey {
  Bytes modulus;
  Bytes exponent;
  uint32_t bits = 0;  // bit length of the modulus
};
// parse_rsa_public_key decodes RSAPublicKey ::= SEQUENCE { n, e } (both > 0).
Result<RsaPublicKey> parse_rsa_public_key(const uint8_t* p, size_t n);

// RsaPrivateKey: the eight integers of a two-prime RSAPrivateKey (version 0),
// big-endian without leading zero bytes.
struct RsaPrivateKey {
  SecretBytes modulus, public_exponent, private_exponent, prime1, prime2, exponent1, exponent2, coefficient;
  uint32_t bits = 0;
};
// parse_rsa_private_key decodes RSAPrivateKey; multi-prime keys and zero
// components are refused.
Result<RsaPrivateKey> parse_rsa_private_key(const uint8_t* p, size_t n);

// rsa_public_key_der encodes RSAPublicKey from big-endian magnitudes.
Result<Bytes> rsa_public_key_der(const uint8_t* modulus, size_t modulus_size, const uint8_t* exponent,
                                 size_t exponent_size);
inline Result<Bytes> rsa_public_key_der(const Bytes& modulus, const Bytes& exponent) {
  return rsa_public_key_der(modulus.data(), modulus.size(), exponent.data(), exponent.size());
}

// bit_length of a big-endian magnitude (0 for zero).
size_t bit_length(const uint8_t* p, size_t n);

// ---- ECC --------------------------------------------------------------------------
// check_ecc_point: `point` is an uncompressed point (04||X||Y, field-size
// coordinates) on the curve (family, bits), not the point at infinity.
Outcome check_ecc_point(psa::EccFamily family, uint32_t bits, const Bytes& point);
// ecc_public_point validates a private scalar (field size, 0 < d < order) and
// returns its public point d.G, uncompressed.
Result<Bytes> ecc_public_point(psa::EccFamily family, uint32_t bits, const SecretBytes& scalar);

// ---- declared size against the data ----------------------------------------------
// check_import_size: when attributes.bits is not 0, the import data must hold
// a key of exactly that size (docs/protocol.md, operations §5.3): an RSA key
// whose modulus has `bits` bits, an ECC private value of ceil(bits/8) bytes,
// an ECC public key of 1 + 2*ceil(bits/8) bytes (Weierstrass) or ceil(bits/8)
// bytes (Montgomery), or bits/8 bytes of symmetric material. A mismatch, or
// RSA data that does not parse, is PsaErrorInvalidArgument naming both sizes,
// found before any provider decides whether it supports the size. bits == 0
// and DH keys (whose size the provider derives) pass.
Outcome check_import_size(const psa::KeyAttributes& attributes, const SecretBytes& data);

// ---- PKCS #11 attribute values ---------------------------------------------------
// ec_params: the DER OBJECT IDENTIFIER of a named curve (CKA_EC_PARAMS).
Result<Bytes> ec_params(psa::EccFamily family, uint32_t bits);
// octet_string wraps bytes in a DER OCTET STRING (CKA_EC_POINT).
Bytes octet_string(const Bytes& content);
// unwrap_octet_string returns the content of a DER OCTET STRING spanning all
// of p[0..n).
Result<Bytes> unwrap_octet_string(const uint8_t* p, size_t n);

}  // namespace parsec::crypto
