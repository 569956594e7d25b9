// parsec/psa/operations.h - plain request and result types of the PSA
// operations, shared by the service, every provider and the client core.
//
// The wire contracts (interface/proto) are converted to and from these types
// exactly once, strictly, at the boundary (parsec/interface/psa_proto.h); past
// it nobody sees protobuf. Byte fields that carry secrets (key material to
// import, plaintext to encrypt) are SecretBytes, so every copy is wiped; the
// secret outputs of providers (exported keys, decrypted data, shared secrets,
// random bytes) are SecretBytes as well. Plain value types, not synchronised.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "parsec/interface/secret.h"
#include "parsec/psa/algorithm.h"
#include "parsec/psa/key_attributes.h"

namespace parsec::psa {

using Bytes = std::vector<uint8_t>;

// CheckType values equal the wire enum can_do_crypto.CheckType.
enum class CheckType : uint32_t {
  None = 0,
  Use = 1,
  Generate = 2,
  Import = 3,
  Derive = 4,
};

// PreparedAttestation: PrepareKeyAttestation's result (ActivateCredential).
struct PreparedAttestation {
  Bytes name;                  // TPM name of the key to attest (TPM2B_NAME.name)
  Bytes public_area;           // its TPM public area (TPM2B_PUBLIC.publicArea)
  Bytes attesting_key_public;  // public part of the attesting key, PsaExportPublicKey format
};
// AttestKey's result: the decrypted credential, a secret.
using AttestedCredential = SecretBytes;

// One request type per operation, named after it (psa::op::SignHash is the
// request of PsaSignHash).
namespace op {

// --- key life cycle ----------------------------------------------------------
struct GenerateKey {
  std::string key_name;
  KeyAttributes attributes;
};
struct ImportKey {
  std::string key_name;
  KeyAttributes attributes;
  SecretBytes data;  // PSA import format (docs/protocol.md, operations, PsaImportKey)
};
struct DestroyKey {
  std::string key_name;
};
struct ExportKey {
  std::string key_name;
};
struct ExportPublicKey {
  std::string key_name;
};

// --- asymmetric signatures (alg.is_asymmetric_signature()) -------------------
struct SignHash {
  std::string key_name;
  Algorithm alg;
  Bytes hash;
};
struct VerifyHash {
  std::string key_name;
  Algorithm alg;
  Bytes hash;
  Bytes signature;
};
struct SignMessage {
  std::string key_name;
  Algorithm alg;
  Bytes message;
};
struct VerifyMessage {
  std::string key_name;
  Algorithm alg;
  Bytes message;
  Bytes signature;
};

// --- asymmetric encryption (alg.is_asymmetric_encryption()) ------------------
struct AsymmetricEncrypt {
  std::string key_name;
  Algorithm alg;
  SecretBytes plaintext;
  Bytes salt;  // OAEP label; empty = none
};
struct AsymmetricDecrypt {
  std::string key_name;
  Algorithm alg;
  Bytes ciphertext;
  Bytes salt;
};

// --- AEAD (alg.is_aead()) ------------------------------------------------------
struct AeadEncrypt {
  std::string key_name;
  Algorithm alg;
  Bytes nonce;
  Bytes additional_data;
  SecretBytes plaintext;
};
struct AeadDecrypt {
  std::string key_name;
  Algorithm alg;
  Bytes nonce;
  Bytes additional_data;
  Bytes ciphertext;  // with the tag appended
};

// --- unauthenticated ciphers (alg.kind() == AlgorithmKind::Cipher) -----------
struct CipherEncrypt {
  std::string key_name;
  Algorithm alg;
  SecretBytes plaintext;
};
struct CipherDecrypt {
  std::string key_name;
  Algorithm alg;
  Bytes ciphertext;  // IV first, as PSA psa_cipher_encrypt writes it
};

// --- MACs (alg.is_mac()) -------------------------------------------------------
struct MacCompute {
  std::string key_name;
  Algorithm alg;
  Bytes input;
};
struct MacVerify {
  std::string key_name;
  Algorithm alg;
  Bytes input;
  Bytes mac;
};

// --- key agreement (alg.kind() == AlgorithmKind::RawKeyAgreement) -------------
struct RawKeyAgreement {
  std::string private_key_name;
  Algorithm alg;
  Bytes peer_key;  // the peer's public key, PsaExportPublicKey format
};

// --- keyless -------------------------------------------------------------------
struct HashCompute {
  Hash alg = Hash::None;
  Bytes input;
};
struct HashCompare {
  Hash alg = Hash::None;
  Bytes input;
  Bytes hash;
};
struct GenerateRandom {
  uint64_t size = 0;
};
struct CanDoCrypto {
  CheckType check_type = CheckType::None;
  KeyAttributes attributes;
};

// --- key attestation (the ActivateCredential mechanism, TPM) -----------------
struct PrepareKeyAttestation {
  std::string attested_key_name;
  std::string attesting_key_name;  // empty = the provider's default
};
struct AttestKey {
  std::string attested_key_name;
  std::string attesting_key_name;  // empty = the provider's default
  Bytes credential_blob;
  Bytes secret;
};
}  // namespace op
}  // namespace parsec::psa
