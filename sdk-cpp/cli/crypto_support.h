// crypto_support.h - format conversions parsec-cli needs around the client:
// base64, hex, SHA-2 digests, hash names, UTF-8 repair, and the CLI's view of
// the encoding module (parsec/crypto): ECDSA signatures between r||s and DER,
// public keys to PEM. The module does the DER/PEM/digest work; this file only
// turns its failures into CliError with the same text. Every function is pure
// and thread-safe. Key files and CSRs are in key_formats.h and csr.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "parsec/client/algorithm.h"
#include "parsec/client/key_attributes.h"
#include "parsec/interface/result.h"

namespace parsec::cli {

using Bytes = std::vector<uint8_t>;

// CliError is a failure of the tool itself (bad input, unsupported format).
class CliError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// unwrap returns the value of a module result or throws its detail as CliError.
template <typename T>
T unwrap(Result<T>&& r) {
  if (!r.ok()) {
    throw CliError(r.detail());
  }
  return std::move(r).value();
}

std::string base64_encode(const Bytes& data);
// base64_decode accepts standard base64 with padding; whitespace is ignored.
Bytes base64_decode(const std::string& text);

// hex_encode renders bytes as lowercase hex without separators.
std::string hex_encode(const Bytes& data);

// hash_from_name parses a hash algorithm name, case-insensitively and ignoring
// '-' and '_': "sha256", "SHA-256", "Sha256", "sha3-256", "sha512-224",
// "Sha512_224", "md5", "ripemd160", ... Throws CliError naming the accepted
// names otherwise.
client::Hash hash_from_name(const std::string& name);

// utf8_lossy returns `data` as UTF-8 text, each maximal ill-formed subsequence
// replaced by U+FFFD (the reference tool's String::from_utf8_lossy).
std::string utf8_lossy(const Bytes& data);

// digest supports SHA-224, SHA-256, SHA-384 and SHA-512 (as the reference tool).
Bytes digest(client::Hash hash, const Bytes& data);

// ecdsa_raw_to_der turns r||s (two halves of equal length) into a DER
// Ecdsa-Sig-Value with minimal INTEGERs (leading zero bytes dropped, 0x00
// prepended when the top bit is set). The reference tool keeps leading zeros,
// which strict DER verifiers such as OpenSSL reject for about 1 signature in
// 128; we always produce strict DER.
Bytes ecdsa_raw_to_der(const Bytes& raw);
// ecdsa_der_to_raw parses an Ecdsa-Sig-Value (also the reference tool's
// non-minimal integers) and returns r||s, each left-padded to scalar_len bytes.
Bytes ecdsa_der_to_raw(const Bytes& der, size_t scalar_len);

// pem_encode wraps DER in "-----BEGIN label-----" lines, 64 base64
// characters per line, LF line ends.
std::string pem_encode(const std::string& label, const Bytes& der);

// curve_oid gives the dotted OID of a named curve, for the curves the
// reference tool can export (SECP R1/K1, SECT K1/R1); throws otherwise.
std::string curve_oid(client::EccFamily family, uint32_t bits);

// rsa_spki wraps a DER RSAPublicKey (PKCS#1) in a SubjectPublicKeyInfo with
// algorithm rsaEncryption (NULL parameters).
Bytes rsa_spki(const Bytes& rsa_public_key);
// ecc_spki wraps an uncompressed point in a SubjectPublicKeyInfo with algorithm
// id-ecPublicKey and the named curve of (family, bits).
Bytes ecc_spki(client::EccFamily family, uint32_t bits, const Bytes& point);

// public_key_spki wraps the PSA export of a public key (RSAPublicKey DER or an
// uncompressed ECC point, as PsaExportPublicKey returns it) for a key of
// `attributes` (an RSA or ECC key pair or public key) in a SubjectPublicKeyInfo.
Bytes public_key_spki(const client::KeyAttributes& attributes, const Bytes& psa_public_key);
// public_key_pem: "PUBLIC KEY" PEM of public_key_spki, or with `pkcs1` the
// "RSA PUBLIC KEY" PEM of an RSA key (CliError for other types).
std::string public_key_pem(const client::KeyAttributes& attributes, const Bytes& psa_public_key, bool pkcs1);

}  // namespace parsec::cli
