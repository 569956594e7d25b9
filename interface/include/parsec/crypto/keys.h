// parsec/crypto/keys.h - public and private key encodings between the PSA
// formats and the standard ones, parsed and written by OpenSSL 3:
//  - the named curves with a PSA family (one table);
//  - PSA public key export data <-> SubjectPublicKeyInfo DER and PEM (RSA:
//    PKCS #1 RSAPublicKey inside; ECC: uncompressed SEC1 point; Montgomery:
//    the raw X25519/X448 key);
//  - PSA key pair export data -> PKCS #8 / PKCS #1 private key PEM;
//  - a key file (PEM or DER; PKCS #8, PKCS #1, SEC1 or SPKI) -> PSA import data.
// Every function is pure and thread-safe. Failures: PsaErrorInvalidArgument for
// malformed input, PsaErrorNotSupported for a key type or curve not handled,
// each with a detail fit for a user or log. Private key material passes only
// through SecretBytes or is wiped (parsec/interface/secret.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "parsec/interface/result.h"
#include "parsec/interface/secret.h"
#include "parsec/psa/key_attributes.h"

namespace parsec::crypto {

using Bytes = std::vector<uint8_t>;

// ---- curves ------------------------------------------------------------------
// Curve is a named curve with a PSA family that OpenSSL knows.
struct Curve {
  psa::EccFamily family = psa::EccFamily::None;
  uint32_t bits = 0;
  int nid = 0;            // OpenSSL NID
  const char* name = "";  // OpenSSL group name ("prime256v1")
  size_t field_bytes() const { return (bits + 7) / 8; }
};
// curve_of: SECP R1 192-521, SECP K1 192-256, SECT K1/R1 233-571, Brainpool
// P R1 160-512, Montgomery 255 (X25519) and 448 (X448). NotSupported otherwise.
Result<Curve> curve_of(psa::EccFamily family, uint32_t bits);
// curve_oid: the dotted OID of a Weierstrass curve ("1.2.840.10045.3.1.7").
Result<std::string> curve_oid(psa::EccFamily family, uint32_t bits);

// ---- PEM ---------------------------------------------------------------------
// pem_encode wraps DER in "-----BEGIN label-----" lines, 64 base64 characters
// per line, LF line ends. Wipe the result if `der` was secret.
std::string pem_encode(const std::string& label, const Bytes& der);

// ---- public keys --------------------------------------------------------------
// rsa_spki wraps a DER RSAPublicKey (checked to be one) in a
// SubjectPublicKeyInfo with rsaEncryption, NULL parameters.
Result<Bytes> rsa_spki(const Bytes& rsa_public_key);
// ecc_spki wraps an uncompressed point (bytes unchanged) in a
// SubjectPublicKeyInfo with id-ecPublicKey and the named curve; for Montgomery
// curves the raw key with id-X25519 / id-X448.
Result<Bytes> ecc_spki(psa::EccFamily family, uint32_t bits, const Bytes& point);
// public_key_spki: the PSA export of a public key (RSAPublicKey or point) of a
// key with `attributes` (RSA or ECC, pair or public) as SubjectPublicKeyInfo.
Result<Bytes> public_key_spki(const psa::KeyAttributes& attributes, const Bytes& psa_public_key);
// public_key_pem: "PUBLIC KEY" PEM of public_key_spki, or with `pkcs1` the
// "RSA PUBLIC KEY" PEM of an RSA key.
Result<std::string> public_key_pem(const psa::KeyAttributes& attributes, const Bytes& psa_public_key, bool pkcs1);

// ---- private keys -------------------------------------------------------------
// private_key_pem renders PsaExportKey data of an RSA or Weierstrass ECC key
// pair as an unencrypted PKCS #8 "PRIVATE KEY" PEM, or with `pkcs1` (RSA only)
// as "RSA PRIVATE KEY". The text holds key material: wipe it after use.
Result<std::string> private_key_pem(const psa::KeyAttributes& attributes, const Bytes& psa_key_pair, bool pkcs1);

// ---- key files ----------------------------------------------------------------
// ParsedKey is a key read from a file, in the form PsaImportKey takes.
struct ParsedKey {
  psa::KeyType type = psa::KeyType::None;  // RsaKeyPair, RsaPublicKey, EccKeyPair or EccPublicKey
  psa::EccFamily family = psa::EccFamily::None;
  uint32_t bits = 0;
  // RSAPrivateKey / RSAPublicKey DER (PKCS #1); ECC: the private scalar
  // (ceil(bits/8) bytes, big endian) or the uncompressed point.
  SecretBytes data;
};
// parse_key_file reads the first key of a PEM file ("PRIVATE KEY", "RSA
// PRIVATE KEY", "EC PRIVATE KEY", "PUBLIC KEY", "RSA PUBLIC KEY"; "EC
// PARAMETERS" blocks are skipped) or a DER key (PKCS #8, RSAPrivateKey,
// ECPrivateKey, SubjectPublicKeyInfo, RSAPublicKey). Encrypted keys, other key
// algorithms and curves without a PSA family are refused.
Result<ParsedKey> parse_key_file(const Bytes& contents);

}  // namespace parsec::crypto
