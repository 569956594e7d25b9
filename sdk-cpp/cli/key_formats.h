// key_formats.h - key files for parsec-cli's import-key and export-key: PEM or
// DER keys (private or public, RSA or elliptic curve) to the PSA import format,
// and PSA export data of key pairs back to PEM. OpenSSL 3 parses and encodes.
// Every function is pure and thread-safe; failures throw CliError. Buffers
// that held private key material are wiped before they are freed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crypto_support.h"
#include "parsec/client/key_attributes.h"

namespace parsec::cli {

// SecretBytes is a byte buffer wiped (OPENSSL_cleanse) when destroyed.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(Bytes data) : data_(std::move(data)) {}
  ~SecretBytes();
  SecretBytes(SecretBytes&& other) noexcept : data_(std::move(other.data_)) {}
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  const Bytes& bytes() const { return data_; }

 private:
  Bytes data_;
};

// A key read from a file, in the form PsaImportKey takes.
struct ParsedKey {
  // RsaKeyPair, RsaPublicKey, EccKeyPair or EccPublicKey.
  client::KeyType type = client::KeyType::None;
  client::EccFamily family = client::EccFamily::None;  // ECC keys only
  uint32_t bits = 0;
  // PSA import format: RSAPrivateKey / RSAPublicKey DER (PKCS#1); for ECC the
  // private scalar (big endian, ceil(bits/8) bytes) or the uncompressed point.
  SecretBytes data;
};

// parse_key_file reads the first key of a PEM file ("PRIVATE KEY", "RSA
// PRIVATE KEY", "EC PRIVATE KEY", "PUBLIC KEY", "RSA PUBLIC KEY"; "EC
// PARAMETERS" blocks are skipped) or a DER key (PKCS#8, RSAPrivateKey,
// ECPrivateKey, SubjectPublicKeyInfo, RSAPublicKey). Encrypted keys, other key
// algorithms and curves without a PSA family are refused.
ParsedKey parse_key_file(const Bytes& contents);

// private_key_pem renders the PsaExportKey data of an RSA or ECC key pair as
// an unencrypted PKCS#8 "PRIVATE KEY" PEM, or with `pkcs1` (RSA only) as an
// "RSA PRIVATE KEY" PEM. The result holds key material: wipe it after use.
std::string private_key_pem(const client::KeyAttributes& attributes, const Bytes& psa_key_pair, bool pkcs1);

// wipe overwrites a string's characters (OPENSSL_cleanse) and clears it.
void wipe(std::string& s);

}  // namespace parsec::cli
